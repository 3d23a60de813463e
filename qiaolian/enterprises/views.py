"""Pages of the 侨企 registry (聚力工程): enterprises, visits with their appeals, exhibitions,
investment leads and the statistics."""

from __future__ import annotations

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
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.enterprises import cases, selectors, services
from qiaolian.enterprises.forms import (
    ENTERPRISE_FIELDSETS,
    LEAD_FIELDSETS,
    AppealForm,
    AppealFormSet,
    EnterpriseFilterForm,
    EnterpriseForm,
    ExhibitionForm,
    LeadAdvanceForm,
    LeadFilterForm,
    LeadForm,
    VisitFilterForm,
    VisitForm,
)
from qiaolian.enterprises.models import (
    CIIE,
    EXHIBITION_SUGGESTIONS,
    Enterprise,
    ExhibitionParticipation,
    InvestmentLead,
    LeadStage,
    Visit,
)
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import person_scope

# Badge colours of lead stages and of case states (the case engine's codes).
LEAD_COLOURS = {
    "contact": "azure",
    "negotiating": "blue",
    "signed": "purple",
    "landed": "green",
    "dropped": "secondary",
}
CASE_COLOURS = {
    "received": "azure",
    "assigned": "blue",
    "in_progress": "yellow",
    "referred": "orange",
    "resolved": "green",
    "followed_up": "teal",
    "rejected": "secondary",
}


def _get_or_404(getter, model, user, pk: int):
    try:
        return getter(user=user, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


def _with_own_federation(view, kwargs: dict) -> dict:
    kwargs["federations"] = federation_choices(user=view.request.user)
    if view.request.user.federation_id and "instance" not in kwargs:
        kwargs.setdefault("initial", {})["federation"] = view.request.user.federation_id
    return kwargs


def appeal_rows(user, appeals) -> list[dict]:
    """Appeals with their case: number, state, and a link for users who may open cases."""
    can_open_cases = user.has_perm("casework.view_case")
    rows = []
    for appeal in appeals:
        case = appeal.case
        rows.append(
            {
                "appeal": appeal,
                "case": case,
                "case_url": case.get_absolute_url() if case is not None and can_open_cases else "",
                "state_colour": CASE_COLOURS.get(case.state if case is not None else "", "secondary"),
            }
        )
    return rows


# Enterprises --------------------------------------------------------------------------------


def _enterprise_filter_form(request) -> EnterpriseFilterForm:
    user = request.user
    years = sorted(
        {r["year"] for r in selectors.exhibitors_by_year(user=user) if r["exhibition"] == CIIE}, reverse=True
    )
    return EnterpriseFilterForm(request.GET or None, federations=federation_choices(user=user), ciie_years=years)


def _enterprise_filters(form: EnterpriseFilterForm) -> selectors.EnterpriseFilters:
    data = form.cleaned_data if form.is_valid() else {}
    active = data.get("active") or ""
    return selectors.EnterpriseFilters(
        query=(data.get("q") or "").strip(),
        investor_type=data.get("investor_type") or "",
        investor_origin=data.get("investor_origin") or "",
        country=data.get("country") or "",
        industry=data.get("industry") or "",
        federation_id=getattr(data.get("federation"), "pk", None),
        exhibition_year=data.get("ciie_year"),
        is_active={"1": True, "0": False}.get(active),
    )


class EnterpriseListView(StaffMixin, TemplateView):
    permission_required = "enterprises.view_enterprise"
    template_name = "enterprises/enterprise_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = _enterprise_filter_form(self.request)
        enterprises = selectors.enterprise_list(user=user, filters=_enterprise_filters(form))
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.with_counts(enterprises),
            order=("name_pinyin", "id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["query"] = self.request.GET.copy()
        ctx["query"].pop("cursor", None)
        ctx["query"] = ctx["query"].urlencode()
        ctx["can_change"] = user.has_perm("enterprises.change_enterprise")
        ctx["can_export"] = user.has_perm("enterprises.export_enterprise")
        return ctx


class EnterpriseExportView(StaffMixin, RecentAuthRequiredMixin, View):
    """The filtered list as .xlsx with the contact phone masked; the export is audited."""

    permission_required = "enterprises.export_enterprise"

    def get(self, request):
        form = _enterprise_filter_form(request)
        enterprises = selectors.with_counts(
            selectors.enterprise_list(user=request.user, filters=_enterprise_filters(form))
        ).order_by("name_pinyin", "id")
        content = services.enterprises_export_xlsx(actor=request.user, enterprises=enterprises, filters=form.as_audit())
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="enterprises-{stamp}.xlsx"'
        return response


def enterprise_context(user, enterprise: Enterprise, **forms) -> dict:
    """What the enterprise page shows; a step with bad input passes its bound form back."""
    exhibitions = list(selectors.enterprise_exhibitions(user=user, enterprise=enterprise))
    return {
        "enterprise": enterprise,
        "visits": list(selectors.enterprise_visits(user=user, enterprise=enterprise)[:50]),
        "appeals": appeal_rows(user, selectors.enterprise_appeals(user=user, enterprise=enterprise)[:100]),
        "leads": list(selectors.enterprise_leads(user=user, enterprise=enterprise)),
        "exhibitions": exhibitions,
        "ciie_years": [e.year for e in exhibitions if e.exhibition == CIIE],
        "exhibition_form": forms.get("exhibition_form") or ExhibitionForm(),
        "exhibition_names": EXHIBITION_SUGGESTIONS,
        "can_change": user.has_perm("enterprises.change_enterprise"),
        "can_reveal": user.has_perm("enterprises.reveal_enterprise"),
        "can_view_person": user.has_perm("registry.view_person"),
        "lead_colours": LEAD_COLOURS,
    }


class EnterpriseMixin:
    def load_objects(self, **kwargs):
        self.enterprise = _get_or_404(selectors.enterprise_get, Enterprise, self.request.user, kwargs["pk"])


class EnterpriseDetailView(EnterpriseMixin, StaffMixin, TemplateView):
    permission_required = "enterprises.view_enterprise"
    template_name = "enterprises/enterprise_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(enterprise_context(self.request.user, self.enterprise))
        return ctx


class EnterpriseRevealView(EnterpriseMixin, StaffMixin, RecentAuthRequiredMixin, View):
    """Show the contact phone in place (htmx); the reveal is audited by the service."""

    permission_required = "enterprises.reveal_enterprise"
    http_method_names = ["post"]

    def post(self, request, pk: int, field: str):
        try:
            value = services.enterprise_reveal(actor=request.user, enterprise=self.enterprise, field=field)
        except ValidationError:
            raise Http404 from None
        response = render(request, "registry/_revealed.html", {"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response


class EnterpriseFormMixin:
    permission_required = "enterprises.change_enterprise"
    form_class = EnterpriseForm
    fieldsets = ENTERPRISE_FIELDSETS

    def get_form_kwargs(self):
        kwargs = _with_own_federation(self, super().get_form_kwargs())
        kwargs["persons"] = person_scope(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("侨资企业"), reverse("enterprises:enterprise_list"))]
        return ctx


class EnterpriseCreateView(EnterpriseFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记侨资企业")
    success_message = gettext_lazy("已登记“%(object)s”。")

    def perform(self, form):
        return services.enterprise_create(actor=self.request.user, data=form.service_data())


class EnterpriseUpdateView(EnterpriseFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.enterprise_get, Enterprise, user, pk)

    def perform(self, form):
        return services.enterprise_update(actor=self.request.user, enterprise=self.object, data=form.service_data())


class ExhibitionAddView(EnterpriseMixin, StaffMixin, View):
    permission_required = "enterprises.change_enterprise"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = ExhibitionForm(request.POST)
        if form.is_valid():
            try:
                row = services.exhibition_add(actor=request.user, enterprise=self.enterprise, data=form.cleaned_data)
                messages.success(request, _("已登记参展：%(row)s。") % {"row": row})
                return redirect(reverse("enterprises:enterprise_detail", args=[pk]) + "#exhibitions")
            except ValidationError as error:
                apply_validation_error(form, error)
        context = enterprise_context(request.user, self.enterprise, exhibition_form=form)
        return render(request, EnterpriseDetailView.template_name, context)


class ExhibitionRemoveView(StaffMixin, View):
    permission_required = "enterprises.change_enterprise"
    http_method_names = ["post"]

    def load_objects(self, **kwargs):
        self.participation = _get_or_404(
            selectors.exhibition_get, ExhibitionParticipation, self.request.user, kwargs["pk"]
        )

    def post(self, request, pk: int):
        enterprise = self.participation.enterprise
        label = str(self.participation)
        services.exhibition_remove(actor=request.user, participation=self.participation)
        messages.success(request, _("已删除参展记录：%(row)s。") % {"row": label})
        return redirect(reverse("enterprises:enterprise_detail", args=[enterprise.pk]) + "#exhibitions")


# Visits -------------------------------------------------------------------------------------


class VisitListView(StaffMixin, TemplateView):
    permission_required = "enterprises.view_enterprise"
    template_name = "enterprises/visit_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = VisitFilterForm(
            self.request.GET or None, federations=federation_choices(user=user), years=selectors.visit_years(user=user)
        )
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.VisitFilters(
            query=(data.get("q") or "").strip(),
            year=data.get("year"),
            federation_id=getattr(data.get("federation"), "pk", None),
            with_appeals=bool(data.get("with_appeals")),
        )
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.visit_list(user=user, filters=filters),
            order=("-visited_on", "-id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        return ctx


class VisitCreateView(EnterpriseMixin, StaffMixin, TemplateView):
    """A visit with the appeals raised at it, saved together (each appeal opens its case)."""

    permission_required = "enterprises.change_enterprise"
    template_name = "enterprises/visit_form.html"

    def forms(self, data=None):
        user = self.request.user
        initial = {"visited_on": timezone.localdate()}
        if selectors.visitor_choices(user=user).filter(pk=user.pk).exists():
            initial["visitors"] = [user.pk]
        form = VisitForm(data, visitors=selectors.visitor_choices(user=user), initial=initial)
        formset = AppealFormSet(data, prefix="appeals")
        return form, formset

    def get(self, request, pk: int):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, pk: int):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                visit = services.visit_record(
                    actor=request.user,
                    enterprise=self.enterprise,
                    data=form.service_data(),
                    appeals=formset.appeals(),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                n = visit.appeals.count()
                if n:
                    messages.success(request, _("已登记走访，并受理 %(n)s 条诉求。") % {"n": n})
                else:
                    messages.success(request, _("已登记走访。"))
                return redirect(visit)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["enterprise"] = self.enterprise
        ctx["page_title"] = _("登记走访：%(name)s") % {"name": self.enterprise.name}
        ctx["has_case_engine"] = cases.case_open_function() is not None
        return ctx


def visit_context(user, visit: Visit, **forms) -> dict:
    return {
        "visit": visit,
        "enterprise": visit.enterprise,
        "visitors": list(visit.visitors.all()),
        "appeals": appeal_rows(user, selectors.visit_appeals(user=user, visit=visit)),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "can_change": user.has_perm("enterprises.change_enterprise"),
        "has_case_engine": cases.case_open_function() is not None,
    }


class VisitMixin:
    def load_objects(self, **kwargs):
        self.visit = _get_or_404(selectors.visit_get, Visit, self.request.user, kwargs["pk"])


class VisitDetailView(VisitMixin, StaffMixin, TemplateView):
    permission_required = "enterprises.view_enterprise"
    template_name = "enterprises/visit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(visit_context(self.request.user, self.visit))
        return ctx


class VisitUpdateView(ServiceUpdateView):
    permission_required = "enterprises.change_enterprise"
    form_class = VisitForm
    success_message = gettext_lazy("已保存走访记录。")
    fieldsets = [(gettext_lazy("走访"), ["visited_on", "visitors", "visitor_names", "received_by", "notes"])]

    def load_object(self, user, pk):
        return _get_or_404(selectors.visit_get, Visit, user, pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "visitors": selectors.visitor_choices(user=self.request.user)}

    def perform(self, form):
        return services.visit_update(actor=self.request.user, visit=self.object, data=form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改走访记录：%(name)s") % {"name": self.object.enterprise.name}
        ctx["breadcrumbs"] = [
            (_("走访调研"), reverse("enterprises:visit_list")),
            (self.object.enterprise.name, self.object.enterprise.get_absolute_url()),
        ]
        return ctx


class AppealAddView(VisitMixin, StaffMixin, View):
    """Record an appeal on a visit after the fact; it opens its case like the others."""

    permission_required = "enterprises.change_enterprise"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        form = AppealForm(request.POST)
        if form.is_valid():
            try:
                services.appeal_raise(actor=request.user, visit=self.visit, data=form.cleaned_data)
                messages.success(request, _("已受理诉求。"))
                return redirect(self.visit)
            except ValidationError as error:
                apply_validation_error(form, error)
        return render(request, VisitDetailView.template_name, visit_context(request.user, self.visit, appeal_form=form))


# Investment leads ---------------------------------------------------------------------------


class LeadListView(StaffMixin, TemplateView):
    permission_required = "enterprises.view_lead"
    template_name = "enterprises/lead_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = LeadFilterForm(
            self.request.GET or None, federations=federation_choices(user=user), years=selectors.lead_years(user=user)
        )
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.LeadFilters(
            query=(data.get("q") or "").strip(),
            stage=data.get("stage") or "",
            country=data.get("country") or "",
            industry=data.get("industry") or "",
            year=data.get("year"),
            federation_id=getattr(data.get("federation"), "pk", None),
        )
        leads = selectors.lead_list(user=user, filters=filters)
        ctx["form"] = form
        ctx["page"] = keyset_page(leads, order=("-introduced_on", "-id"), cursor=self.request.GET.get("cursor", ""))
        by_stage = dict.fromkeys(LeadStage.values, 0)
        for stage in leads.order_by().values_list("stage", flat=True):
            by_stage[stage] += 1
        ctx["by_stage"] = [(value, label, by_stage[value]) for value, label in LeadStage.choices]
        ctx["lead_colours"] = LEAD_COLOURS
        ctx["can_change"] = user.has_perm("enterprises.change_lead")
        return ctx


def lead_context(user, lead: InvestmentLead, **forms) -> dict:
    stages = services.TRANSITIONS.get(lead.stage, ())
    return {
        "lead": lead,
        "events": list(selectors.lead_events(user=user, lead=lead)),
        "stages": stages,
        "advance_form": forms.get("advance_form")
        or (LeadAdvanceForm(stages=stages, enterprises=selectors.enterprise_choices(user=user)) if stages else None),
        "lead_colours": LEAD_COLOURS,
        "can_change": user.has_perm("enterprises.change_lead"),
        "can_view_enterprise": user.has_perm("enterprises.view_enterprise"),
        "can_view_contact": user.has_perm("liaison.view_contact"),
    }


class LeadMixin:
    def load_objects(self, **kwargs):
        self.lead = _get_or_404(selectors.lead_get, InvestmentLead, self.request.user, kwargs["pk"])


class LeadDetailView(LeadMixin, StaffMixin, TemplateView):
    permission_required = "enterprises.view_lead"
    template_name = "enterprises/lead_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(lead_context(self.request.user, self.lead))
        return ctx


class LeadFormMixin:
    permission_required = "enterprises.change_lead"
    form_class = LeadForm
    fieldsets = LEAD_FIELDSETS

    def get_form_kwargs(self):
        kwargs = _with_own_federation(self, super().get_form_kwargs())
        kwargs["contacts"] = selectors.introducer_choices(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("以侨引侨"), reverse("enterprises:lead_list"))]
        return ctx


class LeadCreateView(LeadFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记招商引资线索")
    success_message = gettext_lazy("已登记线索“%(object)s”。")

    def perform(self, form):
        return services.lead_create(actor=self.request.user, data=form.service_data())


class LeadUpdateView(LeadFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.lead_get, InvestmentLead, user, pk)

    def perform(self, form):
        return services.lead_update(actor=self.request.user, lead=self.object, data=form.service_data())


class LeadAdvanceView(LeadMixin, StaffMixin, View):
    permission_required = "enterprises.change_lead"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        user = request.user
        stages = services.TRANSITIONS.get(self.lead.stage, ())
        form = LeadAdvanceForm(request.POST, stages=stages, enterprises=selectors.enterprise_choices(user=user))
        if stages and form.is_valid():
            try:
                lead = services.lead_advance(actor=user, lead=self.lead, **form.cleaned_data)
                messages.success(request, _("线索进展已改为“%(stage)s”。") % {"stage": lead.get_stage_display()})
                return redirect(lead)
            except ValidationError as error:
                apply_validation_error(form, error)
        elif not stages:
            messages.error(request, _("线索已%(stage)s，不能再改变进展。") % {"stage": self.lead.get_stage_display()})
            return redirect(self.lead)
        return render(request, LeadDetailView.template_name, lead_context(user, self.lead, advance_form=form))


# Statistics ---------------------------------------------------------------------------------


class StatsView(StaffMixin, TemplateView):
    permission_required = "enterprises.view_stats"
    template_name = "enterprises/stats.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        federations = federation_choices(user=user)
        federation = None
        raw = self.request.GET.get("federation", "")
        if raw.isdigit():
            federation = federations.filter(pk=int(raw)).first()
        federation_id = federation.pk if federation else None
        exhibitors = selectors.exhibitors_by_year(user=user, federation_id=federation_id)
        found = [r["year"] for r in exhibitors]
        years = list(range(min(found), max(found) + 1)) if found else []
        table: dict[str, dict[int, int]] = {}
        for r in exhibitors:
            table.setdefault(r["exhibition"], {})[r["year"]] = r["enterprises"]
        ctx.update(
            federations=federations,
            federation=federation,
            overview=selectors.yearly_overview(user=user, federation_id=federation_id),
            exhibition_years=years,
            exhibition_rows=[
                {"name": name, "cells": [counts.get(y, 0) for y in years], "is_ciie": name == CIIE}
                for name, counts in table.items()
            ],
            topics=selectors.appeals_by_topic(user=user, federation_id=federation_id),
            counts=selectors.enterprise_counts(user=user, federation_id=federation_id),
            has_case_engine=cases.case_open_function() is not None,
            can_list=user.has_perm("enterprises.view_enterprise"),
        )
        return ctx
