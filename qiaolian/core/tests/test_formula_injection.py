"""Exports neutralize formula injection (CWE-1236, OWASP ASVS V5.3.10): text that starts with
=, +, -, @, tab or carriage return never becomes a formula in the XLSX and CSV files Qiaolian
writes (qiaolian/core/tabular.py: export_workbook, neutralize_cell)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from qiaolian.core.tabular import FORMULA_TRIGGERS, export_workbook, is_formula_like, neutralize_cell

# (a carriage return is stored as _x000D_ in XLSX, which openpyxl does not decode: left out there)
PAYLOADS = ['=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1+1", "=1+1", "\t=1", "\r=1", "+86 138 0013 8000"]
XLSX_PAYLOADS = [p for p in PAYLOADS if "\r" not in p]


# neutralize_cell (CSV) ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", PAYLOADS)
def test_formula_like_text_gets_a_leading_apostrophe(value):
    assert neutralize_cell(value) == "'" + value


@pytest.mark.parametrize("value", [1, -1, 2.5, -0.5, None, True, "", "陈国华", "侨联=好", "a-b", "'=1", "—"])
def test_other_values_are_unchanged(value):
    assert neutralize_cell(value) == value


@given(st.text())
def test_neutralized_text_never_starts_like_a_formula(text):
    cell = neutralize_cell(text)
    assert not is_formula_like(cell)
    # nothing but the one apostrophe is ever added
    assert cell == text or cell == "'" + text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False), st.none()))
def test_numbers_stay_numbers(value):
    assert neutralize_cell(value) is value


@given(st.sampled_from(FORMULA_TRIGGERS), st.text())
def test_every_trigger_is_neutralized(trigger, rest):
    assert neutralize_cell(trigger + rest) == "'" + trigger + rest


def test_a_csv_written_with_neutralize_cell_reads_back_as_text():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize_cell(v) for v in [*PAYLOADS, 42]])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert all(cell.startswith("'") for cell in row[:-1]) and row[-1] == "42"


# export_workbook (XLSX) ---------------------------------------------------------------------------


def assert_text_not_formula(cell, value):
    assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    assert cell.value == value
    if is_formula_like(value):
        assert cell.quotePrefix, f"{cell.coordinate} {value!r} is not quote-prefixed"


def cells_by_value(content: bytes) -> dict:
    found = {}
    for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    raise AssertionError(f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                if isinstance(cell.value, str):
                    found.setdefault(cell.value, cell)
    return found


def test_export_workbook_writes_formula_like_text_as_quote_prefixed_text():
    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": True})
    sheet = book.add_worksheet("x")
    bold = book.add_format({"bold": True})
    for col, value in enumerate(XLSX_PAYLOADS):
        sheet.write(0, col, value)
        sheet.write_string(1, col, value, bold)
    sheet.write_row(2, 0, ["ok", -1, 2.5])
    sheet.write_formula(3, 0, "=1+1")  # an export's own formula stays one
    book.close()
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    for col, value in enumerate(XLSX_PAYLOADS, start=1):
        assert_text_not_formula(ws.cell(1, col), value)
        assert_text_not_formula(ws.cell(2, col), value)
        assert ws.cell(2, col).font.b  # the cell's own format is kept
    assert ws.cell(3, 1).value == "ok" and not ws.cell(3, 1).quotePrefix
    assert ws.cell(3, 2).value == -1 and ws.cell(3, 2).data_type == "n"
    assert ws.cell(4, 1).data_type == "f"


def test_every_xlsx_writer_goes_through_export_workbook():
    """No export creates a workbook of its own (qiaolian/bench writes test data, not exports)."""
    root = Path(settings.BASE_DIR) / "qiaolian"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "bench" not in path.parts
        and path.name != "tabular.py"
        and re.search(r"xlsxwriter\.Workbook\(|openpyxl\.Workbook\(", path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


def test_every_csv_writer_neutralizes_its_cells():
    root = Path(settings.BASE_DIR) / "qiaolian"
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(", text) and "neutralize_" not in text:
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


# The exports -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_person_export_does_not_turn_a_name_into_a_formula(jinshan):
    from qiaolian.registry import services
    from qiaolian.registry.models import Person
    from qiaolian.registry.tests.factories import PersonFactory

    PersonFactory(federation=jinshan.zhujing, name='=HYPERLINK("http://x")', notes="@SUM(1)")
    content = services.persons_export_xlsx(actor=jinshan.user("zhujing"), persons=Person.objects.all(), filters={})
    cells = cells_by_value(content)
    assert_text_not_formula(cells['=HYPERLINK("http://x")'], '=HYPERLINK("http://x")')


@pytest.mark.django_db
def test_enterprise_export_does_not_turn_text_into_a_formula(jinshan):
    from qiaolian.enterprises import services
    from qiaolian.enterprises.models import Enterprise
    from qiaolian.enterprises.tests.factories import make_enterprise

    make_enterprise(jinshan, name="-1+1公司", contact_name="@SUM(1)")
    content = services.enterprises_export_xlsx(
        actor=jinshan.user("staff"), enterprises=Enterprise.objects.all(), filters={}
    )
    cells = cells_by_value(content)
    assert_text_not_formula(cells["-1+1公司"], "-1+1公司")
    assert_text_not_formula(cells["@SUM(1)"], "@SUM(1)")


def test_contest_workbook_does_not_turn_text_into_a_formula():
    from qiaolian.contests.services import _workbook

    content, _rows = _workbook(
        "作品", ["编号", "标题", "分数"], [["C-1", '=HYPERLINK("http://x")', 9.5], ["C-2", "+1", -1]]
    )
    cells = cells_by_value(content)
    assert_text_not_formula(cells['=HYPERLINK("http://x")'], '=HYPERLINK("http://x")')
    assert_text_not_formula(cells["+1"], "+1")


def test_portal_my_data_workbook_does_not_turn_text_into_a_formula():
    from qiaolian.portal.mine import _workbook

    content = _workbook({"profile": {"name": "=1+1", "phone": "+86 138 0013 8000", "age": 40}})
    cells = cells_by_value(content)
    assert_text_not_formula(cells["=1+1"], "=1+1")
    assert_text_not_formula(cells["+86 138 0013 8000"], "+86 138 0013 8000")


def test_chart_export_does_not_turn_a_category_into_a_formula():
    from qiaolian.core.charts import to_xlsx

    spec = {
        "kind": "bar",
        "title": "按类别",
        "categories": ["@SUM(1)", "-1+1"],
        "series": [{"name": '=HYPERLINK("http://x")', "values": [1, 2], "urls": [None, None]}],
    }
    cells = cells_by_value(to_xlsx(spec))
    for value in ("@SUM(1)", "-1+1", '=HYPERLINK("http://x")'):
        assert_text_not_formula(cells[value], value)
