"""Work plan pages: the list, a plan with its targets against the actual values, the plan form,
and the targets grid (indicator × year)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from qiaolian.core.views import ServiceFormView, ServiceUpdateView, StaffMixin, apply_validation_error
from qiaolian.reports import dashboard as dash
from qiaolian.reports import services
from qiaolian.reports.forms_plans import PlanForm, TargetGridForm


def _crumbs() -> list[tuple]:
    return [(_("工作规划"), reverse("reports:plan_list"))]


class PlanListView(StaffMixin, TemplateView):
    permission_required = "reports.view_plan"
    template_name = "reports/plan_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(plans=list(dash.plans_visible(user=user)), may_change=user.has_perm("reports.change_plan"))
        return ctx


class PlanDetailView(StaffMixin, TemplateView):
    permission_required = "reports.view_plan"
    template_name = "reports/plan_detail.html"

    def load_objects(self, *, pk: int) -> None:
        self.plan = dash.plan_for(user=self.request.user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            plan=self.plan,
            years=list(self.plan.years),
            rows=dash.plan_table(user=user, plan=self.plan),
            may_change=user.has_perm("reports.change_plan", self.plan),
            dashboard_url=(
                f"{reverse('reports:dashboard')}?from={self.plan.end_year}-01-01&to={self.plan.end_year}-12-31"
                f"&federation={self.plan.federation_id}"
            ),
        )
        return ctx


class PlanCreateView(ServiceFormView):
    permission_required = "reports.change_plan"
    form_class = PlanForm
    page_title = _("新建工作规划")
    success_message = _("已建立工作规划“%(object)s”，请填写各年目标。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "breadcrumbs": _crumbs()}

    def perform(self, form):
        return services.plan_create(actor=self.request.user, data=form.plan_data())

    def get_success_url(self, obj=None):
        return reverse("reports:plan_targets", args=[obj.pk])


class PlanUpdateView(ServiceUpdateView):
    permission_required = "reports.change_plan"
    form_class = PlanForm

    def load_object(self, user, pk):
        plan = dash.plan_for(user=user, pk=pk)
        if not user.has_perm("reports.change_plan", plan):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return plan

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "breadcrumbs": _crumbs()}

    def perform(self, form):
        return services.plan_update(actor=self.request.user, plan=self.object, data=form.plan_data())


class PlanTargetsView(StaffMixin, TemplateView):
    """The targets as a grid; one save writes all cells at once (or none, when a cell is wrong)."""

    permission_required = "reports.change_plan"
    template_name = "reports/plan_targets.html"

    def load_objects(self, *, pk: int) -> None:
        user = self.request.user
        self.plan = dash.plan_for(user=user, pk=pk)
        if not user.has_perm("reports.change_plan", self.plan):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied

    def form(self, data=None) -> TargetGridForm:
        return TargetGridForm(
            data,
            indicators=services.plan_indicators(self.plan),
            years=self.plan.years,
            initial_values=dash.plan_target_values(user=self.request.user, plan=self.plan),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.form()
        ctx.update(plan=self.plan, form=form, years=list(self.plan.years), breadcrumbs=_crumbs())
        return ctx

    def post(self, request, pk: int):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                changes = services.plan_targets_save(actor=request.user, plan=self.plan, targets=form.targets)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("已保存目标（%(n)s 处修改）。") % {"n": len(changes)})
                return redirect(self.plan.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form), status=200)
