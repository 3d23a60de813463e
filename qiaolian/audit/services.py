"""Writing to the audit log: the only way entries are made."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from qiaolian.audit.models import Action, AuditChainHead, AuditEntry
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.request_context import current_ip


def _json_safe(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def _target_fields(target: models.Model | None) -> dict[str, Any]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    meta = target._meta
    return {
        "target_type": f"{meta.app_label}.{meta.model_name}",
        "target_id": str(target.pk),
        "target_repr": str(target)[:200],
    }


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    federation_id: int | None = None,
    data: dict[str, Any] | None = None,
    actor_name: str = "",
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry, chained to the previous one. Joins the caller's transaction, so an
    entry exists exactly when the change it describes was committed."""
    if federation_id is None and target is not None:
        federation_id = getattr(target, "federation_id", None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=actor_name or (getattr(actor, "username", "") or ""),
            action=action,
            federation_id=federation_id,
            ip=ip or current_ip(),
            data=_json_safe(data or {}),
            prev_hash=head.hash,
            **_target_fields(target),
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def audited_create(actor, instance: models.Model, *, federation_id: int | None, before_save=None) -> None:
    """Validate and insert ``instance`` and record it, inside the caller's transaction."""
    if before_save is not None:
        before_save(instance)
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        target=instance,
        federation_id=federation_id,
        data={"after": snapshot(instance)},
    )


def audited_update(
    actor, instance: models.Model, data: dict[str, Any], *, federation_id: int | None, before_save=None
) -> dict:
    """Apply ``data``, validate, save and record what changed (nothing is recorded for no change).
    ``before_save(instance)`` may derive further fields after the data is applied."""
    before = snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, value)
    if before_save is not None:
        before_save(instance)
    instance.full_clean()
    instance.save()
    changes = diff(before, snapshot(instance))
    if changes:
        audit_record(
            actor=actor, action=Action.CHANGE, target=instance, federation_id=federation_id, data={"changes": changes}
        )
    return changes


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order and report the first entry that does not fit."""
    prev_hash = "0" * 64
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(checked, entry.seq, f"entry #{entry.seq} does not point to the entry before it")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.seq, f"entry #{entry.seq} was altered after it was written")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(checked, checked + 1, f"entries after #{checked} were removed (head is #{head.seq})")
    return ChainReport(checked, None, "")
