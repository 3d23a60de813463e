"""Completion certificates (结营证书) for the campers who attended a youth camp, in Chinese or English.

One template serves both languages: the fixed phrases are translated (msgid Chinese, the English
catalogue gives the English), the data is laid out per language (dates, the name in pinyin),
and the whole document is rendered under ``translation.override``. One page per camper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from qiaolian.core.pdf import render_pdf
from qiaolian.core.text import SURNAME_PINYIN, clean, has_han, to_simplified
from qiaolian.liaison.models import Camp, Enrolment

TEMPLATE = "liaison/certificate.html"
# ?lang= value → the Django language the certificate is rendered in. Anything else means Chinese.
LANGUAGES = {"zh": "zh-hans", "en": "en"}
DEFAULT_LANGUAGE = "zh"

# Two-character surnames: the given name starts after them (欧阳修 → Ouyang Xiu).
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "令狐",
        "慕容",
        "司徒",
        "司空",
        "公孙",
        "夏侯",
        "长孙",
        "尉迟",
        "宇文",
        "澹台",
        "端木",
        "万俟",
        "轩辕",
        "钟离",
        "西门",
        "南宫",
        "申屠",
        "百里",
        "呼延",
        "独孤",
        "闻人",
        "太史",
        "第五",
    ]
)
ENGLISH_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def certificate_language(value: str | None) -> str:
    """The certificate language asked for in ``?lang=``; anything unknown is Chinese."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def certificate_number(enrolment: Enrolment) -> str:
    """JS-<camp>-<enrolment>, zero-padded: JS-0007-000123 (stable: both ids never change)."""
    return f"JS-{enrolment.camp_id:04d}-{enrolment.pk:06d}"


def name_in_pinyin(name: str) -> str:
    """A Chinese name in passport-style pinyin, surname first, Title Case: 陈思远 → Chen Siyuan,
    欧阳娜娜 → Ouyang Nana, 吕冰 → Lyu Bing. A name that is not all Chinese characters is returned as is."""
    name = clean(name)
    key = to_simplified(name).replace(" ", "").replace("·", "")
    if not key or not all(has_han(ch) for ch in key):
        return name
    surname = key[:2] if key[:2] in COMPOUND_SURNAMES and len(key) > 2 else key[:1]
    given = key[len(surname) :]
    parts = [SURNAME_PINYIN.get(surname) or _pinyin(surname), _pinyin(given)]
    return " ".join(part.capitalize() for part in parts if part)


def _pinyin(text: str) -> str:
    # ü (after l and n only) as on Chinese passports: 吕 LYU, 略 LYUE.
    return "".join(lazy_pinyin(text, v_to_u=True)).replace("ü", "yu")


def date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_en(day: dt.date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month]} {day.year}"


def date_range(start: dt.date, end: dt.date, language: str) -> str:
    """Chinese: 2019年7月15日至7月22日; English: 15–22 July 2019, 28 July – 3 August 2019."""
    if language == "en":
        if start == end:
            return date_en(start)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{date_en(end)}"
        if start.year == end.year:
            return f"{start.day} {ENGLISH_MONTHS[start.month]} – {date_en(end)}"
        return f"{date_en(start)} – {date_en(end)}"
    if start == end:
        return date_zh(start)
    if start.year == end.year:
        return f"{date_zh(start)}至{end.month}月{end.day}日"
    return f"{date_zh(start)}至{date_zh(end)}"


def seal_characters(name: str, *, arc: float = 230.0, step: float = 26.0) -> list[tuple[str, float]]:
    """The characters of a seal's ring inscription with the angle (degrees from the top, clockwise)
    each one is rotated to, spread evenly over at most ``arc`` degrees along the top of the circle."""
    chars = [ch for ch in name if not ch.isspace()]
    if len(chars) < 2:
        return [(ch, 0.0) for ch in chars]
    spread = min(arc, step * (len(chars) - 1))
    return [(ch, round(-spread / 2 + i * spread / (len(chars) - 1), 2)) for i, ch in enumerate(chars)]


def _statement(camp: Camp, language: str) -> str:
    """What every camper of the camp is certified for (the camper's name stands before it)."""
    values = {
        "dates": date_range(camp.starts_on, camp.ends_on, language),
        "organizer": camp.organizer,
        "federation": camp.federation.name,
        "camp": camp.title,
    }
    if camp.organizer:
        return (
            _("于%(dates)s参加由%(organizer)s主办、%(federation)s承办的%(camp)s，圆满完成全部营期活动，特发此证。")
            % values
        )
    return _("于%(dates)s参加%(federation)s承办的%(camp)s，圆满完成全部营期活动，特发此证。") % values


def _camper(enrolment: Enrolment, language: str) -> dict[str, str]:
    if language == "en":
        name = enrolment.foreign_name.strip() or name_in_pinyin(enrolment.name)
        other_name = enrolment.name if enrolment.name != name else ""
    else:
        name, other_name = enrolment.name, enrolment.foreign_name.strip()
    return {
        "name": name,
        "other_name": other_name,
        "country": str(enrolment.country.name) if enrolment.country else "",
        "number": certificate_number(enrolment),
    }


def certificate_context(*, camp: Camp, enrolments: Sequence[Enrolment], language: str) -> dict[str, Any]:
    """What the template shows. Call it with the certificate's language active (the view and
    ``certificate_html`` do), so that the phrases and country names come out in that language."""
    campers = [_camper(e, language) for e in enrolments]
    subject = campers[0]["name"] if len(campers) == 1 else camp.title
    return {
        "language": language,
        "html_lang": "en" if language == "en" else "zh-Hans",
        "document_title": _("结营证书：%(subject)s") % {"subject": subject},
        "filename": _("结营证书-%(subject)s.pdf") % {"subject": subject},
        "camp": camp,
        "federation_name": camp.federation.name,
        "seal": seal_characters(camp.federation.name),
        "statement": _statement(camp, language),
        "issued_on": date_en(camp.ends_on) if language == "en" else date_zh(camp.ends_on),
        "certificates": campers,
    }


def certificate_html(
    *, camp: Camp, enrolments: Sequence[Enrolment], language: str, request: HttpRequest | None = None
) -> str:
    """The certificates as HTML (what the PDF is made from; tests read it without a PDF)."""
    language = certificate_language(language)
    with translation.override(LANGUAGES[language]):
        context = certificate_context(camp=camp, enrolments=enrolments, language=language)
        return render_to_string(TEMPLATE, context, request=request)


def certificate_pdf(
    *, camp: Camp, enrolments: Sequence[Enrolment], language: str, request: HttpRequest | None = None
) -> tuple[bytes, str]:
    """The certificates as one PDF, one page per camper, and the file name to download it as."""
    language = certificate_language(language)
    with translation.override(LANGUAGES[language]):
        context = certificate_context(camp=camp, enrolments=enrolments, language=language)
        return render_pdf(TEMPLATE, context, request=request), context["filename"]
