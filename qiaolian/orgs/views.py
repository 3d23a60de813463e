"""Pages of the organizations: federations, terms and committees, stations, partners."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.views import ServiceFormView, StaffMixin
from qiaolian.orgs import selectors, services
from qiaolian.orgs.forms import (
    CommitteeMemberForm,
    FederationForm,
    PartnerForm,
    StationFilterForm,
    StationForm,
    TermForm,
)
from qiaolian.orgs.models import COMMITTEE_ROLE_ORDER, Term

TERM_WARNING_DAYS = 183  # a term is flagged six months before it ends (DOMAIN.md §2)


def _get_or_404(queryset, pk: int):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


class LoadObjectMixin:
    """Loads ``self.object`` through a selector once access is granted (404 outside jurisdiction)."""

    def load_object(self, user, pk: int):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def load_objects(self, **kwargs) -> None:
        self.object = self.load_object(self.request.user, kwargs["pk"])


# Federations -----------------------------------------------------------------------------------


class FederationListView(StaffMixin, TemplateView):
    permission_required = "orgs.view_federation"
    template_name = "orgs/federation_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["federations"] = selectors.federation_tree(user=self.request.user)
        ctx["can_change"] = self.request.user.has_perm("orgs.change_federation")
        return ctx


class FederationDetailView(StaffMixin, TemplateView):
    permission_required = "orgs.view_federation"
    template_name = "orgs/federation_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        federation = _get_or_404(selectors.federation_list(user=user), pk)
        ctx["federation"] = federation
        ctx["children"] = selectors.federation_list(user=user).filter(parent=federation)
        ctx["stations"] = selectors.station_list(user=user).filter(federation=federation)
        terms = list(selectors.term_list(user=user).filter(federation=federation))
        ctx["terms"] = terms
        ctx["current_term"] = terms[0] if terms else None
        if terms:
            ctx["current_members"] = sorted(
                terms[0].members.all(), key=lambda m: (COMMITTEE_ROLE_ORDER.index(m.role), m.sort_order, m.pk)
            )
        ctx["can_change"] = user.has_perm("orgs.change_federation")
        ctx["can_change_term"] = user.has_perm("orgs.change_term")
        return ctx


class FederationCreateView(ServiceFormView):
    permission_required = "orgs.change_federation"
    form_class = FederationForm
    page_title = gettext_lazy("新建侨联组织")
    success_message = gettext_lazy("已新建 %(object)s。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parents": selectors.federation_choices(user=self.request.user)}

    def perform(self, form):
        data = form.service_data()
        parent = data.pop("parent", None)
        return services.federation_create(actor=self.request.user, parent=parent, **data)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("侨联组织"), reverse("orgs:federation_list"))]
        return ctx


class FederationUpdateView(LoadObjectMixin, ServiceFormView):
    permission_required = "orgs.change_federation"
    form_class = FederationForm
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.federation_list(user=user), pk)

    def get_form_kwargs(self):
        parents = selectors.federation_choices(user=self.request.user).exclude(path__startswith=self.object.path)
        return {**super().get_form_kwargs(), "instance": self.object, "parents": parents}

    def perform(self, form):
        return services.federation_update(actor=self.request.user, federation=self.object, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改：%(name)s") % {"name": self.object.name}
        ctx["breadcrumbs"] = [
            (_("侨联组织"), reverse("orgs:federation_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx


# Stations --------------------------------------------------------------------------------------


class StationListView(StaffMixin, TemplateView):
    permission_required = "orgs.view_station"
    template_name = "orgs/station_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = StationFilterForm(self.request.GET or None)
        stations = selectors.station_list(user=self.request.user)
        if form.is_valid() and form.cleaned_data["kind"]:
            stations = stations.filter(kind=form.cleaned_data["kind"])
        ctx["form"] = form
        ctx["stations"] = stations
        ctx["can_change"] = self.request.user.has_perm("orgs.change_station")
        return ctx


class StationDetailView(StaffMixin, TemplateView):
    permission_required = "orgs.view_station"
    template_name = "orgs/station_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["station"] = _get_or_404(selectors.station_list(user=self.request.user), pk)
        ctx["can_change"] = self.request.user.has_perm("orgs.change_station")
        return ctx


class StationFormMixin:
    permission_required = "orgs.change_station"
    form_class = StationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "federations": selectors.federation_choices(user=self.request.user)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("侨之家与新侨驿站"), reverse("orgs:station_list"))]
        return ctx


class StationCreateView(StationFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建阵地")
    success_message = gettext_lazy("已新建 %(object)s。")

    def perform(self, form):
        data = form.service_data()
        federation = data.pop("federation")
        return services.station_create(actor=self.request.user, federation=federation, **data)


class StationUpdateView(LoadObjectMixin, StationFormMixin, ServiceFormView):
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.station_list(user=user), pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form):
        return services.station_update(actor=self.request.user, station=self.object, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改：%(name)s") % {"name": self.object.name}
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx


# Terms and committees --------------------------------------------------------------------------


def term_status(term: Term, today: dt.date) -> str:
    if term.ends_on < today:
        return "expired"
    if (term.ends_on - today).days <= TERM_WARNING_DAYS:
        return "expiring"
    if term.starts_on > today:
        return "future"
    return "active"


class TermListView(StaffMixin, TemplateView):
    """The latest term of every visible federation, with those due for election flagged."""

    permission_required = "orgs.view_term"
    template_name = "orgs/term_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = dt.date.today()
        latest: dict[int, Term] = {}
        for term in selectors.term_list(user=self.request.user).order_by("federation__path", "-number"):
            latest.setdefault(term.federation_id, term)
        rows = []
        for federation in selectors.federation_list(user=self.request.user):
            term = latest.get(federation.pk)
            rows.append(
                {"federation": federation, "term": term, "status": term_status(term, today) if term else "none"}
            )
        ctx["rows"] = rows
        ctx["can_change"] = self.request.user.has_perm("orgs.change_term")
        return ctx


class TermDetailView(StaffMixin, TemplateView):
    permission_required = "orgs.view_term"
    template_name = "orgs/term_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        term = _get_or_404(selectors.term_list(user=self.request.user), pk)
        ctx["term"] = term
        ctx["status"] = term_status(term, dt.date.today())
        ctx["members"] = sorted(
            term.members.all(), key=lambda m: (COMMITTEE_ROLE_ORDER.index(m.role), m.sort_order, m.pk)
        )
        ctx["can_change"] = self.request.user.has_perm("orgs.change_term")
        ctx["member_form"] = CommitteeMemberForm()
        return ctx


class TermFormMixin:
    permission_required = "orgs.change_term"
    form_class = TermForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["federations"] = selectors.federation_choices(user=self.request.user)
        if "federation" in self.request.GET:
            kwargs.setdefault("initial", {})["federation"] = self.request.GET["federation"]
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("届次与委员"), reverse("orgs:term_list"))]
        return ctx


class TermCreateView(TermFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建届次")
    success_message = gettext_lazy("已新建 %(object)s。")

    def perform(self, form):
        data = form.service_data()
        federation = data.pop("federation")
        return services.term_create(actor=self.request.user, federation=federation, **data)


class TermUpdateView(LoadObjectMixin, TermFormMixin, ServiceFormView):
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.term_list(user=user), pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form):
        return services.term_update(actor=self.request.user, term=self.object, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改：%(term)s") % {"term": self.object}
        ctx["cancel_url"] = self.object.get_absolute_url()
        return ctx


class TermMemberAddView(LoadObjectMixin, StaffMixin, View):
    permission_required = "orgs.change_term"
    http_method_names = ["post"]

    def load_object(self, user, pk):
        return _get_or_404(selectors.term_list(user=user), pk)

    def post(self, request, pk: int):
        form = CommitteeMemberForm(request.POST)
        if form.is_valid():
            services.committee_member_add(actor=request.user, term=self.object, **form.service_data())
            messages.success(request, _("已添加 %(name)s。") % {"name": form.cleaned_data["name"]})
        else:
            messages.error(request, "；".join(f"{form.fields[k].label}：{' '.join(v)}" for k, v in form.errors.items()))
        return redirect(self.object)


class TermMemberRemoveView(StaffMixin, View):
    permission_required = "orgs.change_term"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        member = selectors.committee_member_get(user=request.user, pk=pk)
        if member is None:
            raise Http404
        term = member.term
        services.committee_member_remove(actor=request.user, member=member)
        messages.success(request, _("已移除 %(name)s。") % {"name": member.name})
        return redirect(term)


# Partners --------------------------------------------------------------------------------------


class PartnerListView(StaffMixin, TemplateView):
    permission_required = "orgs.view_partner"
    template_name = "orgs/partner_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["partners"] = selectors.partner_list(user=self.request.user)
        ctx["can_change"] = self.request.user.has_perm("orgs.change_partner")
        return ctx


class PartnerCreateView(ServiceFormView):
    permission_required = "orgs.change_partner"
    form_class = PartnerForm
    page_title = gettext_lazy("新建合作侨联")
    success_message = gettext_lazy("已新建 %(object)s。")

    def perform(self, form):
        return services.partner_create(actor=self.request.user, **form.service_data())

    def get_success_url(self, obj=None):
        return reverse("orgs:partner_list")


class PartnerUpdateView(LoadObjectMixin, ServiceFormView):
    permission_required = "orgs.change_partner"
    form_class = PartnerForm
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.partner_list(user=user), pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def perform(self, form):
        return services.partner_update(actor=self.request.user, partner=self.object, **form.service_data())

    def get_success_url(self, obj=None):
        return reverse("orgs:partner_list")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("修改：%(name)s") % {"name": self.object.name}
        ctx["breadcrumbs"] = [(_("合作侨联"), reverse("orgs:partner_list"))]
        return ctx
