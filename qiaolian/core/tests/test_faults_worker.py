"""A worker killed in the middle of a job (SIGKILL) loses nothing: the job's transaction is rolled
back with its connection, and the next worker to start finds the job left RUNNING, puts it back in
the queue (or gives it up after ``QIAOLIAN_JOB_MAX_ATTEMPTS``) and the record ends consistent.

The process tests start real ``python -m qiaolian worker`` processes against the test database
(PostgreSQL, so that the other processes see it: ``transaction=True``); the jobs pause at each
progress step (``QIAOLIAN_TEST_JOB_DELAY``) so that the kill lands in the middle of one."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qiaolian.core import jobs
from qiaolian.core.models import WorkerHeartbeat
from qiaolian.linkage import services as linkage_services
from qiaolian.linkage.models import LinkageRun, RunStatus
from qiaolian.registry import importing
from qiaolian.registry.models import ImportBatch, ImportIssue, ImportStatus, Person
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.registry.tests.test_import import HEADERS, person_row
from qiaolian.reports import services_review
from qiaolian.reports.models import ReviewDocument, ReviewStatus
from qiaolian.testing import build_jinshan

ROOT = Path(__file__).resolve().parents[3]


def wait_for(
    condition: Callable[[], object], *, timeout: float = 40, what: str = "", log: Callable[[], str] = str
) -> object:
    """Poll ``condition`` until it is true (another process is doing the work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}\n{log()}")


def dead_pid() -> int:
    """A pid that no process has (a child that has exited and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# Recovery, in the test process ------------------------------------------------------------------


def running_job(task, *args, worker_ids: list[str]) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=task.module_path,
        worker_ids=worker_ids,
        backend_name="default",
        run_after=dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
        started_at=dt.datetime.now(dt.UTC),
    )


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def local_worker_id(pid: int) -> str:
    return f"{jobs._hostname()}:{pid}:abcdefgh"


@pytest.mark.django_db
def test_a_job_of_a_dead_worker_is_requeued_once_then_its_batch_fails_cleanly(db_queue):
    from qiaolian.registry.tasks import import_batch_check_task

    js = build_jinshan()
    batch = ImportBatch.objects.create(
        federation=js.zhujing, created_by=js.user("zhujing"), file_name="x.csv", status=ImportStatus.CHECKING
    )
    gone = local_worker_id(dead_pid())
    job = running_job(import_batch_check_task, batch.pk, worker_ids=[gone])

    [first] = jobs.jobs_recover(me="me")
    job.refresh_from_db()
    assert (first.outcome, job.status, job.started_at) == ("requeued", TaskResultStatus.READY, None)

    job.status, job.worker_ids = TaskResultStatus.RUNNING, [gone, local_worker_id(dead_pid())]
    job.save()
    [second] = jobs.jobs_recover(me="me")
    job.refresh_from_db()
    batch.refresh_from_db()
    assert second.outcome == "failed" and job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "qiaolian.core.jobs.JobInterrupted"
    assert batch.status == ImportStatus.FAILED and "任务中断，请重试" in batch.message


@pytest.mark.django_db
def test_an_interrupted_commit_given_up_returns_the_batch_to_confirmation(db_queue, settings):
    from qiaolian.registry.tasks import import_batch_commit_task

    settings.QIAOLIAN_JOB_MAX_ATTEMPTS = 1
    js = build_jinshan()
    batch = ImportBatch.objects.create(
        federation=js.zhujing,
        created_by=js.user("zhujing"),
        file_name="x.csv",
        status=ImportStatus.IMPORTING,
        total_rows=7,
    )
    running_job(import_batch_commit_task, batch.pk, js.user("zhujing").pk, worker_ids=[local_worker_id(dead_pid())])
    [item] = jobs.jobs_recover(me="me")
    batch.refresh_from_db()
    assert item.outcome == "failed"
    assert (batch.status, batch.processed_rows) == (ImportStatus.CHECKED, 7)  # 确认导入 / 取消 again
    assert "没有写入任何数据" in batch.message


@pytest.mark.django_db
def test_interrupted_linkage_run_and_review_document_given_up_are_failed_with_a_message(db_queue, settings):
    from qiaolian.linkage.tasks import linkage_run_task
    from qiaolian.reports.tasks import review_document_task

    settings.QIAOLIAN_JOB_MAX_ATTEMPTS = 1
    js = build_jinshan()
    run = LinkageRun.objects.create(federation=js.zhujing, status=RunStatus.RUNNING)
    document = ReviewDocument.objects.create(
        federation=js.zhujing, start=dt.date(2018, 1, 1), end=dt.date(2022, 12, 31), format="docx", status="running"
    )
    running_job(linkage_run_task, run.pk, worker_ids=[local_worker_id(dead_pid())])
    running_job(review_document_task, document.pk, worker_ids=[local_worker_id(dead_pid())])
    assert {r.outcome for r in jobs.jobs_recover(me="me")} == {"failed"}
    run.refresh_from_db()
    document.refresh_from_db()
    assert run.status == RunStatus.FAILED and "任务中断，请重试" in run.message
    assert document.status == ReviewStatus.FAILED and "任务中断，请重试" in document.error


@pytest.fixture
def live_processes():
    """Two live processes: one whose command line says worker, one that is something else."""
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    worker, other = subprocess.Popen([*sleep, "worker"]), subprocess.Popen([*sleep, "other"])
    yield worker.pid, other.pid
    for process in (worker, other):
        process.kill()
        process.wait()


@pytest.mark.django_db
def test_jobs_of_live_workers_are_left_alone(db_queue, live_processes):
    from qiaolian.linkage.tasks import linkage_run_task

    worker_pid, other_pid = live_processes
    js = build_jinshan()
    run = LinkageRun.objects.create(federation=js.zhujing, status=RunStatus.RUNNING)
    now = dt.datetime.now(dt.UTC)
    WorkerHeartbeat.objects.create(worker_id="elsewhere:12:abcdefgh", hostname="elsewhere", pid=12, seen_at=now)
    running_job(linkage_run_task, run.pk, worker_ids=[local_worker_id(worker_pid)])  # alive
    running_job(linkage_run_task, run.pk, worker_ids=[local_worker_id(other_pid)])  # pid reused: gone
    running_job(linkage_run_task, run.pk, worker_ids=[local_worker_id(os.getpid())])  # my predecessor: gone
    running_job(linkage_run_task, run.pk, worker_ids=["elsewhere:12:abcdefgh"])  # another host, fresh beat
    running_job(linkage_run_task, run.pk, worker_ids=["me"])
    running_job(linkage_run_task, run.pk, worker_ids=["x" * 32])  # a plain db_worker, started just now
    recovered = jobs.jobs_recover(me="me")
    assert sorted(r.worker_id for r in recovered) == sorted([local_worker_id(other_pid), local_worker_id(os.getpid())])

    WorkerHeartbeat.objects.update(seen_at=now - dt.timedelta(minutes=5))
    assert [r.worker_id for r in jobs.jobs_recover(me="me")] == ["elsewhere:12:abcdefgh"]
    assert not WorkerHeartbeat.objects.exists()


# Real worker processes ---------------------------------------------------------------------------


class Workers:
    """Starts ``python -m qiaolian worker`` processes on the test database; kills them at the end."""

    def __init__(self, tmp_path: Path):
        db = connection.settings_dict
        self.media = tmp_path / "media"
        self.media.mkdir()
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "qiaolian.core.tests.settings_faults",
            "MEDIA_ROOT": str(self.media),
        }
        self.env.pop("QIAOLIAN_TEST_JOB_DELAY", None)
        self.started: list[subprocess.Popen] = []

    def start(self, *, delay: float | None = None) -> subprocess.Popen:
        env = dict(self.env)
        if delay:
            env["QIAOLIAN_TEST_JOB_DELAY"] = str(delay)
        log = open(self.logs / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "qiaolian", "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(process)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes need to see the test database (PostgreSQL)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    pool = Workers(tmp_path)
    settings.MEDIA_ROOT = str(pool.media)
    yield pool
    pool.stop_all()


def persons_csv(count: int) -> bytes:
    lines = [",".join(HEADERS)]
    for i in range(count):
        row = person_row(i, 所属侨联="朱泾镇侨联")
        lines.append(",".join(str(row.get(h, "")) for h in HEADERS))
    return "\r\n".join(lines).encode("utf-8")


def batch_now(batch: ImportBatch) -> ImportBatch:
    return ImportBatch.objects.get(pk=batch.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_import_killed_mid_check_and_mid_commit_writes_nothing_and_finishes_after_restart(workers):
    js = build_jinshan()
    actor = js.user("zhujing")
    rows = 1200  # two chunks (1,000 and 200); progress every 200 rows, each pausing 0.4 s
    batch = importing.import_batch_create(actor=actor, upload=SimpleUploadedFile("名单.csv", persons_csv(rows)))

    first = workers.start(delay=0.4)
    wait_for(lambda: batch_now(batch).processed_rows >= 400, what="the check to progress")
    workers.kill(first)
    assert batch_now(batch).status == ImportStatus.CHECKING
    assert not Person.objects.filter(import_batch=batch).exists()
    assert not ImportIssue.objects.filter(batch=batch).exists()

    second = workers.start(delay=0.4)  # finds the check interrupted, runs it again
    checked = wait_for(
        lambda: (b := batch_now(batch)).status != ImportStatus.CHECKING and b, what="the check", log=workers.log
    )
    assert checked.status == ImportStatus.CHECKED, (checked.message, workers.log())
    assert checked.valid_rows == rows

    importing.import_batch_confirm(actor=actor, batch=checked)
    wait_for(lambda: batch_now(batch).processed_rows >= 1200, what="the commit past its first chunk")
    workers.kill(second)  # the first 1,000 persons are inserted, in the commit's open transaction
    assert batch_now(batch).status == ImportStatus.IMPORTING
    assert not Person.objects.filter(import_batch=batch).exists()

    workers.start()
    done = wait_for(
        lambda: (b := batch_now(batch)).status != ImportStatus.IMPORTING and b, what="the commit", log=workers.log
    )
    assert done.status == ImportStatus.DONE, (done.message, workers.log())
    assert done.imported_rows == rows == Person.objects.filter(import_batch=batch).count()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_linkage_run_killed_mid_run_is_run_again_by_the_next_worker(workers):
    js = build_jinshan()
    for _ in range(2):
        PersonFactory(federation=js.zhujing, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F", id_number="")
    run = linkage_services.linkage_run(actor=js.user("zhujing"))

    first = workers.start(delay=5)
    wait_for(lambda: LinkageRun.objects.get(pk=run.pk).stage == "load", what="the run to load")
    workers.kill(first)
    assert LinkageRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    workers.start()
    run = wait_for(
        lambda: (r := LinkageRun.objects.get(pk=run.pk)).status not in (RunStatus.QUEUED, RunStatus.RUNNING) and r,
        what="the run",
        log=workers.log,
    )
    assert run.status == RunStatus.DONE, (run.message, workers.log())
    assert run.pairs_new == 1 == run.pairs.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_review_document_killed_mid_job_is_made_by_the_next_worker(workers):
    js = build_jinshan()
    document = services_review.review_document_start(
        actor=js.user("zhujing"), start=dt.date(2018, 1, 1), end=dt.date(2022, 12, 31), fmt="docx"
    )

    first = workers.start(delay=5)
    wait_for(lambda: ReviewDocument.objects.get(pk=document.pk).progress == 5, what="the job to start")
    workers.kill(first)
    assert ReviewDocument.objects.get(pk=document.pk).status == ReviewStatus.RUNNING

    workers.start()
    document = wait_for(
        lambda: (
            (d := ReviewDocument.objects.get(pk=document.pk)).status not in (ReviewStatus.QUEUED, ReviewStatus.RUNNING)
            and d
        ),
        what="the document",
        log=workers.log,
        timeout=90,  # the review is built from scratch by a cold process
    )
    assert document.status == ReviewStatus.DONE, (document.error, workers.log())
    assert (workers.media / document.file.name).stat().st_size > 0
