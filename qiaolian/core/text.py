"""Chinese text helpers: one script for search (OpenCC), pinyin and initials (pypinyin)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import opencc
from pypinyin import Style, lazy_pinyin

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


def pinyin_key(text: str) -> str:
    """Full pinyin without tones or spaces: 张三 → zhangsan (non-Chinese letters kept)."""
    return "".join(lazy_pinyin(search_key(text), errors=lambda s: list(s))).lower()


def initials_key(text: str) -> str:
    """Pinyin initials: 张三丰 → zsf. Letters that are not Chinese characters are kept."""
    key = search_key(text)
    out = []
    for ch in key:
        if _is_han(ch):
            out.append(lazy_pinyin(ch, style=Style.FIRST_LETTER)[0][:1].lower())
        elif ch.isalnum():
            out.append(ch)
    return "".join(out)


def has_han(text: str) -> bool:
    return any(_is_han(ch) for ch in text)
