"""Writes of the privacy app: retention runs, a person's data export and erasure (CONVENTIONS §2).

Each is audited. The export reveals protected fields on purpose (it is the person's own copy,
《个人信息保护法》 Art. 45), so it writes a reveal entry naming the fields and an export entry with
the row counts. Erasure (Art. 47) runs the policy of ``privacy.policy`` in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.accounts.services import account_scrub
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.core.protected import BlindIndexField, ProtectedField, ProtectedValue
from qiaolian.core.text import initials_key, pinyin_key, search_key
from qiaolian.privacy.anonymize import ERASED, cases_anonymize, clearing, file_fields, files_delete_on_commit
from qiaolian.privacy.models import RetentionRun
from qiaolian.privacy.policy import POLICY, Act, Holding, erase_order
from qiaolian.privacy.retention import RULES, RetentionRule, RuleAction
from qiaolian.registry.models import Person

# Retention ------------------------------------------------------------------------------------------


@dataclass
class RuleOutcome:
    rule: RetentionRule
    due: int
    processed: int = 0
    skipped: int = 0
    dry_run: bool = False
    run: RetentionRun | None = None


def retention_rule_run(
    *, rule: RetentionRule, actor=None, now: dt.datetime | None = None, dry_run: bool = False
) -> RuleOutcome:
    """Apply one rule to the records due at ``now``, in one transaction, with one audit entry.
    A dry run only counts. Records already processed are not due again (idempotent)."""
    now = now or timezone.now()
    cutoff = rule.cutoff(now)
    with transaction.atomic():
        due = rule.select(cutoff)
        count = due.count()
        outcome = RuleOutcome(rule=rule, due=count, dry_run=dry_run)
        if dry_run:
            return outcome
        if count:
            if rule.apply is not None:
                outcome.processed, outcome.skipped = rule.apply(due)
            else:
                outcome.processed = due.delete()[1].get(due.model._meta.label, 0)
        run = RetentionRun.objects.create(
            rule=rule.key,
            started_at=now,
            finished_at=timezone.now(),
            cutoff=cutoff,
            days=rule.days,
            processed=outcome.processed,
            skipped=outcome.skipped,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            actor_name="" if getattr(actor, "pk", None) else "privacy_retention",
            action=Action.CHANGE if rule.action == RuleAction.ANONYMIZE else Action.DELETE,
            target=run,
            data={
                "rule": rule.key,
                "model": rule.model,
                "action": str(rule.action),
                "days": rule.days,
                "cutoff": cutoff.isoformat(),
                "processed": outcome.processed,
                "skipped": outcome.skipped,
            },
        )
        outcome.run = run
    return outcome


def retention_run(
    *, actor=None, now: dt.datetime | None = None, dry_run: bool = False, only: list[str] | None = None
) -> list[RuleOutcome]:
    """Every rule (or those named in ``only``), each in its own transaction."""
    now = now or timezone.now()
    return [
        retention_rule_run(rule=rule, actor=actor, now=now, dry_run=dry_run)
        for rule in RULES
        if not only or rule.key in only
    ]


# Export ---------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, ProtectedValue):
        return value.reveal()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name or ""
    return str(value)


def _row(instance: models.Model) -> tuple[dict[str, Any], list[str]]:
    """A row as plain values (protected fields revealed), and the protected fields revealed."""
    row, revealed = {}, []
    for f in instance._meta.concrete_fields:
        if isinstance(f, BlindIndexField):
            continue  # keyed hashes mean nothing to the person
        value = getattr(instance, f.attname)
        if isinstance(f, ProtectedField) and value:
            revealed.append(f.name)
        row[f.attname] = _plain(value)
    return row, revealed


@dataclass
class PersonExport:
    person: Person
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    revealed: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {label: len(rows) for label, rows in self.tables.items()}


def person_data_collect(*, person: Person) -> PersonExport:
    """Every row the policy finds for ``person``, by model (each row once)."""
    export = PersonExport(person=person)
    seen: dict[str, set] = {}
    for holding in POLICY:
        label = holding.model
        for instance in holding.rows(person).order_by("pk"):
            if instance.pk in seen.setdefault(label, set()):
                continue
            seen[label].add(instance.pk)
            row, revealed = _row(instance)
            export.tables.setdefault(label, []).append(row)
            for name in revealed:
                if name not in export.revealed.setdefault(label, []):
                    export.revealed[label].append(name)
    return export


def _xlsx(export: PersonExport) -> bytes:
    from qiaolian.core.tabular import export_workbook

    buffer = io.BytesIO()
    book = export_workbook(buffer, {"in_memory": True, "strings_to_urls": False})
    for label, rows in export.tables.items():
        sheet = book.add_worksheet(label[:31])
        columns = list(rows[0]) if rows else []
        sheet.write_row(0, 0, columns)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, [_cell(row[c]) for c in columns])
    book.close()
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def person_export(*, actor, person: Person) -> bytes:
    """A ZIP with ``data.json`` and ``data.xlsx``: every row of every table that holds the person,
    protected fields in plain text. Audited as a reveal (which fields) and an export (counts)."""
    require_perm(actor, "privacy.handle_request")
    require_in_scope(actor, person.federation_id)
    export = person_data_collect(person=person)
    document = {
        "person_id": person.pk,
        "exported_at": timezone.now().isoformat(),
        "tables": export.tables,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str))
        archive.writestr("data.xlsx", _xlsx(export))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.REVEAL,
            target=person,
            data={"fields": export.revealed, "purpose": "data_subject_export"},
        )
        audit_record(
            actor=actor,
            action=Action.EXPORT,
            target=person,
            data={"purpose": "data_subject_export", "rows": export.counts()},
        )
    return buffer.getvalue()


# Erasure ---------------------------------------------------------------------------------------------


@dataclass
class ErasureContext:
    """What identifies the person, read before anything is cleared (for scrubbing copies)."""

    person: Person
    name: str
    id_number: str
    phones: list[str]
    phone_hashes: list[str]

    @classmethod
    def of(cls, person: Person) -> ErasureContext:
        phones = [p.reveal() for p in (person.phone, person.phone_alt) if p]
        return cls(
            person=person,
            name=person.name,
            id_number=person.id_number.reveal() if person.id_number else "",
            phones=phones,
            phone_hashes=[h for h in (person.phone_hash, person.phone_alt_hash) if h],
        )

    def identifiers(self) -> list[str]:
        return [v for v in (self.name, self.id_number, *self.phones) if v]


def _holding_apply(holding: Holding, ctx: ErasureContext) -> int:
    queryset = holding.rows(ctx.person)
    model = queryset.model
    ids = list(queryset.values_list("pk", flat=True))
    if not ids and not holding.handler:
        return 0
    rows = model._base_manager.filter(pk__in=ids)
    if holding.act == Act.DELETE:
        files_delete_on_commit(rows, file_fields(model))
        rows.delete()
    else:
        values = clearing(model, holding.clear)
        values.update(dict(holding.replace))
        files = [name for name in holding.clear if name in file_fields(model)]
        files_delete_on_commit(rows, files)
        if values and ids:
            rows.update(**values)
    if holding.handler:
        HANDLERS[holding.handler](ctx, model._base_manager.filter(pk__in=ids))
    return len(ids)


PERSON_CLEARED = (
    "former_names",
    "foreign_name",
    "id_number",
    "native_place",
    "birthplace",
    "address",
    "phone",
    "phone_alt",
    "email",
    "wechat",
    "employer",
    "position",
    "social_roles",
    "hardship_note",
    "tags",
    "notes",
    "household",
    "household_relation",
    "import_batch",
)


def persons_anonymize(rows: models.QuerySet) -> None:
    """Person rows stay as anonymous, archived statistical records: federation, sex, year of
    birth, category, nationality, overseas history, education, occupation, hardship types and
    living status; everything that identifies the person is cleared."""
    values = clearing(Person, PERSON_CLEARED)
    values.update(
        name=ERASED,
        name_key=search_key(ERASED)[:60],
        name_pinyin=pinyin_key(ERASED)[:200],
        name_initials=initials_key(ERASED)[:60],
        foreign_name_key="",
        is_archived=True,
        archived_reason=_("个人信息已按本人申请删除"),
        archived_at=timezone.now(),
    )
    for pk, birth in rows.values_list("pk", "birth_date"):
        Person._base_manager.filter(pk=pk).update(**values, birth_date=dt.date(birth.year, 1, 1) if birth else None)


def _person_anonymize(ctx: ErasureContext, rows: models.QuerySet) -> None:
    persons_anonymize(rows)


def _merged_persons_anonymize(ctx: ErasureContext, rows: models.QuerySet) -> None:
    """Persons merged into this one were duplicates of the same human: their archived rows go
    the same way."""
    merged_ids = rows.filter(survivor=ctx.person).values_list("merged_id", flat=True)
    persons_anonymize(Person._base_manager.filter(pk__in=list(merged_ids)))


def _household_scrub(ctx: ErasureContext, rows: models.QuerySet) -> None:
    for household in rows:
        others = household.members.exclude(pk=ctx.person.pk).exists()
        changes: dict[str, Any] = {}
        if ctx.name and ctx.name in household.label:
            changes["label"] = household.label.replace(ctx.name, ERASED)[:60]
        if not others:
            changes.update(clearing(type(household), ("address", "notes")))
        if changes:
            type(household)._base_manager.filter(pk=household.pk).update(**changes)


def _import_issues_scrub(ctx: ErasureContext, rows: models.QuerySet) -> None:
    from qiaolian.registry.models import ImportIssue

    identifiers = ctx.identifiers()
    if identifiers:
        ImportIssue.objects.filter(batch__in=rows, value__in=identifiers).update(value="")


def _enterprise_scrub(ctx: ErasureContext, rows: models.QuerySet) -> None:
    """Fields of the enterprise that name the person (contact, legal representative)."""
    if ctx.name:
        rows.filter(contact_name=ctx.name).update(contact_name=ERASED)
        rows.filter(legal_representative=ctx.name).update(legal_representative=ERASED)
    if ctx.phone_hashes:
        rows.filter(contact_phone_hash__in=ctx.phone_hashes).update(contact_phone=None, contact_phone_hash=None)


def _cases_anonymize(ctx: ErasureContext, rows: models.QuerySet) -> None:
    cases_anonymize(rows)


def _portal_accounts_close(ctx: ErasureContext, rows: models.QuerySet) -> None:
    """A portal account verified as this person is closed as if its owner had asked: profile
    cleared, account anonymized and disabled, consents withdrawn, pending changes and codes
    deleted, work records detached from it (as portal.review does for an owner's request)."""
    from django.contrib.auth import get_user_model

    from qiaolian.activities.models import Registration
    from qiaolian.casework.models import Case
    from qiaolian.contests.models import Entry
    from qiaolian.liaison.models import Enrolment
    from qiaolian.portal.models import Consent, PortalProfile, ProfileChange, VerificationCode

    user_ids = list(rows.values_list("user_id", flat=True))
    rows.update(
        **clearing(
            PortalProfile,
            ("phone", "guardian_contact", "birth_date", "city", "person", "person_linked_by", "person_linked_at"),
        ),
        country="",
        guardian_name="",
        guardian_relation="",
    )
    Registration.objects.filter(account_id__in=user_ids).update(account=None)
    Enrolment.objects.filter(account_id__in=user_ids).update(account=None)
    Case.objects.filter(account_id__in=user_ids).update(account=None)
    Entry.objects.filter(account_id__in=user_ids).update(account=None)
    Consent.objects.filter(user_id__in=user_ids, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    if ctx.name:
        Consent.objects.filter(user_id__in=user_ids, given_by=ctx.name).update(given_by=ERASED)
    ProfileChange.objects.filter(user_id__in=user_ids).delete()
    VerificationCode.objects.filter(user_id__in=user_ids).delete()
    for user in get_user_model().objects.filter(pk__in=user_ids):
        account_scrub(user)


HANDLERS = {
    "person_anonymize": _person_anonymize,
    "merged_persons_anonymize": _merged_persons_anonymize,
    "household_scrub": _household_scrub,
    "import_issues_scrub": _import_issues_scrub,
    "enterprise_scrub": _enterprise_scrub,
    "cases_anonymize": _cases_anonymize,
    "portal_accounts_close": _portal_accounts_close,
}


@transaction.atomic
def person_erase(*, actor, person: Person, confirm_name: str) -> dict[str, int]:
    """Erase the person's data by the policy, in one transaction; ``confirm_name`` must repeat
    the person's name. Returns the rows touched per model; the audit entry records those counts
    (no personal data)."""
    require_perm(actor, "privacy.handle_request")
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_in_scope(actor, person.federation_id)
    if (confirm_name or "").strip() != person.name:
        raise ValidationError({"confirm_name": _("输入的姓名与该人员不一致。")})
    ctx = ErasureContext.of(person)
    touched: dict[str, int] = {}
    for holding in erase_order():
        n = _holding_apply(holding, ctx)
        if n and holding.act != Act.KEEP:
            key = f"{holding.model}:{holding.path or 'self'}"
            touched[key] = n
    person.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.DELETE,
        target=person,
        data={"erasure": "data_subject_request", "rows": touched},
    )
    return touched
