"""Pages of hardship aid: campaigns, nominations, approval, hand-over, sign-off sheets,
statistics, donations."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.activities.selectors import brand_choices
from qiaolian.aid import selectors, services
from qiaolian.aid.eligibility import eligibility_problems, rules_summary, standard_for
from qiaolian.aid.forms import (
    AllocationForm,
    ApprovalForm,
    BulkHandOverForm,
    BulkNominationForm,
    CampaignFilterForm,
    CampaignForm,
    DecisionForm,
    DonationForm,
    HandOverForm,
    NominationFilterForm,
    NominationForm,
    StandardForm,
)
from qiaolian.aid.models import (
    AidKind,
    Allocation,
    Campaign,
    CampaignStatus,
    Donation,
    HandOver,
    Nomination,
    NominationStatus,
    Standard,
)
from qiaolian.core.downloads import IMAGE_TYPES, serve_upload
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.paging import keyset_page
from qiaolian.core.pdf import pdf_response
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry import choices as c
from qiaolian.registry.selectors import PersonFilters, person_get, person_list

CANDIDATE_LIMIT = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get_or_404(getter, model, user, pk: int):
    try:
        return getter(user=user, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# Campaigns ----------------------------------------------------------------------------------


class CampaignMixin:
    def load_objects(self, **kwargs):
        self.campaign = _get_or_404(selectors.campaign_get, Campaign, self.request.user, kwargs["pk"])


class CampaignListView(StaffMixin, TemplateView):
    permission_required = "aid.view_campaign"
    template_name = "aid/campaign_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = CampaignFilterForm(self.request.GET or None, years=selectors.campaign_years(user=user))
        data = form.cleaned_data if form.is_valid() else {}
        campaigns = list(
            selectors.campaign_list(
                user=user, year=data.get("year"), kind=data.get("kind") or "", status=data.get("status") or ""
            )[:300]
        )
        tallies = {t.key: t for t in selectors.aid_tally(user=user, by="campaign", year=data.get("year"))}
        ctx.update(
            form=form,
            rows=[(campaign, tallies.get(campaign.pk)) for campaign in campaigns],
            can_change=user.has_perm("aid.change_campaign"),
        )
        return ctx


def campaign_context(user, campaign: Campaign, **forms) -> dict:
    """What the campaign page shows; a step with bad input passes its bound form back."""
    towns = selectors.aid_tally(user=user, by="town", campaign_id=campaign.pk)
    names = selectors.federation_names(ids=[t.key for t in towns])
    categories = dict(c.Category.choices)
    by_category = selectors.aid_tally(user=user, by="category", campaign_id=campaign.pk)
    can_change = selectors.campaign_can_change(user=user, campaign=campaign)
    return {
        "campaign": campaign,
        "budget": selectors.campaign_budget(campaign=campaign),
        "totals": selectors.aid_totals(user=user, campaign_id=campaign.pk),
        "by_town": sorted(((names.get(t.key, ""), t) for t in towns), key=lambda r: (-r[1].approved, r[0])),
        "by_category": sorted(((categories.get(t.key, t.key), t) for t in by_category), key=lambda r: -r[1].approved),
        "standards": selectors.campaign_standards(campaign=campaign),
        "rules": rules_summary(campaign),
        "allocations": list(selectors.campaign_allocations(user=user, campaign=campaign)),
        "transitions": [
            (to, CampaignStatus(to).label) for to in services.CAMPAIGN_TRANSITIONS.get(campaign.status, ())
        ],
        "can_change": can_change and not campaign.is_archived,
        "can_transition": can_change,
        "can_nominate": user.has_perm("aid.nominate") and campaign.status == CampaignStatus.OPEN,
        "can_view_nominations": user.has_perm("aid.view_nomination"),
        "can_export": user.has_perm("aid.export_sheet"),
        "sheet_towns": list(selectors.town_choices(user=user)),
        "standard_form": forms.get("standard_form") or StandardForm(),
        "hardship_labels": dict(c.Hardship.choices),
        "category_labels": categories,
    }


class CampaignDetailView(CampaignMixin, StaffMixin, TemplateView):
    permission_required = "aid.view_campaign"
    template_name = "aid/campaign_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(campaign_context(self.request.user, self.campaign))
        return ctx


class CampaignFormMixin:
    permission_required = "aid.change_campaign"
    form_class = CampaignForm
    fieldsets = [
        (gettext_lazy("基本信息"), ["federation", "title", "kind", "year", "brand", "starts_on", "ends_on"]),
        (gettext_lazy("经费"), ["budget", "max_amount", "per_household"]),
        (
            gettext_lazy("帮扶条件"),
            ["requires_hardship", "min_age", "max_age", "hardship_types", "categories"],
        ),
        (gettext_lazy("其他"), ["description"]),
    ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(federations=federation_choices(user=user), brands=brand_choices())
        if user.federation_id and "instance" not in kwargs:
            kwargs.setdefault("initial", {})["federation"] = user.federation_id
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("帮扶专项"), reverse("aid:campaign_list"))]
        return ctx


class CampaignCreateView(CampaignFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建帮扶专项")
    success_message = gettext_lazy("已新建“%(object)s”。请在专项页面设置帮扶标准。")

    def get_initial(self):
        initial = super().get_initial()
        kind = self.request.GET.get("kind", "")
        if kind in AidKind.values:
            initial["kind"] = kind
        initial.setdefault("requires_hardship", True)
        return initial

    def perform(self, form):
        return services.campaign_create(actor=self.request.user, data=form.service_data())


class CampaignUpdateView(CampaignFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        campaign = _get_or_404(selectors.campaign_get, Campaign, user, pk)
        if not selectors.campaign_can_change(user=user, campaign=campaign):
            raise Http404
        return campaign

    def perform(self, form):
        return services.campaign_update(actor=self.request.user, campaign=self.object, data=form.service_data())


class CampaignTransitionView(CampaignMixin, StaffMixin, View):
    permission_required = "aid.change_campaign"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        to = request.POST.get("to", "")
        try:
            services.campaign_transition(actor=request.user, campaign=self.campaign, to=to)
            messages.success(request, _("专项状态已改为“%(state)s”。") % {"state": CampaignStatus(to).label})
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(self.campaign)


class StandardAddView(CampaignMixin, StaffMixin, View):
    permission_required = "aid.change_campaign"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = StandardForm(request.POST)
        if form.is_valid():
            try:
                standard = services.standard_add(actor=request.user, campaign=self.campaign, data=form.cleaned_data)
                messages.success(request, _("已添加标准“%(label)s”。") % {"label": standard.label})
                return redirect(f"{self.campaign.get_absolute_url()}#standards")
            except ValidationError as error:
                apply_validation_error(form, error)
        context = campaign_context(request.user, self.campaign, standard_form=form)
        return render(request, CampaignDetailView.template_name, context)


class StandardRemoveView(StaffMixin, View):
    permission_required = "aid.change_campaign"
    http_method_names = ["post"]

    def load_objects(self, **kwargs):
        self.standard = _get_or_404(selectors.standard_get, Standard, self.request.user, kwargs["pk"])

    def post(self, request, pk: int):
        campaign = self.standard.campaign
        try:
            services.standard_remove(actor=request.user, standard=self.standard)
            messages.success(request, _("已删除标准。"))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(f"{campaign.get_absolute_url()}#standards")


# Nominating ---------------------------------------------------------------------------------


def nominate_context(user, campaign: Campaign, **forms) -> dict:
    candidates = selectors.candidate_list(user=user, campaign=campaign, limit=CANDIDATE_LIMIT)
    standards = selectors.campaign_standards(campaign=campaign)
    bulk_form = forms.get("bulk_form") or BulkNominationForm(user=user)
    ticked = set(bulk_form.data.getlist("persons")) if bulk_form.is_bound else set()
    rows = []
    for person in candidates:
        standard = standard_for(standards, category=person.category, hardship_types=person.hardship_types)
        rows.append((person, standard, person.age_on(campaign.starts_on), str(person.pk) in ticked))
    return {
        "campaign": campaign,
        "rules": rules_summary(campaign),
        "candidates": rows,
        "candidate_limit": CANDIDATE_LIMIT,
        "bulk_form": bulk_form,
        "nomination_form": forms.get("nomination_form"),
        "picked": forms.get("picked"),
        "open": campaign.status == CampaignStatus.OPEN,
    }


class NominateView(CampaignMixin, StaffMixin, View):
    """A town's list of eligible candidates (tick and nominate), and a search of the whole
    registry that says which rule a person fails."""

    permission_required = "aid.nominate"
    template_name = "aid/nominate.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, nominate_context(request.user, self.campaign))

    def post(self, request, pk: int):
        user, campaign = request.user, self.campaign
        if "persons" in request.POST or request.POST.get("mode") == "bulk":
            data = request.POST.copy()
            if data.get("all"):
                everyone = selectors.candidate_list(user=user, campaign=campaign, limit=CANDIDATE_LIMIT)
                data.setlist("persons", [str(p.pk) for p in everyone])
            form = BulkNominationForm(data, user=user)
            if form.is_valid():
                try:
                    made = services.nominations_create(
                        actor=user,
                        campaign=campaign,
                        persons=list(form.cleaned_data["persons"]),
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("已提名 %(n)s 人，等待区侨联审批。") % {"n": len(made)})
                    return redirect(_nominations_url(campaign))
                except ValidationError as error:
                    apply_validation_error(form, error)
            context = nominate_context(user, campaign, bulk_form=form)
            return render(request, self.template_name, context)
        form = NominationForm(request.POST, user=user)
        if form.is_valid():
            try:
                nomination = services.nomination_create(
                    actor=user,
                    campaign=campaign,
                    person=form.cleaned_data["person"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("已提名 %(name)s，等待区侨联审批。") % {"name": nomination.person.name})
                return redirect(nomination)
            except ValidationError as error:
                apply_validation_error(form, error)
        picked = form.cleaned_data.get("person") if hasattr(form, "cleaned_data") else None
        context = nominate_context(user, campaign, nomination_form=form, picked=picked)
        return render(request, self.template_name, context)


def _nominations_url(campaign: Campaign) -> str:
    return f"{reverse('aid:nomination_list')}?campaign={campaign.pk}"


class PersonSearchView(CampaignMixin, StaffMixin, TemplateView):
    """htmx: persons of the registry matching a name, pinyin, initials or ID number, each with
    whether they can be nominated and, if not, which rules they fail."""

    permission_required = "aid.nominate"
    template_name = "aid/_person_results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, campaign = self.request.user, self.campaign
        query = (self.request.GET.get("q") or "").strip()
        people = list(person_list(user=user, filters=PersonFilters(query=query))[:15]) if query else []
        taken = selectors.nominated_person_ids(campaign=campaign, person_ids=[p.pk for p in people])
        rows = []
        for person in people:
            problems = eligibility_problems(campaign, person)
            if not person.federation.path.startswith(campaign.federation.path):
                problems.insert(0, _("不属于本专项的范围（%(scope)s）。") % {"scope": campaign.federation.name})
            rows.append((person, problems, person.pk in taken))
        ctx.update(campaign=campaign, query=query, rows=rows, open=campaign.status == CampaignStatus.OPEN)
        return ctx


# Nominations --------------------------------------------------------------------------------


class NominationListView(StaffMixin, TemplateView):
    permission_required = "aid.view_nomination"
    template_name = "aid/nomination_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = NominationFilterForm(
            self.request.GET or None,
            campaigns=selectors.campaign_scope(user=user),
            federations=federation_choices(user=user),
        )
        data = form.cleaned_data if form.is_valid() else {}
        campaign = data.get("campaign")
        filters = selectors.NominationFilters(
            campaign_id=getattr(campaign, "pk", None),
            federation_id=getattr(data.get("federation"), "pk", None),
            status=data.get("status") or "",
            query=(data.get("q") or "").strip(),
        )
        qs = selectors.nomination_list(user=user, filters=filters)
        page = keyset_page(qs, order=("-nominated_at", "-id"), cursor=self.request.GET.get("cursor", ""))
        hardship = dict(c.Hardship.choices)
        ctx.update(
            form=form,
            page=page,
            campaign=campaign,
            categories=dict(c.Category.choices),
            hardship=hardship,
            can_approve=bool(campaign)
            and user.has_perm("aid.approve")
            and not campaign.is_archived
            and scope_for(user).allows(campaign.federation_id),
            can_nominate=bool(campaign) and user.has_perm("aid.nominate") and campaign.status == CampaignStatus.OPEN,
            budget=selectors.campaign_budget(campaign=campaign) if campaign else None,
            can_hand_over=bool(campaign) and user.has_perm("aid.hand_over") and not campaign.is_archived,
            approvable={NominationStatus.NOMINATED, NominationStatus.DEFERRED},
            batch_form=BulkHandOverForm(initial={"visited_on": timezone.localdate()}),
            proposed=self._proposed(campaign, page.rows),
        )
        return ctx

    @staticmethod
    def _proposed(campaign, rows) -> dict:
        """The standard amount each pending row would be approved at (shown beside the tick box)."""
        if not campaign:
            return {}
        standards = selectors.campaign_standards(campaign=campaign)
        out = {}
        for n in rows:
            standard = standard_for(standards, category=n.category, hardship_types=n.hardship_types)
            out[n.pk] = standard
        return out


class BulkApproveView(CampaignMixin, StaffMixin, View):
    """Approve the ticked nominations of a campaign at their standards: all or none."""

    permission_required = "aid.approve"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        ids = [i for i in (_int(v) for v in request.POST.getlist("nomination")) if i]
        picked = selectors.nominations_for_approval(user=request.user, campaign=self.campaign, ids=ids)
        try:
            approved = services.nominations_approve(actor=request.user, campaign=self.campaign, nominations=picked)
            total = sum((n.amount or 0) for n in approved)
            messages.success(
                request, _("已按标准审批 %(n)s 人，共 %(total)s 元。") % {"n": len(approved), "total": f"{total:,.2f}"}
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/aid/") else _nominations_url(self.campaign))


class BulkHandOverView(CampaignMixin, StaffMixin, View):
    """Record the ticked approved nominations as handed over on one day by one team (a round of
    visits, or a signed paper sign-off sheet): all or none."""

    permission_required = "aid.hand_over"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        ids = [i for i in (_int(v) for v in request.POST.getlist("nomination")) if i]
        picked = selectors.nominations_for_approval(user=request.user, campaign=self.campaign, ids=ids)
        form = BulkHandOverForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            made = services.handovers_record(
                actor=request.user,
                campaign=self.campaign,
                nominations=picked,
                visited_on=form.cleaned_data["visited_on"],
                visitors=form.cleaned_data["visitors"],
            )
            messages.success(request, _("已登记 %(n)s 人的走访发放。") % {"n": len(made)})
        except ValidationError as error:
            messages.error(request, _error_text(error))
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/aid/") else _nominations_url(self.campaign))


class NominationMixin:
    def load_objects(self, **kwargs):
        self.nomination = _get_or_404(selectors.nomination_get, Nomination, self.request.user, kwargs["pk"])


def nomination_context(user, nomination: Nomination, **forms) -> dict:
    campaign = nomination.campaign
    standards = selectors.campaign_standards(campaign=campaign)
    standard = standard_for(standards, category=nomination.category, hardship_types=nomination.hardship_types)
    handover = getattr(nomination, "handover", None)
    pending = nomination.status in (NominationStatus.NOMINATED, NominationStatus.DEFERRED)
    return {
        "nomination": nomination,
        "campaign": campaign,
        "person": nomination.person,
        "handover": handover,
        "standard": standard,
        "budget": selectors.campaign_budget(campaign=campaign),
        "category_label": dict(c.Category.choices).get(nomination.category, nomination.category),
        "hardship_labels": [str(dict(c.Hardship.choices).get(h, h)) for h in nomination.hardship_types],
        "age": nomination.person.age_on(campaign.starts_on),
        "can_approve": user.has_perm("aid.approve") and pending and not campaign.is_archived,
        "can_decide": user.has_perm("aid.approve")
        and not campaign.is_archived
        and nomination.status in services.DECISIONS,
        "decisions": [(to, NominationStatus(to).label) for to in services.DECISIONS.get(nomination.status, ())],
        "can_withdraw": user.has_perm("aid.nominate") and pending and not campaign.is_archived,
        "can_hand_over": user.has_perm("aid.hand_over")
        and nomination.status in (NominationStatus.APPROVED, NominationStatus.DELIVERED)
        and not campaign.is_archived,
        "approval_form": forms.get("approval_form")
        or ApprovalForm(
            initial={"amount": standard.amount if standard else None, "goods": standard.goods if standard else ""}
        ),
        "decision_error": forms.get("decision_error", ""),
    }


class NominationDetailView(NominationMixin, StaffMixin, TemplateView):
    permission_required = "aid.view_nomination"
    template_name = "aid/nomination_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(nomination_context(self.request.user, self.nomination))
        return ctx


class NominationApproveView(NominationMixin, StaffMixin, View):
    permission_required = "aid.approve"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = ApprovalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                nomination = services.nomination_approve(
                    actor=request.user,
                    nomination=self.nomination,
                    amount=data["amount"],
                    goods=data["goods"] if "goods" in request.POST else None,
                    note=data["note"],
                )
                messages.success(
                    request,
                    _("已审批 %(name)s：%(amount)s 元。")
                    % {"name": nomination.person.name, "amount": f"{nomination.amount:,.2f}"},
                )
                return redirect(nomination)
            except ValidationError as error:
                apply_validation_error(form, error)
        self.nomination.refresh_from_db()
        context = nomination_context(request.user, self.nomination, approval_form=form)
        return render(request, NominationDetailView.template_name, context)


class NominationDecideView(NominationMixin, StaffMixin, View):
    permission_required = "aid.approve"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = DecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请选择处理方式。"))
            to = form.cleaned_data["to"]
            services.nomination_decide(
                actor=request.user, nomination=self.nomination, to=to, note=form.cleaned_data["note"]
            )
            messages.success(request, _("提名已改为“%(state)s”。") % {"state": NominationStatus(to).label})
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(self.nomination)


class NominationWithdrawView(NominationMixin, StaffMixin, View):
    permission_required = "aid.nominate"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            services.nomination_withdraw(
                actor=request.user, nomination=self.nomination, note=request.POST.get("note", "")
            )
            messages.success(request, _("已撤回提名。"))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(self.nomination)


class HandOverView(NominationMixin, ServiceFormView):
    """Record the visit and hand-over: on a phone at the door, photo and signature included."""

    permission_required = "aid.hand_over"
    form_class = HandOverForm
    fieldsets = [
        (gettext_lazy("走访"), ["visited_on", "visitors"]),
        (gettext_lazy("发放"), ["cash_amount", "goods", "received_by"]),
        (gettext_lazy("凭证"), ["photo", "signature", "note"]),
    ]

    def get(self, request, *args, **kwargs):
        if self.nomination.status not in (NominationStatus.APPROVED, NominationStatus.DELIVERED):
            messages.error(
                request,
                _("%(name)s 的提名为“%(state)s”，审批通过后才能登记发放。")
                % {"name": self.nomination.person.name, "state": self.nomination.get_status_display()},
            )
            return redirect(self.nomination)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        n = self.nomination
        existing = getattr(n, "handover", None)
        if existing is not None:
            return {
                "visited_on": existing.visited_on,
                "visitors": existing.visitors,
                "cash_amount": existing.cash_amount,
                "goods": existing.goods,
                "received_by": existing.received_by,
                "note": existing.note,
            }
        user = self.request.user
        me = user.display_name or user.username
        where = user.federation.short_name if user.federation else ""
        return {
            "visited_on": timezone.localdate(),
            "visitors": f"{where} {me}".strip(),
            "cash_amount": n.amount,
            "goods": n.goods,
        }

    def perform(self, form):
        return services.handover_record(actor=self.request.user, nomination=self.nomination, data=form.cleaned_data)

    def get_success_url(self, obj=None):
        return self.nomination.get_absolute_url()

    def form_valid(self, form):
        response = super().form_valid(form)
        if response.status_code == 302:
            messages.success(self.request, _("已登记 %(name)s 的走访发放。") % {"name": self.nomination.person.name})
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n = self.nomination
        ctx["page_title"] = _("登记走访发放：%(name)s") % {"name": n.person.name}
        ctx["breadcrumbs"] = [
            (_("帮扶提名"), reverse("aid:nomination_list")),
            (str(n), n.get_absolute_url()),
        ]
        ctx["cancel_url"] = n.get_absolute_url()
        return ctx


class HandOverFileView(StaffMixin, View):
    """The photo or the signature image of a hand-over (personal data: not cached)."""

    permission_required = "aid.view_nomination"

    def load_objects(self, **kwargs):
        self.handover = _get_or_404(selectors.handover_get, HandOver, self.request.user, kwargs["pk"])

    def get(self, request, pk: int, which: str):
        if which not in ("photo", "signature"):
            raise Http404
        file = getattr(self.handover, which)
        if not file:
            raise Http404
        return serve_upload(file, inline_types=IMAGE_TYPES, cache_control="private, no-store")


# The sign-off sheet -------------------------------------------------------------------------


class SheetView(CampaignMixin, StaffMixin, RecentAuthRequiredMixin, View):
    """The sign-off sheet of a campaign, for one town (``?federation=``) or all the user sees."""

    permission_required = "aid.export_sheet"

    def get(self, request, pk: int, fmt: str):
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        federation_id = _int(request.GET.get("federation"))
        if federation_id is not None and not scope_for(request.user).allows(federation_id):
            raise Http404
        if federation_id is None and not scope_for(request.user).everything:
            federation_id = request.user.federation_id
        try:
            content, name = services.signoff_sheet_export(
                actor=request.user, campaign=self.campaign, federation_id=federation_id, fmt=fmt, request=request
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect(self.campaign)
        if fmt == "pdf":
            return pdf_response(content, name)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f"attachment; filename=\"signoff.xlsx\"; filename*=UTF-8''{quote(name)}"
        response["Cache-Control"] = "private, no-store"
        return response


# Statistics ---------------------------------------------------------------------------------


class StatsView(StaffMixin, TemplateView):
    """Recipients, households and amounts per campaign, per town and per category."""

    permission_required = "aid.view_campaign"
    template_name = "aid/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        years = selectors.campaign_years(user=user)
        year = _int(self.request.GET.get("year"))
        year = year if year in years else None
        campaigns = {cp.pk: cp for cp in selectors.campaign_scope(user=user)}
        by_campaign = [
            (campaigns.get(t.key), t)
            for t in selectors.aid_tally(user=user, by="campaign", year=year)
            if t.key in campaigns
        ]
        by_campaign.sort(key=lambda row: (row[0].starts_on, row[0].pk), reverse=True)
        towns = selectors.aid_tally(user=user, by="town", year=year)
        names = selectors.federation_names(ids=[t.key for t in towns])
        categories = dict(c.Category.choices)
        kinds = dict(AidKind.choices)
        ctx.update(
            years=years,
            year=year,
            by_campaign=by_campaign,
            by_year=selectors.aid_tally(user=user, by="year"),
            by_kind=[(kinds.get(t.key, t.key), t) for t in selectors.aid_tally(user=user, by="kind", year=year)],
            by_town=sorted(((names.get(t.key, ""), t) for t in towns), key=lambda r: (-r[1].amount, r[0])),
            by_category=sorted(
                ((categories.get(t.key, t.key), t) for t in selectors.aid_tally(user=user, by="category", year=year)),
                key=lambda r: -r[1].approved,
            ),
            totals=selectors.aid_totals(user=user, year=year),
            donations=selectors.donation_totals(user=user, year=year),
            can_view_donations=user.has_perm("aid.view_donation"),
        )
        return ctx


# Person page --------------------------------------------------------------------------------


class PersonAidView(StaffMixin, TemplateView):
    """The person page's tab: every campaign the person was nominated for (htmx fragment)."""

    permission_required = ("aid.view_nomination", "registry.view_person")
    template_name = "aid/_person_aid.html"

    def load_objects(self, **kwargs):
        from qiaolian.registry.models import Person

        self.person = _get_or_404(person_get, Person, self.request.user, kwargs["person_pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        rows = list(selectors.person_aid(user=user, person_id=self.person.pk)[:200])
        scope = scope_for(user)
        received = [n for n in rows if n.status in (NominationStatus.APPROVED, NominationStatus.DELIVERED)]
        ctx.update(
            person=self.person,
            rows=[(n, scope.allows(n.federation_id)) for n in rows],
            received=len(received),
            amount=sum((n.amount or 0) for n in received),
            cash=sum((n.handover.cash_amount for n in received if hasattr(n, "handover")), 0),
        )
        return ctx


# Donations ----------------------------------------------------------------------------------


class DonationListView(StaffMixin, TemplateView):
    permission_required = "aid.view_donation"
    template_name = "aid/donation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        year = _int(self.request.GET.get("year"))
        query = (self.request.GET.get("q") or "").strip()[:60]
        qs = selectors.donation_list(user=user, year=year, query=query)
        ctx.update(
            page=keyset_page(qs, order=("-received_on", "-id"), cursor=self.request.GET.get("cursor", "")),
            totals=selectors.donation_totals(user=user, year=year),
            years=sorted(
                {d.year for d in selectors.donation_scope(user=user).dates("received_on", "year")}, reverse=True
            ),
            year=year,
            query=query,
            can_change=user.has_perm("aid.change_donation"),
        )
        return ctx


class DonationMixin:
    def load_objects(self, **kwargs):
        self.donation = _get_or_404(selectors.donation_get, Donation, self.request.user, kwargs["pk"])


def donation_context(user, donation: Donation, **forms) -> dict:
    allocations = list(selectors.donation_allocations(user=user, donation=donation))
    allocated = selectors.allocated_total(donation=donation)
    can_change = user.has_perm("aid.change_donation") and scope_for(user).allows(donation.federation_id)
    return {
        "donation": donation,
        "allocations": allocations,
        "allocated": allocated,
        "left": donation.amount - allocated,
        "percent": min(100, round(allocated * 100 / donation.amount)) if donation.amount else 0,
        "can_change": can_change,
        "allocation_form": forms.get("allocation_form")
        or AllocationForm(
            campaigns=selectors.campaign_choices(user=user),
            initial={"allocated_on": max(donation.received_on, timezone.localdate())},
        ),
    }


class DonationDetailView(DonationMixin, StaffMixin, TemplateView):
    permission_required = "aid.view_donation"
    template_name = "aid/donation_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(donation_context(self.request.user, self.donation))
        return ctx


class DonationFormMixin:
    permission_required = "aid.change_donation"
    form_class = DonationForm
    fieldsets = [
        (gettext_lazy("捐赠方"), ["federation", "donor_kind", "association", "donor_name", "country"]),
        (gettext_lazy("捐赠"), ["received_on", "kind", "amount", "goods", "purpose", "receipt_number"]),
        (gettext_lazy("其他"), ["notes"]),
    ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(federations=federation_choices(user=user), associations=selectors.association_choices(user=user))
        if user.federation_id and "instance" not in kwargs:
            kwargs.setdefault("initial", {})["federation"] = user.federation_id
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("捐赠"), reverse("aid:donation_list"))]
        return ctx


class DonationCreateView(DonationFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记捐赠")
    success_message = gettext_lazy("已登记捐赠“%(object)s”。")

    def perform(self, form):
        return services.donation_create(actor=self.request.user, data=form.service_data())


class DonationUpdateView(DonationFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        donation = _get_or_404(selectors.donation_get, Donation, user, pk)
        if not scope_for(user).allows(donation.federation_id):
            raise Http404
        return donation

    def perform(self, form):
        return services.donation_update(actor=self.request.user, donation=self.object, data=form.service_data())


class AllocationAddView(DonationMixin, StaffMixin, View):
    permission_required = "aid.change_donation"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        user = request.user
        form = AllocationForm(request.POST, campaigns=selectors.campaign_choices(user=user))
        if form.is_valid():
            try:
                allocation = services.allocation_add(actor=user, donation=self.donation, data=form.cleaned_data)
                messages.success(request, _("已登记去向“%(to)s”。") % {"to": allocation})
                return redirect(self.donation)
            except ValidationError as error:
                apply_validation_error(form, error)
        context = donation_context(user, self.donation, allocation_form=form)
        return render(request, DonationDetailView.template_name, context)


class AllocationRemoveView(StaffMixin, View):
    permission_required = "aid.change_donation"
    http_method_names = ["post"]

    def load_objects(self, **kwargs):
        self.allocation = _get_or_404(selectors.allocation_get, Allocation, self.request.user, kwargs["pk"])

    def post(self, request, pk: int):
        donation = self.allocation.donation
        try:
            services.allocation_remove(actor=request.user, allocation=self.allocation)
            messages.success(request, _("已删除该去向。"))
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect(donation)
