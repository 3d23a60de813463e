"""Background jobs of contests (django-tasks): the web copy and thumbnail of an entry's file.

Arguments are ids (JSON); the submission service enqueues this with ``transaction.on_commit`` so
the worker never looks for a file that is not committed yet. The outcome is recorded on the file
(``processing`` ready or failed with ``processing_error``).
"""

from __future__ import annotations

from django_tasks import task

from qiaolian.contests import media
from qiaolian.contests.models import EntryFile


@task()
def process_entry_file(file_id: int) -> str:
    entry_file = EntryFile.objects.filter(pk=file_id).select_related("entry").first()
    if entry_file is None:  # the entry was removed before the job ran
        return "missing"
    return media.make_derivatives(entry_file).processing


@task()
def uploads_cleanup_expired_task() -> int:
    """Remove chunked uploads older than a day that no entry took (run periodically)."""
    from qiaolian.contests.submission import upload_cleanup_expired

    return upload_cleanup_expired()
