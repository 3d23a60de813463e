"""Standard statistical tables (统计报表): the annual statistical report of a federation.

The tables are declared once (``TABLES``: tables made of pieces, each piece one or more indicators
laid out along two axes) and built by ``build_report`` into plain rows of cells. The HTML page and
the .xlsx export both render that one structure, so they always show the same numbers.

Every number comes from the indicator catalogue (``indicator_value`` and ``IndicatorValue.grouped``),
never from a query of its own: a piece costs one aggregate query per indicator and axis, whatever
the number of federations or records. Totals of counts and sums are the sums of their parts (the
same records, partitioned); totals of distinct counts and averages are read from the indicator.

Shapes of a piece:

- ``CROSS``: one indicator, child federations (rows) × its breakdown (columns), totals both ways;
- ``BY_CHILD``: several indicators (columns) by child federation (rows), a 合计 row;
- ``BY_GROUP``: indicators sharing one breakdown (columns) by its groups (rows, the ``top`` largest
  and 其他), a 合计 row;
- ``BY_TIME``: indicators (rows) by month (a period within one year) or year (columns), 合计 column.

A row "本级" holds the records kept at the chosen federation itself (not at a child).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiaolian.orgs.models import Federation
from qiaolian.reports.indicators import BY_CODE, Indicator, IndicatorValue, NotApplicable, indicator_value
from qiaolian.reports.selectors import federation_for

CROSS, BY_CHILD, BY_GROUP, BY_TIME = "cross", "by_child", "by_group", "by_time"
COUNT, MONEY, AVERAGE = "count", "money", "average"


# The declarations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    key: str  # "1-1"
    title: str | Promise
    shape: str
    codes: tuple[str, ...]
    top: int | None = None  # BY_GROUP: the largest groups, the rest as 其他; CROSS: the largest columns


@dataclass(frozen=True)
class TableDef:
    number: int
    title: str | Promise
    pieces: tuple[Piece, ...]

    @property
    def label(self) -> str:
        return gettext("表%(n)s %(title)s") % {"n": self.number, "title": self.title}


TABLES: tuple[TableDef, ...] = (
    TableDef(
        1,
        _("侨情基本情况"),
        (
            Piece("1-1", _("侨情人员（按身份类别）"), CROSS, ("persons.by_category",)),
            Piece("1-2", _("海外亲属（按国家/地区）"), BY_GROUP, ("persons.overseas_relatives",), top=15),
            Piece("1-3", _("海外联系人（按国家/地区）"), BY_GROUP, ("liaison.contacts",), top=15),
        ),
    ),
    TableDef(
        2,
        _("组织建设"),
        (
            Piece(
                "2-1",
                _("组织建设（按侨联组织）"),
                BY_CHILD,
                ("orgs.elections", "orgs.terms_due", "orgs.stations", "activities.trainings", "activities.trainees"),
            ),
            Piece("2-2", _("命名侨之家/新侨驿站（按类型）"), CROSS, ("orgs.stations",)),
            Piece("2-3", _("培训人数（按参与身份）"), BY_GROUP, ("activities.trainees",)),
            Piece(
                "2-4",
                _("组织建设（按时间）"),
                BY_TIME,
                ("orgs.elections", "orgs.terms_due", "orgs.stations", "activities.trainings", "activities.trainees"),
            ),
        ),
    ),
    TableDef(
        3,
        _("活动开展情况"),
        (
            Piece("3-1", _("活动项数（按所属工程）"), CROSS, ("activities.by_project",)),
            Piece(
                "3-2",
                _("活动参与与覆盖（按侨联组织）"),
                BY_CHILD,
                (
                    "activities.by_project",
                    "activities.participants",
                    "activities.registrations",
                    "activities.audience",
                    "activities.online_reach",
                    "activities.by_campaign",
                    "activities.joint",
                ),
            ),
            Piece("3-3", _("活动项数（按活动类型）"), BY_GROUP, ("activities.by_kind",)),
            Piece(
                "3-4",
                _("参与人数与人次（按所属工程）"),
                BY_GROUP,
                ("activities.participants", "activities.registrations"),
            ),
            Piece("3-5", _("专项活动中的活动项数"), BY_GROUP, ("activities.by_campaign",), top=15),
            Piece(
                "3-6",
                _("活动开展情况（按时间）"),
                BY_TIME,
                (
                    "activities.by_project",
                    "activities.participants",
                    "activities.registrations",
                    "activities.audience",
                    "activities.online_reach",
                    "contests.entries",
                ),
            ),
        ),
    ),
    TableDef(
        4,
        _("为侨服务"),
        (
            Piece(
                "4-1",
                _("为侨服务（按侨联组织）"),
                BY_CHILD,
                (
                    "aid.recipients",
                    "aid.amount",
                    "aid.donations",
                    "aid.donation_amount",
                    "casework.by_type",
                    "casework.overdue",
                    "casework.days_to_resolve",
                ),
            ),
            Piece("4-2", _("帮扶慰问（按帮扶类型）"), BY_GROUP, ("aid.recipients", "aid.amount")),
            Piece("4-3", _("接收捐赠（按捐赠形式）"), BY_GROUP, ("aid.donations",)),
            Piece("4-4", _("捐赠金额（按捐赠方类型）"), BY_GROUP, ("aid.donation_amount",)),
            Piece(
                "4-5",
                _("受理案件（按类型）"),
                BY_GROUP,
                ("casework.by_type", "casework.overdue", "casework.days_to_resolve"),
            ),
            Piece("4-6", _("受理案件（按状态）"), BY_GROUP, ("casework.by_state",)),
            Piece(
                "4-7",
                _("为侨服务（按时间）"),
                BY_TIME,
                ("aid.recipients", "aid.amount", "aid.donations", "aid.donation_amount", "casework.by_type"),
            ),
        ),
    ),
    TableDef(
        5,
        _("经济科技与海外联谊"),
        (
            Piece(
                "5-1",
                _("经济科技与海外联谊（按侨联组织）"),
                BY_CHILD,
                (
                    "enterprises.visits",
                    "enterprises.appeals_raised",
                    "enterprises.appeals_resolved",
                    "enterprises.investment_leads",
                    "enterprises.exhibitors",
                    "contests.projects_by_region",
                    "liaison.camps",
                    "liaison.campers",
                ),
            ),
            Piece("5-2", _("招商引资线索（按进展）"), BY_GROUP, ("enterprises.investment_leads",)),
            Piece("5-3", _("侨企参展（按展会/项目）"), BY_GROUP, ("enterprises.exhibitors",), top=10),
            Piece("5-4", _("创业大赛项目（按来源地区）"), BY_GROUP, ("contests.projects_by_region",)),
            Piece("5-5", _("夏令营营员（按国家/地区）"), BY_GROUP, ("liaison.campers",), top=15),
            Piece(
                "5-6",
                _("经济科技与海外联谊（按时间）"),
                BY_TIME,
                (
                    "enterprises.visits",
                    "enterprises.appeals_raised",
                    "enterprises.appeals_resolved",
                    "enterprises.investment_leads",
                    "enterprises.exhibitors",
                    "contests.projects_by_region",
                    "liaison.camps",
                    "liaison.campers",
                ),
            ),
        ),
    ),
    TableDef(
        6,
        _("参政议政"),
        (
            Piece(
                "6-1",
                _("参政议政（按侨联组织）"),
                BY_CHILD,
                ("advocacy.opinions_submitted", "advocacy.opinions_adopted", "advocacy.research_reports"),
            ),
            Piece("6-2", _("报送社情民意（按类别）"), BY_GROUP, ("advocacy.opinions_submitted",)),
            Piece("6-3", _("社情民意被采用（按采用层级）"), BY_GROUP, ("advocacy.opinions_adopted",)),
            Piece(
                "6-4",
                _("参政议政（按时间）"),
                BY_TIME,
                ("advocacy.opinions_submitted", "advocacy.opinions_adopted", "advocacy.research_reports"),
            ),
        ),
    ),
)


def codes_used() -> list[str]:
    """Every indicator the tables read, in the order they first appear."""
    seen: dict[str, None] = {}
    for table in TABLES:
        for piece in table.pieces:
            for code in piece.codes:
                seen.setdefault(code, None)
    return list(seen)


# The built report -----------------------------------------------------------------------------


def number_kind(indicator: Indicator) -> str:
    if indicator.measure == "avg":
        return AVERAGE
    if indicator.decimals == 2:
        return MONEY
    return COUNT


def is_additive(indicator: Indicator) -> bool:
    """Parts of a count or a sum add up to the whole (each record is in exactly one part)."""
    return indicator.measure in ("count", "sum") and not indicator.rows_distinct


@dataclass
class Cell:
    value: int | Decimal | None = None
    kind: str = COUNT
    url: str = ""
    na: bool = False  # the indicator does not apply at this level: 不适用

    @property
    def text(self) -> str:
        if self.na:
            return gettext("不适用")
        if self.value is None:
            return "—"
        if self.kind == MONEY:
            return f"{self.value:,.2f}"
        if self.kind == AVERAGE:
            return f"{self.value:.1f}"
        return f"{self.value:,}"


@dataclass
class Column:
    label: str
    kind: str = COUNT  # the numbers' kind, for the format of the whole column (BY_CHILD, BY_GROUP)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: bool = False
    kind: str | None = None  # the numbers' kind of the whole row (BY_TIME)


@dataclass
class BuiltPiece:
    piece: Piece
    title: str
    head: str  # the header of the label column
    columns: list[Column]
    rows: list[Row]
    unit: str = ""  # one unit for the whole piece (CROSS), else "" (the units are in the headers)
    note: str = ""

    @property
    def key(self) -> str:
        return self.piece.key


@dataclass
class BuiltTable:
    table: TableDef
    pieces: list[BuiltPiece]

    @property
    def label(self) -> str:
        return self.table.label


@dataclass
class Report:
    federation: Federation
    start: dt.date
    end: dt.date
    tables: list[BuiltTable]
    indicators: list[tuple[Indicator, bool]] = field(default_factory=list)  # (indicator, applies)

    @property
    def period_label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def title(self) -> str:
        return gettext("%(federation)s工作统计报表（%(period)s）") % {
            "federation": self.federation.short_name or self.federation.name,
            "period": self.period_label,
        }


def period_label(start: dt.date, end: dt.date) -> str:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        if start.year == end.year:
            return gettext("%(y)s年") % {"y": start.year}
        return gettext("%(a)s—%(b)s年") % {"a": start.year, "b": end.year}
    return gettext("%(a)s至%(b)s") % {"a": start.strftime("%Y年%m月%d日"), "b": end.strftime("%Y年%m月%d日")}


def time_units(start: dt.date, end: dt.date) -> tuple[str, list[tuple[object, str, dt.date, dt.date]]]:
    """The columns of a BY_TIME piece: months within one calendar year, else years; each as
    (the ``grouped`` key, label, first day, last day), clipped to the period."""
    units = []
    if start.year == end.year:
        month = dt.date(start.year, start.month, 1)
        while month <= end:
            following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            units.append(
                (
                    month,
                    gettext("%(m)s月") % {"m": month.month},
                    max(month, start),
                    min(following - dt.timedelta(1), end),
                )
            )
            month = following
        return "month", units
    for year in range(start.year, end.year + 1):
        first, last = max(dt.date(year, 1, 1), start), min(dt.date(year, 12, 31), end)
        units.append((year, gettext("%(y)s年") % {"y": year}, first, last))
    return "year", units


class _Builder:
    """Builds the tables for one user, federation and period: each indicator's value is read
    once, and each grouping once."""

    def __init__(self, *, user, federation: Federation, start: dt.date, end: dt.date):
        self.user, self.start, self.end = user, start, end
        self.federation = federation
        # read the children once; grouped("child") then uses them instead of reading them again
        ordered = Federation.objects.visible_to(user).order_by("sort_order", "path")
        prefetch_related_objects([federation], Prefetch("children", queryset=ordered))
        self.children = list(federation.children.all())
        self.own_label = gettext("%(name)s本级") % {"name": federation.short_name or federation.name}
        self.values: dict[str, IndicatorValue | None] = {}
        self.groups: dict[tuple, dict] = {}
        self.query = f"from={start.isoformat()}&to={end.isoformat()}"

    # reading ------------------------------------------------------------------------------

    def value(self, code: str) -> IndicatorValue | None:
        """The indicator's value, or None when it does not apply at this level."""
        if code not in self.values:
            try:
                result = indicator_value(
                    code=code, user=self.user, start=self.start, end=self.end, federation=self.federation
                )
            except NotApplicable:
                result = None
            if result is not None:
                result.federation = self.federation  # the same federation, its children already read
            self.values[code] = result
        return self.values[code]

    def grouped(self, code: str, *fields: str) -> dict:
        key = (code, fields)
        if key not in self.groups:
            self.groups[key] = self.value(code).grouped(*fields)
        return self.groups[key]

    # links --------------------------------------------------------------------------------

    def url(self, code: str, federation_pk: int, *, group=None, start=None, end=None, own=False) -> str:
        start, end = start or self.start, end or self.end
        url = reverse("reports:indicator_detail", args=[federation_pk, code])
        query = f"from={start.isoformat()}&to={end.isoformat()}"
        if group is not None:
            query += f"&group={quote(str(group))}"
        if own:
            query += "&own=1"
        return f"{url}?{query}"

    # pieces -------------------------------------------------------------------------------

    def child_rows(self) -> list[tuple[int, str, bool]]:
        """(federation id, label, own): the children, then the federation's own records (本级)."""
        rows = [(child.pk, child.short_name or child.name, False) for child in self.children]
        rows.append((self.federation.pk, self.own_label, True))
        return rows

    def build(self, piece: Piece) -> BuiltPiece:
        return {CROSS: self.cross, BY_CHILD: self.by_child, BY_GROUP: self.by_group, BY_TIME: self.by_time}[
            piece.shape
        ](piece)

    def _not_applicable(self, piece: Piece, head: str) -> BuiltPiece:
        return BuiltPiece(
            piece, str(piece.title), head, [Column(gettext("数值"))], [Row(gettext("合计"), [Cell(na=True)], True)]
        )

    def cross(self, piece: Piece) -> BuiltPiece:
        code = piece.codes[0]
        indicator = BY_CODE[code]
        result = self.value(code)
        head = gettext("侨联组织")
        if result is None:
            return self._not_applicable(piece, head)
        kind, breakdown = number_kind(indicator), indicator.breakdown
        cells = self.grouped(code, "child", breakdown)
        labels = result.labels
        keys = list(labels) if labels and len(labels) <= 20 else []
        seen = {k for (_child, k) in cells}
        keys += sorted((k for k in seen if k not in keys), key=lambda k: (k is None, str(k)))
        columns = [Column(str(labels.get(k, k) if k not in (None, "") else gettext("（未填）")), kind) for k in keys]
        columns.append(Column(gettext("合计"), kind))
        additive = is_additive(indicator)
        row_totals = None if additive else self.grouped(code, "child")
        column_totals = None if additive else result.breakdown
        rows = []
        for pk, label, own in self.child_rows():
            line = []
            for k in keys:
                value = cells.get((pk, k), None if indicator.measure == "avg" else 0)
                url = self.url(code, pk, group=_group(k), own=own) if value is not None else ""
                line.append(Cell(value, kind, url))
            total = sum(cells.get((pk, k), 0) for k in keys) if additive else _missing(row_totals, (pk,), indicator)
            line.append(Cell(total, kind, self.url(code, pk, own=own)))
            rows.append(Row(label, line))
        line = []
        for k in keys:
            if additive:
                value = sum(cells.get((pk, k), 0) for pk, _l, _ in self.child_rows())
            else:
                value = _missing(column_totals, k, indicator)
            line.append(Cell(value, kind, self.url(code, self.federation.pk, group=_group(k))))
        line.append(Cell(result.value, kind, result.records_url))
        rows.append(Row(gettext("合计"), line, total=True))
        return BuiltPiece(piece, str(piece.title), head, columns, rows, unit=str(indicator.unit))

    def by_child(self, piece: Piece) -> BuiltPiece:
        columns, per_code = [], []
        for code in piece.codes:
            indicator = BY_CODE[code]
            columns.append(Column(_header(indicator), number_kind(indicator)))
            result = self.value(code)
            per_code.append((code, indicator, result, self.grouped(code, "child") if result is not None else None))
        rows = []
        for pk, label, own in self.child_rows():
            line = []
            for code, indicator, result, groups in per_code:
                if result is None:
                    line.append(Cell(na=True))
                    continue
                value = _missing(groups, (pk,), indicator)
                url = self.url(code, pk, own=own) if value is not None else ""
                line.append(Cell(value, number_kind(indicator), url))
            rows.append(Row(label, line))
        totals = [
            Cell(na=True) if result is None else Cell(result.value, number_kind(indicator), result.records_url)
            for code, indicator, result, _groups in per_code
        ]
        rows.append(Row(gettext("合计"), totals, total=True))
        return BuiltPiece(piece, str(piece.title), gettext("侨联组织"), columns, rows)

    def by_group(self, piece: Piece) -> BuiltPiece:
        first = BY_CODE[piece.codes[0]]
        head = str(_breakdown_label(first))
        results = [(code, BY_CODE[code], self.value(code)) for code in piece.codes]
        if results[0][2] is None:
            return self._not_applicable(piece, head)
        base = results[0][2]
        labels = base.labels
        breakdowns = {code: result.breakdown if result is not None else {} for code, _i, result in results}
        if labels and len(labels) <= 20 and not piece.top:
            keys = list(labels) + [k for k in breakdowns[piece.codes[0]] if k not in labels]
        else:
            keys = list(breakdowns[piece.codes[0]])  # largest first
        rest = []
        if piece.top and len(keys) > piece.top:
            keys, rest = keys[: piece.top], keys[piece.top :]
        columns = [Column(_header(indicator), number_kind(indicator)) for _c, indicator, _r in results]
        rows = []
        for k in keys:
            line = []
            for code, indicator, result in results:
                if result is None:
                    line.append(Cell(na=True))
                    continue
                value = _missing(breakdowns[code], k, indicator)
                url = self.url(code, self.federation.pk, group=_group(k)) if value is not None else ""
                line.append(Cell(value, number_kind(indicator), url))
            label = str(labels.get(k, k)) if k not in (None, "") else gettext("（未填）")
            rows.append(Row(label, line))
        if rest:
            line = []
            for code, indicator, result in results:
                if result is None:
                    line.append(Cell(na=True))
                    continue
                value = sum(breakdowns[code].get(k, 0) for k in rest) if is_additive(indicator) else None
                line.append(Cell(value, number_kind(indicator)))
            rows.append(Row(gettext("其他"), line))
        totals = [
            Cell(na=True) if result is None else Cell(result.value, number_kind(indicator), result.records_url)
            for _c, indicator, result in results
        ]
        rows.append(Row(gettext("合计"), totals, total=True))
        note = ""
        if any(i.measure == "distinct" for _c, i, _r in results):
            note = gettext("去重计数：同一人在不同分项中各计一次，合计中只计一次。")
        return BuiltPiece(piece, str(piece.title), head, columns, rows, note=note)

    def by_time(self, piece: Piece) -> BuiltPiece:
        unit, units = time_units(self.start, self.end)
        columns = [Column(label) for _k, label, _a, _b in units]
        columns.append(Column(gettext("合计")))
        rows = []
        for code in piece.codes:
            indicator = BY_CODE[code]
            kind = number_kind(indicator)
            result = self.value(code)
            label = _header(indicator)
            if result is None:
                rows.append(Row(label, [Cell(na=True) for _c in columns], kind=kind))
                continue
            try:
                groups = self.grouped(code, unit)
            except ValueError:  # a record dated only by its year has no month
                groups = None
            line = []
            for key, _label, first, last in units:
                if groups is None:
                    line.append(Cell(None, kind))
                    continue
                value = _missing(groups, (key,), indicator)
                url = self.url(code, self.federation.pk, start=first, end=last) if value is not None else ""
                line.append(Cell(value, kind, url))
            line.append(Cell(result.value, kind, result.records_url))
            rows.append(Row(label, line, kind=kind))
        head = gettext("指标")
        return BuiltPiece(piece, str(piece.title), head, columns, rows)


def _missing(values: dict, key, indicator: Indicator):
    """A group without records: 0, or no value for an average."""
    return values.get(key, None if indicator.measure == "avg" else 0)


def _group(key) -> str:
    return "" if key is None else str(key)


def _header(indicator: Indicator) -> str:
    """The indicator's name without its "（按…）" (the table shows the grouping) and its unit."""
    name = re.sub(r"（按[^（）]*）$", "", str(indicator.name))
    return f"{name}（{indicator.unit}）"


def _breakdown_label(indicator: Indicator) -> str:
    from qiaolian.reports.indicators import resolve_field

    target = resolve_field(indicator.model_class, indicator.breakdown) if indicator.breakdown else None
    return str(getattr(target, "verbose_name", "") or gettext("分项"))


def build_report(*, user, federation=None, start: dt.date, end: dt.date) -> Report:
    """The standard tables for ``federation`` (default: the user's own; outside the user's
    jurisdiction: Http404) and the period, every number from the indicator catalogue."""
    federation = federation_for(user=user, federation=federation)
    builder = _Builder(user=user, federation=federation, start=start, end=end)
    tables = [BuiltTable(table, [builder.build(piece) for piece in table.pieces]) for table in TABLES]
    used = [(BY_CODE[code], builder.values.get(code) is not None) for code in codes_used()]
    return Report(federation=federation, start=start, end=end, tables=tables, indicators=used)


# The .xlsx ------------------------------------------------------------------------------------

NUMBER_FORMATS = {COUNT: "#,##0", MONEY: "#,##0.00", AVERAGE: "0.0"}


def _width(text: str) -> float:
    """Display width of ``text`` in Excel's character units (a CJK character counts two)."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in str(text))


def report_xlsx(report: Report) -> bytes:
    """The report as an .xlsx workbook: one sheet per table, then 说明 (the indicators used)."""
    import io

    from qiaolian.core.tabular import export_workbook

    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    font = {"font_name": "宋体", "font_size": 10}
    border = {"border": 1, "valign": "vcenter"}
    fmt = {
        "title": book.add_format({**font, "bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "info": book.add_format({**font, "valign": "vcenter"}),
        "piece": book.add_format({**font, "bold": True, "font_size": 11}),
        "note": book.add_format({**font, "italic": True, "font_color": "#555555"}),
        "head": book.add_format(
            {**font, **border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#E7EEF7"}
        ),
        "label": book.add_format({**font, **border, "text_wrap": True}),
        "label_total": book.add_format({**font, **border, "bold": True, "align": "center", "bg_color": "#F2F2F2"}),
        "na": book.add_format({**font, **border, "align": "center", "font_color": "#777777"}),
        "na_total": book.add_format({**font, **border, "align": "center", "bold": True, "bg_color": "#F2F2F2"}),
    }
    for kind, num_format in NUMBER_FORMATS.items():
        fmt[kind] = book.add_format({**font, **border, "num_format": num_format})
        fmt[f"{kind}_total"] = book.add_format(
            {**font, **border, "num_format": num_format, "bold": True, "bg_color": "#F2F2F2"}
        )
    info = gettext("填报单位：%(f)s　　统计期间：%(a)s 至 %(b)s　　单位：见各栏（人、项、元等）") % {
        "f": report.federation.name,
        "a": report.start.isoformat(),
        "b": report.end.isoformat(),
    }
    for table in report.tables:
        _write_table(book, fmt, report, table, info)
    _write_notes(book, fmt, report)
    book.close()
    return buffer.getvalue()


def _setup_page(sheet, *, repeat_to: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.set_footer("&C" + gettext("第 &P 页 共 &N 页"))
    sheet.repeat_rows(0, repeat_to)


def _write_table(book, fmt, report: Report, table: BuiltTable, info: str) -> None:
    sheet = book.add_worksheet(gettext("表%(n)s") % {"n": table.table.number})
    ncols = 1 + max(len(p.columns) for p in table.pieces)
    title = f"{report.title} — {table.label}"
    sheet.merge_range(0, 0, 0, ncols - 1, title, fmt["title"])
    sheet.set_row(0, 28)
    sheet.merge_range(1, 0, 1, ncols - 1, info, fmt["info"])
    widths = [_width(gettext("侨联组织"))] + [8.0] * (ncols - 1)
    row = 3
    header_row = None
    for piece in table.pieces:
        caption = f"{piece.key}  {piece.title}"
        if piece.unit:
            caption += gettext("（单位：%(u)s）") % {"u": piece.unit}
        sheet.write_string(row, 0, caption, fmt["piece"])
        row += 1
        header_row = row if header_row is None else header_row
        sheet.write_string(row, 0, piece.head, fmt["head"])
        for c, column in enumerate(piece.columns, start=1):
            sheet.write_string(row, c, column.label, fmt["head"])
            widths[c] = max(widths[c], min(_width(column.label) / 2 + 1, 16))
        sheet.set_row(row, 32)
        widths[0] = max(widths[0], _width(piece.head))
        row += 1
        for line in piece.rows:
            total = "_total" if line.total else ""
            sheet.write_string(row, 0, line.label, fmt[f"label{total}"] if line.total else fmt["label"])
            widths[0] = max(widths[0], min(_width(line.label) + 1, 36))
            for c, cell in enumerate(line.cells, start=1):
                kind = line.kind or piece.columns[c - 1].kind
                if cell.na:
                    sheet.write_string(row, c, cell.text, fmt[f"na{total}"])
                elif cell.value is None:
                    sheet.write_string(row, c, "—", fmt[f"na{total}"])
                else:
                    sheet.write_number(row, c, float(cell.value), fmt[f"{kind}{total}"])
                    widths[c] = max(widths[c], len(cell.text) + 2)
            row += 1
        if piece.note:
            sheet.write_string(row, 0, piece.note, fmt["note"])
            row += 1
        row += 1
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    single = len(table.pieces) == 1
    sheet.freeze_panes(header_row + 1 if single else 3, 1)
    _setup_page(sheet, repeat_to=header_row if single else 1)


def _write_notes(book, fmt, report: Report) -> None:
    sheet = book.add_worksheet(gettext("说明"))
    headers = [gettext("序号"), gettext("指标"), gettext("编码"), gettext("单位"), gettext("口径"), gettext("统计期间")]
    sheet.merge_range(0, 0, 0, len(headers) - 1, f"{report.title} — {gettext('指标说明')}", fmt["title"])
    sheet.merge_range(
        1,
        0,
        1,
        len(headers) - 1,
        gettext("各表数字均由平台记录按下列指标口径计算；点击网页上的数字可查看所计的记录。"),
        fmt["info"],
    )
    for c, header in enumerate(headers):
        sheet.write_string(3, c, header, fmt["head"])
    wrap = fmt["label"]
    for n, (indicator, applies) in enumerate(report.indicators, start=1):
        row = 3 + n
        if not indicator.date_field:
            period = gettext("现有数（不随期间变化）")
        else:
            period = f"{report.start.isoformat()} 至 {report.end.isoformat()}"
        if not applies:
            period = gettext("不适用（该指标不在本级统计）")
        sheet.write_number(row, 0, n, fmt[COUNT])
        sheet.write_string(row, 1, str(indicator.name), wrap)
        sheet.write_string(row, 2, indicator.code, wrap)
        sheet.write_string(row, 3, str(indicator.unit), wrap)
        sheet.write_string(row, 4, str(indicator.definition), wrap)
        sheet.write_string(row, 5, period, wrap)
    for c, width in enumerate((6, 30, 30, 10, 70, 26)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(4, 0)
    _setup_page(sheet, repeat_to=3)
