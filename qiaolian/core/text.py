"""Chinese text helpers: one script for search (OpenCC), pinyin and initials (pypinyin)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc
from pypinyin import lazy_pinyin

_SPACES = re.compile(r"\s+")
# Code points above every real character: the upper bound of a prefix range.
PREFIX_END = "\U0010ffff"


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def clean(text: str) -> str:
    """Full-width to half-width (NFKC), trimmed, inner runs of spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def search_key(text: str) -> str:
    """The form every name is compared in: simplified, case-folded, without spaces or dots."""
    text = to_simplified(clean(text)).casefold()
    return re.sub(r"[\s·・.\-']", "", text)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f"


# Surnames read differently from the same character in ordinary words (曾 zeng, not ceng).
SURNAME_PINYIN = {
    "曾": "zeng",
    "单": "shan",
    "仇": "qiu",
    "区": "ou",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "乐": "yue",
    "尉": "yu",
    "缪": "miao",
    "覃": "qin",
    "种": "chong",
    "翟": "zhai",
    "沈": "shen",
    "员": "yun",
    "繁": "po",
    "秘": "bi",
    "句": "gou",
    "召": "shao",
    "长": "chang",
    "重": "chong",
    "万俟": "moqi",
}


def _syllables(key: str) -> list[str]:
    """Pinyin syllables of a name key, with the surname read as a surname."""
    for surname in sorted(SURNAME_PINYIN, key=len, reverse=True):
        if key.startswith(surname) and len(key) > len(surname):
            rest = lazy_pinyin(key[len(surname) :], errors=lambda s: list(s))
            return [SURNAME_PINYIN[surname], *rest]
    return lazy_pinyin(key, errors=lambda s: list(s))


def pinyin_key(text: str) -> str:
    """Full pinyin without tones or spaces: 张三 → zhangsan (non-Chinese letters kept)."""
    return "".join(_syllables(search_key(text))).lower()


def initials_key(text: str) -> str:
    """Pinyin initials: 张三丰 → zsf. Letters that are not Chinese characters are kept."""
    key = search_key(text)
    if has_han(key):
        return "".join(s[:1] for s in _syllables(key) if s[:1].isalnum()).lower()
    return "".join(ch for ch in key if ch.isalnum())


def has_han(text: str) -> bool:
    return any(_is_han(ch) for ch in text)
