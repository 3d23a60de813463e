"""The portal's pages speak the language of their address, all of it: an English page carries no
Chinese of ours and a 繁體 page no simplified characters (records written by staff are the
readers' business: they are shown converted or in their English version, see test_public.py).

The catalogues are compiled here (as in core/tests/test_translations.py), so these tests also
pass on a fresh clone where ``qiaolian compilemessages`` has not run yet.
"""

from __future__ import annotations

import os
import re
import tempfile
from html.parser import HTMLParser

import polib
import pytest

from qiaolian.core.chinese import to_traditional
from qiaolian.core.management.commands.sync_traditional import locale_file
from qiaolian.core.tests.test_translations import _reset_translation_caches

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PAGES = [
    "",
    "activities/",
    "news/",
    "camps/",
    "contests/",
    "gallery/",
    "signup/",
    "login/",
    "password-reset/",
    "privacy/",
]


@pytest.fixture(scope="module")
def catalogues():
    for language in ("en", "zh_Hant"):
        po_path = locale_file(language)
        fd, tmp = tempfile.mkstemp(dir=po_path.parent, prefix=".django-", suffix=".mo")
        os.close(fd)
        try:
            polib.pofile(str(po_path), wrapwidth=0).save_as_mofile(tmp)
            os.replace(tmp, po_path.with_suffix(".mo"))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    _reset_translation_caches()
    yield
    _reset_translation_caches()


class _Text(HTMLParser):
    """The text a reader sees (and the titles and labels a screen reader reads), leaving out
    the language menu, where each language is named in itself, and the logo (aria-hidden)."""

    SKIP = frozenset({"script", "style", "option"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        skip = tag in self.SKIP or dict(attrs).get("aria-hidden") == "true"
        if tag not in self.VOID:
            self.stack.append((tag, skip))
            self.skipping += skip
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                self.skipping -= sum(skip for _tag, skip in self.stack[i:])
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())

    @classmethod
    def of(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.parts


@pytest.mark.parametrize("path", PAGES)
def test_english_pages_have_no_chinese(client, catalogues, path):
    response = client.get(f"/en/{path}")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    chinese = [text for text in _Text.of(html) if HAN.search(text)]
    assert chinese == []


@pytest.mark.parametrize("path", PAGES)
def test_traditional_pages_have_no_simplified_characters(client, catalogues, path):
    response = client.get(f"/zh-hant/{path}")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hant">' in html
    simplified = [text for text in _Text.of(html) if to_traditional(text) != text]
    assert simplified == []
    assert any(HAN.search(text) for text in _Text.of(html))  # and it is Chinese


def test_the_same_page_in_simplified_chinese(client, catalogues):
    html = client.get("/zh-hans/signup/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "注册" in html and "註冊" not in html
