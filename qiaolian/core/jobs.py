"""Background jobs that outlive their worker: heartbeats and the recovery of interrupted jobs.

django-tasks-db marks a job RUNNING when a worker claims it and SUCCESSFUL or FAILED when the job
returns; a worker killed in between (SIGKILL, out of memory, the machine going down) leaves the
job RUNNING for ever and the record it works on (an import batch, a linkage run, a review
document) "in progress". ``qiaolian worker`` (``core.management.commands.worker``) therefore

* names itself ``host:pid:token`` and writes a heartbeat row (``WorkerHeartbeat``) every few
  seconds from a thread of its own;
* on start and then every ``QIAOLIAN_JOB_RECOVER_SECONDS`` looks for RUNNING jobs whose worker
  is gone: on this machine, its process no longer exists (or is not a worker any more); on
  another machine, its heartbeat is older than ``QIAOLIAN_WORKER_STALE_SECONDS``. A worker id
  that is not ours (a plain ``db_worker``) counts as gone after ``QIAOLIAN_JOB_ORPHAN_HOURS``;
* puts such a job back in the queue when it has run fewer than ``QIAOLIAN_JOB_MAX_ATTEMPTS``
  times (every job of Qiaolian is safe to run again: each checks the state of its record first
  and writes its result in one transaction, so an interrupted run left nothing behind), else
  marks it FAILED and moves its record to a clean state the page offers to retry or discard.

``QIAOLIAN_TEST_JOB_DELAY`` (seconds, tests only) makes the jobs pause at each progress step so
that a test can kill a worker in the middle of one (``job_test_pause``)."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from qiaolian.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def heartbeat_seconds() -> float:
    return _setting("QIAOLIAN_WORKER_HEARTBEAT_SECONDS", 5)


def stale_seconds() -> float:
    return _setting("QIAOLIAN_WORKER_STALE_SECONDS", 60)


def recover_seconds() -> float:
    return _setting("QIAOLIAN_JOB_RECOVER_SECONDS", 30)


def max_attempts() -> int:
    return int(_setting("QIAOLIAN_JOB_MAX_ATTEMPTS", 2))


def orphan_hours() -> float:
    return _setting("QIAOLIAN_JOB_ORPHAN_HOURS", 24)


def job_test_pause() -> None:
    """Tests only: sleep ``QIAOLIAN_TEST_JOB_DELAY`` seconds (a progress step of a job)."""
    delay = os.environ.get("QIAOLIAN_TEST_JOB_DELAY")
    if delay:
        time.sleep(float(delay))


class JobInterrupted(Exception):
    """Recorded on a job whose worker stopped while running it."""


# Workers -----------------------------------------------------------------------------------------


def _hostname() -> str:
    return socket.gethostname()[:40]


def worker_id_new() -> str:
    """``host:pid:token`` (at most 64 characters, django-tasks-db's limit)."""
    return f"{_hostname()}:{os.getpid()}:{get_random_string(8)}"


def _parsed(worker_id: str) -> tuple[str, int] | None:
    parts = worker_id.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


def worker_beat(worker_id: str) -> None:
    """Record that ``worker_id`` (this process) is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"hostname": _hostname(), "pid": os.getpid(), "seen_at": timezone.now()}
    )


def worker_unregister(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _process_is_worker(pid: int) -> bool:
    """Whether process ``pid`` of this machine is alive and still a worker (not a zombie, not a
    reused pid of another program)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return True  # no /proc: alive is all we know
    return state not in (b"Z", b"X") and b"worker" in command


def worker_is_gone(worker_id: str, *, me: str = "", beats: dict[str, WorkerHeartbeat], started_at=None) -> bool:
    """Whether the worker that claimed a job can no longer be running it."""
    if not worker_id:
        return True
    if worker_id == me:
        return False
    parsed = _parsed(worker_id)
    now = timezone.now()
    if parsed is None:  # not one of ours: only a very old job is taken as abandoned
        return started_at is not None and started_at < now - timedelta(hours=orphan_hours())
    host, pid = parsed
    if host == _hostname():
        # the same pid with another id is a predecessor of this process (a restarted container)
        return pid == os.getpid() or not _process_is_worker(pid)
    beat = beats.get(worker_id)
    return beat is None or beat.seen_at < now - timedelta(seconds=stale_seconds())


# What an interrupted job means for its record ------------------------------------------------------


def _import_check_interrupted(batch_id: int) -> None:
    from qiaolian.registry.models import ImportBatch, ImportStatus

    ImportBatch.objects.filter(pk=batch_id, status__in=(ImportStatus.UPLOADED, ImportStatus.CHECKING)).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "失败——任务中断，请重试：检查时后台进程意外停止，未导入任何数据。可调整列对应后重新检查，或重新上传。"
        ),
    )


def _import_commit_interrupted(batch_id: int, actor_id: int | None = None) -> None:
    from django.db.models import F

    from qiaolian.registry.models import ImportBatch, ImportStatus

    # The commit's one transaction was rolled back with the worker's connection: nothing was
    # written, and the batch is again waiting for confirmation (导入 or 取消 on its page).
    ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.IMPORTING).update(
        status=ImportStatus.CHECKED,
        processed_rows=F("total_rows"),
        message=_("失败——任务中断，请重试：导入时后台进程意外停止，没有写入任何数据。请重新确认导入，或取消该批次。"),
    )


def _linkage_interrupted(run_id: int) -> None:
    from qiaolian.linkage.models import LinkageRun, RunStatus

    LinkageRun.objects.filter(pk=run_id, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        message=_("失败——任务中断，请重试：查重时后台进程意外停止，未保存结果。请重新发起查重。"),
    )


def _review_interrupted(document_id: int) -> None:
    from qiaolian.reports.models import ReviewDocument, ReviewStatus

    ReviewDocument.objects.filter(pk=document_id, status__in=(ReviewStatus.QUEUED, ReviewStatus.RUNNING)).update(
        status=ReviewStatus.FAILED,
        finished_at=timezone.now(),
        error=_("失败——任务中断，请重试：生成时后台进程意外停止。"),
    )


# task path → what to do with the record when the job is given up (its arguments as called)
INTERRUPTED: dict[str, Callable[..., None]] = {
    "qiaolian.registry.tasks.import_batch_check_task": _import_check_interrupted,
    "qiaolian.registry.tasks.import_batch_commit_task": _import_commit_interrupted,
    "qiaolian.linkage.tasks.linkage_run_task": _linkage_interrupted,
    "qiaolian.reports.tasks.review_document_task": _review_interrupted,
}


@dataclass(frozen=True)
class Recovered:
    task_id: str
    task_path: str
    worker_id: str
    outcome: str  # "requeued" or "failed"


def jobs_recover(*, me: str = "") -> list[Recovered]:
    """Requeue or fail every RUNNING job whose worker is gone (see the module's docstring)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.all()}
    recovered: list[Recovered] = []
    for result in DBTaskResult.objects.running():
        worker_id = result.worker_ids[-1] if result.worker_ids else ""
        if not worker_is_gone(worker_id, me=me, beats=beats, started_at=result.started_at):
            continue
        with transaction.atomic():
            job = DBTaskResult.objects.select_for_update().filter(pk=result.pk, status=TaskResultStatus.RUNNING).first()
            if job is None or job.worker_ids != result.worker_ids:
                continue  # finished or claimed again meanwhile
            on_interrupt = INTERRUPTED.get(job.task_path)
            if on_interrupt is not None and len(job.worker_ids) < max_attempts():
                job.status = TaskResultStatus.READY
                job.started_at = None
                job.save(update_fields=["status", "started_at"])
                outcome = "requeued"
            else:
                job.set_failed(
                    JobInterrupted(
                        f"worker {worker_id or '?'} stopped while running this job "
                        f"(attempt {len(job.worker_ids)} of {max_attempts()})"
                    )
                )
                if on_interrupt is not None:
                    on_interrupt(*job.args_kwargs.get("args", []), **job.args_kwargs.get("kwargs", {}))
                outcome = "failed"
        logger.warning("job %s (%s) of worker %s was interrupted: %s", job.pk, job.task_path, worker_id, outcome)
        recovered.append(Recovered(str(job.pk), job.task_path, worker_id, outcome))
    # forget the workers that are gone (their jobs are dealt with above)
    gone = [worker_id for worker_id in beats if worker_is_gone(worker_id, me=me, beats=beats)]
    if gone:
        WorkerHeartbeat.objects.filter(worker_id__in=gone).delete()
    return recovered


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat and recovers interrupted jobs now and then, beside the
    worker's own loop (a thread, so it beats while a long job runs). Database errors are
    logged and retried at the next beat: an outage must not stop the worker."""

    def __init__(self, worker_id: str):
        super().__init__(name="qiaolian-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        last_recovery = time.monotonic()
        try:
            while not self.stopping.wait(heartbeat_seconds()):
                close_old_connections()
                try:
                    worker_beat(self.worker_id)
                    if time.monotonic() - last_recovery >= recover_seconds():
                        last_recovery = time.monotonic()
                        jobs_recover(me=self.worker_id)
                except Exception:
                    logger.warning("worker heartbeat failed; retrying", exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=heartbeat_seconds() + 5)
