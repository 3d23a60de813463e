"""Normalizers of spreadsheet cells: examples of what offices type, and properties (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qiaolian.core import normalize
from qiaolian.core.validators import id_check_digit

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
SPACES = st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff", "  "])
EXCEL_EPOCH = dt.date(1899, 12, 30)


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def sprinkle(draw, text: str) -> str:
    """``text`` with stray spaces (any kind) put before, after and between its characters."""
    out = [draw(SPACES) if draw(st.booleans()) else ""]
    for ch in text:
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(SPACES))
    out.append(draw(SPACES) if draw(st.booleans()) else "")
    return "".join(out)


# Text ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (2018.0, "2018"),
        (12, "12"),
        ("\u3000 张三\u00a0 ", "张三"),
        ("A\u200bB", "AB"),
        ("ＡＢＣ１２３", "ABC123"),
        ("a \t\n b", "a b"),
        (dt.datetime(1950, 3, 2), "1950-03-02"),
    ],
)
def test_text_examples(cell, text):
    assert normalize.text(cell) == text


@given(st.text())
def test_text_is_idempotent_and_trimmed(value):
    once = normalize.text(value)
    assert normalize.text(once) == once
    assert once == once.strip()
    assert "  " not in once and "\u200b" not in once and "\u3000" not in once


@given(st.integers(min_value=0, max_value=10**12))
def test_full_width_digits_become_half_width(number):
    assert normalize.text(full_width(str(number))) == str(number)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("身份证号码", "身份证号码"),
        ("※身份证\n号码", "身份证号码"),
        ("*姓 名", "姓名"),
        ("身份證號碼（必填）", "身份证号码"),
    ],
)
def test_header_key_examples(header, key):
    assert normalize.header_key(header) == key


@given(st.data(), st.sampled_from(["身份证号码", "联系电话", "出生日期", "所属侨联", "Email"]))
def test_header_key_ignores_spaces_and_width(data, header):
    messy = sprinkle(data.draw, full_width(header))
    assert normalize.header_key(messy) == normalize.header_key(header)


# Dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (18324, "1950-03-02"),
        (18324.0, "1950-03-02"),
        (dt.datetime(1950, 3, 2, 0, 0), "1950-03-02"),
        (dt.date(1950, 3, 2), "1950-03-02"),
        ("1950.3.2", "1950-03-02"),
        ("1950年3月2日", "1950-03-02"),
        ("１９５０年３月２日", "1950-03-02"),
        ("19500302", "1950-03-02"),
        (19500302.0, "1950-03-02"),
        ("1950/3/2", "1950-03-02"),
        ("1950-03-02", "1950-03-02"),
        ("1950-03-02 00:00:00", "1950-03-02"),
        ("1950-3", "1950-3"),  # a month alone is no date unless the field allows it
        ("1990年2月30日", "1990-02-30"),  # stays impossible: the form names it
        ("去年", "去年"),
        (59, "1900-02-28"),
        (61, "1900-03-01"),
        (60, "60"),  # Excel's 1900-02-29 does not exist
    ],
)
def test_date_text_examples(cell, text):
    assert normalize.date_text(cell) == text


@pytest.mark.parametrize(
    ("cell", "text"), [("1950-3", "1950-03"), ("1950年3月", "1950-03"), ("1950.03", "1950-03"), ("195003", "1950-03")]
)
def test_month_only_where_the_field_allows(cell, text):
    assert normalize.date_text(cell, allow_month=True) == text


DATES = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31))


@given(
    DATES,
    st.sampled_from(["{y}年{m}月{d}日", "{y}.{m}.{d}", "{y}/{m}/{d}", "{y}-{m:02d}-{d:02d}", "{y}{m:02d}{d:02d}"]),
)
def test_every_usual_spelling_of_a_date_reads_the_same(day, pattern):
    written = pattern.format(y=day.year, m=day.month, d=day.day)
    assert normalize.date_text(written) == day.isoformat()
    assert normalize.date_text(full_width(written)) == day.isoformat()
    assert normalize.parse_date(written) == day


@given(DATES)
def test_excel_serial_numbers_are_dates_of_the_1900_system(day):
    serial = (day - EXCEL_EPOCH).days
    assert normalize.date_text(float(serial)) == day.isoformat()
    assert normalize.excel_serial_date(serial) == day


# ID numbers --------------------------------------------------------------------------------------------


@given(st.data(), st.integers(0, 99_999_999_999), st.booleans())
def test_id_number_is_compacted_and_upper_cased(data, body_seed, lower_x):
    body = f"310228{body_seed:011d}"[:17]
    number = body + (id_check_digit(body))
    written = number.replace("X", "x") if lower_x else number
    messy = sprinkle(data.draw, full_width(written) if data.draw(st.booleans()) else written)
    read = normalize.document_number(messy)
    assert read == normalize.DocumentNumber(text=number)


@pytest.mark.parametrize("cell", [3.10228195003021e17, 310228195003021234, "3.10228198301E+17", "3.1e17"])
def test_id_number_stored_as_a_number_is_damaged(cell):
    assert normalize.document_number(cell).is_damaged


def test_id_number_examples():
    assert normalize.document_number("'31022819500302123x").text == "31022819500302123X"
    assert normalize.document_number("310228 1950 0302 1234").text == "310228195003021234"
    assert normalize.document_number("").text == ""


# Phones ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "e164"),
    [
        ("139 1234 5678", "+8613912345678"),
        ("１３９-１２３４-５６７８", "+8613912345678"),
        (13912345678.0, "+8613912345678"),
        ("+86 139 1234 5678", "+8613912345678"),
        ("0086-139-1234-5678", "+8613912345678"),
        ("(021) 5731-1234", "+862157311234"),
        ("+852 9123 4567", "+85291234567"),
        ("00852 9123 4567", "+85291234567"),
        ("(852) 9123-4567", "+85291234567"),
        ("+853 6612 3456", "+85366123456"),
        ("+886 912 345 678", "+886912345678"),
        ("+1 (415) 555-2671", "+14155552671"),
    ],
)
def test_phone_examples(cell, e164):
    assert normalize.phone_text(cell) == e164


@pytest.mark.parametrize("cell", ["12345", "无", "139123"])
def test_phone_that_is_no_number_is_passed_on_for_the_form_to_name(cell):
    assert normalize.phone_text(cell) == cell


MOBILES = st.from_regex(r"\A1(3[0-9]|5[0-35-9]|8[0-9])[0-9]{8}\Z")


@given(st.data(), MOBILES, st.sampled_from(["", "+86", "0086", "+86 ", "(+86)"]))
def test_a_mobile_however_written_is_one_e164_number(data, mobile, prefix):
    separated = "-".join([mobile[:3], mobile[3:7], mobile[7:]]) if data.draw(st.booleans()) else mobile
    written = prefix + separated
    if data.draw(st.booleans()):
        written = full_width(written)
    assert normalize.phone_text(written) == "+86" + mobile


# Names -------------------------------------------------------------------------------------------------


def test_name_examples():
    assert normalize.name_text("张　三") == "张三"
    assert normalize.name_text(" 欧阳 修 ") == "欧阳修"
    assert normalize.name_text("John  Smith") == "John Smith"
    assert normalize.name_key("陳美玲") == normalize.name_key("陈美玲") == "陈美玲"


@given(st.data(), st.text(alphabet="陈陳黄黃赵趙丽麗华華张張三国國", min_size=1, max_size=4))
def test_traditional_and_simplified_names_share_a_key(data, name):
    from qiaolian.core.text import to_simplified

    assert normalize.name_key(name) == normalize.name_key(to_simplified(name))
    assert normalize.name_key(sprinkle(data.draw, name)) == normalize.name_key(name)


# Encodings ---------------------------------------------------------------------------------------------


@given(st.text(alphabet="姓名身份证号码朱泾镇侨联歐陽,123abc", min_size=1))
def test_encoding_is_detected(text):
    assert normalize.detect_encoding(text.encode("utf-8")) == "utf-8"
    assert normalize.detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    gbk = text.encode("gb18030")
    detected = normalize.detect_encoding(gbk)
    assert detected in ("utf-8", "gb18030")
    gbk.decode(detected)  # whatever is detected decodes the whole file


def test_gbk_text_is_detected_as_gb18030():
    assert normalize.detect_encoding("姓名,身份证号码,所属侨联\n欧阳修,1,朱泾镇".encode("gbk")) == "gb18030"


def test_broken_bytes_have_no_encoding():
    assert normalize.detect_encoding(b"\xef\xbb\xbf\xff\xfe\xfa broken") is None
    assert normalize.detect_encoding(b"a\x00b") is None
