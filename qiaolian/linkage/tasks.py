"""Background job of the linkage: one run over a federation's persons (django-tasks).

The argument is the run's id; ``linkage_run`` enqueues it with ``transaction.on_commit`` so the
worker never looks for a run that is not committed yet. The job records its failure on the run.
"""

from __future__ import annotations

from django_tasks import task

from qiaolian.linkage import services


@task()
def linkage_run_task(run_id: int) -> str:
    return services.linkage_run_execute(run_id=run_id).status
