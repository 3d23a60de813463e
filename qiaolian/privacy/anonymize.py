"""Clearing personal fields: shared by the retention rules and by erasure on request.

A cleared field gets its empty value by type (text "", JSON its empty default, protected fields
and their blind indexes NULL, nullable fields NULL); a few fields get a visible placeholder so a
page still reads sensibly (``ERASED``). Files are removed from storage after the transaction
commits, so a rollback never leaves a row pointing at a deleted file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from qiaolian.core.protected import BlindIndexField, ProtectedField

ERASED = "（已删除）"
ANONYMIZED = "（已匿名化）"
ERASED_LABEL = _("（已删除）")


def empty_value(field: models.Field):
    """The value a cleared field gets."""
    if isinstance(field, ProtectedField | BlindIndexField):
        return None
    if isinstance(field, models.JSONField):
        default = field.get_default()
        return type(default)() if isinstance(default, list | dict) else None
    if isinstance(field, models.FileField):
        return ""
    if isinstance(field, models.CharField | models.TextField | models.EmailField):
        return None if field.null and not field.blank else ""
    if field.null:
        return None
    raise ValueError(f"{field.model._meta.label}.{field.name} cannot be cleared (not nullable)")


def clearing(model: type[models.Model], names: Iterable[str]) -> dict:
    """``{field: empty value}`` for ``names``; a protected field brings its blind index along."""
    values = {}
    for name in names:
        field = model._meta.get_field(name)
        values[field.attname if field.is_relation else name] = empty_value(field)
        if isinstance(field, ProtectedField):
            for other in model._meta.concrete_fields:
                if isinstance(other, BlindIndexField) and other.source == name:
                    values[other.name] = None
    return values


def files_delete_on_commit(queryset: models.QuerySet, names: Iterable[str]) -> int:
    """Remove the stored files of ``names`` for the rows of ``queryset`` once committed."""
    names = list(names)
    if not names:
        return 0
    found: list[tuple] = []
    for row in queryset.values_list(*names):
        for field_name, stored in zip(names, row, strict=True):
            if stored:
                found.append((queryset.model._meta.get_field(field_name).storage, stored))

    def remove() -> None:
        for storage, stored in found:
            with contextlib.suppress(OSError):  # already gone: the row no longer points at it either way
                storage.delete(stored)

    if found:
        transaction.on_commit(remove)
    return len(found)


def file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def rows_delete(queryset: models.QuerySet) -> int:
    """Delete the rows (their files after commit); returns how many rows of this model went."""
    files_delete_on_commit(queryset, file_fields(queryset.model))
    label = queryset.model._meta.label
    return queryset.delete()[1].get(label, 0)


def titles_refresh(model: type[models.Model], ids: Iterable[int]) -> None:
    """Keep the search keys of titled records (cases, activities) in step after a bulk update."""
    from qiaolian.search.keys import TITLED, title_key_store

    for kind, (app_label, model_name, field) in TITLED.items():
        if model._meta.app_label == app_label and model._meta.model_name == model_name.lower():
            for pk, title in model._base_manager.filter(pk__in=list(ids)).values_list("pk", field):
                title_key_store(kind=str(kind), object_id=pk, title=title)


# Cases ------------------------------------------------------------------------------------------

# What a case keeps after anonymization: its type, category and topics, places, dates and
# durations, state, outcome, satisfaction and amounts (the statistics of 来信来访 and 维权).
CASE_PERSONAL = (
    "requester_phone",
    "opposing_party",
    "reply",
    "resolution",
    "rejection_reason",
    "follow_up_note",
    "person",
    "account",
)
CASE_PLACEHOLDERS = {"title": ANONYMIZED, "description": ANONYMIZED, "requester_name": ERASED}


def cases_anonymize(queryset: models.QuerySet) -> int:
    """Clear the personal fields of the cases and of their timeline, notes and attachments."""
    from qiaolian.casework.models import Case, CaseAttachment, CaseEvent, CaseNote

    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    Case.objects.filter(pk__in=ids).update(**clearing(Case, CASE_PERSONAL), **CASE_PLACEHOLDERS)
    CaseEvent.objects.filter(case_id__in=ids).update(**clearing(CaseEvent, ("note", "reply")))
    CaseNote.objects.filter(case_id__in=ids).update(body=ANONYMIZED)
    rows_delete(CaseAttachment.objects.filter(case_id__in=ids))
    titles_refresh(Case, ids)
    return len(ids)
