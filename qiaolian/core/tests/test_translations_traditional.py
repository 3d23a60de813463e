"""The 繁體中文 catalogue: the same entries as the English one, each in traditional characters.

It is drafted by ``manage.py sync_traditional`` (OpenCC with hand-checked fixes) and may be
corrected by hand; these tests hold it complete and consistent whatever its history.
"""

from __future__ import annotations

import polib
import pytest

from qiaolian.core.chinese import to_traditional
from qiaolian.core.management.commands.sync_traditional import locale_file, sync_traditional
from qiaolian.core.tests.test_translations import _placeholders


@pytest.fixture(scope="module")
def english() -> polib.POFile:
    return polib.pofile(str(locale_file("en")), wrapwidth=0)


@pytest.fixture(scope="module")
def traditional() -> polib.POFile:
    return polib.pofile(str(locale_file("zh_Hant")), wrapwidth=0)


def _keys(catalogue: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in catalogue if not e.obsolete}


def test_it_has_exactly_the_entries_of_the_english_catalogue(english, traditional):
    assert _keys(traditional) == _keys(english)
    assert traditional.metadata["Language"] == "zh_Hant"


def test_every_entry_is_translated_into_traditional_characters(traditional):
    problems = []
    for entry in traditional:
        target = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
        if not target.strip() or "fuzzy" in entry.flags:
            problems.append((entry.msgid, "untranslated"))
        elif to_traditional(target) != target:
            problems.append((entry.msgid, target))  # simplified characters left in the translation
        elif _placeholders(entry.msgid) != _placeholders(target):
            problems.append((entry.msgid, target))
    assert problems == []


def test_well_known_words_take_their_traditional_forms():
    assert to_traditional("侨联发布新闻，注册账号后可上传视频") == "僑聯發布新聞，註冊帳號後可上傳視頻"
    assert to_traditional("门户 用户 线上") == "門戶 用戶 線上"
    assert to_traditional("%(name)s 的作品") == "%(name)s 的作品"


def test_sync_keeps_hand_corrections(tmp_path, settings, english):
    """A corrected translation survives the next sync; a new msgid gets its conversion."""
    settings.PACKAGE_DIR = tmp_path
    (tmp_path / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    small = polib.POFile(wrapwidth=0)
    small.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    small.append(polib.POEntry(msgid="登录", msgstr="Sign in"))
    small.append(polib.POEntry(msgid="信息", msgstr="Information"))
    small.save(str(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    sync_traditional()
    first = polib.pofile(str(locale_file("zh_Hant")))
    first.find("信息").msgstr = "資訊"
    first.save()
    small.append(polib.POEntry(msgid="注销", msgstr="Close account"))
    small.save()
    total, converted = sync_traditional()
    again = polib.pofile(str(locale_file("zh_Hant")))
    assert (total, converted) == (3, 1)
    assert again.find("信息").msgstr == "資訊"
    assert again.find("登录").msgstr == "登錄"
    assert again.find("注销").msgstr == "註銷"
