"""Standard statistical tables (统计报表): the page and its .xlsx export. The tables are built
once by ``tables.build_report``; both views render that structure."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.generic import TemplateView

from qiaolian.reports.tables import build_report, report_xlsx
from qiaolian.reports.views import PeriodMixin


class _ReportMixin(PeriodMixin):
    def report(self):
        form = self.period_form()  # a federation outside the user's jurisdiction: 404
        start, end = form.period()
        return form, build_report(user=self.request.user, federation=form.federation_id(), start=start, end=end)


class TablesView(_ReportMixin, TemplateView):
    template_name = "reports/tables.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, report = self.report()
        query = f"from={report.start.isoformat()}&to={report.end.isoformat()}&federation={report.federation.pk}"
        ctx.update(form=form, report=report, federation=report.federation, query=query)
        return ctx


class TablesExportView(_ReportMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        _form, report = self.report()
        response = HttpResponse(
            report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"tables-{report.federation.code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
