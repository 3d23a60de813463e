"""Pages of the organizations: federations, terms and committees, stations, partners."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.downloads import serve_upload
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin
from qiaolian.orgs import selectors, services
from qiaolian.orgs.forms import (
    CommitteeMemberForm,
    ElectionDocumentForm,
    ElectionFilterForm,
    ElectionForm,
    FederationForm,
    GroupFilterForm,
    GroupForm,
    GroupMemberForm,
    MentoringPairForm,
    PartnerForm,
    StationAssessmentForm,
    StationFilterForm,
    StationForm,
    TermForm,
)
from qiaolian.orgs.models import COMMITTEE_ROLE_ORDER, ElectionMethod, GroupKind
from qiaolian.orgs.selectors import term_status


def _get_or_404(queryset, pk: int):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


class LoadObjectMixin:
    """Loads ``self.object`` through the subclass's ``load_object(user, pk)`` (a selector, so a
    record outside the user's jurisdiction is a 404) once access is granted."""

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


class FederationUpdateView(ServiceUpdateView):
    permission_required = "orgs.change_federation"
    form_class = FederationForm
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.federation_list(user=user), pk)

    def get_form_kwargs(self):
        parents = selectors.federation_choices(user=self.request.user).exclude(path__startswith=self.object.path)
        return {**super().get_form_kwargs(), "parents": parents}

    def perform(self, form):
        return services.federation_update(actor=self.request.user, federation=self.object, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [
            (_("侨联组织"), reverse("orgs:federation_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]
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
        user = self.request.user
        station = _get_or_404(selectors.station_list(user=user), pk)
        ctx["station"] = station
        ctx["assessments"] = selectors.station_assessments(user=user, station=station)
        ctx["can_change"] = user.has_perm("orgs.change_station")
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


class StationUpdateView(StationFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.station_list(user=user), pk)

    def perform(self, form):
        return services.station_update(actor=self.request.user, station=self.object, **form.service_data())


# Terms and committees --------------------------------------------------------------------------


class TermListView(StaffMixin, TemplateView):
    """The latest term of every visible federation, with those due for election flagged."""

    permission_required = "orgs.view_term"
    template_name = "orgs/term_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = selectors.term_overview(user=self.request.user, today=dt.date.today())
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


class TermUpdateView(TermFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.term_list(user=user), pk)

    def perform(self, form):
        return services.term_update(actor=self.request.user, term=self.object, **form.service_data())


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


class PartnerUpdateView(ServiceUpdateView):
    permission_required = "orgs.change_partner"
    form_class = PartnerForm
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.partner_list(user=user), pk)

    def perform(self, form):
        return services.partner_update(actor=self.request.user, partner=self.object, **form.service_data())

    def get_success_url(self, obj=None):
        return reverse("orgs:partner_list")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("合作侨联"), reverse("orgs:partner_list"))]
        ctx["cancel_url"] = reverse("orgs:partner_list")
        return ctx


def _form_errors_text(form) -> str:
    return "；".join(
        f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v) for k, v in form.errors.items()
    )


# Elections (换届) ---------------------------------------------------------------------------------


def _election_or_404(user, pk: int):
    election = selectors.election_get(user=user, pk=pk)
    if election is None:
        raise Http404
    return election


class ElectionListView(StaffMixin, TemplateView):
    """Elections recorded, filtered by year and federation (with those below it)."""

    permission_required = "orgs.view_term"
    template_name = "orgs/election_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = ElectionFilterForm(
            self.request.GET or None,
            years=selectors.election_years(user=user),
            federations=selectors.election_federation_choices(user=user),
        )
        filters = form.cleaned_data if form.is_valid() else {}
        ctx["form"] = form
        ctx["elections"] = selectors.election_list(
            user=user, year=filters.get("year"), federation=filters.get("federation")
        )
        ctx["due_count"] = len(selectors.elections_due(user=user, today=dt.date.today()))
        ctx["can_change"] = user.has_perm("orgs.change_term")
        return ctx


class ElectionDueView(StaffMixin, TemplateView):
    """Federations whose latest term ends within six months or has already ended."""

    permission_required = "orgs.view_term"
    template_name = "orgs/election_due.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = dt.date.today()
        ctx["today"] = today
        ctx["rows"] = selectors.elections_due(user=self.request.user, today=today)
        ctx["can_change"] = self.request.user.has_perm("orgs.change_term")
        return ctx


class ElectionDetailView(LoadObjectMixin, StaffMixin, TemplateView):
    permission_required = "orgs.view_term"
    template_name = "orgs/election_detail.html"

    def load_object(self, user, pk):
        return _election_or_404(user, pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        election = self.object
        ctx["election"] = election
        ctx["members"] = sorted(
            election.term.members.all(), key=lambda m: (COMMITTEE_ROLE_ORDER.index(m.role), m.sort_order, m.pk)
        )
        ctx["can_change"] = self.request.user.has_perm("orgs.change_term")
        ctx["document_form"] = ElectionDocumentForm()
        return ctx


class ElectionCreateView(ServiceFormView):
    permission_required = "orgs.change_term"
    form_class = ElectionForm
    template_name = "orgs/election_form.html"
    page_title = gettext_lazy("登记换届选举")
    success_message = gettext_lazy("已登记 %(object)s。")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "federations": selectors.election_federation_choices(user=self.request.user),
        }

    def get_initial(self):
        """From the due list (?federation=…): the federation, the next term number, the congress."""
        initial = {"method": ElectionMethod.UNCONTESTED}
        raw = self.request.GET.get("federation", "")
        federation = (
            selectors.election_federation_choices(user=self.request.user).filter(pk=raw).first()
            if raw.isdigit()
            else None
        )
        if federation is not None:
            initial["federation"] = federation.pk
            latest = selectors.term_list(user=self.request.user).filter(federation=federation).order_by("-number")
            number = latest.first().number + 1 if latest.exists() else 1
            initial["new_term_number"] = number
            numeral = "〇一二三四五六七八九十"[number] if number <= 10 else str(number)
            initial["congress_name"] = _("%(name)s第%(number)s次归侨侨眷代表大会") % {
                "name": federation.short_name.removesuffix("侨联") if federation.parent_id is None else federation.name,
                "number": numeral,
            }
        return initial

    def perform(self, form):
        return services.election_record(actor=self.request.user, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("换届选举"), reverse("orgs:election_list"))]
        ctx["cancel_url"] = reverse("orgs:election_list")
        return ctx


class ElectionDocumentAddView(LoadObjectMixin, StaffMixin, View):
    permission_required = "orgs.change_term"
    http_method_names = ["post"]

    def load_object(self, user, pk):
        return _election_or_404(user, pk)

    def post(self, request, pk: int):
        form = ElectionDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            document = services.election_document_add(
                actor=request.user, election=self.object, title=form.cleaned_data["title"], upload=upload
            )
            messages.success(request, _("已上传 %(title)s。") % {"title": document.title})
        else:
            messages.error(request, _form_errors_text(form))
        return redirect(self.object)


class ElectionDocumentDownloadView(StaffMixin, View):
    permission_required = "orgs.view_term"
    http_method_names = ["get"]

    def get(self, request, pk: int):
        document = selectors.election_document_get(user=request.user, pk=pk)
        if document is None or not document.file:
            raise Http404
        return serve_upload(document.file, as_attachment=True)


# Station assessments ---------------------------------------------------------------------------


class StationAssessmentCreateView(LoadObjectMixin, ServiceFormView):
    permission_required = "orgs.change_station"
    form_class = StationAssessmentForm
    template_name = "orgs/assessment_form.html"
    success_message = gettext_lazy("已登记 %(object)s。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.station_list(user=user), pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "items": services.checklist_for(self.object.kind)}

    def get_initial(self):
        return {"assessed_on": dt.date.today()}

    def perform(self, form):
        return services.station_assessment_record(actor=self.request.user, station=self.object, **form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["station"] = self.object
        ctx["page_title"] = _("规范化建设考评：%(name)s") % {"name": self.object.name}
        ctx["breadcrumbs"] = [
            (_("侨之家与新侨驿站"), reverse("orgs:station_list")),
            (self.object.name, self.object.get_absolute_url()),
        ]
        return ctx


# Groups ----------------------------------------------------------------------------------------


def _group_or_404(user, pk: int):
    group = selectors.group_get(user=user, pk=pk)
    if group is None:
        raise Http404
    return group


class GroupListView(StaffMixin, TemplateView):
    permission_required = "orgs.view_group"
    template_name = "orgs/group_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = GroupFilterForm(self.request.GET or None)
        kind = form.cleaned_data["kind"] if form.is_valid() else ""
        ctx["form"] = form
        ctx["groups"] = selectors.group_list(user=self.request.user, kind=kind)
        ctx["can_change"] = self.request.user.has_perm("orgs.change_group")
        return ctx


class GroupDetailView(LoadObjectMixin, StaffMixin, TemplateView):
    permission_required = "orgs.view_group"
    template_name = "orgs/group_detail.html"

    def load_object(self, user, pk):
        return _group_or_404(user, pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        group = self.object
        members = list(selectors.group_members(user=user, group=group))
        ctx["group"] = group
        ctx["members"] = [m for m in members if m.left_on is None]
        ctx["former_members"] = [m for m in members if m.left_on is not None]
        ctx["pairs"] = selectors.group_pairs(user=user, group=group)
        ctx["show_pairs"] = group.kind == GroupKind.MENTORING or bool(ctx["pairs"])
        ctx["can_change"] = user.has_perm("orgs.change_group")
        if ctx["can_change"]:
            persons = selectors.group_person_choices(user=user, group=group)
            ctx["member_form"] = GroupMemberForm(persons=persons)
            ctx["pair_form"] = MentoringPairForm(persons=persons)
        return ctx


class GroupFormMixin:
    permission_required = "orgs.change_group"
    form_class = GroupForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "federations": selectors.federation_choices(user=self.request.user),
            "partners": selectors.partner_list(user=self.request.user),
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("侨界团体"), reverse("orgs:group_list"))]
        return ctx


class GroupCreateView(GroupFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建团体")
    success_message = gettext_lazy("已新建 %(object)s。")

    def perform(self, form):
        data = form.service_data()
        federation = data.pop("federation")
        return services.group_create(actor=self.request.user, federation=federation, **data)


class GroupUpdateView(GroupFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存 %(object)s。")

    def load_object(self, user, pk):
        return _group_or_404(user, pk)

    def perform(self, form):
        return services.group_update(actor=self.request.user, group=self.object, **form.service_data())


class _GroupPostView(LoadObjectMixin, StaffMixin, View):
    """A small form posted from the group page: validate, call the subclass's
    ``call_service(data)``, go back."""

    permission_required = "orgs.change_group"
    http_method_names = ["post"]
    form_class: type = GroupMemberForm
    done_message = ""

    def load_object(self, user, pk):
        return _group_or_404(user, pk)

    def post(self, request, pk: int):
        persons = selectors.group_person_choices(user=request.user, group=self.object)
        form = self.form_class(request.POST, persons=persons)
        if form.is_valid():
            try:
                saved = self.call_service(form.service_data())
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, self.done_message % {"object": saved})
        else:
            messages.error(request, _form_errors_text(form))
        return redirect(self.object)


class GroupMemberAddView(_GroupPostView):
    form_class = GroupMemberForm
    done_message = gettext_lazy("已添加 %(object)s。")

    def call_service(self, data):
        return services.group_member_add(actor=self.request.user, group=self.object, **data)


class MentoringPairAddView(_GroupPostView):
    form_class = MentoringPairForm
    done_message = gettext_lazy("已登记结对 %(object)s。")

    def call_service(self, data):
        return services.mentoring_pair_add(actor=self.request.user, group=self.object, **data)


class GroupMemberRemoveView(StaffMixin, View):
    permission_required = "orgs.change_group"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        member = selectors.group_member_get(user=request.user, pk=pk)
        if member is None:
            raise Http404
        group = member.group
        services.group_member_remove(actor=request.user, member=member)
        messages.success(request, _("已移除 %(name)s。") % {"name": member.name})
        return redirect(group)


class MentoringPairRemoveView(StaffMixin, View):
    permission_required = "orgs.change_group"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        pair = selectors.mentoring_pair_get(user=request.user, pk=pk)
        if pair is None:
            raise Http404
        group = pair.group
        services.mentoring_pair_remove(actor=request.user, pair=pair)
        messages.success(request, _("已解除结对 %(pair)s。") % {"pair": pair})
        return redirect(group)
