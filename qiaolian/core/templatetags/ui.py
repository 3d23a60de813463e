"""Template helpers used across the staff site: icons, form fields, badges."""

from __future__ import annotations

from functools import cache

from django import forms, template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@cache
def _sprite_url() -> str:
    """The icon sprite's URL (hashed name in production); the same for the life of the process."""
    return static("vendor/tabler-icons/sprite.svg")


@receiver(setting_changed)
def _static_changed(*, setting: str, **_kwargs) -> None:
    if setting in {"STATIC_URL", "STORAGES"}:
        _sprite_url.cache_clear()


@register.simple_tag
def icon(name: str, css: str = "icon") -> str:
    return format_html(
        '<svg class="{}" aria-hidden="true"><use href="{}#tabler-{}"></use></svg>', css, _sprite_url(), name
    )


@register.inclusion_tag("components/field.html")
def field(bound_field, help_text: str = ""):
    """One form field with its label, widget, help text and inline errors (Tabler markup)."""
    widget = bound_field.field.widget
    kind = "text"
    if isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        kind = "choices"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        kind = "select"
    css = {"checkbox": "form-check-input", "select": "form-select", "choices": "", "text": "form-control"}[kind]
    if kind == "choices":
        widget.attrs["class"] = "form-selectgroup-input"
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": css} if css else {}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return {
        "field": bound_field,
        "kind": kind,
        "widget": bound_field.as_widget(attrs=attrs),
        "help_text": help_text or bound_field.help_text,
    }


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


STATE_COLOURS = {
    "living": "green",
    "deceased": "secondary",
    "moved_away": "yellow",
    "verified": "green",
    "under_review": "blue",
    "evidence_pending": "yellow",
    "disputed": "orange",
    "rejected": "red",
    "lapsed": "secondary",
    "self_reported": "azure",
    "done": "green",
    "failed": "red",
    "checked": "blue",
    "importing": "azure",
    "checking": "azure",
    "uploaded": "secondary",
    "cancelled": "secondary",
    "planned": "azure",
    "open": "blue",
    "held": "yellow",
    "reported": "green",
    "archived": "secondary",
}


@register.simple_tag
def badge(value: str, label: str) -> str:
    colour = STATE_COLOURS.get(str(value), "secondary")
    return format_html('<span class="badge bg-{}-lt">{}</span>', colour, label)


@register.filter
def as_json(value) -> str:
    """Readable JSON (Chinese kept as written) for showing stored data such as audit contents."""
    import json

    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
