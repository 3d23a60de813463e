"""Template helpers of the portal: records written by staff in 简体中文 (with optional English
fields ``<name>_en``) shown in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from qiaolian.core.chinese import to_traditional

register = template.Library()


def localized(obj, name: str) -> str:
    """``obj.<name>`` in the active language: the ``<name>_en`` field for English when it is
    filled (else the Chinese text), the Chinese text converted to traditional characters for 繁體."""
    language = get_language() or ""
    value = getattr(obj, name, "") or ""
    if language == "en":
        return getattr(obj, f"{name}_en", "") or value
    if language == "zh-hant":
        return to_traditional(str(value))
    return value


register.filter("tr", localized)


@register.filter("tr_text")
def localized_text(value) -> str:
    """A plain Chinese text (not a record's field) in 繁體 for zh-hant readers, as written otherwise."""
    text = "" if value is None else str(value)
    return to_traditional(text) if get_language() == "zh-hant" else text
