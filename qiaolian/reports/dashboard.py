"""The dashboards (工作看板) of the district and of a town: headline figures and charts, every one
read from the indicator catalogue (``indicator_value`` and ``IndicatorValue.grouped``), plus the
work plan's progress.

Each chart is one grouped aggregate query (``grouped("child", "category")``, ``grouped("month",
"project")`` …), never a loop of queries over towns or months. Every bar, slice and country links
to the indicator's "why this number" page narrowed exactly to that point: the clicked child
federation in the path, the clicked month or year as from/to (clipped to the period), the
breakdown group as ``group=``. The URLs are built as strings from one ``reverse`` per indicator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiaolian.core import charts
from qiaolian.orgs.models import Federation
from qiaolian.reports.indicators import BY_CODE, CASE_OPEN, IndicatorValue, NotApplicable, indicator_value
from qiaolian.reports.models import PlanTarget, WorkPlan

# Period ---------------------------------------------------------------------------------------


def _query(start: dt.date, end: dt.date, group=None) -> str:
    q = f"from={start.isoformat()}&to={end.isoformat()}"
    if group is not None:
        q += f"&group={quote(str(group))}"
    return q


def _years(start: dt.date, end: dt.date) -> list[int]:
    return list(range(start.year, end.year + 1))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _year_span(year: int, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The year clipped to the period."""
    return max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))


def _month_span(month: dt.date, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return max(start, month), min(end, last)


def _num(value) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _detail(federation_id: int, code: str) -> str:
    return reverse("reports:indicator_detail", args=[federation_id, code])


# Figures --------------------------------------------------------------------------------------


@dataclass
class Headline:
    label: str | Promise
    value: object
    unit: str | Promise
    url: str
    note: str | Promise = ""
    tone: str = ""


@dataclass
class Context:
    """What every chart of one dashboard shares: the reader, the federation and the period, and
    the indicator values already computed (one per code, so a value is never computed twice)."""

    user: object
    federation: Federation
    start: dt.date
    end: dt.date
    values: dict[str, IndicatorValue | None] = field(default_factory=dict)

    @property
    def is_district(self) -> bool:
        return self.federation.parent_id is None

    @property
    def spans_years(self) -> bool:
        return self.start.year != self.end.year

    def value(self, code: str) -> IndicatorValue | None:
        """The indicator's value (None when it does not apply at this federation's level)."""
        if code not in self.values:
            try:
                self.values[code] = indicator_value(
                    code=code, user=self.user, start=self.start, end=self.end, federation=self.federation
                )
            except NotApplicable:
                self.values[code] = None
        return self.values[code]


def _label(labels: dict, key) -> str:
    if key is None or key == "":
        return _("（未填）")
    return str(labels.get(key, key))


def _ordered_keys(found: Iterable, labels: dict) -> list:
    """Breakdown keys in the order of the field's choices, unknown ones after."""
    found = set(found)
    keys = [k for k in labels if k in found]
    return keys + sorted((k for k in found if k not in labels), key=lambda k: str(k))


# Charts ---------------------------------------------------------------------------------------


def persons_chart(ctx: Context) -> dict:
    """Headcounts by category, one bar per child federation (plus the federation's own records)."""
    code = "persons.by_category"
    result = ctx.value(code)
    cells = result.grouped("child", "category")
    children = list(ctx.federation.children.order_by("path"))
    columns = [(c.pk, c.short_name or c.name) for c in children]
    if any(key[0] == ctx.federation.pk for key in cells):
        columns.append((ctx.federation.pk, _("本级")))
    present = {key[0] for key in cells}
    columns = [c for c in columns if c[0] in present]
    labels = result.labels
    query = _query(ctx.start, ctx.end)
    series = []
    for category in _ordered_keys((k[1] for k in cells), labels):
        values, urls = [], []
        for pk, _name in columns:
            value = cells.get((pk, category), 0)
            values.append(value)
            # the federation's own bucket (本级) opens the records kept at the federation itself
            own = "&own=1" if pk == ctx.federation.pk else ""
            group = quote(str(category if category is not None else ""))
            urls.append(f"{_detail(pk, code)}?{query}&group={group}{own}" if value else None)
        series.append(charts.Series(name=_label(labels, category), values=values, urls=urls))
    return charts.stacked_bar(
        title=_("侨情人员（按身份类别）"),
        unit=str(result.unit),
        categories=[name for _pk, name in columns],
        series=series,
        category_label=_("下级组织") if columns else "",
    )


def _country_map(ctx: Context, code: str, title: str | Promise) -> dict:
    result = ctx.value(code)
    rows = [(key, value) for key, value in result.breakdown.items() if key]
    base = f"{_detail(ctx.federation.pk, code)}?{_query(ctx.start, ctx.end)}"
    return charts.world_map(
        title=str(title),
        unit=str(result.unit),
        name=str(title),
        codes=[str(k) for k, _v in rows],
        values=[v for _k, v in rows],
        urls=[f"{base}&group={quote(str(k))}" for k, _v in rows],
    )


def relatives_map(ctx: Context) -> dict:
    return _country_map(ctx, "persons.overseas_relatives", gettext_lazy("海外亲属分布"))


def contacts_map(ctx: Context) -> dict:
    return _country_map(ctx, "liaison.contacts", gettext_lazy("海外联系人分布"))


def activities_chart(ctx: Context) -> dict:
    """Activities per month (per year when the period is longer than two years), stacked by project."""
    code = "activities.by_project"
    result = ctx.value(code)
    by_year = (ctx.end.year - ctx.start.year) >= 2
    cells = result.grouped("year" if by_year else "month", "project")
    labels = result.labels
    base = _detail(ctx.federation.pk, code)
    if by_year:
        buckets = [(y, *_year_span(y, ctx.start, ctx.end), str(y)) for y in _years(ctx.start, ctx.end)]
    else:
        buckets = [(m, *_month_span(m, ctx.start, ctx.end), f"{m:%Y-%m}") for m in _months(ctx.start, ctx.end)]
    series = []
    for project in _ordered_keys((k[1] for k in cells), labels):
        values = [cells.get((key, project), 0) for key, *_rest in buckets]
        urls = [
            f"{base}?{_query(low, high, project)}" if value else None
            for (_key, low, high, _label_), value in zip(buckets, values, strict=True)
        ]
        series.append(charts.Series(name=_label(labels, project), values=values, urls=urls))
    return charts.stacked_bar(
        title=_("各年活动项数（按所属工程）") if by_year else _("每月活动项数（按所属工程）"),
        unit=str(result.unit),
        categories=[b[3] for b in buckets] if series else [],
        series=series,
        category_label=_("年份") if by_year else _("月份"),
    )


def _aid_chart(ctx: Context, code: str, title: str | Promise) -> dict:
    """Aid per campaign kind, per year when the period spans years."""
    result = ctx.value(code)
    labels = result.labels
    base = _detail(ctx.federation.pk, code)
    if ctx.spans_years:
        cells = result.grouped("year", "nomination__campaign__kind")
        kinds = _ordered_keys((k[1] for k in cells), labels)
        years = _years(ctx.start, ctx.end)
        series = []
        for kind in kinds:
            values = [_num(cells.get((y, kind), 0)) for y in years]
            urls = [
                f"{base}?{_query(*_year_span(y, ctx.start, ctx.end), kind)}" if v else None
                for y, v in zip(years, values, strict=True)
            ]
            series.append(charts.Series(name=_label(labels, kind), values=values, urls=urls))
        return charts.stacked_bar(
            title=str(title),
            unit=str(result.unit),
            categories=[str(y) for y in years] if series else [],
            series=series,
            category_label=_("年份"),
        )
    kinds = _ordered_keys(result.breakdown, labels)
    return charts.pie(
        title=str(title),
        unit=str(result.unit),
        name=str(title),
        labels=[_label(labels, k) for k in kinds],
        values=[_num(result.breakdown[k]) for k in kinds],
        urls=[f"{base}?{_query(ctx.start, ctx.end, k)}" for k in kinds],
        category_label=_("帮扶类型"),
    )


def aid_amount_chart(ctx: Context) -> dict:
    return _aid_chart(ctx, "aid.amount", gettext_lazy("发放慰问金（按帮扶类型）"))


def aid_recipients_chart(ctx: Context) -> dict:
    return _aid_chart(ctx, "aid.recipients", gettext_lazy("帮扶慰问对象（按帮扶类型）"))


def cases_chart(ctx: Context) -> dict:
    """Cases received in the period by their current state."""
    code = "casework.by_state"
    result = ctx.value(code)
    labels = result.labels
    keys = _ordered_keys(result.breakdown, labels)
    base = f"{_detail(ctx.federation.pk, code)}?{_query(ctx.start, ctx.end)}"
    return charts.pie(
        title=_("受理案件（按当前状态）"),
        unit=str(result.unit),
        name=_("案件"),
        labels=[_label(labels, k) for k in keys],
        values=[result.breakdown[k] for k in keys],
        urls=[f"{base}&group={quote(str(k))}" for k in keys],
        category_label=_("状态"),
    )


def contests_chart(ctx: Context) -> dict:
    """Contest entries per year of submission (the district runs the contest)."""
    code = "contests.entries"
    result = ctx.value(code)
    if result is None:
        raise NotApplicable(code)
    cells = result.grouped("year")
    years = _years(ctx.start, ctx.end)
    values = [cells.get((y,), 0) for y in years]
    base = _detail(ctx.federation.pk, code)
    if not any(values):
        years, values = [], []
    return charts.bar(
        title=_("大赛投稿作品（按投稿年份）"),
        unit=str(result.unit),
        categories=[str(y) for y in years],
        series=[
            charts.Series(
                name=_("投稿作品"),
                values=values,
                urls=[
                    f"{base}?{_query(*_year_span(y, ctx.start, ctx.end))}" if v else None
                    for y, v in zip(years, values, strict=True)
                ],
                unit=str(result.unit),
            )
        ],
        category_label=_("年份"),
    )


@dataclass(frozen=True)
class ChartDef:
    key: str
    build: Callable[[Context], dict]
    district_only: bool = False


CHARTS: dict[str, ChartDef] = {
    c.key: c
    for c in (
        ChartDef("persons", persons_chart),
        ChartDef("relatives", relatives_map),
        ChartDef("contacts", contacts_map),
        ChartDef("activities", activities_chart),
        ChartDef("aid_amount", aid_amount_chart),
        ChartDef("aid_recipients", aid_recipients_chart),
        ChartDef("cases", cases_chart),
        ChartDef("contests", contests_chart, district_only=True),
    )
}


def chart_spec(key: str, ctx: Context) -> dict:
    """One chart's spec (for its .xlsx export); 404 for an unknown chart or one that does not
    apply at the federation's level."""
    found = CHARTS.get(key)
    if found is None or (found.district_only and not ctx.is_district):
        raise Http404(key)
    try:
        return found.build(ctx)
    except NotApplicable:
        raise Http404(key) from None


def headlines(ctx: Context) -> list[Headline]:
    """The row of headline figures, each linking to its "why this number" page."""
    out = []

    def add(code: str, label, note="", tone=""):
        result = ctx.value(code)
        if result is not None:
            out.append(Headline(label, result.value, result.unit, result.records_url, note, tone))

    add("persons.by_category", gettext_lazy("侨情人员"), gettext_lazy("现有数"))
    add("persons.overseas_relatives", gettext_lazy("海外亲属"), gettext_lazy("现有数"))
    add("liaison.contacts", gettext_lazy("海外联系人"), gettext_lazy("现有数"))
    add("activities.by_project", gettext_lazy("开展活动"))
    add("activities.participants", gettext_lazy("活动参与人数"), gettext_lazy("同一人只计一次"))
    add("aid.recipients", gettext_lazy("帮扶慰问对象"))
    add("aid.amount", gettext_lazy("发放慰问金"))
    cases = ctx.value("casework.by_state")
    if cases is not None:
        open_cases = sum(v for k, v in cases.breakdown.items() if k in CASE_OPEN)
        out.append(
            Headline(
                gettext_lazy("受理案件"),
                cases.value,
                cases.unit,
                cases.records_url,
                _("其中未办结 %(n)s 件") % {"n": open_cases},
            )
        )
    add("casework.overdue", gettext_lazy("超期案件"), gettext_lazy("逾期办结或逾期未结"), tone="danger")
    if ctx.is_district:
        add("contests.entries", gettext_lazy("大赛投稿作品"))
    return out


@dataclass
class DashboardData:
    ctx: Context
    headlines: list[Headline]
    charts: dict[str, dict]
    countries: list[dict]
    overdue: IndicatorValue | None = None


def dashboard(*, user, federation: Federation, start: dt.date, end: dt.date) -> DashboardData:
    """Every figure and chart of the dashboard of ``federation`` for the period."""
    ctx = Context(user=user, federation=federation, start=start, end=end)
    specs = {
        key: chart.build(ctx) for key, chart in CHARTS.items() if not (chart.district_only and not ctx.is_district)
    }
    return DashboardData(
        ctx=ctx,
        headlines=headlines(ctx),
        charts=specs,
        countries=country_rows(ctx),
        overdue=ctx.value("casework.overdue"),
    )


def country_rows(ctx: Context, limit: int = 12) -> list[dict]:
    """The countries with the most overseas relatives or contacts, both figures side by side."""
    relatives = ctx.value("persons.overseas_relatives")
    contacts = ctx.value("liaison.contacts")
    rel_base = f"{_detail(ctx.federation.pk, relatives.indicator.code)}?{_query(ctx.start, ctx.end)}"
    con_base = f"{_detail(ctx.federation.pk, contacts.indicator.code)}?{_query(ctx.start, ctx.end)}"
    labels = relatives.labels
    codes = {k for k in relatives.breakdown if k} | {k for k in contacts.breakdown if k}
    rows = [
        {
            "code": str(code),
            "name": _label(labels, str(code)),
            "relatives": relatives.breakdown.get(code, 0),
            "contacts": contacts.breakdown.get(code, 0),
            "relatives_url": f"{rel_base}&group={quote(str(code))}",
            "contacts_url": f"{con_base}&group={quote(str(code))}",
        }
        for code in codes
    ]
    rows.sort(key=lambda r: (-(r["relatives"] + r["contacts"]), r["code"]))
    return rows[:limit]


# Work plan progress -----------------------------------------------------------------------------


@dataclass
class TargetProgress:
    code: str
    name: str | Promise
    unit: str | Promise
    target: Decimal
    actual: object
    url: str

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.target:
            return None
        return int(Decimal(self.actual) * 100 / self.target)

    @property
    def bar(self) -> int:
        return min(self.percent or 0, 100)


@dataclass
class PlanProgress:
    plan: WorkPlan
    year: int
    rows: list[TargetProgress]


def plan_covering(*, user, federation: Federation, year: int) -> WorkPlan | None:
    """The plan of ``federation`` whose years include ``year`` (within the user's jurisdiction)."""
    return (
        WorkPlan.objects.visible_to(user)
        .filter(federation=federation, start_year__lte=year, end_year__gte=year)
        .order_by("-start_year")
        .first()
    )


def plan_progress(*, user, federation: Federation, year: int) -> PlanProgress | None:
    """Target against actual for each target of ``year`` in the plan covering it: the actual is the
    indicator's value for that calendar year (a stock indicator: its current value)."""
    plan = plan_covering(user=user, federation=federation, year=year)
    if plan is None:
        return None
    targets = PlanTarget.objects.visible_to(user).filter(plan=plan, year=year).order_by("indicator")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = []
    order = list(BY_CODE)
    for target in sorted(targets, key=lambda t: order.index(t.indicator) if t.indicator in order else len(order)):
        indicator = BY_CODE.get(target.indicator)
        if indicator is None or not indicator.applies_to(federation):
            continue
        result = indicator_value(code=target.indicator, user=user, start=start, end=end, federation=federation)
        rows.append(
            TargetProgress(
                target.indicator, indicator.name, indicator.unit, target.value, result.value, result.records_url
            )
        )
    return PlanProgress(plan=plan, year=year, rows=rows)


# Work plans: reads for the plan pages ---------------------------------------------------------


def plans_visible(*, user):
    """The work plans within the user's jurisdiction, newest term first."""
    return WorkPlan.objects.visible_to(user).select_related("federation").order_by("-start_year", "federation__path")


def plan_for(*, user, pk: int) -> WorkPlan:
    """One plan within the user's jurisdiction, else 404."""
    plan = plans_visible(user=user).filter(pk=pk).first()
    if plan is None:
        raise Http404("plan")
    return plan


def plan_target_values(*, user, plan: WorkPlan) -> dict[tuple[str, int], Decimal]:
    return {(t.indicator, t.year): t.value for t in PlanTarget.objects.visible_to(user).filter(plan=plan).order_by()}


@dataclass
class PlanRow:
    code: str
    name: str | Promise
    unit: str | Promise
    cells: list[dict]


def plan_table(*, user, plan: WorkPlan, today: dt.date | None = None) -> list[PlanRow]:
    """Per indicator with a target: target and actual per year of the plan. The actuals of one
    indicator come from one grouped query over the plan's years (``grouped("year")``); a stock
    indicator (persons …) has only its current value, shown in the current year."""
    from django.utils import timezone

    today = today or timezone.localdate()
    targets = plan_target_values(user=user, plan=plan)
    codes = [code for code in BY_CODE if any(key[0] == code for key in targets)]
    start, end = dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)
    rows = []
    for code in codes:
        indicator = BY_CODE[code]
        if not indicator.applies_to(plan.federation):
            continue
        result = indicator_value(code=code, user=user, start=start, end=end, federation=plan.federation)
        base = reverse("reports:indicator_detail", args=[plan.federation_id, code])
        if indicator.date_field:
            actuals = {key[0]: value for key, value in result.grouped("year").items()}
        else:
            actuals = {min(today.year, plan.end_year): result.value} if today.year >= plan.start_year else {}
        cells = []
        for year in plan.years:
            target = targets.get((code, year))
            actual = None
            if year <= today.year:
                actual = actuals.get(year, 0 if indicator.date_field else None)
            progress = TargetProgress(code, indicator.name, indicator.unit, target, actual, "") if target else None
            cells.append(
                {
                    "year": year,
                    "target": target,
                    "actual": actual,
                    "percent": progress.percent if progress else None,
                    "url": f"{base}?{_query(dt.date(year, 1, 1), dt.date(year, 12, 31))}" if actual is not None else "",
                }
            )
        rows.append(PlanRow(code, indicator.name, indicator.unit, cells))
    return rows
