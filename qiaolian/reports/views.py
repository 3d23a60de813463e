"""Indicator pages: the catalogue with each value for a period and federation, and the "why this
number" page listing the records a value counts, with an .xlsx export of that list."""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from qiaolian.core.paging import keyset_page
from qiaolian.core.projects import Project
from qiaolian.core.views import StaffMixin
from qiaolian.reports.forms import PeriodForm
from qiaolian.reports.indicators import BY_CODE, CATALOGUE, NotApplicable, indicator_value
from qiaolian.reports.selectors import federation_for, record_rows


class PeriodMixin(StaffMixin):
    """The report pages' period and federation pickers; a federation outside the user's
    jurisdiction is a 404."""

    permission_required = "reports.view_indicators"

    def period_form(self) -> PeriodForm:
        form = PeriodForm(self.request.GET or None, user=self.request.user)
        if form.is_bound and not form.is_valid() and "federation" in form.errors:
            raise Http404("federation")
        return form


class CatalogueView(PeriodMixin, TemplateView):
    template_name = "reports/catalogue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.period_form()
        start, end = form.period()
        federation = federation_for(user=user, federation=form.federation_id())
        groups = []
        for project in Project:
            rows = []
            for indicator in (i for i in CATALOGUE if i.project == project.value):
                try:
                    value = indicator_value(code=indicator.code, user=user, start=start, end=end, federation=federation)
                except NotApplicable:
                    value = None
                rows.append({"indicator": indicator, "value": value})
            groups.append({"project": project, "rows": rows})
        ctx.update(form=form, start=start, end=end, federation=federation, groups=groups)
        return ctx


class IndicatorDetailView(PeriodMixin, TemplateView):
    """The value, its breakdown and the paged list of the records it counts."""

    template_name = "reports/indicator_detail.html"

    def load_objects(self, *, federation: int, code: str) -> None:
        self.federation = federation_for(user=self.request.user, federation=federation)
        if code not in BY_CODE:
            raise Http404(code)
        self.code = code

    def result(self):
        start, end = self.period_form().period()
        try:
            return indicator_value(
                code=self.code,
                user=self.request.user,
                start=start,
                end=end,
                federation=self.federation,
                group=self.request.GET.get("group"),
                own=self.request.GET.get("own") == "1",
            )
        except NotApplicable:
            raise Http404(self.code) from None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        result = self.result()
        qs = result.records.select_related(*_related(result.indicator))
        page = keyset_page(qs, order=("id",), cursor=self.request.GET.get("cursor", ""), size=50)
        ctx.update(
            form=self.period_form(),
            result=result,
            indicator=result.indicator,
            page=page,
            rows=record_rows(user=self.request.user, indicator=result.indicator, records=page.rows),
            query=result.records_url.partition("?")[2],
            base_query=f"from={result.start.isoformat()}&to={result.end.isoformat()}"
            + ("&own=1" if self.request.GET.get("own") == "1" else ""),
            group=self._group_label(result),
            own=self.request.GET.get("own") == "1",
        )
        return ctx

    def _group_label(self, result) -> str | None:
        group = self.request.GET.get("group")
        if group is None:
            return None
        labels = result.labels
        for key, label in labels.items():
            if str(key) == group:
                return str(label)
        return group or _("（未填）")


class IndicatorExportView(IndicatorDetailView):
    """The record list as .xlsx: str(record) only (masked fields stay masked)."""

    def get(self, request, *args, **kwargs):
        from qiaolian.core.tabular import export_workbook

        result = self.result()
        indicator = result.indicator
        qs = result.records.select_related(*_related(indicator)).order_by("id")
        buffer = io.BytesIO()
        book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
        sheet = book.add_worksheet(_("记录"))
        bold = book.add_format({"bold": True})
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write(0, 0, str(indicator.name), bold)
        sheet.write(
            1,
            0,
            _("%(federation)s，%(start)s 至 %(end)s：%(value)s %(unit)s")
            % {
                "federation": result.federation.name,
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "value": result.value,
                "unit": result.unit,
            },
        )
        headers = [_("序号"), _("记录类型"), _("记录"), _("日期"), _("所属侨联")]
        for col, header in enumerate(headers):
            sheet.write(3, col, header, bold)
        for n, row in enumerate(record_rows(user=request.user, indicator=indicator, records=qs.iterator()), start=1):
            sheet.write_number(3 + n, 0, n)
            sheet.write_string(3 + n, 1, row.kind)
            sheet.write_string(3 + n, 2, row.text)
            if row.date:
                sheet.write_datetime(3 + n, 3, row.date, dates)
            sheet.write_string(3 + n, 4, row.federation)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 2, 48)
        sheet.set_column(3, 3, 12)
        sheet.set_column(4, 4, 24)
        book.close()
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"indicator-{indicator.code}-{result.start:%Y%m%d}-{result.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _related(indicator) -> list[str]:
    """Relations the record list reads (the federation, the date's record, str())."""
    place = indicator.place or indicator.model_class.jurisdiction_path
    related = [place if isinstance(place, str) else place[0]]
    if indicator.date_field and "__" in indicator.date_field:
        related.append(indicator.date_field.rsplit("__", 1)[0])
    return related + list(_STR_RELATED.get(indicator.model, ()))


_STR_RELATED = {
    "aid.HandOver": ("nomination__person",),
    "enterprises.Visit": ("enterprise",),
    "orgs.Election": ("term",),
}
