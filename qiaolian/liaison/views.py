"""Pages of overseas associations, contacts and youth camps."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.core.paging import keyset_page
from qiaolian.core.pdf import pdf_response
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.liaison import selectors, services
from qiaolian.liaison.certificates import certificate_language, certificate_pdf
from qiaolian.liaison.forms import (
    AssociationFilterForm,
    AssociationForm,
    CampForm,
    ContactFilterForm,
    ContactForm,
    EnrolmentForm,
    FollowUpForm,
    InteractionForm,
    SessionForm,
    StatusForm,
)
from qiaolian.liaison.models import Camp, Enrolment, EnrolmentStatus, FollowUp, OverseasAssociation, OverseasContact
from qiaolian.orgs.selectors import federation_choices
from qiaolian.registry.selectors import person_scope


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


# Associations -------------------------------------------------------------------------------


class AssociationListView(StaffMixin, TemplateView):
    permission_required = "liaison.view_association"
    template_name = "liaison/association_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = AssociationFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.AssociationFilters(
            query=(data.get("q") or "").strip(), country=data.get("country") or "", type=data.get("type") or ""
        )
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.association_list(user=self.request.user, filters=filters),
            order=("name", "id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["can_change"] = self.request.user.has_perm("liaison.change_association")
        return ctx


class AssociationDetailView(StaffMixin, TemplateView):
    permission_required = "liaison.view_association"
    template_name = "liaison/association_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        association = _get_or_404(selectors.association_get, OverseasAssociation, user, pk)
        ctx["association"] = association
        ctx["contacts"] = selectors.contact_list(
            user=user, filters=selectors.ContactFilters(association_id=association.pk)
        )[:100]
        ctx["can_change"] = user.has_perm("liaison.change_association")
        return ctx


class AssociationFormMixin:
    permission_required = "liaison.change_association"
    form_class = AssociationForm

    def get_form_kwargs(self):
        return _with_own_federation(self, super().get_form_kwargs())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("海外社团"), reverse("liaison:association_list"))]
        return ctx


class AssociationCreateView(AssociationFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记海外社团")
    success_message = gettext_lazy("已登记“%(object)s”。")

    def perform(self, form):
        return services.association_create(actor=self.request.user, data=form.service_data())


class AssociationUpdateView(AssociationFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.association_get, OverseasAssociation, user, pk)

    def perform(self, form):
        return services.association_update(actor=self.request.user, association=self.object, data=form.service_data())


# Contacts -----------------------------------------------------------------------------------


class ContactListView(StaffMixin, TemplateView):
    permission_required = "liaison.view_contact"
    template_name = "liaison/contact_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ContactFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.ContactFilters(
            query=(data.get("q") or "").strip(), country=data.get("country") or "", kind=data.get("kind") or ""
        )
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.contact_list(user=self.request.user, filters=filters),
            order=("name", "id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["due_count"] = selectors.follow_ups_due(user=self.request.user).count()
        ctx["can_change"] = self.request.user.has_perm("liaison.change_contact")
        return ctx


def contact_context(user, contact: OverseasContact, **forms) -> dict:
    """What the contact page shows; a step with bad input passes its bound form back."""
    return {
        "contact": contact,
        "interactions": selectors.contact_interactions(user=user, contact=contact),
        "follow_ups": selectors.contact_follow_ups(user=user, contact=contact),
        "today": dt.date.today(),
        "can_change": user.has_perm("liaison.change_contact"),
        "interaction_form": forms.get("interaction_form") or InteractionForm(),
        "followup_form": forms.get("followup_form") or FollowUpForm(),
    }


class ContactDetailView(StaffMixin, TemplateView):
    permission_required = "liaison.view_contact"
    template_name = "liaison/contact_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(contact_context(user, _get_or_404(selectors.contact_get, OverseasContact, user, pk)))
        return ctx


class ContactFormMixin:
    permission_required = "liaison.change_contact"
    form_class = ContactForm
    fieldsets = [
        (gettext_lazy("基本情况"), ["federation", "name", "foreign_name", "kind", "country", "city"]),
        (gettext_lazy("单位与社团"), ["association", "organization", "position", "person"]),
        (gettext_lazy("联系方式与备注"), ["phone", "notes"]),
    ]

    def get_form_kwargs(self):
        kwargs = _with_own_federation(self, super().get_form_kwargs())
        kwargs["associations"] = selectors.association_choices(user=self.request.user)
        kwargs["persons"] = person_scope(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("海外联系人"), reverse("liaison:contact_list"))]
        return ctx


class ContactCreateView(ContactFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记海外联系人")
    success_message = gettext_lazy("已登记“%(object)s”。")

    def perform(self, form):
        return services.contact_create(actor=self.request.user, data=form.service_data())


class ContactUpdateView(ContactFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.contact_get, OverseasContact, user, pk)

    def perform(self, form):
        return services.contact_update(actor=self.request.user, contact=self.object, data=form.service_data())


class ContactActionView(StaffMixin, View):
    """From the contact page: log an interaction, add a follow-up."""

    permission_required = "liaison.change_contact"
    http_method_names = ["post"]
    FORMS = {"interaction": InteractionForm, "followup": FollowUpForm}

    def post(self, request, pk: int, step: str):
        user = request.user
        contact = _get_or_404(selectors.contact_get, OverseasContact, user, pk)
        form_class = self.FORMS.get(step)
        if form_class is None:
            raise Http404
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "interaction":
                    services.interaction_add(actor=user, contact=contact, **data)
                else:
                    services.follow_up_add(actor=user, contact=contact, **data)
                messages.success(request, _("已登记。"))
                return redirect(contact)
            except ValidationError as error:
                apply_validation_error(form, error)
        context = contact_context(user, contact, **{f"{step}_form": form})
        return render(request, ContactDetailView.template_name, context)


class FollowUpCompleteView(StaffMixin, View):
    permission_required = "liaison.change_contact"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        follow_up = _get_or_404(selectors.follow_up_get, FollowUp, request.user, pk)
        try:
            services.follow_up_complete(actor=request.user, follow_up=follow_up)
            messages.success(request, _("已完成：%(what)s") % {"what": follow_up.what})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        target = request.POST.get("next", "")
        return redirect(target if target == reverse("liaison:followup_list") else follow_up.contact)


class FollowUpListView(StaffMixin, TemplateView):
    permission_required = "liaison.view_contact"
    template_name = "liaison/followup_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = dt.date.today()
        ctx["follow_ups"] = selectors.follow_ups_due(user=self.request.user, within_days=14)[:200]
        ctx["can_change"] = self.request.user.has_perm("liaison.change_contact")
        return ctx


# Camps --------------------------------------------------------------------------------------


class CampListView(StaffMixin, TemplateView):
    permission_required = "liaison.view_camp"
    template_name = "liaison/camp_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = keyset_page(
            selectors.camp_list(user=self.request.user),
            order=("-starts_on", "-id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["can_change"] = self.request.user.has_perm("liaison.change_camp")
        return ctx


def camp_context(user, camp: Camp, **forms) -> dict:
    enrolments = list(selectors.camp_enrolments(user=user, camp=camp))
    sessions = list(selectors.camp_sessions(user=user, camp=camp))
    present = selectors.camp_attendance(user=user, camp=camp)
    grid = [
        {"enrolment": e, "cells": [{"session": s, "present": (s.pk, e.pk) in present} for s in sessions]}
        for e in enrolments
        if e.status in (EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED)
    ]
    by_status = {value: 0 for value in EnrolmentStatus.values}
    for e in enrolments:
        by_status[e.status] += 1
    return {
        "camp": camp,
        "enrolments": enrolments,
        "sessions": sessions,
        "grid": grid,
        "by_country": selectors.camp_counts_by_country(user=user, camp=camp),
        "by_status": [(label, by_status[value]) for value, label in EnrolmentStatus.choices],
        "taken": by_status[EnrolmentStatus.ADMITTED] + by_status[EnrolmentStatus.ATTENDED],
        "attended_count": by_status[EnrolmentStatus.ATTENDED],
        "status_choices": EnrolmentStatus.choices,
        "can_change": user.has_perm("liaison.change_camp"),
        "session_form": forms.get("session_form") or SessionForm(initial={"date": camp.starts_on}),
    }


class CampDetailView(StaffMixin, TemplateView):
    permission_required = "liaison.view_camp"
    template_name = "liaison/camp_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(camp_context(user, _get_or_404(selectors.camp_get, Camp, user, pk)))
        return ctx


class CampFormMixin:
    permission_required = "liaison.change_camp"
    form_class = CampForm

    def get_form_kwargs(self):
        return _with_own_federation(self, super().get_form_kwargs())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("青少年营"), reverse("liaison:camp_list"))]
        return ctx


class CampCreateView(CampFormMixin, ServiceFormView):
    page_title = gettext_lazy("新建青少年营")
    success_message = gettext_lazy("已新建“%(object)s”。")

    def perform(self, form):
        return services.camp_create(actor=self.request.user, data=form.service_data())


class CampUpdateView(CampFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _get_or_404(selectors.camp_get, Camp, user, pk)

    def perform(self, form):
        return services.camp_update(actor=self.request.user, camp=self.object, data=form.service_data())


class CampActionView(StaffMixin, View):
    """From the camp page: add a session, record the attendance grid."""

    permission_required = "liaison.change_camp"
    http_method_names = ["post"]

    def post(self, request, pk: int, step: str):
        user = request.user
        camp = _get_or_404(selectors.camp_get, Camp, user, pk)
        if step == "attendance":
            present = set()
            for key in request.POST.getlist("present"):
                session_id, _sep, enrolment_id = key.partition("-")
                if session_id.isdigit() and enrolment_id.isdigit():
                    present.add((int(session_id), int(enrolment_id)))
            try:
                result = services.attendance_record(actor=user, camp=camp, present=present)
                messages.success(request, _("出勤已保存：新增 %(added)s 条，取消 %(removed)s 条。") % result)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            return redirect(reverse("liaison:camp_detail", args=[camp.pk]) + "#attendance")
        if step != "session":
            raise Http404
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                services.session_add(actor=user, camp=camp, **form.cleaned_data)
                messages.success(request, _("已添加活动。"))
                return redirect(camp)
            except ValidationError as error:
                apply_validation_error(form, error)
        return render(request, CampDetailView.template_name, camp_context(user, camp, session_form=form))


class EnrolmentCreateView(ServiceFormView):
    permission_required = "liaison.change_camp"
    form_class = EnrolmentForm
    success_message = gettext_lazy("已登记营员“%(object)s”。")
    fieldsets = [
        (gettext_lazy("营员"), ["name", "foreign_name", "sex", "birth_date", "country", "city", "passport_number"]),
        (gettext_lazy("学习与语言"), ["school", "chinese_level", "languages"]),
        (gettext_lazy("监护人"), ["guardian_name", "guardian_relation", "guardian_consent"]),
        (gettext_lazy("审核"), ["status"]),
    ]

    def load_objects(self, **kwargs):
        self.camp = _get_or_404(selectors.camp_get, Camp, self.request.user, kwargs["pk"])

    def perform(self, form):
        return services.enrolment_add(actor=self.request.user, camp=self.camp, data=form.service_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_title"] = _("营员报名：%(title)s") % {"title": self.camp.title}
        ctx["cancel_url"] = self.camp.get_absolute_url()
        ctx["breadcrumbs"] = [
            (_("青少年营"), reverse("liaison:camp_list")),
            (self.camp.title, self.camp.get_absolute_url()),
        ]
        return ctx


class EnrolmentStatusView(StaffMixin, View):
    permission_required = "liaison.change_camp"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        enrolment = _get_or_404(selectors.enrolment_get, Enrolment, request.user, pk)
        form = StatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择状态。"))
            return redirect(enrolment.camp)
        try:
            services.enrolment_set_status(actor=request.user, enrolment=enrolment, status=form.cleaned_data["status"])
            messages.success(
                request, _("%(name)s：%(status)s") % {"name": enrolment.name, "status": enrolment.get_status_display()}
            )
        except ValidationError as error:
            messages.error(request, f"{enrolment.name}：{'；'.join(error.messages)}")
        return redirect(enrolment.camp)


# Completion certificates ----------------------------------------------------------------------


class CertificateDownloadMixin(StaffMixin):
    """The completion certificates (结营证书) of attended campers as one PDF; ``?lang=en`` for English
    (anything else: Chinese). Nothing to certify → an error message back on the camp page."""

    permission_required = "liaison.view_camp"
    http_method_names = ["get"]

    def certificate_download(self, camp: Camp, enrolments: list[Enrolment]):
        data, filename = certificate_pdf(
            camp=camp,
            enrolments=enrolments,
            language=certificate_language(self.request.GET.get("lang")),
            request=self.request,
        )
        return pdf_response(data, filename)


class CampCertificatesView(CertificateDownloadMixin, View):
    """Every attended camper of the camp, one page each."""

    def load_objects(self, **kwargs) -> None:
        self.camp = _get_or_404(selectors.camp_get, Camp, self.request.user, kwargs["pk"])

    def get(self, request, pk: int):
        enrolments = list(selectors.certificate_enrolments(user=request.user, camp=self.camp))
        if not enrolments:
            messages.error(request, _("本营还没有状态为“已参营”的营员，没有可出具的结营证书。"))
            return redirect(self.camp)
        return self.certificate_download(self.camp, enrolments)


class EnrolmentCertificateView(CertificateDownloadMixin, View):
    """One camper's certificate."""

    def load_objects(self, **kwargs) -> None:
        self.enrolment = _get_or_404(selectors.enrolment_get, Enrolment, self.request.user, kwargs["pk"])

    def get(self, request, pk: int):
        enrolment = self.enrolment
        eligible = selectors.certificate_enrolments(user=request.user, camp=enrolment.camp).filter(pk=enrolment.pk)
        if not eligible.exists():
            messages.error(
                request,
                _("%(name)s的状态是“%(status)s”：只有已参营的营员才能获得结营证书。")
                % {"name": enrolment.name, "status": enrolment.get_status_display()},
            )
            return redirect(enrolment.camp)
        return self.certificate_download(enrolment.camp, [enrolment])
