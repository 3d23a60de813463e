"""Properties of the import cleaning (hypothesis): header matching, dates (Excel serials too),
full-width digits, ID numbers, phones and countries, as every import reads them through
``qiaolian.core.normalize``, ``qiaolian.core.importkinds`` and ``qiaolian.registry.importing``."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django_countries import countries
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from qiaolian.core import normalize
from qiaolian.core.chinese import to_traditional
from qiaolian.core.importkinds import country_code
from qiaolian.core.tabular import header_index
from qiaolian.core.validators import parse_phone
from qiaolian.registry import choices as c
from qiaolian.registry.importing import SPECS, normalized_document

FULL_WIDTH = {ord(ch): ord(ch) + 0xFEE0 for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
SPACES = st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\n", "\u200b", ""])
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
)
HEADERS = sorted({(name, spec.field) for spec in SPECS for name in (spec.header, *spec.synonyms)})
INDEX = header_index(SPECS)
relaxed = settings(deadline=None)


# Header matching ---------------------------------------------------------------------------------------


@relaxed
@given(st.data(), st.sampled_from(HEADERS))
def test_a_header_however_written_finds_its_column(data, header_field):
    header, field = header_field
    written = to_traditional(header) if data.draw(st.booleans()) else header
    written = written.translate(FULL_WIDTH) if data.draw(st.booleans()) else written
    written = "".join(ch + data.draw(SPACES) for ch in written)
    marks = data.draw(st.sampled_from(["", "※", "*", "＊", "（必填）", "(选填)", "："]))
    written = data.draw(st.sampled_from([marks + written, written + marks]))
    assert INDEX.get(normalize.header_key(written)) == field, written


@relaxed
@given(st.text(max_size=30))
@example("(必(必填)填)")
@example("**")
def test_header_key_is_idempotent(value):
    key = normalize.header_key(value)
    assert normalize.header_key(key) == key


# Dates -------------------------------------------------------------------------------------------------------


@given(st.integers(min_value=61, max_value=normalize.EXCEL_SERIAL_MAX), st.floats(0, 0.999))
def test_an_excel_serial_is_the_date_it_counts_to_and_back(serial, time_of_day):
    day = EXCEL_EPOCH + dt.timedelta(days=serial)
    assert normalize.excel_serial_date(serial) == day
    assert normalize.date_text(serial) == day.isoformat()
    assert normalize.date_text(float(serial) + time_of_day) == day.isoformat()
    assert (normalize.parse_date(serial) - EXCEL_EPOCH).days == serial


@given(st.integers(min_value=1, max_value=59))
def test_serials_before_the_missing_1900_02_29_count_from_1900_01_01(serial):
    assert normalize.excel_serial_date(serial) == dt.date(1900, 1, 1) + dt.timedelta(days=serial - 1)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_date_has_a_serial_that_reads_back(day):
    serial = (day - EXCEL_EPOCH).days if day >= dt.date(1900, 3, 1) else (day - dt.date(1899, 12, 31)).days
    assert normalize.excel_serial_date(serial) == day


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["{y}-{m}-{d}", "{y}年{m}月{d}日", "{y}/{m}/{d}"]))
def test_full_width_dates_read_as_ascii_ones(day, pattern):
    written = pattern.format(y=f"{day.year:04d}", m=day.month, d=day.day)
    assert normalize.date_text(written.translate(FULL_WIDTH)) == normalize.date_text(written) == day.isoformat()


@relaxed
@given(CELLS, st.booleans())
def test_date_text_never_fails_and_is_idempotent(cell, allow_month):
    once = normalize.date_text(cell, allow_month=allow_month)
    assert isinstance(once, str)
    assert normalize.date_text(once, allow_month=allow_month) == once
    parsed = normalize.parse_date(cell)
    assert parsed is None or isinstance(parsed, dt.date)


# Text, ID numbers, phones ------------------------------------------------------------------------------


@relaxed
@given(CELLS)
def test_text_and_names_are_idempotent(cell):
    once = normalize.text(cell)
    assert normalize.text(once) == once
    assert normalize.name_text(normalize.name_text(cell)) == normalize.name_text(cell)


@given(st.integers(min_value=0, max_value=10**15))
def test_full_width_digits_are_the_ascii_number(number):
    assert normalize.text(str(number).translate(FULL_WIDTH)) == str(number)
    assert normalize.document_number(str(number).translate(FULL_WIDTH)).text == str(number)


@relaxed
@given(CELLS)
def test_document_number_is_idempotent_and_has_no_spaces(cell):
    once = normalize.document_number(cell)
    if once.is_damaged:
        return  # reported as it was read, never used
    again = normalize.document_number(once.text)
    # up to canonical composition (a "-" removed between a letter and a combining mark): no real
    # document number has one
    assert unicodedata.normalize("NFC", again.text) == unicodedata.normalize("NFC", once.text)
    assert not any(ch.isspace() for ch in once.text)


@st.composite
def resident_ids(draw) -> str:
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    area = draw(st.sampled_from(["310116", "310228", "110101", "440305"]))
    body = f"{area}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + ric.calc_check_digit(body + "0")


@relaxed
@given(resident_ids(), st.data())
def test_an_id_number_however_typed_is_normalized_to_one_form(number, data):
    written = number.lower() if data.draw(st.booleans()) else number
    written = written.translate(FULL_WIDTH) if data.draw(st.booleans()) else written
    written = data.draw(st.sampled_from(["", "'", "‘"])) + "".join(ch + data.draw(SPACES) for ch in written)
    cleaned = normalize.document_number(written)
    assert not cleaned.is_damaged
    assert normalized_document(c.IdType.RESIDENT_ID, cleaned.text) == number


@relaxed
@given(st.text(max_size=25), st.sampled_from([c.IdType.RESIDENT_ID, c.IdType.PASSPORT]))
def test_normalized_document_never_fails(value, id_type):
    result = normalized_document(id_type, value)
    assert result is None or (result and " " not in result)


@relaxed
@given(CELLS)
@example("(852) 9123 4567")
@example("00852-9123-4567")
def test_phone_text_is_e164_or_the_text_as_written(cell):
    result = normalize.phone_text(cell)
    if result.startswith("+") and result[1:].isdigit():
        assert parse_phone(result) == result
    else:
        assert result == normalize.text(cell)
    assert normalize.phone_text(result) == result


# Countries -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [country.code for country in countries])
def test_a_country_code_or_name_reads_as_its_code(code):
    assert country_code(code) == code
    assert country_code(code.lower()) == code
    assert country_code(country_code(code)) == code
