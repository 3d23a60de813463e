"""Simplified ↔ traditional Chinese (OpenCC). The portal shows data written in simplified Chinese
to 繁體 readers through ``to_traditional``; the 繁體 message catalogue is drafted the same way
and then checked by hand (docs/i18n.md)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4)  # one per configuration: s2hk and t2s alternate (maxsize=1 reloaded each time)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


# Words where OpenCC's Hong Kong forms are not what readers in Hong Kong, Macao, Taiwan and
# overseas Chinese communities write (checked by hand; docs/i18n.md).
TRADITIONAL_FIXES = {"發佈": "發布", "賬號": "帳號", "賬戶": "帳戶", "羣": "群", "户": "戶", "綫": "線"}


def to_traditional(text: str) -> str:
    """Simplified → traditional characters in Hong Kong forms (OpenCC s2hk: 台灣, 後台), with
    the hand-checked fixes above. Placeholders such as %(name)s and HTML are left as they are."""
    if not text:
        return text
    converted = _converter("s2hk").convert(text)
    for wrong, right in TRADITIONAL_FIXES.items():
        converted = converted.replace(wrong, right)
    return converted


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text
