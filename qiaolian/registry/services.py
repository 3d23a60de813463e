"""Writes to the registry: every change in one transaction, checked against the actor's
jurisdiction and recorded in the audit log with personal data masked."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record, audited_create, audited_update
from qiaolian.core.bulk import copy_insert
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.core.validators import display_phone
from qiaolian.registry.choices import HouseholdRelation
from qiaolian.registry.models import Household, OverseasTie, Person

REVEALABLE = ("id_number", "phone", "phone_alt", "address")


def _derive_keys(person: Person) -> None:
    """The search and sort keys follow the names; set on every write, never by hand."""
    person.name_key = search_key(person.name)[:60]
    person.name_pinyin = pinyin_key(person.name)[:200]
    person.name_initials = initials_key(person.name)[:60]
    person.foreign_name_key = search_key(person.foreign_name)[:100]


def _check_federation(actor, federation) -> None:
    if federation is None:
        raise ValidationError({"federation": _("请选择所属侨联。")})
    require_in_scope(actor, federation.pk)


@transaction.atomic
def person_create(*, actor, data: dict[str, Any]) -> Person:
    """Register one person from validated data (``PersonForm.person_data()``)."""
    require_perm(actor, "registry.change_person")
    _check_federation(actor, data.get("federation"))
    person = Person(created_by=actor if getattr(actor, "pk", None) else None, **data)
    audited_create(actor, person, federation_id=person.federation_id, before_save=_derive_keys)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any]) -> Person:
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, person.federation_id)
    if "federation" in data:
        _check_federation(actor, data["federation"])
    person = Person.objects.select_for_update().get(pk=person.pk)
    audited_update(actor, person, data, federation_id=person.federation_id, before_save=_derive_keys)
    return person


def persons_bulk_create(
    *, actor, persons: list[Person], batch=None, batch_size: int = 1000, with_ids: bool = True
) -> int:
    """Insert many prepared persons at once (import and demo data): keys derived, one audit
    entry for the lot. The caller holds the transaction. Without ``with_ids`` (the import, which
    does not read them back) PostgreSQL gets the rows by ``COPY`` (``core.bulk.copy_insert``)."""
    for person in persons:
        _derive_keys(person)
        if batch is not None:
            person.import_batch = batch
    if with_ids:
        Person.objects.bulk_create(persons, batch_size=batch_size)
    else:
        copy_insert(Person, persons, batch_size=batch_size)
    return len(persons)


def households_attach(*, persons: list[Person], batch=None) -> None:
    """The households of an import: each person carrying an ``import_household_key`` (the file's
    户号) is put into the batch's household of that key, created at its first member with that
    member's federation and address, and named after the head (户主) once the head is met. The
    caller holds the transaction; the batch's one audit entry covers them."""
    keyed = [p for p in persons if getattr(p, "import_household_key", "")]
    if not keyed:
        return
    keys = {p.import_household_key for p in keyed}
    found = {h.import_key: h for h in Household._base_manager.filter(import_batch=batch, import_key__in=keys)}
    for person in keyed:
        key = person.import_household_key
        household = found.get(key)
        is_head = person.household_relation == HouseholdRelation.HEAD
        address = person.address.reveal() if hasattr(person.address, "reveal") else (person.address or "")
        if household is None:
            household = Household.objects.create(
                federation_id=person.federation_id,
                label=f"{person.name}户"[:60],
                address=address,
                import_batch=batch,
                import_key=key,
            )
            found[key] = household
        elif is_head:
            household.label = f"{person.name}户"[:60]
            household.address = address or household.address
            household.save(update_fields=["label", "address", "updated_at"])
        person.household = household


@transaction.atomic
def person_archive(*, actor, person: Person, reason: str) -> Person:
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, person.federation_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写归档原因。")})
    if person.is_archived:
        raise ValidationError(_("该人员已归档。"))
    person.is_archived = True
    person.archived_reason = reason
    person.archived_at = timezone.now()
    person.save(update_fields=["is_archived", "archived_reason", "archived_at", "updated_at"])
    audit_record(actor=actor, action=Action.ARCHIVE, target=person, data={"reason": reason})
    return person


@transaction.atomic
def person_restore(*, actor, person: Person) -> Person:
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, person.federation_id)
    if not person.is_archived:
        raise ValidationError(_("该人员未归档。"))
    reason = person.archived_reason
    person.is_archived = False
    person.archived_reason = ""
    person.archived_at = None
    person.save(update_fields=["is_archived", "archived_reason", "archived_at", "updated_at"])
    audit_record(actor=actor, action=Action.RESTORE, target=person, data={"archived_reason": reason})
    return person


def person_reveal(*, actor, person: Person, field: str) -> str:
    """The plain value of one protected field, for a permitted user, written to the audit log."""
    if field not in REVEALABLE:
        raise ValidationError(_("该字段不能查看。"))
    require_perm(actor, "registry.reveal_person")
    require_in_scope(actor, person.federation_id)
    value = getattr(person, field)
    plain = value.reveal() if value else ""
    with transaction.atomic():
        audit_record(actor=actor, action=Action.REVEAL, target=person, data={"field": field})
    if plain and field in ("phone", "phone_alt"):
        return display_phone(plain)
    return plain


# Households ----------------------------------------------------------------------------------


@transaction.atomic
def household_create(*, actor, data: dict[str, Any]) -> Household:
    require_perm(actor, "registry.change_household")
    _check_federation(actor, data.get("federation"))
    household = Household(**data)
    audited_create(actor, household, federation_id=household.federation_id)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict[str, Any]) -> Household:
    require_perm(actor, "registry.change_household")
    require_in_scope(actor, household.federation_id)
    if "federation" in data:
        _check_federation(actor, data["federation"])
    audited_update(actor, household, data, federation_id=household.federation_id)
    return household


def _set_household(actor, person: Person, household: Household | None, relation: str) -> Person:
    fields = ["household", "household_relation"]
    before = snapshot(person, fields)
    person.household = household
    person.household_relation = relation
    person.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor, action=Action.CHANGE, target=person, data={"changes": diff(before, snapshot(person, fields))}
    )
    return person


@transaction.atomic
def household_set_member(*, actor, household: Household, person: Person, relation: str) -> Person:
    """Put ``person`` into ``household`` (moving them out of any other) with their relation."""
    require_perm(actor, "registry.change_household")
    require_in_scope(actor, household.federation_id)
    require_in_scope(actor, person.federation_id)
    if relation == "head" and household.members.filter(household_relation="head").exclude(pk=person.pk).exists():
        raise ValidationError({"relation": _("该户已有户主。")})
    return _set_household(actor, person, household, relation)


@transaction.atomic
def household_remove_member(*, actor, person: Person) -> Person:
    require_perm(actor, "registry.change_household")
    require_in_scope(actor, person.federation_id)
    return _set_household(actor, person, None, "")


# Overseas ties -------------------------------------------------------------------------------


@transaction.atomic
def overseas_tie_create(*, actor, person: Person, data: dict[str, Any]) -> OverseasTie:
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, person.federation_id)
    tie = OverseasTie(person=person, **data)
    audited_create(actor, tie, federation_id=person.federation_id)
    return tie


@transaction.atomic
def overseas_tie_update(*, actor, tie: OverseasTie, data: dict[str, Any]) -> OverseasTie:
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, tie.person.federation_id)
    audited_update(actor, tie, data, federation_id=tie.person.federation_id)
    return tie


@transaction.atomic
def overseas_tie_delete(*, actor, tie: OverseasTie) -> None:
    """Remove a tie entered by mistake (a tie that ended changes its state instead)."""
    require_perm(actor, "registry.change_person")
    require_in_scope(actor, tie.person.federation_id)
    audit_record(
        actor=actor,
        action=Action.ARCHIVE,
        target=tie,
        federation_id=tie.person.federation_id,
        data={"before": snapshot(tie), "reason": _("删除误录的海外亲属")},
    )
    tie.delete()


# Export --------------------------------------------------------------------------------------

EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("foreign_name", "外文名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("id_type", "证件类型"),
    ("id_number", "证件号码"),
    ("category", "身份类别"),
    ("federation", "所属侨联"),
    ("returned_from", "归来国家/地区"),
    ("returned_year", "归国年份"),
    ("native_place", "籍贯"),
    ("address", "住址"),
    ("phone", "手机/电话"),
    ("email", "电子邮箱"),
    ("occupation", "职业"),
    ("employer", "工作单位"),
    ("political_status", "政治面貌"),
    ("is_in_hardship", "困难归侨侨眷"),
    ("living_status", "生存状态"),
    ("is_archived", "已归档"),
]


def _export_cell(person: Person, name: str):
    value = getattr(person, name)
    display = getattr(person, f"get_{name}_display", None)
    if display is not None and name not in ("returned_from",):
        return str(display())
    if name == "returned_from":
        return value.name if value else ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None:
        return ""
    return value if hasattr(value, "isoformat") else str(value)


def persons_export_xlsx(*, actor, persons: Iterable[Person], filters: dict[str, Any]) -> bytes:
    """The filtered list as a workbook with personal data masked; the export is audited."""
    from qiaolian.core.tabular import export_workbook

    if not actor.has_perm("registry.export_person"):
        raise PermissionDenied("registry.export_person")
    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("人员名单"))
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, (_name, title) in enumerate(EXPORT_COLUMNS):
        sheet.write(0, col, _(title), head)
    count = 0
    for row, person in enumerate(persons, start=1):
        for col, (name, _title) in enumerate(EXPORT_COLUMNS):
            cell = _export_cell(person, name)
            if hasattr(cell, "isoformat"):
                sheet.write_datetime(row, col, cell, date_fmt)
            else:
                sheet.write_string(row, col, str(cell))
        count += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(EXPORT_COLUMNS) - 1)
    sheet.set_column(0, len(EXPORT_COLUMNS) - 1, 14)
    book.close()
    with transaction.atomic():
        audit_record(actor=actor, action=Action.EXPORT, data={"kind": "persons", "rows": count, "filters": filters})
    return buffer.getvalue()
