"""The dashboard (工作看板) of the district or of a town: headline figures, charts with drill-down
to the records, each chart's figures as .xlsx, and the work plan's progress (an htmx fragment)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from qiaolian.core import charts
from qiaolian.reports import dashboard as dash
from qiaolian.reports.selectors import federation_for
from qiaolian.reports.views import PeriodMixin


class DashboardView(PeriodMixin, TemplateView):
    """``/reports/dashboard/?from=&to=&federation=``: the district's dashboard, or a town's (a town
    user lands on its own; a federation outside the user's jurisdiction is a 404)."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.period_form()
        start, end = form.period()
        federation = federation_for(user=user, federation=form.federation_id())
        data = dash.dashboard(user=user, federation=federation, start=start, end=end)
        query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
        exports = {
            key: f"{reverse('reports:dashboard_export', args=[federation.pk, key])}?{query}" for key in data.charts
        }
        ctx.update(
            form=form,
            start=start,
            end=end,
            federation=federation,
            data=data,
            specs=data.charts,
            exports=exports,
            progress_url=f"{reverse('reports:dashboard_progress')}?{query}&federation={federation.pk}",
            is_district=federation.parent_id is None,
        )
        return ctx


class DashboardExportView(PeriodMixin, TemplateView):
    """``/reports/dashboard/<federation>/<chart>.xlsx?from=&to=``: one chart's figures."""

    def load_objects(self, *, federation: int, chart: str) -> None:
        self.federation = federation_for(user=self.request.user, federation=federation)
        if chart not in dash.CHARTS:
            raise Http404(chart)
        self.chart = chart

    def get(self, request, *args, **kwargs):
        start, end = self.period_form().period()
        ctx = dash.Context(user=request.user, federation=self.federation, start=start, end=end)
        spec = dash.chart_spec(self.chart, ctx)
        name = f"dashboard-{self.federation.pk}-{self.chart}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        return charts.xlsx_response(spec, name)


class DashboardProgressView(PeriodMixin, TemplateView):
    """The "规划完成情况" panel (loaded by htmx): the plan covering the year of the period's end."""

    template_name = "reports/dashboard_progress.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.period_form()
        _start, end = form.period()
        federation = federation_for(user=user, federation=form.federation_id())
        ctx.update(
            federation=federation,
            year=end.year,
            progress=dash.plan_progress(user=user, federation=federation, year=end.year),
            may_change=user.has_perm("reports.change_plan"),
        )
        return ctx
