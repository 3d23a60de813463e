"""Reads of the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from qiaolian.audit.models import AuditEntry


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def entry_list(*, user, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The whole log for auditors (the auditor role is district-wide and reads no personal data:
    entries hold masked values only)."""
    if not (user and user.has_perm("audit.view_entry")):
        return AuditEntry.objects.none()
    f = filters or AuditFilters()
    qs = AuditEntry.objects.all()
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor:
        qs = qs.filter(actor_name=f.actor)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type)
    if f.target_id:
        qs = qs.filter(target_id=f.target_id)
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    return qs


def entries_for_target(*, target: models.Model, limit: int = 200) -> list[AuditEntry]:
    """The history of one record. Callers pass a record the user was allowed to open."""
    meta = target._meta
    return list(
        AuditEntry.objects.filter(target_type=f"{meta.app_label}.{meta.model_name}", target_id=str(target.pk)).order_by(
            "-seq"
        )[:limit]
    )


def _display(_field, value, choices: dict):
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value) or "—"
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("是") if value else _("否")
    return str(choices.get(value, value))


def change_rows(
    entry: AuditEntry, model: type[models.Model], extra_choices: dict[str, list] | None = None
) -> list[tuple[str, str, str]]:
    """An entry's changes as (field label, before, after) in the user's language; codes of
    choice fields shown by their labels (``extra_choices`` for fields whose choices live on forms)."""
    rows = []
    for name, change in (entry.data.get("changes") or {}).items():
        try:
            field = model._meta.get_field(name)
            label = str(field.verbose_name)
            choices = dict(getattr(field, "flatchoices", None) or [])
        except Exception:
            label, choices = name, {}
        choices.update(dict((extra_choices or {}).get(name, [])))
        rows.append(
            (label, _display(None, change.get("before"), choices), _display(None, change.get("after"), choices))
        )
    return rows
