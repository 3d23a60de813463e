"""The English catalogue: complete, well-formed, and actually used by the staff pages.

The staff interface is written in 简体中文 (the msgids); English is a full translation chosen with the
language switch in the header. These tests compile the catalogue themselves, so that they also pass
on a fresh clone where ``qiaolian compilemessages`` has not been run yet.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

PO_PATH = Path(settings.PACKAGE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s, %s, %d … (python-format) and {name} / {0} / {} (python-brace-format); %% is a literal.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXoc%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
FULL_WIDTH_PUNCTUATION = re.compile(r"[，。；：？！（）《》【】　]")


def _placeholders(text: str) -> Counter[str]:
    found = [p for p in PERCENT_PLACEHOLDER.findall(text) if p != "%%"]
    found += BRACE_PLACEHOLDER.findall(text)
    return Counter(found)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH), wrapwidth=0)


@pytest.fixture(scope="module")
def english_mo(catalogue):
    """Compile the .po (atomically: other test processes may be reading the .mo) and make Django
    forget every catalogue it has loaded, so that the pages below are rendered with this one."""
    fd, tmp = tempfile.mkstemp(dir=MO_PATH.parent, prefix=".django-", suffix=".mo")
    os.close(fd)
    try:
        catalogue.save_as_mofile(tmp)
        os.replace(tmp, MO_PATH)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _reset_translation_caches()
    yield MO_PATH
    _reset_translation_caches()


def _reset_translation_caches() -> None:
    trans_real._translations.clear()
    trans_real._default = None
    # Lookups that remember whether a catalogue file exists (their names vary across Django versions).
    for name in ("translation_catalog_exists", "check_for_language", "_get_supported_language_variant"):
        cached = getattr(trans_real, name, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    translation.deactivate()


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """The staff language middleware activates the cookie's language in this thread; don't let
    English leak into the tests that run after these."""
    yield
    translation.deactivate()


# The catalogue ---------------------------------------------------------------------------------


def test_catalogue_is_for_english_and_has_plural_forms(catalogue):
    assert catalogue.metadata["Language"] == "en"
    assert "nplurals=2" in catalogue.metadata["Plural-Forms"]
    assert not catalogue.metadata_is_fuzzy
    assert len(catalogue) > 100


def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete(catalogue):
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    obsolete = [e.msgid for e in catalogue.obsolete_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []
    assert catalogue.percent_translated() == 100
    for entry in catalogue:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
            assert all(s.strip() for s in entry.msgstr_plural.values()), entry.msgid
        else:
            assert entry.msgstr.strip(), entry.msgid


def test_every_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    mismatched = []
    for entry in catalogue:
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, target in pairs:
            if _placeholders(source) != _placeholders(target):
                mismatched.append((source, target))
    assert mismatched == []


def test_python_format_entries_are_flagged_and_format_cleanly(catalogue):
    for entry in catalogue:
        names = {m[2:-2] for m in PERCENT_PLACEHOLDER.findall(entry.msgid) if m.startswith("%(")}
        if not names:
            continue
        assert "python-format" in entry.flags, entry.msgid
        values = dict.fromkeys(names, "1")
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            assert isinstance(target % values, str)  # raises on a broken placeholder


def test_translations_are_english(catalogue):
    """Chinese may only appear where the English quotes the Chinese text itself (a column name
    the import template really uses, an example such as 美国); punctuation is English."""
    problems = []
    for entry in catalogue:
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            quoted = [run for run in HAN.findall(target) if run not in entry.msgid]
            if quoted or FULL_WIDTH_PUNCTUATION.search(target):
                problems.append((entry.msgid, target))
    assert problems == []


def test_the_catalogue_compiles_and_reads_back(catalogue, tmp_path):
    """What msgfmt --check would say, without needing GNU gettext on the machine: the catalogue
    compiles, and Python's own gettext reads every entry back as written."""
    import gettext

    mo = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(mo))
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr


def test_the_compiled_catalogue_is_what_django_uses(english_mo, catalogue):
    entry = next(e for e in catalogue if not e.msgid_plural and "%" not in e.msgid)
    with translation.override("en"):
        assert translation.gettext(entry.msgid) == entry.msgstr
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext(entry.msgid) == entry.msgid
    plural = next(e for e in catalogue if e.msgid_plural)
    with translation.override("en"):
        assert translation.ngettext(plural.msgid, plural.msgid_plural, 1) == plural.msgstr_plural[0]
        assert translation.ngettext(plural.msgid, plural.msgid_plural, 5) == plural.msgstr_plural[1]


# The pages ---------------------------------------------------------------------------------------


class _Chrome(HTMLParser):
    """Collects the text of the parts of a page that come from our templates and code rather than
    from the data: <title>, the sidebar, the page title, breadcrumbs, table headers and footer."""

    CLASSES = frozenset({"ql-brand-text", "ql-nav-group", "nav-link-title", "page-title", "breadcrumb", "footer"})
    TAGS = frozenset({"title", "th"})
    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.parts: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        label = tag if tag in self.TAGS else next(iter(sorted(classes & self.CLASSES)), None)
        self.stack.append((tag, label))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = data.strip()
        if not text:
            return
        for _tag, label in self.stack:
            if label:
                self.parts.setdefault(label, []).append(text)

    @classmethod
    def of(cls, html: str) -> dict[str, str]:
        parser = cls()
        parser.feed(html)
        return {label: " ".join(texts) for label, texts in parser.parts.items()}


PAGES = [
    # path, words the English page shows in its title / page heading
    ("/", "Dashboard"),
    ("/registry/persons/", "Registry persons"),
    ("/orgs/federations/", "Federations"),
    ("/registry/imports/", "Bulk import"),
]


@pytest.fixture
def english_client(client, jinshan, english_mo):
    client.force_login(jinshan.user("admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_staff_pages_speak_english_when_it_is_chosen(english_client, path, heading):
    response = english_client.get(path)

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    chrome = _Chrome.of(html)
    assert heading in chrome["title"]
    assert "Jinshan" in chrome["title"]
    assert "Registry persons" in chrome["nav-link-title"]
    assert "Foundation Programme" in chrome["ql-nav-group"]
    assert "Households" in chrome["nav-link-title"]
    for label in ("title", "ql-brand-text", "ql-nav-group", "nav-link-title", "footer", "th"):
        if label in chrome:
            assert not HAN.search(chrome[label]), (label, chrome[label])
    if path != "/":  # the dashboard greets the user by name instead
        assert heading in chrome["page-title"]
        assert not HAN.search(chrome["page-title"]), chrome["page-title"]
        assert not HAN.search(chrome["breadcrumb"]), chrome["breadcrumb"]


@pytest.mark.django_db
def test_staff_pages_stay_chinese_without_a_choice(client, jinshan, english_mo):
    client.force_login(jinshan.user("admin"))
    response = client.get("/registry/persons/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == settings.LANGUAGE_CODE
    chrome = _Chrome.of(response.content.decode())
    assert "侨情人员" in chrome["title"]
    assert "侨情人员" in chrome["nav-link-title"]
    assert "Registry" not in chrome["nav-link-title"]
