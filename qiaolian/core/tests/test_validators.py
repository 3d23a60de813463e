import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.core.validators import id_check_digit, parse_phone, parse_resident_id, upgrade_legacy_id


def make_id(birth: dt.date, seq: int, area: str = "310228") -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def test_valid_18_digit_id_gives_birth_date_and_sex():
    rid = parse_resident_id(make_id(dt.date(1950, 3, 2), 123))
    assert rid.birth_date == dt.date(1950, 3, 2)
    assert rid.sex == "M"
    assert not rid.was_legacy


def test_wrong_check_digit_is_refused_with_reason():
    number = make_id(dt.date(1950, 3, 2), 124)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位"):
        parse_resident_id(wrong)


def test_impossible_birth_date_is_refused():
    body = "31022819500230124"
    with pytest.raises(ValidationError, match="出生日期"):
        parse_resident_id(body + id_check_digit(body))


def test_unknown_area_code_is_refused():
    with pytest.raises(ValidationError, match="行政区划"):
        parse_resident_id(make_id(dt.date(1980, 1, 1), 11, area="999999"))


def test_legacy_15_digit_number_is_upgraded_and_cross_checked():
    legacy = "310228500302123"
    rid = parse_resident_id(legacy)
    assert rid.number == upgrade_legacy_id(legacy)
    assert len(rid.number) == 18 and rid.number[6:8] == "19"
    assert rid.birth_date == dt.date(1950, 3, 2)
    assert rid.was_legacy


def test_lower_case_x_and_full_width_digits_are_normalized():
    number = next(make_id(dt.date(1960, 1, 1), s) for s in range(1000) if make_id(dt.date(1960, 1, 1), s)[-1] == "X")
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c.lower() for c in number)
    assert parse_resident_id(full_width).number == number


def test_number_mangled_by_excel_is_reported_not_guessed():
    with pytest.raises(ValidationError, match="科学计数法"):
        parse_resident_id("3.10228E+17")


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_every_well_formed_id_round_trips(birth, seq):
    rid = parse_resident_id(make_id(birth, seq))
    assert rid.birth_date == birth
    assert rid.sex == ("M" if seq % 2 else "F")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("138 1234 5678", "+8613812345678"),
        ("+852 9123 4567", "+85291234567"),
        ("00 1 415 555 2671", "+14155552671"),
        ("021-57321234", "+862157321234"),
    ],
)
def test_phones_are_stored_in_international_form(raw, e164):
    assert parse_phone(raw) == e164


def test_invalid_phone_names_the_value():
    with pytest.raises(ValidationError, match="电话号码无效"):
        parse_phone("12345")


def test_names_normalize_for_search():
    assert search_key("陳 國華") == "陈国华"
    assert pinyin_key("陈国华") == "chenguohua"
    assert initials_key("陳國華") == "cgh"
