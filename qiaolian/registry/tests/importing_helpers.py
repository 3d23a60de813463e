"""What the tests of every import kind do alike: run a file through the whole batch path (as the
pages and the background jobs do), read the rejects workbook back, and check that every data row
is either imported or returned with a reason, none lost or doubled."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from python_calamine import CalamineWorkbook

from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportStatus


def import_file(
    actor, name: str, content: bytes, capture, *, kind=None, options: Mapping[str, Any] | None = None
) -> ImportBatch:
    """Upload, check, confirm and commit; the batch, asserted checked and then done."""
    with capture(execute=True):
        batch = importing.import_batch_create(
            actor=actor, upload=SimpleUploadedFile(name, content), kind=kind, options=options
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED, batch.message
    with capture(execute=True):
        importing.import_batch_confirm(actor=actor, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.message
    return batch


def rejects_rows(batch: ImportBatch) -> list[dict]:
    """The rows of the batch's rejects workbook, as header → cell."""
    with batch.rejects_file.open("rb") as handle:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(handle.read())).get_sheet_by_index(0).to_python()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def assert_every_row_accounted_for(batch: ImportBatch, data_rows: int, model: type[models.Model]) -> None:
    """Each of ``data_rows`` rows is a ``model`` record of the batch or a row of the rejects
    workbook with its reason (rows imported with a warning are imported)."""
    imported = model._base_manager.filter(import_batch=batch).count()
    rejected = batch.issues.filter(is_warning=False).values("sheet", "row_number").distinct().count()
    assert batch.total_rows == data_rows
    assert imported == batch.imported_rows
    assert imported + rejected == data_rows
    assert batch.invalid_rows + batch.duplicate_rows == rejected
    if rejected:
        assert len(rejects_rows(batch)) == rejected
