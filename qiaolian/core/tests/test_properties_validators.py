"""Properties of the validators, Chinese text helpers and masking (hypothesis): they never fail
on arbitrary text other than with a ValidationError that says why, they are idempotent, and
masking never shows more than its rule allows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from qiaolian.core import chinese, masking, text, validators

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx"}
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Area codes of real divisions (Jinshan's old and new code, other provinces) for generated IDs.
AREAS = st.sampled_from(["310116", "310228", "110101", "440305", "350203", "330102", "510104"])
BIRTHS = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2020, 12, 31))


@st.composite
def resident_ids(draw) -> str:
    """A valid 18-digit 居民身份证 number: area + birth date + sequence + GB 11643 check digit."""
    body = f"{draw(AREAS)}{draw(BIRTHS):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + ric.calc_check_digit(body + "0")


def _outcome(func, value):
    """What a ``parse_*`` function does with ``value``: ("ok", result) or ("invalid", messages)."""
    try:
        return "ok", func(value)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return "invalid", error.messages


# Resident ID numbers ----------------------------------------------------------------------------------


@settings(deadline=None)
@given(resident_ids())
def test_a_generated_resident_id_is_valid_and_agrees_with_stdnum(number):
    parsed = validators.parse_resident_id(number)
    assert parsed.number == number
    assert parsed.birth_date == ric.get_birth_date(number)
    assert parsed.sex == ("M" if int(number[16]) % 2 else "F")


@settings(deadline=None)
@given(resident_ids(), st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_is_refused(number, position, shift):
    digits = "0123456789X" if position == 17 else "0123456789"
    changed = digits[(digits.index(number[position]) + shift) % len(digits)]
    assume(changed != number[position])
    wrong = number[:position] + changed + number[position + 1 :]
    kind, _ = _outcome(validators.parse_resident_id, wrong)
    assert kind == "invalid"


@settings(deadline=None)
@given(resident_ids(), st.sampled_from(["", " ", "\u3000", "\t"]), st.booleans())
def test_full_width_and_spaced_forms_read_as_the_ascii_number(number, space, lower):
    written = number.lower() if lower else number
    written = space + " ".join([written[:6], written[6:14], written[14:]]).translate(FULL_WIDTH) + space
    assert validators.parse_resident_id(written).number == number


@settings(deadline=None)
@given(st.text(max_size=30))
@example("३१०११६१९५००३०२१२३४")  # Devanagari digits are digits to str.isdigit(), not to the ID rules
@example("31011619500302123᧚")
@example("3101161950030212𐩀X")
def test_parse_resident_id_gives_a_number_or_says_why(value):
    kind, result = _outcome(validators.parse_resident_id, value)
    if kind == "ok":
        assert re.fullmatch(r"\d{17}[\dX]", result.number, flags=re.ASCII)
        assert validators.parse_resident_id(result.number) == validators.ResidentId(
            number=result.number, birth_date=result.birth_date, sex=result.sex, was_legacy=False
        )


@settings(deadline=None)
@given(st.text(alphabet="0123456789Xx -'", max_size=20))
def test_normalize_document_number_is_idempotent(value):
    once = validators.normalize_document_number(value)
    assert validators.normalize_document_number(once) == once
    assert " " not in once and once == once.upper()


# Phones -------------------------------------------------------------------------------------------------


@settings(deadline=None)
@given(st.text(max_size=25))
@example("+86 139 1234 5678")
@example("0085291234567")
def test_parse_phone_gives_e164_or_says_why(value):
    kind, result = _outcome(validators.parse_phone, value)
    if kind == "ok":
        assert E164.match(result), result
        assert validators.parse_phone(result) == result
        assert phonenumbers.is_valid_number(phonenumbers.parse(result, None))


@settings(deadline=None)
@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.sampled_from(["", "+86", "0086", "+86 "]))
def test_mobiles_however_prefixed_are_one_number(mobile, prefix):
    try:
        expected = validators.parse_phone("+86" + mobile)
    except ValidationError:
        return  # an unassigned block
    assert validators.parse_phone(prefix + mobile) == expected
    assert validators.parse_phone((prefix + mobile).translate(FULL_WIDTH)) == expected


# Chinese text --------------------------------------------------------------------------------------------


@settings(deadline=None)
@given(st.text(max_size=40))
def test_clean_and_search_key_are_idempotent(value):
    assert text.clean(text.clean(value)) == text.clean(value)
    # Up to canonical composition: removing a dot or dash between a letter and a combining mark
    # (a-\u0304) leaves a decomposed pair that the next NFKC composes (reported, text.py not changed).
    key = text.search_key(value)
    assert unicodedata.normalize("NFC", text.search_key(key)) == unicodedata.normalize("NFC", key)


@settings(deadline=None)
@given(st.text(alphabet="陈陳黄黃赵趙丽麗华華张張国國侨僑联聯乡鄉会會 ", max_size=12))
def test_traditional_and_simplified_spellings_share_a_search_key(value):
    assert text.search_key(chinese.to_traditional(value)) == text.search_key(value)
    assert text.search_key(chinese.to_simplified(value)) == text.search_key(value)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_script_conversion_never_fails_and_keeps_placeholders(value):
    for converted in (chinese.to_traditional(value), chinese.to_simplified(value)):
        assert isinstance(converted, str)
    placeholder = "%(name)s" + value
    assert "%(name)s" in chinese.to_traditional(placeholder)


# Masking -------------------------------------------------------------------------------------------------


def _shown(masked: str, value: str) -> int:
    """How many characters of ``value`` the mask shows: the longest prefix and suffix kept."""
    if "*" not in masked:
        return len(masked)
    head, tail = masked.split("*", 1)[0], masked.rsplit("*", 1)[-1]
    assert value.startswith(head) and value.endswith(tail)
    return len(head) + len(tail)


@settings(deadline=None)
@given(st.text(alphabet="0123456789X", max_size=20))
def test_id_number_mask_keeps_the_length_and_hides_the_middle(value):
    masked = masking.mask_id_number(value)
    assert len(masked) == len(value)
    shown = _shown(masked, value)
    assert shown <= (10 if len(value) >= 15 else 3)
    if value:
        assert "*" in masked
        assert shown < len(value)


@settings(deadline=None)
@given(resident_ids())
def test_id_number_mask_shows_area_and_last_four_only(number):
    assert masking.mask_id_number(number) == number[:6] + "*" * 8 + number[-4:]


@settings(deadline=None)
@given(st.from_regex(r"\+[1-9]\d{3,14}", fullmatch=True))
@example("+1234567")
@example("+861234567")
def test_phone_mask_always_hides_part_of_the_number(value):
    masked = masking.mask_phone(value)
    assert "*" in masked
    digits_shown = sum(ch.isdigit() for ch in masked)
    assert digits_shown <= 7
    assert digits_shown < sum(ch.isdigit() for ch in value)


@settings(deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_address_mask_hides_at_least_half(value):
    masked = masking.mask_address(value)
    assert masked.endswith("****")
    kept = masked.removesuffix("****")
    assert value.startswith(kept)
    assert len(kept) <= min(6, len(value) // 2)


@settings(deadline=None)
@given(st.sampled_from(list(masking.Kind)), st.text(max_size=30))
def test_mask_of_nothing_is_nothing_and_of_something_has_stars(kind, value):
    masked = masking.mask(kind, value)
    assert (masked == "") == (value == "")
    if value:
        assert "*" in masked
