"""Badges of the case pages: a colour per state and per type, one place for all templates."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

STATE_COLOURS = {
    "received": "azure",
    "assigned": "blue",
    "in_progress": "yellow",
    "referred": "purple",
    "resolved": "green",
    "followed_up": "teal",
    "rejected": "secondary",
}
TYPE_COLOURS = {
    "rights": "red",
    "enterprise_appeal": "orange",
    "consultation": "cyan",
    "aid_request": "pink",
    "suggestion": "lime",
}


@register.simple_tag
def state_badge(case_or_state, label: str = "") -> str:
    """``{% state_badge case %}`` or ``{% state_badge "resolved" label %}``."""
    if hasattr(case_or_state, "state"):
        value, label = case_or_state.state, case_or_state.get_state_display()
    else:
        value = str(case_or_state)
    return format_html('<span class="badge bg-{}-lt">{}</span>', STATE_COLOURS.get(value, "secondary"), label)


@register.simple_tag
def type_badge(case_or_type, label: str = "") -> str:
    if hasattr(case_or_type, "type"):
        value, label = case_or_type.type, case_or_type.get_type_display()
    else:
        value = str(case_or_type)
    return format_html('<span class="badge bg-{}-lt">{}</span>', TYPE_COLOURS.get(value, "secondary"), label)


STATE_ICONS = {
    "received": "messages",
    "assigned": "user",
    "in_progress": "clock",
    "referred": "building-bank",
    "resolved": "check",
    "followed_up": "phone",
    "rejected": "x",
}


@register.simple_tag
def state_icon(state: str) -> str:
    """The icon name of a state, for the timeline (``{% state_icon e.to_state as name %}``)."""
    return STATE_ICONS.get(str(state), "history")


@register.filter
def state_colour(state: str) -> str:
    return STATE_COLOURS.get(str(state), "secondary")
