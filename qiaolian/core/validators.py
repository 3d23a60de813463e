"""Validation users in China expect, built on python-stdnum and phonenumbers.

Each ``parse_*`` function returns the normalized value or raises ``ValidationError`` with a
message in the user's language that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric

from qiaolian.core.text import clean

_ID_FORMAT = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class ResidentId:
    number: str  # always the 18-digit form
    birth_date: dt.date
    sex: str  # "M" or "F"
    was_legacy: bool


def id_check_digit(body: str) -> str:
    """The GB 11643 check digit of the first 17 digits (stdnum wants a placeholder 18th)."""
    return ric.calc_check_digit(body[:17] + "0")


def upgrade_legacy_id(number: str) -> str:
    """A 15-digit (1985–1999) number as its 18-digit form: 19 after the area, check digit added."""
    body = number[:6] + "19" + number[6:]
    return body + id_check_digit(body)


@lru_cache(maxsize=8192)
def _is_known_area(code: str) -> bool:
    """Whether the 6-digit area code is (or was) an administrative division. Unlike stdnum's
    ``validate`` this ignores the year: a code keeps appearing in numbers long after it was
    renamed (Jinshan's 310228 of the former county, today 310116). The division list does not
    change while the process runs, so answers are kept (an import asks once per row)."""
    from stdnum import numdb

    return any(props for _part, props in numdb.get("cn/loc").info(code))


def parse_resident_id(value: str) -> ResidentId:
    """Check a 居民身份证 number (GB 11643), 18 digits or the legacy 15; derive birth date and sex."""
    number = clean(value).replace(" ", "").upper()
    if not number:
        raise ValidationError(_("请填写身份证号码。"), code="required")
    if "E+" in number or ("." in number and number.replace(".", "").isdigit()):
        raise ValidationError(
            _("身份证号码被表格软件存成了数字（科学计数法），末几位已丢失，请以文本格式重新填写。"),
            code="excel_number",
        )
    legacy = len(number) == 15 and number.isascii() and number.isdigit()
    if legacy:
        number = upgrade_legacy_id(number)
    # ASCII digits only: str.isdigit() also accepts other scripts' digits, which int() may refuse
    if len(number) != 18 or not _ID_FORMAT.fullmatch(number):
        raise ValidationError(_("身份证号码应为18位（或旧式15位），前17位为数字，末位为数字或X。"), code="format")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exc.ValidationError:
        raise ValidationError(_("身份证号码中的出生日期不存在。"), code="birth_date") from None
    if birth > dt.date.today() or birth.year < 1880:
        raise ValidationError(_("身份证号码中的出生日期不合理。"), code="birth_date")
    if number[17] != id_check_digit(number):
        raise ValidationError(_("身份证号码校验位错误，请核对最后一位。"), code="checksum")
    if not _is_known_area(number[:6]):
        raise ValidationError(_("身份证号码前6位不是有效的行政区划代码。"), code="area")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, sex=sex, was_legacy=legacy)


def normalize_document_number(value: str) -> str:
    """Other documents (passports, permits): half-width, upper-case, no spaces."""
    return clean(value).replace(" ", "").upper()


def parse_phone(value: str, *, region: str = "CN") -> str:
    """A phone number in international (E.164) form; domestic numbers default to China."""
    raw = clean(value)
    if not raw:
        raise ValidationError(_("请填写电话号码。"), code="required")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("无法识别的电话号码：%(value)s") % {"value": value}, code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("电话号码无效：%(value)s（境外号码请带国家代码，如 +1、+852）") % {"value": value}, code="invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How a revealed number is shown: national form for China, international otherwise."""
    number = phonenumbers.parse(e164, None)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)
