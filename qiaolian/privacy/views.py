"""Staff pages of the privacy app: a person's data export and erasure, the retention rules."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from qiaolian.accounts.reauth import RecentAuthRequiredMixin
from qiaolian.core.views import ServiceFormView, StaffMixin
from qiaolian.privacy import selectors, services
from qiaolian.privacy.forms import ErasureConfirmForm
from qiaolian.privacy.policy import Act
from qiaolian.privacy.retention import RuleAction


def _person_crumbs(person) -> list[tuple[str, str]]:
    return [(_("侨情人员"), reverse("registry:person_list")), (person.name, person.get_absolute_url())]


class PersonExportView(StaffMixin, RecentAuthRequiredMixin, TemplateView):
    """GET: what the export will contain; POST: the ZIP (data.json + data.xlsx). Like every
    export of personal data, it asks for the password again unless recently confirmed."""

    permission_required = "privacy.handle_request"
    template_name = "privacy/person_export.html"

    def load_objects(self, **kwargs) -> None:
        self.person = selectors.person_for_request(user=self.request.user, pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            person=self.person,
            holdings=selectors.person_holdings(person=self.person),
            breadcrumbs=_person_crumbs(self.person),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        data = services.person_export(actor=request.user, person=self.person)
        response = HttpResponse(data, content_type="application/zip")
        name = f"person-{self.person.pk}-{timezone.localdate():%Y%m%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class PersonEraseView(RecentAuthRequiredMixin, ServiceFormView):
    """Erase a person's data by the policy after the user types the person's name (and, unless
    recently confirmed, their own password: accounts.reauth)."""

    permission_required = "privacy.handle_request"
    form_class = ErasureConfirmForm
    template_name = "privacy/person_erase.html"
    success_message = gettext_lazy("该人员的个人信息已删除（匿名化），统计字段已保留。")

    def load_objects(self, **kwargs) -> None:
        self.person = selectors.person_for_request(user=self.request.user, pk=kwargs["pk"])

    def perform(self, form):
        services.person_erase(
            actor=self.request.user, person=self.person, confirm_name=form.cleaned_data["confirm_name"]
        )
        return self.person

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            person=self.person,
            holdings=selectors.person_holdings(person=self.person),
            acts=dict(Act.choices),
            page_title=_("删除个人信息：%(name)s") % {"name": self.person.name},
            breadcrumbs=_person_crumbs(self.person),
            cancel_url=self.person.get_absolute_url(),
        )
        return ctx


class RetentionView(StaffMixin, TemplateView):
    permission_required = "privacy.view_retention"
    template_name = "privacy/retention.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rules"] = selectors.retention_overview(user=self.request.user)
        ctx["actions"] = dict(RuleAction.choices)
        return ctx
