"""Staff pages of contests: management, entries and screening, results, awards, objections,
certificates; and the judges' pages (anonymous scoring)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.contests import certificates, selectors, services
from qiaolian.contests.forms import (
    AwardSuggestForm,
    CategoryFormSet,
    ContestFilterForm,
    ContestForm,
    CriterionFormSet,
    EntryFilterForm,
    ObjectionForm,
    ObjectionResolveForm,
    ScoreForm,
    ScreenForm,
)
from qiaolian.contests.models import (
    Award,
    Contest,
    ContestStatus,
    Entry,
    EntryFile,
    Objection,
)
from qiaolian.core.downloads import serve_upload
from qiaolian.core.paging import keyset_page
from qiaolian.core.pdf import pdf_response
from qiaolian.core.views import StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices

VARIANTS = ("web", "thumbnail", "original")


def _get_or_404(getter, model, user, pk: int, **kwargs):
    try:
        return getter(user=user, pk=pk, **kwargs)
    except model.DoesNotExist:
        raise Http404 from None


def _error_message(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


def file_response(field_file, *, content_type: str = "", download_name: str = "") -> FileResponse:
    """A stored user file (``core.downloads.serve_upload``): typed by its content, shown in place
    only as a known image/video type, never as HTML (nor when ``content_type``, the type recorded
    at upload, says HTML); a ``download_name`` makes it an attachment."""
    return serve_upload(
        field_file, filename=download_name, as_attachment=bool(download_name), claimed_type=content_type
    )


# Contests -----------------------------------------------------------------------------------


def _contest_filter_form(request) -> ContestFilterForm:
    user = request.user
    return ContestFilterForm(
        request.GET or None, years=selectors.contest_years(user=user), federations=federation_choices(user=user)
    )


class ContestListView(StaffMixin, TemplateView):
    permission_required = "contests.view_contest"
    template_name = "contests/contest_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = _contest_filter_form(self.request)
        contests = selectors.contest_list(user=user, filters=form.filters())
        ctx["form"] = form
        ctx["page"] = keyset_page(contests, order=("-year", "-id"), cursor=self.request.GET.get("cursor", ""))
        ctx["query"] = self.request.GET.urlencode()
        ctx["can_change"] = user.has_perm("contests.change_contest")
        return ctx


class ContestExportView(StaffMixin, RecentAuthRequiredMixin, View):
    permission_required = "contests.view_contest"

    def get(self, request):
        form = _contest_filter_form(request)
        contests = selectors.contest_list(user=request.user, filters=form.filters()).order_by("-year", "-id")
        content = services.contests_export_xlsx(actor=request.user, contests=contests, filters=form.as_audit())
        return _xlsx_response(content, "contests")


def _xlsx_response(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=services.XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.xlsx"'
    return response


class ContestMixin:
    def load_objects(self, **kwargs):
        self.contest = _get_or_404(selectors.contest_get, Contest, self.request.user, kwargs["pk"])


class ContestFormView(StaffMixin, TemplateView):
    """Create or change a contest with its categories, criteria and judges on one page."""

    permission_required = "contests.change_contest"
    template_name = "contests/contest_form.html"
    contest: Contest | None = None

    def load_objects(self, **kwargs):
        if "pk" in kwargs:
            self.contest = _get_or_404(selectors.contest_get, Contest, self.request.user, kwargs["pk"])

    def forms(self, data=None):
        user = self.request.user
        contest = self.contest
        initial = {}
        if contest is None and user.federation_id:
            initial = {"federation": user.federation_id, "year": timezone.localdate().year}
        form = ContestForm(data, instance=contest, initial=initial, federations=federation_choices(user=user))
        cat_initial = crit_initial = None
        if contest is not None:
            cat_initial = [
                {k: getattr(c, k) for k in CategoryFormSet.form.base_fields if k != "DELETE"}
                for c in contest.categories.all()
            ]
            crit_initial = [
                {k: getattr(c, k) for k in CriterionFormSet.form.base_fields if k != "DELETE"}
                for c in contest.criteria.all()
            ]
        categories = CategoryFormSet(data, prefix="cat", initial=cat_initial)
        criteria = CriterionFormSet(data, prefix="crit", initial=crit_initial)
        return form, categories, criteria

    def render_forms(self, form, categories, criteria):
        title = _("修改：%(object)s") % {"object": self.contest} if self.contest else _("新建大赛")
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "categories": categories,
                "criteria": criteria,
                "contest": self.contest,
                "page_title": title,
                "cancel_url": self.contest.get_absolute_url() if self.contest else reverse("contests:contest_list"),
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.forms())

    def post(self, request, *args, **kwargs):
        form, categories, criteria = self.forms(request.POST)
        if form.is_valid() and categories.is_valid() and criteria.is_valid():
            data = form.service_data()
            try:
                contest = services.contest_save(
                    actor=request.user,
                    contest=self.contest,
                    data=data,
                    categories=categories.rows(),
                    criteria=criteria.rows(),
                    judges=list(form.cleaned_data.get("judges") or []),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key in ("criteria", "categories"):
                        for message in error.error_dict.pop(key, []):
                            form.add_error(None, message)
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已保存大赛“%(title)s”。") % {"title": contest.title})
                return redirect(contest)
        return self.render_forms(form, categories, criteria)


DETAIL_TABS = {
    "overview": gettext_lazy("概况"),
    "categories": gettext_lazy("组别与评分项"),
    "entries": gettext_lazy("作品统计"),
    "judging": gettext_lazy("评审进度"),
    "results": gettext_lazy("评审结果"),
    "objections": gettext_lazy("公示与异议"),
}


def results_context(user, contest: Contest) -> dict:
    results = list(selectors.result_list(user=user, contest=contest))
    tied = services.tied_entry_ids(results)
    judge_scores = selectors.entry_judge_scores(user=user, contest=contest)
    rows = []
    for entry in results:
        totals = {}
        for score in judge_scores.get(entry.pk, []):
            totals.setdefault(score.judge, []).append(score)
        rows.append({"entry": entry, "tied": entry.pk in tied, "judge_scores": totals})
    return {
        "results": rows,
        "has_ties": bool(tied),
        "results_computed": any(e.rank is not None for e in results),
        "scores_visible": selectors.scores_visible(contest=contest),
        "awards": Award.choices,
        "can_award": contest.status in services.AWARD_STATES,
        "suggest_form": AwardSuggestForm(),
    }


class ContestDetailView(ContestMixin, StaffMixin, TemplateView):
    permission_required = "contests.view_contest"
    template_name = "contests/contest_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, contest = self.request.user, self.contest
        tab = self.request.GET.get("tab", "overview")
        tab = tab if tab in DETAIL_TABS else "overview"
        ctx.update(
            contest=contest,
            tab=tab,
            tabs=list(DETAIL_TABS.items()),
            can_change=user.has_perm("contests.change_contest"),
            transitions=[(to, ContestStatus(to).label) for to in services.TRANSITIONS.get(contest.status, ())],
            categories=selectors.contest_categories(contest=contest),
            criteria=selectors.contest_criteria(contest=contest),
            judges=list(contest.judges.order_by("display_name", "username")),
            overview=selectors.entry_overview(contest=contest),
        )
        ctx["weight_total"] = sum(c.weight for c in ctx["criteria"])
        ctx["entry_total"] = sum(r["total"] for r in ctx["overview"])
        if tab == "judging":
            ctx["progress"] = selectors.judging_progress(contest=contest)
        if tab == "results":
            ctx.update(results_context(user, contest))
        if tab == "objections":
            ctx["objections"] = list(selectors.objection_list(user=user, contest=contest))
            ctx["resolve_form"] = ObjectionResolveForm()
        return ctx


class ContestTransitionView(ContestMixin, StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        to = request.POST.get("to", "")
        try:
            services.contest_transition(actor=request.user, contest=self.contest, to=to)
            messages.success(request, _("大赛状态已改为“%(state)s”。") % {"state": ContestStatus(to).label})
        except ValidationError as error:
            _error_message(request, error)
        return redirect(self.contest)


# Entries ------------------------------------------------------------------------------------


def _entry_filter_form(request, contest) -> EntryFilterForm:
    return EntryFilterForm(request.GET or None, categories=selectors.contest_categories(contest=contest))


class EntryListView(ContestMixin, StaffMixin, TemplateView):
    permission_required = "contests.view_contest"
    template_name = "contests/entry_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, contest = self.request.user, self.contest
        form = _entry_filter_form(self.request, contest)
        entries = selectors.entry_list(user=user, contest=contest, filters=form.filters())
        ctx.update(
            contest=contest,
            form=form,
            page=keyset_page(entries, order=("code", "id"), cursor=self.request.GET.get("cursor", "")),
            query=self.request.GET.urlencode(),
            can_screen=user.has_perm("contests.change_contest") and contest.status == ContestStatus.SCREENING,
        )
        return ctx


class EntryExportView(ContestMixin, StaffMixin, RecentAuthRequiredMixin, View):
    permission_required = "contests.view_contest"

    def get(self, request, pk: int):
        form = _entry_filter_form(request, self.contest)
        entries = selectors.entry_list(user=request.user, contest=self.contest, filters=form.filters()).order_by("code")
        content = services.entries_export_xlsx(
            actor=request.user, contest=self.contest, entries=entries.iterator(chunk_size=2000), filters=form.as_audit()
        )
        return _xlsx_response(content, f"entries-{self.contest.pk}")


class EntryScreenBulkView(ContestMixin, StaffMixin, View):
    """Screen the entries ticked in the list at once."""

    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        ids = [int(v) for v in request.POST.getlist("entry") if v.isdigit()]
        entries = list(selectors.entry_list(user=request.user, contest=self.contest).filter(pk__in=ids))
        form = ScreenForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            n = services.entries_screen(
                actor=request.user,
                contest=self.contest,
                entries=entries,
                eligible=form.cleaned_data["decision"] == "eligible",
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(request, _("已审查 %(n)s 件作品。") % {"n": n})
        except ValidationError as error:
            _error_message(request, error)
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/contests/") else reverse("contests:entry_list", args=[pk]))


class EntryMixin:
    def load_objects(self, **kwargs):
        self.entry = _get_or_404(selectors.entry_get, Entry, self.request.user, kwargs["pk"])


class EntryDetailView(EntryMixin, StaffMixin, TemplateView):
    permission_required = "contests.view_contest"
    template_name = "contests/entry_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, entry = self.request.user, self.entry
        contest = entry.contest
        ctx.update(
            entry=entry,
            contest=contest,
            files=selectors.entry_files(entry=entry),
            can_change=user.has_perm("contests.change_contest"),
            can_screen=user.has_perm("contests.change_contest") and contest.status == ContestStatus.SCREENING,
            objections=list(entry.objections.all()),
            objection_form=ObjectionForm(),
            can_object=contest.status == ContestStatus.NOTICE,
            has_certificate=bool(entry.award) and contest.status in (ContestStatus.NOTICE, ContestStatus.FINAL),
            scores_visible=selectors.scores_visible(contest=contest),
            judge_scores=selectors.entry_judge_scores(user=user, contest=contest).get(entry.pk, []),
        )
        return ctx


class EntryScreenView(EntryMixin, StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = ScreenForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.entry_screen(
                actor=request.user,
                entry=self.entry,
                eligible=form.cleaned_data["decision"] == "eligible",
                reason=form.cleaned_data.get("reason", ""),
            )
            messages.success(request, _("已保存审查结果。"))
        except ValidationError as error:
            _error_message(request, error)
        return redirect(self.entry)


class EntryFileView(StaffMixin, View):
    """A file of an entry for staff: the web copy, the thumbnail, or the original as a download."""

    permission_required = "contests.view_contest"

    def get(self, request, pk: int, variant: str):
        if variant not in VARIANTS:
            raise Http404
        file = _get_or_404(selectors.entry_file_get, EntryFile, request.user, pk)
        if variant == "original":
            name = file.original_name or file.original.name.rsplit("/", 1)[-1]
            return file_response(file.original, content_type=file.content_type, download_name=name)
        return file_response(getattr(file, variant))


# Results, awards, objections ----------------------------------------------------------------


class ResultsComputeView(ContestMixin, StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            result = services.results_compute(actor=request.user, contest=self.contest)
            messages.success(request, _("已计算 %(n)s 件作品的得分与名次。") % {"n": result["entries"]})
            if result["ties"]:
                messages.warning(
                    request,
                    _("以下作品得分相同，请评审委员会确定名次：%(codes)s。") % {"codes": "、".join(result["ties"])},
                )
        except ValidationError as error:
            _error_message(request, error)
        return redirect(f"{self.contest.get_absolute_url()}?tab=results")


class AwardsView(ContestMixin, StaffMixin, View):
    """The award column of the results page: ``award_<entry id>`` = award code or ""."""

    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        awards = {}
        for key, value in request.POST.items():
            if key.startswith("award_") and key[6:].isdigit():
                awards[int(key[6:])] = value
        try:
            n = services.awards_set(actor=request.user, contest=self.contest, awards=awards)
            messages.success(request, _("已更新 %(n)s 件作品的奖项。") % {"n": n})
        except ValidationError as error:
            _error_message(request, error)
        return redirect(f"{self.contest.get_absolute_url()}?tab=results")


class AwardSuggestView(ContestMixin, StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = AwardSuggestForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            n = services.awards_suggest(actor=request.user, contest=self.contest, counts=form.cleaned_data)
            messages.success(request, _("已按名次评定奖项，更新 %(n)s 件作品。") % {"n": n})
        except ValidationError as error:
            _error_message(request, error)
        return redirect(f"{self.contest.get_absolute_url()}?tab=results")


class ObjectionAddView(EntryMixin, StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = ObjectionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.objection_add(actor=request.user, entry=self.entry, **form.cleaned_data)
            messages.success(request, _("已登记异议。"))
        except ValidationError as error:
            _error_message(request, error)
        return redirect(self.entry)


class ObjectionResolveView(StaffMixin, View):
    permission_required = "contests.change_contest"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        objection = _get_or_404(selectors.objection_get, Objection, request.user, pk)
        form = ObjectionResolveForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.objection_resolve(actor=request.user, objection=objection, **form.cleaned_data)
            messages.success(request, _("异议已处理。"))
        except ValidationError as error:
            _error_message(request, error)
        return redirect(f"{objection.entry.contest.get_absolute_url()}?tab=objections")


class CertificateView(EntryMixin, StaffMixin, View):
    """The certificate of one awarded entry (lang zh or en)."""

    permission_required = "contests.view_contest"

    def get(self, request, pk: int, lang: str):
        try:
            data, filename = certificates.certificates_pdf(entries=[self.entry], language=lang, request=request)
        except ValidationError as error:
            _error_message(request, error)
            return redirect(self.entry)
        return pdf_response(data, filename)


class ContestCertificatesView(ContestMixin, StaffMixin, View):
    """All certificates of a contest in one PDF, one page per awarded entry."""

    permission_required = "contests.view_contest"

    def get(self, request, pk: int, lang: str):
        entries = list(selectors.result_list(user=request.user, contest=self.contest).exclude(award=""))
        try:
            data, filename = certificates.certificates_pdf(entries=entries, language=lang, request=request)
        except ValidationError as error:
            _error_message(request, error)
            return redirect(f"{self.contest.get_absolute_url()}?tab=results")
        return pdf_response(data, filename)


# Judging (anonymous) ------------------------------------------------------------------------


class JudgingListView(StaffMixin, TemplateView):
    """我的评审: the contests in judging where the user is on the panel, with progress."""

    permission_required = "contests.judge"
    template_name = "contests/judging_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        rows = []
        for contest in selectors.judging_contests(user=user):
            entries = selectors.judging_entries(user=user, contest=contest)
            own = selectors.own_scores(user=user, contest=contest)
            n_criteria = contest.criteria.count()
            done = sum(1 for e in entries if len(own.get(e.pk, {})) >= n_criteria)
            rows.append({"contest": contest, "total": entries.count(), "done": done})
        ctx["rows"] = rows
        return ctx


class JudgingContestMixin:
    def load_objects(self, **kwargs):
        self.contest = _get_or_404(selectors.judging_contest_get, Contest, self.request.user, kwargs["pk"])


class JudgingEntriesView(JudgingContestMixin, StaffMixin, TemplateView):
    permission_required = "contests.judge"
    template_name = "contests/judging_entries.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, contest = self.request.user, self.contest
        entries = list(selectors.judging_entries(user=user, contest=contest))
        criteria = selectors.contest_criteria(contest=contest)
        own = selectors.own_scores(user=user, contest=contest)
        rows = []
        for entry in entries:
            mine = own.get(entry.pk, {})
            complete = len(mine) >= len(criteria) and bool(criteria)
            total = services.judge_total({k: s.value for k, s in mine.items()}, criteria) if complete else None
            rows.append({"entry": entry, "complete": complete, "total": total})
        ctx.update(
            contest=contest,
            rows=rows,
            done=sum(1 for r in rows if r["complete"]),
            criteria=criteria,
        )
        return ctx


class JudgingScoreView(StaffMixin, TemplateView):
    """Score one entry: code, category, title, description and files — never the author."""

    permission_required = "contests.judge"
    template_name = "contests/judging_score.html"

    def load_objects(self, **kwargs):
        self.entry = _get_or_404(selectors.judging_entry_get, Entry, self.request.user, kwargs["pk"])
        self.contest = selectors.judging_contest_get(user=self.request.user, pk=self.entry.contest_id)
        self.criteria = selectors.contest_criteria(contest=self.contest)

    def form(self, data=None) -> ScoreForm:
        mine = selectors.own_scores(user=self.request.user, contest=self.contest).get(self.entry.pk, {})
        initial = {f"criterion_{pk}": s.value for pk, s in mine.items()}
        if mine:
            initial["comment"] = next(iter(mine.values())).comment
        return ScoreForm(data, criteria=self.criteria, initial=initial)

    def neighbours(self):
        ids = list(selectors.judging_entries(user=self.request.user, contest=self.contest).values_list("pk", flat=True))
        i = ids.index(self.entry.pk)
        return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        previous, following = self.neighbours()
        ctx.update(
            entry=self.entry,
            contest=self.contest,
            files=selectors.judging_files(entry=self.entry),
            form=kwargs.get("form") or self.form(),
            previous_id=previous,
            next_id=following,
        )
        return ctx

    def post(self, request, pk: int):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.scores_save(
                    actor=request.user, entry=self.entry, values=form.values(), comment=form.cleaned_data["comment"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已保存作品 %(code)s 的评分。") % {"code": self.entry.code})
                _prev, following = self.neighbours()
                if following and "save_next" in request.POST:
                    return redirect("contests:judging_score", following)
                return redirect("contests:judging_entries", self.contest.pk)
        return self.render_to_response(self.get_context_data(form=form))


class JudgingFileView(StaffMixin, View):
    """A file of an entry for its judges: the web copy (or the thumbnail), never the original."""

    permission_required = "contests.judge"

    def get(self, request, pk: int, variant: str):
        if variant not in ("web", "thumbnail"):
            raise Http404
        file = _get_or_404(selectors.judging_file_get, EntryFile, request.user, pk)
        return file_response(getattr(file, variant))
