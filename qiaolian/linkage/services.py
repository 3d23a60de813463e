"""Writes of the linkage: start and execute a run, decide a pair, merge two persons and undo it.

A merge moves every record that points at the merged person to the survivor. The relations are
found generically from ``Person._meta.related_objects``, so a model added later is moved too.
Each moved link is kept (model, row, field, old value) and a row that would break a unique
constraint (both persons registered for the same activity) is removed and kept whole, so
``persons_unmerge`` puts everything back exactly. Only the keys and ciphertext of personal data
are copied; nothing is decrypted.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import Collector, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.changes import snapshot
from qiaolian.core.jobs import job_test_pause
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import BlindIndexField, ProtectedField, ProtectedValue
from qiaolian.linkage import engine
from qiaolian.linkage.models import (
    CandidatePair,
    LinkAction,
    LinkageRun,
    Merge,
    MergeLink,
    PairStatus,
    RunStatus,
)
from qiaolian.registry.models import Person
from qiaolian.registry.services import person_archive, person_restore

#: Survivor fields filled from the merged person when the survivor has none (with their hashes).
FILL_FIELDS: tuple[tuple[str, ...], ...] = (
    ("birth_date",),
    ("id_number", "id_number_hash", "id_type"),
    ("phone", "phone_hash"),
    ("phone_alt", "phone_alt_hash"),
    ("address",),
    ("household", "household_relation"),
    ("email",),
    ("wechat",),
)


# Raw values: what a merge keeps to restore a field exactly (ciphertext stays ciphertext) -------


def _raw(instance: models.Model, field: models.Field) -> Any:
    value = getattr(instance, field.attname)
    if isinstance(value, ProtectedValue):
        return value.token
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _value(field: models.Field, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(field, ProtectedField):
        return ProtectedValue(field.kind, token=raw)
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(raw)
    if isinstance(field, models.JSONField):
        return raw
    return field.to_python(raw)


def _row_data(row: models.Model) -> dict[str, Any]:
    return {f.attname: _raw(row, f) for f in row._meta.concrete_fields}


def _row_restore(model: type[models.Model], data: dict[str, Any]) -> None:
    meta = model._meta
    values = {f.attname: _value(f, data.get(f.attname)) for f in meta.concrete_fields if f.attname in data}
    row = model(**values)
    row.save(force_insert=True)
    stamps = {
        f.attname: values[f.attname]
        for f in meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add) and f.attname in values
    }
    if stamps:
        model._base_manager.filter(pk=row.pk).update(**stamps)


# Linkage runs ----------------------------------------------------------------------------------


def _enqueue_run(run_id: int) -> None:
    from qiaolian.linkage.tasks import linkage_run_task

    linkage_run_task.enqueue(run_id)


@transaction.atomic
def linkage_run(*, actor, federation=None, threshold: float = engine.DEFAULT_THRESHOLD) -> LinkageRun:
    """Start a search for duplicates over ``federation`` (default: the actor's) in the background."""
    require_perm(actor, "linkage.run_linkage")
    federation = federation or getattr(actor, "federation", None)
    if federation is None:
        raise ValidationError(_("请选择查重范围。"))
    require_in_scope(actor, federation.pk)
    if LinkageRun.objects.filter(federation=federation, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ValidationError(_("该范围已有正在进行的查重，请等待其完成。"))
    run = LinkageRun.objects.create(federation=federation, created_by=actor, threshold=threshold)
    audit_record(actor=actor, action=Action.CREATE, target=run, federation_id=federation.pk, data={"kind": "linkage"})
    transaction.on_commit(partial(_enqueue_run, run.pk))
    return run


def persons_of_subtree_for_job(federation) -> models.QuerySet:
    """The live persons of ``federation`` and below, for a background job that has no user: the
    run's federation was checked against its creator's jurisdiction when it was started."""
    return Person.objects.filter(federation__path__startswith=federation.path, is_archived=False)


def pairs_store(*, run: LinkageRun | None, found: list[engine.CandidatePair]) -> int:
    """Keep the pairs found: new ones as pending, known pending ones with the new scores; pairs
    already decided stay decided. Returns how many are new."""
    known = {}
    ids = {p.person_a_id for p in found}
    if ids:
        for pair in CandidatePair.objects.filter(person_a_id__in=ids):
            known[(pair.person_a_id, pair.person_b_id)] = pair
    new, changed = [], []
    for item in found:
        pair = known.get((item.person_a_id, item.person_b_id))
        if pair is None:
            new.append(
                CandidatePair(
                    run=run,
                    person_a_id=item.person_a_id,
                    person_b_id=item.person_b_id,
                    match_weight=item.match_weight,
                    match_probability=item.match_probability,
                    reasons=item.reasons,
                )
            )
        elif pair.status == PairStatus.PENDING:
            pair.run, pair.match_weight, pair.match_probability, pair.reasons = (
                run,
                item.match_weight,
                item.match_probability,
                item.reasons,
            )
            changed.append(pair)
    CandidatePair.objects.bulk_create(new, batch_size=1000)
    CandidatePair.objects.bulk_update(changed, ["run", "match_weight", "match_probability", "reasons"], batch_size=1000)
    return len(new)


def linkage_run_execute(*, run_id: int) -> LinkageRun:
    """The job: stream the persons into the engine, store the pairs, record progress and counts."""
    run = LinkageRun.objects.select_related("federation").get(pk=run_id)
    persons = persons_of_subtree_for_job(run.federation)
    total = persons.count()
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, total_persons=total, stage="load")

    def progress(stage: str, done: int) -> None:
        LinkageRun.objects.filter(pk=run.pk).update(stage=stage, processed_persons=done)
        job_test_pause()

    try:
        result = engine.link_persons(persons, threshold=run.threshold, progress=progress)
        with transaction.atomic():
            new = pairs_store(run=run, found=result.pairs)
            LinkageRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                stage="done",
                finished_at=timezone.now(),
                total_persons=result.persons,
                processed_persons=result.persons,
                comparisons=result.comparisons,
                pairs_found=len(result.pairs),
                pairs_new=new,
                is_trained=result.trained,
            )
    except Exception as error:
        LinkageRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), message=str(error)[:2000]
        )
        raise
    run.refresh_from_db()
    return run


def linkage_run_for_operator(*, federation, threshold: float = engine.DEFAULT_THRESHOLD) -> LinkageRun:
    """A run started from the shell (``manage.py dedupe``): recorded and audited like any other,
    executed at once in this process."""
    with transaction.atomic():
        run = LinkageRun.objects.create(federation=federation, created_by=None, threshold=threshold)
        audit_record(
            actor=None,
            actor_name="manage.py dedupe",
            action=Action.CREATE,
            target=run,
            federation_id=federation.pk,
            data={"kind": "linkage"},
        )
    return linkage_run_execute(run_id=run.pk)


# Pairs -----------------------------------------------------------------------------------------


def _require_both(actor, *persons: Person) -> None:
    for person in persons:
        require_in_scope(actor, person.federation_id)


@transaction.atomic
def pair_mark_distinct(*, actor, pair: CandidatePair) -> CandidatePair:
    require_perm(actor, "linkage.merge_person")
    pair = CandidatePair.objects.select_for_update().select_related("person_a", "person_b").get(pk=pair.pk)
    _require_both(actor, pair.person_a, pair.person_b)
    if pair.status != PairStatus.PENDING:
        raise ValidationError(_("该疑似重复已处理。"))
    pair.status = PairStatus.DISTINCT
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=pair,
        federation_id=pair.person_a.federation_id,
        data={"operation": "mark_distinct", "persons": [pair.person_a_id, pair.person_b_id]},
    )
    return pair


# Merge -----------------------------------------------------------------------------------------


def _unique_field_sets(model: type[models.Model]) -> list[tuple[tuple[str, ...], Any]]:
    """(field names, condition) of every unique rule of ``model`` made of plain fields."""
    meta = model._meta
    found: list[tuple[tuple[str, ...], Any]] = [((f.name,), None) for f in meta.concrete_fields if f.unique]
    found += [(tuple(names), None) for names in meta.unique_together]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            found.append((tuple(constraint.fields), constraint.condition))
    return found


def _clashes(model: type[models.Model], row: models.Model, changes: dict[str, Any]) -> bool:
    """Would ``row`` with ``changes`` (attname → value) break one of its model's unique rules?"""
    meta = model._meta
    for names, condition in _unique_field_sets(model):
        fields = [meta.get_field(name) for name in names]
        if not any(f.attname in changes for f in fields):
            continue
        lookup = {f.attname: changes.get(f.attname, getattr(row, f.attname)) for f in fields}
        if any(v is None for v in lookup.values()):
            continue
        others = model._base_manager.filter(**lookup).exclude(pk=row.pk)
        if condition is not None:
            if not model._base_manager.filter(pk=row.pk).filter(condition).exists():
                continue
            others = others.filter(condition)
        if others.exists():
            return True
    return False


def _deletable_alone(row: models.Model) -> bool:
    """Can ``row`` be removed without removing or changing any other row?"""
    collector = Collector(using=row._state.db or "default")
    try:
        collector.collect([row])
    except ProtectedError:
        return False
    if sum(len(objs) for objs in collector.data.values()) != 1:
        return False
    if any(qs.exists() for qs in collector.fast_deletes):
        return False
    return not any(collector.field_updates.values())


def _person_relations() -> list[models.ForeignObjectRel]:
    return [
        rel
        for rel in Person._meta.related_objects
        if not rel.many_to_many and rel.related_model._meta.app_label != "linkage"
    ]


def _move_links(merge: Merge, survivor: Person, merged: Person) -> tuple[int, int]:
    moved = removed = 0
    links: list[MergeLink] = []
    for rel in _person_relations():
        model, field = rel.related_model, rel.field
        label = model._meta.label_lower
        has_key = any(f.name == "participant_key" for f in model._meta.concrete_fields)
        for row in model._base_manager.filter(**{field.attname: merged.pk}).order_by("pk"):
            changes: dict[str, Any] = {field.attname: survivor.pk}
            extra: dict[str, Any] = {}
            if has_key and row.participant_key == f"p{merged.pk}":
                changes["participant_key"] = f"p{survivor.pk}"
                extra["participant_key"] = row.participant_key
            if _clashes(model, row, changes):
                if not _deletable_alone(row):
                    continue  # stays with the archived person, where it was
                links.append(
                    MergeLink(
                        merge=merge,
                        model=label,
                        row_pk=str(row.pk),
                        field=field.attname,
                        old_value=merged.pk,
                        action=LinkAction.REMOVED,
                        row_data=_row_data(row),
                    )
                )
                row.delete()
                removed += 1
                continue
            model._base_manager.filter(pk=row.pk).update(**changes)
            links.append(
                MergeLink(
                    merge=merge, model=label, row_pk=str(row.pk), field=field.attname, old_value=merged.pk, extra=extra
                )
            )
            moved += 1
    MergeLink.objects.bulk_create(links)
    return moved, removed


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, ProtectedValue) and not value.token)


def _fill_survivor(merge: Merge, survivor: Person, merged: Person) -> list[str]:
    """Fill what the survivor lacks from the merged person; keep the old values to undo it."""
    meta = Person._meta
    survivor_before: dict[str, Any] = {}
    merged_before: dict[str, Any] = {}
    survivor_changes: dict[str, Any] = {}
    merged_changes: dict[str, Any] = {}
    filled: list[str] = []
    for group in FILL_FIELDS:
        head = meta.get_field(group[0])
        if not _is_blank(getattr(survivor, head.attname)) or _is_blank(getattr(merged, head.attname)):
            continue
        filled.append(head.name)
        for name in group:
            f = meta.get_field(name)
            survivor_before[f.attname] = _raw(survivor, f)
            survivor_changes[f.attname] = getattr(merged, f.attname)
        if head.name == "id_number":  # unique: it moves, the merged person keeps none
            for name in ("id_number", "id_number_hash"):
                f = meta.get_field(name)
                merged_before[f.attname] = _raw(merged, f)
                merged_changes[f.attname] = None
    if survivor.sex == "U" and merged.sex != "U":
        survivor_before["sex"], survivor_changes["sex"] = survivor.sex, merged.sex
        filled.append("sex")
    if merged_changes:
        Person.objects.filter(pk=merged.pk).update(**merged_changes)
    if survivor_changes:
        Person.objects.filter(pk=survivor.pk).update(**survivor_changes)
    merge.survivor_before, merge.merged_before = survivor_before, merged_before
    return filled


def _restore_fields(person_id: int, before: dict[str, Any]) -> None:
    if not before:
        return
    by_attname = {f.attname: f for f in Person._meta.concrete_fields}
    values = {}
    for attname, raw in before.items():
        field = by_attname[attname]
        values[attname] = raw if isinstance(field, BlindIndexField) else _value(field, raw)
    Person.objects.filter(pk=person_id).update(**values)


def _locked_pair(survivor: Person, merged: Person) -> tuple[Person, Person]:
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])}
    return locked[survivor.pk], locked[merged.pk]


@transaction.atomic
def persons_merge(*, actor, survivor: Person, merged: Person, pair: CandidatePair | None = None) -> Merge:
    """Make ``merged`` part of ``survivor``: move every record, fill the survivor's blanks, archive
    ``merged``. Both persons must be in the actor's jurisdiction (otherwise: not found)."""
    require_perm(actor, "linkage.merge_person")
    require_perm(actor, "registry.change_person")
    _require_both(actor, survivor, merged)
    if survivor.pk == merged.pk:
        raise ValidationError(_("不能把人员与自己合并。"))
    survivor, merged = _locked_pair(survivor, merged)
    if survivor.is_archived or merged.is_archived:
        raise ValidationError(_("已归档的人员不能合并。"))
    if pair is None:
        a, b = sorted((survivor.pk, merged.pk))
        pair = CandidatePair.objects.filter(person_a_id=a, person_b_id=b).first()
    merge = Merge.objects.create(
        survivor=survivor, merged=merged, pair=pair, created_by=actor, merged_snapshot=snapshot(merged)
    )
    moved, removed = _move_links(merge, survivor, merged)
    filled = _fill_survivor(merge, survivor, merged)
    merge.save(update_fields=["survivor_before", "merged_before"])
    merged.refresh_from_db()
    person_archive(
        actor=actor,
        person=merged,
        reason=_("与 %(name)s 合并（合并记录 %(id)s）")
        % {
            "name": survivor.name,
            "id": merge.pk,
        },
    )
    if pair is not None:
        CandidatePair.objects.filter(pk=pair.pk).update(
            status=PairStatus.MERGED, decided_by=actor, decided_at=timezone.now(), updated_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=survivor,
        data={
            "operation": "merge",
            "merge": merge.pk,
            "merged_person": merged.pk,
            "moved": moved,
            "removed": removed,
            "filled": filled,
        },
    )
    return merge


@transaction.atomic
def persons_unmerge(*, actor, merge: Merge) -> Merge:
    """Undo a merge: every link back where it was, removed rows re-created, fields restored and the
    merged person back from the archive."""
    require_perm(actor, "linkage.merge_person")
    require_perm(actor, "registry.change_person")
    merge = Merge.objects.select_for_update().select_related("survivor", "merged").get(pk=merge.pk)
    _require_both(actor, merge.survivor, merge.merged)
    if merge.is_undone:
        raise ValidationError(_("该合并已撤销。"))
    # fields first: the survivor gives back a moved ID number before the merged person takes it
    _restore_fields(merge.survivor_id, merge.survivor_before)
    _restore_fields(merge.merged_id, merge.merged_before)
    for link in merge.links.order_by("-id"):
        model = apps.get_model(link.model)
        if link.action == LinkAction.REMOVED:
            _row_restore(model, link.row_data)
            continue
        model._base_manager.filter(pk=link.row_pk).update(**{link.field: link.old_value, **link.extra})
    merged = Person.objects.get(pk=merge.merged_id)
    if merged.is_archived:
        person_restore(actor=actor, person=merged)
    merge.is_undone = True
    merge.undone_by = actor
    merge.undone_at = timezone.now()
    merge.save(update_fields=["is_undone", "undone_by", "undone_at"])
    if merge.pair_id:
        CandidatePair.objects.filter(pk=merge.pair_id).update(
            status=PairStatus.PENDING, decided_by=None, decided_at=None, updated_at=timezone.now()
        )
    audit_record(
        actor=actor,
        action=Action.RESTORE,
        target=merge.survivor,
        data={"operation": "unmerge", "merge": merge.pk, "merged_person": merge.merged_id},
    )
    return merge
