"""Pages of 社情民意 and research reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from qiaolian.accounts.models import Role
from qiaolian.advocacy import selectors, services
from qiaolian.advocacy.forms import (
    InstructionForm,
    OpinionFilterForm,
    OpinionForm,
    OutcomeForm,
    ResearchForm,
    SubmitForm,
)
from qiaolian.advocacy.models import OpinionReport, ResearchReport
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.downloads import serve_upload
from qiaolian.core.paging import keyset_page
from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.orgs.selectors import federation_choices


def _opinion_or_404(user, pk: int) -> OpinionReport:
    try:
        return selectors.opinion_get(user=user, pk=pk)
    except OpinionReport.DoesNotExist:
        raise Http404 from None


def _research_or_404(user, pk: int) -> ResearchReport:
    try:
        return selectors.research_get(user=user, pk=pk)
    except ResearchReport.DoesNotExist:
        raise Http404 from None


class OpinionListView(StaffMixin, TemplateView):
    permission_required = "advocacy.view_opinion"
    template_name = "advocacy/opinion_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = OpinionFilterForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        filters = selectors.OpinionFilters(
            query=data.get("q") or "",
            year=data.get("year"),
            status=data.get("status") or "",
            category=data.get("category") or "",
        )
        ctx["form"] = form
        ctx["page"] = keyset_page(
            selectors.opinion_list(user=user, filters=filters),
            order=("-created_at", "-id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["by_year"] = selectors.opinion_counts_by_year(user=user)
        ctx["by_author"] = selectors.opinion_counts_by_author(user=user, year=data.get("year"))
        ctx["can_change"] = user.has_perm("advocacy.change_opinion")
        return ctx


class OpinionDetailView(StaffMixin, TemplateView):
    permission_required = "advocacy.view_opinion"
    template_name = "advocacy/opinion_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(opinion_context(self.request.user, _opinion_or_404(self.request.user, pk)))
        return ctx


def opinion_context(user, report: OpinionReport, **forms) -> dict:
    """What the detail page shows; a workflow step with bad input passes its bound form back."""
    return {
        "report": report,
        "can_edit": user.has_perm("advocacy.edit_opinion", report) and report.status in services.EDITABLE,
        "can_record": user.has_perm("advocacy.record_outcome"),
        "submit_form": forms.get("submit_form") or SubmitForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "instruction_form": forms.get("instruction_form") or InstructionForm(),
    }


class OpinionFormMixin:
    form_class = OpinionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["federations"] = federation_choices(user=self.request.user)
        kwargs["author_fixed"] = self.request.user.role == Role.CPPCC_MEMBER
        if self.request.user.federation_id:
            kwargs.setdefault("initial", {})["federation"] = self.request.user.federation_id
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("社情民意"), reverse("advocacy:opinion_list"))]
        return ctx


class OpinionCreateView(OpinionFormMixin, ServiceFormView):
    permission_required = "advocacy.change_opinion"
    page_title = gettext_lazy("撰写社情民意")
    success_message = gettext_lazy("已保存“%(object)s”。")

    def perform(self, form):
        return services.opinion_create(actor=self.request.user, data=form.service_data())


class OpinionUpdateView(OpinionFormMixin, ServiceUpdateView):
    permission_required = "advocacy.change_opinion"
    success_message = gettext_lazy("已保存“%(object)s”。")

    def load_object(self, user, pk):
        return _opinion_or_404(user, pk)

    def perform(self, form):
        return services.opinion_update(actor=self.request.user, report=self.object, data=form.service_data())


class OpinionActionView(StaffMixin, View):
    """The workflow steps from the detail page: review, submit, outcome, instruction."""

    permission_required = "advocacy.change_opinion"
    http_method_names = ["post"]
    FORMS = {"submit": SubmitForm, "outcome": OutcomeForm, "instruction": InstructionForm}

    def post(self, request, pk: int, step: str):
        report = _opinion_or_404(request.user, pk)
        user = request.user
        if step == "review":
            self._run(lambda: services.opinion_send_for_review(actor=user, report=report), _("已送内部审核。"))
            return redirect(report)
        form_class = self.FORMS.get(step)
        if form_class is None:
            raise Http404
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            action = {
                "submit": lambda: services.opinion_submit(actor=user, report=report, **data),
                "outcome": lambda: services.opinion_record_outcome(actor=user, report=report, **data),
                "instruction": lambda: services.opinion_record_instruction(actor=user, report=report, **data),
            }[step]
            try:
                action()
                messages.success(request, _("已登记。"))
                return redirect(report)
            except ValidationError as error:
                apply_validation_error(form, error)
        report.refresh_from_db()
        context = opinion_context(user, report, **{f"{step}_form": form})
        return render(request, OpinionDetailView.template_name, context)

    def _run(self, action, success: str) -> None:
        try:
            action()
            messages.success(self.request, success)
        except ValidationError as error:
            messages.error(self.request, "；".join(error.messages))


class ResearchListView(StaffMixin, TemplateView):
    permission_required = "advocacy.view_research"
    template_name = "advocacy/research_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:60]
        ctx["q"] = query
        ctx["page"] = keyset_page(
            selectors.research_list(user=self.request.user, query=query),
            order=("-completed_on", "-id"),
            cursor=self.request.GET.get("cursor", ""),
        )
        ctx["can_change"] = self.request.user.has_perm("advocacy.change_research")
        return ctx


class ResearchDetailView(StaffMixin, TemplateView):
    permission_required = "advocacy.view_research"
    template_name = "advocacy/research_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["report"] = _research_or_404(self.request.user, pk)
        ctx["can_change"] = self.request.user.has_perm("advocacy.change_research")
        return ctx


class ResearchFileView(StaffMixin, View):
    """The full text, served through the permission check (never as a public media URL)."""

    permission_required = "advocacy.view_research"

    def get(self, request, pk: int):
        report = _research_or_404(request.user, pk)
        if not report.file:
            raise Http404
        audit_record(actor=request.user, action=Action.EXPORT, target=report, data={"kind": "research_file"})
        return serve_upload(report.file, as_attachment=True)


class ResearchFormMixin:
    permission_required = "advocacy.change_research"
    form_class = ResearchForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["federations"] = federation_choices(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["breadcrumbs"] = [(_("调研成果"), reverse("advocacy:research_list"))]
        return ctx


class ResearchCreateView(ResearchFormMixin, ServiceFormView):
    page_title = gettext_lazy("登记调研成果")
    success_message = gettext_lazy("已登记《%(object)s》。")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.user.federation_id:
            kwargs.setdefault("initial", {})["federation"] = self.request.user.federation_id
        return kwargs

    def perform(self, form):
        return services.research_create(actor=self.request.user, data=form.service_data())


class ResearchUpdateView(ResearchFormMixin, ServiceUpdateView):
    success_message = gettext_lazy("已保存《%(object)s》。")

    def load_object(self, user, pk):
        return _research_or_404(user, pk)

    def perform(self, form):
        return services.research_update(actor=self.request.user, report=self.object, data=form.service_data())
