"""Pages of duplicate review: the queue, a pair side by side (merge / not the same person), the
merge history with undo, and runs with their progress. Thin: selectors read, services write;
a pair or merge the user cannot see in full is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.paging import keyset_page
from qiaolian.core.views import StaffMixin
from qiaolian.linkage import services
from qiaolian.linkage.models import PairStatus
from qiaolian.linkage.selectors import merge_list, pair_list, run_list
from qiaolian.registry.models import Person

REASON_LABELS = {
    "name_exact": gettext_lazy("姓名相同"),
    "name_pinyin": gettext_lazy("姓名同音"),
    "name_similar": gettext_lazy("姓名相近"),
    "birth_exact": gettext_lazy("出生日期相同"),
    "birth_swapped": gettext_lazy("出生月日颠倒"),
    "birth_month": gettext_lazy("出生年月相同"),
    "birth_year": gettext_lazy("出生年份相同"),
    "sex": gettext_lazy("性别相同"),
    "id_number": gettext_lazy("证件号码相同"),
    "phone": gettext_lazy("电话相同"),
    "address": gettext_lazy("同一家庭户"),
    "countries": gettext_lazy("海外亲属国家相同"),
}
PROBABILITY_FILTERS = {"": None, "90": 0.9, "99": 0.99}

#: rows of the side-by-side comparison: (label, attribute); protected values render masked
COMPARE_ROWS = [
    (gettext_lazy("姓名"), "name"),
    (gettext_lazy("外文名"), "foreign_name"),
    (gettext_lazy("性别"), "get_sex_display"),
    (gettext_lazy("出生日期"), "birth_date"),
    (gettext_lazy("证件号码"), "id_number"),
    (gettext_lazy("手机/电话"), "phone"),
    (gettext_lazy("其他电话"), "phone_alt"),
    (gettext_lazy("住址"), "address"),
    (gettext_lazy("家庭户"), "household"),
    (gettext_lazy("身份类别"), "get_category_display"),
    (gettext_lazy("所属侨联"), "federation"),
]


def reason_badges(reasons: list[str]) -> list[str]:
    return [str(REASON_LABELS.get(code, code)) for code in reasons]


def _compare(a, b) -> list[dict]:
    rows = []
    for label, attr in COMPARE_ROWS:
        values = []
        for person in (a, b):
            value = getattr(person, attr)
            value = value() if callable(value) else value
            values.append("" if value is None else str(value))
        rows.append({"label": label, "a": values[0], "b": values[1], "same": values[0] == values[1] and values[0]})
    return rows


def _snapshot_rows(values: dict) -> list[tuple[str, str]]:
    """The merged person's kept values with their field labels, blanks left out."""
    rows = []
    for name, value in values.items():
        if value in (None, "", [], False):
            continue
        try:
            label = str(Person._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        rows.append((label, value if not isinstance(value, list) else "、".join(map(str, value))))
    return rows


class PairListView(StaffMixin, TemplateView):
    """The review queue: pending pairs, most probable first, with the fields that agreed."""

    permission_required = "linkage.view_pair"
    template_name = "linkage/pair_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", PairStatus.PENDING)
        status = status if status in PairStatus.values or status == "all" else PairStatus.PENDING
        minimum = self.request.GET.get("min", "")
        minimum = minimum if minimum in PROBABILITY_FILTERS else ""
        qs = pair_list(
            user=self.request.user,
            status="" if status == "all" else status,
            min_probability=PROBABILITY_FILTERS[minimum],
        )
        page = keyset_page(qs, order=("-match_probability", "id"), cursor=self.request.GET.get("cursor", ""), size=30)
        for pair in page.rows:
            pair.badges = reason_badges(pair.reasons)
        ctx.update(
            page=page,
            status=status,
            statuses=[("all", _("全部")), *PairStatus.choices],
            minimum=minimum,
            minimums=[("", _("不限")), ("90", "≥ 90%"), ("99", "≥ 99%")],
            runs=run_list(user=self.request.user)[:5],
        )
        return ctx


class PairDetailView(StaffMixin, TemplateView):
    permission_required = "linkage.view_pair"
    template_name = "linkage/pair_detail.html"

    def load_objects(self, **kwargs) -> None:
        self.pair = get_object_or_404(pair_list(user=self.request.user, status=""), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        pair = self.pair
        ctx.update(
            pair=pair,
            badges=reason_badges(pair.reasons),
            rows=_compare(pair.person_a, pair.person_b),
            can_decide=pair.status == PairStatus.PENDING and self.request.user.has_perm("linkage.merge_person"),
        )
        return ctx


class PairMergeView(StaffMixin, View):
    """Merge the pair; ``survivor`` ("a" or "b") names the person that stays."""

    permission_required = "linkage.merge_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        pair = get_object_or_404(pair_list(user=request.user, status=""), pk=pk)
        survivor, merged = (
            (pair.person_b, pair.person_a) if request.POST.get("survivor") == "b" else (pair.person_a, pair.person_b)
        )
        if pair.status != PairStatus.PENDING:
            messages.error(request, _("该疑似重复已处理。"))
            return redirect("linkage:pair_detail", pk=pair.pk)
        try:
            merge = services.persons_merge(actor=request.user, survivor=survivor, merged=merged, pair=pair)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("linkage:pair_detail", pk=pair.pk)
        messages.success(
            request,
            _("已合并：%(merged)s 的记录已转到 %(survivor)s，原记录已归档。")
            % {
                "merged": merged.name,
                "survivor": survivor.name,
            },
        )
        return redirect("linkage:merge_detail", pk=merge.pk)


class PairDistinctView(StaffMixin, View):
    permission_required = "linkage.merge_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        pair = get_object_or_404(pair_list(user=request.user, status=""), pk=pk)
        try:
            services.pair_mark_distinct(actor=request.user, pair=pair)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("linkage:pair_detail", pk=pair.pk)
        messages.success(request, _("已标记为不是同一人，以后查重不再提示这两人。"))
        return redirect("linkage:pair_list")


class MergeListView(StaffMixin, TemplateView):
    permission_required = "linkage.view_pair"
    template_name = "linkage/merge_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = keyset_page(
            merge_list(user=self.request.user),
            order=("-created_at", "-id"),
            cursor=self.request.GET.get("cursor", ""),
            size=30,
        )
        return ctx


class MergeDetailView(StaffMixin, TemplateView):
    permission_required = "linkage.view_pair"
    template_name = "linkage/merge_detail.html"

    def load_objects(self, **kwargs) -> None:
        self.merge = get_object_or_404(merge_list(user=self.request.user), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            merge=self.merge,
            merged_values=_snapshot_rows(self.merge.merged_snapshot),
            links=self.merge.links.all(),
            can_undo=not self.merge.is_undone and self.request.user.has_perm("linkage.merge_person"),
        )
        return ctx


class MergeUndoView(StaffMixin, View):
    permission_required = "linkage.merge_person"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        merge = get_object_or_404(merge_list(user=request.user), pk=pk)
        try:
            services.persons_unmerge(actor=request.user, merge=merge)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已撤销合并，两人的记录已恢复原状。"))
        return redirect("linkage:merge_detail", pk=merge.pk)


class RunStartView(StaffMixin, View):
    """Start a run over the user's own jurisdiction."""

    permission_required = "linkage.run_linkage"
    http_method_names = ["post"]

    def post(self, request):
        try:
            run = services.linkage_run(actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("linkage:pair_list")
        messages.info(request, _("查重已开始，完成后疑似重复会出现在待审核列表中。"))
        return redirect("linkage:run_detail", pk=run.pk)


class RunDetailView(StaffMixin, TemplateView):
    permission_required = "linkage.view_pair"
    template_name = "linkage/run_detail.html"

    def load_objects(self, **kwargs) -> None:
        self.run = get_object_or_404(run_list(user=self.request.user), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["run"] = self.run
        return ctx


class RunProgressView(StaffMixin, View):
    """The progress partial the run page polls; once the run is over the page reloads itself."""

    permission_required = "linkage.view_pair"

    def get(self, request, pk: int):
        run = get_object_or_404(run_list(user=request.user), pk=pk)
        response = render(request, "linkage/run_detail.html#progress", {"run": run})
        if not run.is_running and request.htmx:
            response["HX-Refresh"] = "true"
        return response
