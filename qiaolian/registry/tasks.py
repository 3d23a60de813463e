"""Background jobs of the registry (django-tasks): the import's check and its commit.

Arguments are ids (JSON); the services enqueue these with ``transaction.on_commit`` so a worker
never looks for a batch that is not committed yet. Each job records its own failure on the batch.
"""

from __future__ import annotations

from django_tasks import task

from qiaolian.registry import importing


@task()
def import_batch_check_task(batch_id: int) -> str:
    return importing.import_batch_check(batch_id=batch_id).status


@task()
def import_batch_commit_task(batch_id: int, actor_id: int) -> str:
    return importing.import_batch_commit(batch_id=batch_id, actor_id=actor_id).status
