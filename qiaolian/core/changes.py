"""Snapshots and differences of model fields for the audit log, with personal data masked."""

from __future__ import annotations

from typing import Any

from django.db import models

from qiaolian.core.protected import ProtectedValue


def _plain_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, ProtectedValue):
        return value.masked
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    return str(value)


def field_names(instance: models.Model, exclude: set[str] | None = None) -> list[str]:
    skip = exclude or set()
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in skip and not f.name.endswith("_hash")
    ]


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Field values as the audit log keeps them: masked personal data, related objects by name."""
    names = fields or field_names(instance)
    out: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if isinstance(field, models.ForeignKey):
            value = str(value) if value is not None else None
        out[name] = _plain_value(value)
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only what changed: {field: {"before": …, "after": …}}."""
    return {
        key: {"before": before.get(key), "after": after.get(key)} for key in after if before.get(key) != after.get(key)
    }


def protected_changed(before: models.Model, after: models.Model, name: str) -> bool:
    old, new = getattr(before, name), getattr(after, name)
    if old is None or new is None:
        return (old is None) != (new is None)
    return old.reveal() != new.reveal()
