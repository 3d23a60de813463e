"""Keep the 繁體中文 catalogue in step with the English one.

The source language is 简体中文, so the traditional catalogue is the msgids themselves in
traditional characters: every msgid of the English catalogue (the complete list) gets its
conversion (``core.chinese.to_traditional``, OpenCC with hand-checked fixes). Entries someone
corrected by hand in ``zh_Hant/LC_MESSAGES/django.po`` are kept unless ``--reset`` is given;
entries whose msgid is gone are dropped. Run after ``makemessages`` (docs/i18n.md).
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

from qiaolian.core.chinese import to_traditional

HEADER = {
    "Project-Id-Version": "qiaolian",
    "Language": "zh_Hant",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def locale_file(language: str) -> Path:
    return Path(settings.PACKAGE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


def sync_traditional(*, reset: bool = False) -> tuple[int, int]:
    """Rewrite the zh_Hant catalogue from the English one; return (entries, newly converted)."""
    english = polib.pofile(str(locale_file("en")), wrapwidth=0)
    target_path = locale_file("zh_Hant")
    kept: dict[tuple[str | None, str], polib.POEntry] = {}
    if target_path.exists() and not reset:
        kept = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(target_path), wrapwidth=0) if not e.obsolete}
    out = polib.POFile(wrapwidth=0)
    out.metadata = dict(HEADER)
    converted = 0
    for source in english:
        if source.obsolete:
            continue
        entry = polib.POEntry(
            msgid=source.msgid,
            msgctxt=source.msgctxt,
            msgid_plural=source.msgid_plural,
            occurrences=source.occurrences,
            flags=[f for f in source.flags if f != "fuzzy"],
        )
        old = kept.get((source.msgctxt, source.msgid))
        if source.msgid_plural:
            if old is not None and old.msgstr_plural.get(0):
                entry.msgstr_plural = {0: old.msgstr_plural[0]}
            else:
                entry.msgstr_plural = {0: to_traditional(source.msgid)}
                converted += 1
        elif old is not None and old.msgstr:
            entry.msgstr = old.msgstr
        else:
            entry.msgstr = to_traditional(source.msgid)
            converted += 1
        out.append(entry)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    out.save(str(target_path))
    return len(out), converted


class Command(BaseCommand):
    help = "Bring the 繁體中文 catalogue in step with the English one (OpenCC for new entries)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="convert every entry again, dropping hand edits")

    def handle(self, *args, reset, **options):
        total, converted = sync_traditional(reset=reset)
        self.stdout.write(f"zh_Hant: {total} entries, {converted} converted")
