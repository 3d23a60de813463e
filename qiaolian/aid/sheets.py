"""The sign-off sheet (签收表) of a campaign: one section per town, one row per recipient, a
column for the recipient's signature, as .xlsx (xlsxwriter) or PDF (WeasyPrint).

Only what the sheet is for is on it (名字 to find the recipient, a masked ID number to tell
namesakes apart, the village or community, the category, what is handed over); ID numbers are
masked as everywhere (``str()`` of the protected value), hardship details and phones are left off.
Called by ``services.signoff_sheet_export``, which checks the right and audits the export.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.aid.models import Campaign, Nomination, NominationStatus
from qiaolian.aid.selectors import federation_names, town_of

TEMPLATE = "aid/signoff_sheet.html"


@dataclass
class Row:
    number: int
    name: str
    sex: str
    age: int | None
    category: str
    id_number: str  # masked
    area: str
    amount: Decimal
    goods: str
    visited_on: str
    received_by: str


@dataclass
class Section:
    federation_id: int
    name: str
    rows: list[Row] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0"))


def sections(nominations: Iterable[Nomination], *, federation_id: int | None) -> list[Section]:
    """The rows grouped by town (a community group's recipients under its town)."""
    nominations = list(nominations)
    paths = {n.federation_id: n.federation.path for n in nominations}
    towns = town_of(paths)
    names = federation_names(ids=set(towns.values()) | set(paths))
    grouped: dict[int, Section] = {}
    order: list[int] = []
    for n in nominations:
        town = towns[n.federation_id]
        if town not in grouped:
            grouped[town] = Section(federation_id=town, name=names.get(town, ""))
            order.append(town)
        section = grouped[town]
        person = n.person
        handover = getattr(n, "handover", None) if n.status == NominationStatus.DELIVERED else None
        area = ""
        if n.household_id and n.household and n.household.area:
            area = n.household.area
        elif n.federation_id != town:
            area = names.get(n.federation_id, "")
        section.rows.append(
            Row(
                number=len(section.rows) + 1,
                name=person.name,
                sex=person.get_sex_display() if person.sex in ("M", "F") else "",
                age=person.age_on(n.campaign.starts_on),
                category=_category(n.category),
                id_number=str(person.id_number) if person.id_number else "",
                area=area,
                amount=n.amount or Decimal("0"),
                goods=n.goods,
                visited_on=f"{handover.visited_on:%Y-%m-%d}" if handover else "",
                received_by=handover.received_by if handover else "",
            )
        )
    if not grouped and federation_id:
        only = federation_names(ids=[federation_id])
        return [Section(federation_id=federation_id, name=only.get(federation_id, ""))]
    return [grouped[t] for t in order]


def _category(value: str) -> str:
    from qiaolian.registry.choices import Category

    return str(dict(Category.choices).get(value, value))


def title_of(campaign: Campaign) -> str:
    return _("%(title)s 慰问金（品）签收表") % {"title": campaign.title}


def file_name(campaign: Campaign, parts: list[Section], fmt: str) -> str:
    where = parts[0].name if len(parts) == 1 else _("各街镇")
    return f"{campaign.title}-{_('签收表')}-{where}.{fmt}"


COLUMNS = (  # (key, column width in characters)
    ("number", 5),
    ("name", 10),
    ("sex", 5),
    ("age", 5),
    ("category", 11),
    ("id_number", 21),
    ("area", 13),
    ("amount", 11),
    ("goods", 20),
    ("signature", 16),
    ("visited_on", 11),
)


def _header(key: str) -> str:
    labels = {
        "number": _("序号"),
        "name": _("姓名"),
        "sex": _("性别"),
        "age": _("年龄"),
        "category": _("身份类别"),
        "id_number": _("证件号码（脱敏）"),
        "area": _("村居/社区"),
        "amount": _("慰问金（元）"),
        "goods": _("慰问品"),
        "signature": _("签收人签名"),
        "visited_on": _("签收日期"),
    }
    return labels[key]


def signoff_xlsx(campaign: Campaign, parts: list[Section]) -> bytes:
    """One worksheet per town, ready to print on A4 landscape with the header on every page."""
    from qiaolian.core.tabular import export_workbook

    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties({"title": title_of(campaign), "author": campaign.federation.name})
    f_title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    f_sub = book.add_format({"font_size": 10, "font_color": "#555555"})
    f_head = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#F2F2F2", "text_wrap": True}
    )
    f_cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    f_center = book.add_format({"border": 1, "valign": "vcenter", "align": "center"})
    f_money = book.add_format({"border": 1, "valign": "vcenter", "num_format": "#,##0.00"})
    f_total = book.add_format({"border": 1, "bold": True, "valign": "vcenter"})
    f_total_money = book.add_format({"border": 1, "bold": True, "valign": "vcenter", "num_format": "#,##0.00"})
    made = timezone.localdate()
    used_names: set[str] = set()
    last_col = len(COLUMNS) - 1
    for part in parts or [Section(federation_id=0, name="")]:
        sheet = book.add_worksheet(_sheet_name(part.name or _("签收表"), used_names))
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(3)
        sheet.set_footer("&C" + _("第 &P 页，共 &N 页"))
        for col, (_key, width) in enumerate(COLUMNS):
            sheet.set_column(col, col, width)
        sheet.merge_range(0, 0, 0, last_col, title_of(campaign), f_title)
        sheet.set_row(0, 30)
        sheet.merge_range(
            1,
            0,
            1,
            last_col,
            _("单位：%(town)s　　　牵头：%(lead)s　　　制表日期：%(day)s")
            % {"town": part.name, "lead": campaign.federation.name, "day": made},
            f_sub,
        )
        for col, (key, _width) in enumerate(COLUMNS):
            sheet.write_string(3, col, _header(key), f_head)
        sheet.set_row(3, 30)
        row_index = 4
        for row in part.rows:
            sheet.set_row(row_index, 32)
            values = {
                "number": row.number,
                "name": row.name,
                "sex": row.sex,
                "age": row.age if row.age is not None else "",
                "category": row.category,
                "id_number": row.id_number,
                "area": row.area,
                "amount": row.amount,
                "goods": row.goods,
                "signature": row.received_by,
                "visited_on": row.visited_on,
            }
            for col, (key, _width) in enumerate(COLUMNS):
                value = values[key]
                if key == "amount":
                    sheet.write_number(row_index, col, float(value), f_money)
                elif key in ("number", "age") and value != "":
                    sheet.write_number(row_index, col, value, f_center)
                else:
                    sheet.write_string(row_index, col, str(value), f_center if key in ("sex",) else f_cell)
            row_index += 1
        sheet.merge_range(row_index, 0, row_index, 6, _("合计：%(n)s 人") % {"n": len(part.rows)}, f_total)
        sheet.write_number(row_index, 7, float(part.total), f_total_money)
        for col in range(8, last_col + 1):
            sheet.write_blank(row_index, col, None, f_total)
        sheet.write_string(
            row_index + 2, 0, _("经办人（签名）：　　　　　　　　审核人（签名）：　　　　　　　　日期："), f_sub
        )
    book.close()
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    """A worksheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the book."""
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:26]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def signoff_pdf(campaign: Campaign, parts: list[Section], *, request=None) -> bytes:
    from qiaolian.core.pdf import render_pdf

    context = {
        "campaign": campaign,
        "title": title_of(campaign),
        "sections": parts,
        "headers": [_header(key) for key, _width in COLUMNS],
        "made_on": timezone.localdate(),
    }
    return render_pdf(TEMPLATE, context, request=request)
