"""Simplified ↔ traditional Chinese (OpenCC). The portal shows data written in simplified Chinese
to 繁體 readers through ``to_traditional``; the 繁體 message catalogue is drafted the same way
and then checked by hand (docs/i18n.md)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    """Simplified → traditional characters with Taiwan/Hong Kong standard forms (OpenCC s2t)."""
    return _converter("s2t").convert(text) if text else text


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else text
