"""Award certificates (获奖证书) of contest entries, in Chinese or English, as PDF (WeasyPrint).

Like the camp certificates (liaison/certificates.py): one template for both languages, the fixed
phrases translated (msgid Chinese), the whole document rendered under ``translation.override``,
one page per awarded entry. Certificates exist once results are published (结果公示 or 已揭晓).
``certificate_pdf(entry, language)`` is the function the portal uses for an owner's download.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qiaolian.contests.models import Contest, ContestStatus, Entry
from qiaolian.core.pdf import render_pdf
from qiaolian.liaison.certificates import date_en, date_zh, name_in_pinyin, seal_characters

TEMPLATE = "contests/certificate.html"
LANGUAGES = {"zh": "zh-hans", "en": "en"}
DEFAULT_LANGUAGE = "zh"
PUBLISHED = (ContestStatus.NOTICE, ContestStatus.FINAL)


def certificate_language(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def certificate_number(entry: Entry) -> str:
    """JSC-<contest>-<entry>, zero-padded: JSC-0003-000451."""
    return f"JSC-{entry.contest_id:04d}-{entry.pk:06d}"


def _check(entries: Sequence[Entry]) -> None:
    if not entries:
        raise ValidationError(_("没有获奖作品，无法生成证书。"))
    for entry in entries:
        if entry.contest.status not in PUBLISHED:
            raise ValidationError(_("结果公示后才能生成获奖证书。"))
        if not entry.award:
            raise ValidationError(_("作品 %(code)s 未获奖，无法生成证书。") % {"code": entry.code})


def _issued_on(contest: Contest):
    moment = contest.results_published_at or timezone.now()
    return timezone.localtime(moment).date()


def certificate_context(*, entries: Sequence[Entry], language: str) -> dict[str, Any]:
    """What the template shows; call with the certificate's language active."""
    contest = entries[0].contest
    issued = _issued_on(contest)
    sheets = []
    for entry in entries:
        if language == "en":
            name = name_in_pinyin(entry.author_name)
            other = entry.author_name if entry.author_name != name else ""
            contest_title = contest.title_en or contest.title
            category = entry.category.name_en or entry.category.name
        else:
            name, other, contest_title, category = entry.author_name, "", contest.title, entry.category.name
        sheets.append(
            {
                "name": name,
                "other_name": other,
                "country": str(entry.author_country.name) if entry.author_country else "",
                "number": certificate_number(entry),
                "award": entry.get_award_display(),
                "statement": _("作品《%(title)s》在%(contest)s%(category)s中荣获")
                % {
                    "title": entry.title,
                    "contest": contest_title,
                    "category": category,
                },
                "code": entry.code,
            }
        )
    subject = sheets[0]["name"] if len(sheets) == 1 else contest.title
    return {
        "language": language,
        "html_lang": "en" if language == "en" else "zh-Hans",
        "document_title": _("获奖证书：%(subject)s") % {"subject": subject},
        "filename": _("获奖证书-%(subject)s.pdf") % {"subject": subject},
        "contest": contest,
        "federation_name": contest.federation.name,
        "seal": seal_characters(contest.federation.name),
        "issued_on": date_en(issued) if language == "en" else date_zh(issued),
        "certificates": sheets,
    }


def certificates_html(*, entries: Sequence[Entry], language: str, request: HttpRequest | None = None) -> str:
    language = certificate_language(language)
    _check(entries)
    with translation.override(LANGUAGES[language]):
        return render_to_string(TEMPLATE, certificate_context(entries=entries, language=language), request=request)


def certificates_pdf(
    *, entries: Sequence[Entry], language: str, request: HttpRequest | None = None
) -> tuple[bytes, str]:
    """The certificates of ``entries`` (all awarded, results published) as one PDF and its file name."""
    language = certificate_language(language)
    _check(entries)
    with translation.override(LANGUAGES[language]):
        context = certificate_context(entries=entries, language=language)
        return render_pdf(TEMPLATE, context, request=request), context["filename"]


def certificate_pdf(entry: Entry, language: str = DEFAULT_LANGUAGE) -> bytes:
    """One awarded entry's certificate as PDF bytes (ValidationError if it has none)."""
    return certificates_pdf(entries=[entry], language=language)[0]
