"""Normalizing what people type into spreadsheets: pure functions, no database, no Django models.

Each takes a cell as a spreadsheet reader gives it (``str``, ``float``, ``int``, ``datetime``,
``date``, ``bool`` or ``None``) and returns text a form can validate. A value that cannot be
normalized is passed on as written (cleaned), so that the form's message names it; none of these
functions guesses. Used by every import (registry persons now; enterprises, participants,
competition projects and aid recipients later) through ``qiaolian.core.tabular``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import phonenumbers

from qiaolian.core.text import search_key, to_simplified

# Characters that print as nothing but break comparisons (copied from web pages and WeChat).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")
_CJK_PUNCTUATION = frozenset("，；：？！（）")
_CJK_PUNCTUATION_SPLIT = re.compile("([，；：？！（）])")
_HEADER_MARKS = re.compile(r"[※*＊★☆●•·:：]|[(（](必填|选填|必选)[)）]")
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"
)
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
# Serial numbers Excel uses for dates (1900 date system): 1 = 1900-01-01 … 2958465 = 9999-12-31.
EXCEL_SERIAL_MAX = 2958465
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 as Excel counts from March 1900 on
_PHONE_JUNK = re.compile(r"[\s\-–—()（）.·/]")
_PHONE_PREFIX_REGIONS = ("852", "853", "886", "86", "1")


def _half_width(value: str) -> str:
    """NFKC (full-width digits and letters to half-width, U+3000 to a space …) except for the
    full-width punctuation Chinese text is written with: 独居，高龄 stays as written instead of
    becoming 独居,高龄. Keys for comparison (``header_key``, ``label_key``) fold it all."""
    if value.isascii():
        return value
    if _CJK_PUNCTUATION.isdisjoint(value):
        return unicodedata.normalize("NFKC", value)
    return "".join(
        part if part in _CJK_PUNCTUATION else unicodedata.normalize("NFKC", part)
        for part in _CJK_PUNCTUATION_SPLIT.split(value)
    )


def text(value: Any) -> str:
    """Any cell as clean text: full-width digits and letters to half-width (NFKC; the full-width
    punctuation of Chinese text kept), invisible characters removed, spaces (U+3000, NBSP, tabs,
    newlines) trimmed and collapsed. Spreadsheet readers give whole numbers as floats: 2018.0 →
    "2018"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).upper()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return _SPACES.sub(" ", _half_width(str(value).translate(_INVISIBLE))).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not text(value))


def header_key(value: Any) -> str:
    """How a column header is compared: NFKC, no spaces or line breaks, no ※ * (必填) markers,
    simplified, case-folded. 「※身份证\n号码」 and 「身份證號碼」 give the same key."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text(value)))
    while (stripped := _HEADER_MARKS.sub("", key)) != key:  # until none is left: (必(必填)填)
        key = stripped
    key = unicodedata.normalize("NFKC", key)  # a mark removed between a letter and its accent
    return to_simplified(key).casefold()


def label_key(value: Any) -> str:
    """How a code-list label or a place name is compared (simplified, case-folded, no spaces)."""
    return search_key(text(value))


# Excel numbers -----------------------------------------------------------------------------------


def is_number_cell(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def excel_serial_date(serial: float) -> dt.date | None:
    """The date of an Excel serial number in the 1900 date system, or None when it is not one.
    Excel counts the non-existent 1900-02-29 (serial 60), which therefore has no date."""
    if not math.isfinite(serial) or serial < 1 or serial >= EXCEL_SERIAL_MAX + 1:
        return None
    days = int(serial)
    if days == 60:
        return None
    if days < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=days)
    return _EXCEL_EPOCH + dt.timedelta(days=days)


# Dates ---------------------------------------------------------------------------------------------


def date_text(value: Any, *, allow_month: bool = False) -> str:
    """A date cell as ISO text (``1950-03-02``) for a form; with ``allow_month`` a month alone
    (``1950-3``, ``1950年3月``, ``1950.03``) gives ``1950-03``. Read: date and datetime cells,
    Excel serial numbers, 1950.3.2, 1950/3/2, 1950-03-02, 1950年3月2日, 19500302. A wrong date
    (1990-02-30) stays wrong, so the form names it; text that is no date is passed on as written."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_number_cell(value):
        number = float(value)
        if number.is_integer() and 10_000_101 <= number <= 99_991_231:
            return date_text(str(int(number)), allow_month=allow_month)  # 19500302 typed as a number
        day = excel_serial_date(number)
        if day is not None:
            return day.isoformat()
    raw = text(value)
    match = _DATE_TEXT.match(raw)
    if match:
        year, month, day_of_month = (int(g) for g in match.groups()[:3])
        return f"{year:04d}-{month:02d}-{day_of_month:02d}"
    if len(raw) == 8 and raw.isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    if allow_month:
        match = _MONTH_TEXT.match(raw)
        if match and 1 <= int(match.group(2)) <= 12:
            return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
        if len(raw) == 6 and raw.isdigit() and 1 <= int(raw[4:]) <= 12:
            return f"{raw[:4]}-{raw[4:]}"
    return raw


def parse_date(value: Any) -> dt.date | None:
    """The date of a cell, or None when it holds no valid full date."""
    try:
        return dt.date.fromisoformat(date_text(value))
    except ValueError:
        return None


def year_text(value: Any) -> str:
    """A year cell: 2008, 2008.0, "2008年" → "2008"."""
    return text(value).removesuffix("年")


# Identity document numbers ---------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentNumber:
    """An ID number as read from a cell. ``is_damaged`` is true when a spreadsheet stored it as a
    number (only 15 significant digits survive): such a value is reported, never guessed."""

    text: str
    is_damaged: bool = False


def document_number(value: Any) -> DocumentNumber:
    """An identity document number: half-width, no spaces or separators, a final x upper-cased,
    the apostrophe Excel shows before text numbers removed. A number cell, or text in scientific
    notation (3.10228198301E+17), is marked damaged."""
    if is_number_cell(value):
        return DocumentNumber(text=text(value), is_damaged=True)
    raw = _SPACES.sub("", text(value)).lstrip("'‘’`").replace("-", "")
    if _NUMBER_TEXT.match(raw) or (raw.endswith(".0") and raw[:-2].isdigit()):
        return DocumentNumber(text=raw, is_damaged=True)
    return DocumentNumber(text=raw.upper())


# Phones ------------------------------------------------------------------------------------------


def phone_text(value: Any, *, region: str = "CN") -> str:
    """A phone number in E.164 (+8613912345678) when it is a valid number; otherwise the cleaned
    text, for the form to name. Spaces, dashes, dots and parentheses are dropped; +852, 00852,
    (852), +853, +886, +1 and +86 prefixes are read; a mobile stored as a number is read too."""
    raw = text(value)
    if not raw:
        return ""
    compact = _PHONE_JUNK.sub("", raw.lstrip("'‘’`"))
    parenthesized = re.match(r"^[(（]\+?(\d{1,3})[)）]", raw.replace(" ", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif parenthesized and parenthesized.group(1) in _PHONE_PREFIX_REGIONS:
        compact = "+" + compact.lstrip("+")  # (852) 9123 4567: a country code in parentheses
    if not re.fullmatch(r"\+?\d{5,16}", compact):
        return raw
    candidates = [compact]
    if not compact.startswith("+") and compact.startswith(("852", "853", "886")):
        candidates.append("+" + compact)  # 852-9123-4567 written without the plus
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return raw


# Names ---------------------------------------------------------------------------------------------


def name_text(value: Any) -> str:
    """A person's name as written, cleaned: the spaces offices put inside a two-character name to
    line it up (张　三) are removed between Chinese characters; other spaces are kept (John Smith)."""
    raw = text(value)
    return re.sub(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])", "", raw)


def name_key(value: Any) -> str:
    """The key names are matched on: traditional characters as simplified (陳 = 陈), no spaces."""
    return search_key(name_text(value))


def has_han(value: str) -> bool:
    return bool(_HAN.search(value))


# Text files ----------------------------------------------------------------------------------------


def detect_encoding(sample: bytes, *, complete: bool = True) -> str | None:
    """The encoding of text bytes: ``utf-8-sig`` (BOM), ``utf-16`` (BOM), ``utf-8``, else
    ``gb18030`` (a superset of GBK and GB2312); None when the bytes are neither. With
    ``complete=False`` the sample may end in the middle of a character."""
    if sample.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    elif b"\x00" in sample[:4096]:
        return None
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        if _decodes(sample, encoding, complete=complete):
            return encoding
    return None


def _decodes(data: bytes, encoding: str, *, complete: bool, chunk: int = 1 << 20) -> bool:
    """Whether ``data`` decodes, checked a chunk at a time (the text is not kept)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk], final=False)
        decoder.decode(b"", final=complete)
    except UnicodeDecodeError:
        return False
    return True
