"""Background job of the privacy app (django-tasks): the retention rules, for a worker to run on a
schedule (e.g. a cron line ``qiaolian enqueue`` or the operator's scheduler)."""

from __future__ import annotations

from django_tasks import task

from qiaolian.privacy.services import retention_run


@task()
def retention_run_task(dry_run: bool = False) -> dict[str, int]:
    """Returns ``{rule: processed}`` (or due, for a dry run)."""
    return {o.rule.key: (o.due if o.dry_run else o.processed) for o in retention_run(dry_run=dry_run)}
