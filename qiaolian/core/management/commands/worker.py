"""``qiaolian worker``: django-tasks-db's ``db_worker`` with heartbeats, the recovery of jobs left
RUNNING by a worker that was killed (``core.jobs``), and patience with the database: when it goes
away (a PostgreSQL restart) the worker waits and starts again instead of exiting, which under
``qiaolian serve`` would stop the web server too."""

from __future__ import annotations

import contextlib
import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections

from qiaolian.core import jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the background worker: recover interrupted jobs, then work the queue (db_worker)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queue-name", default="*", help="queues to work, comma-separated ('*': all)")
        parser.add_argument("--interval", default="1", help="seconds between two looks at an empty queue")
        parser.add_argument("--batch", action="store_true", help="work the jobs waiting now, then exit")
        parser.add_argument("--max-tasks", help="exit after this many jobs")

    def handle(self, *, queue_name: str, interval: str, batch: bool, max_tasks: str | None, **options) -> None:
        pause = 1.0
        while True:
            try:
                self.work(queue_name=queue_name, interval=interval, batch=batch, max_tasks=max_tasks, options=options)
                return
            except (OperationalError, InterfaceError) as error:
                # A job that was running when the database went away was interrupted with it: the
                # next round has a new id, so it sees that job as its predecessor's and recovers it.
                logger.warning("database unavailable (%s); the worker starts again in %.0f s", error, pause)
                self.stderr.write(f"qiaolian worker: database unavailable, retrying in {pause:.0f} s")
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, 30)

    def work(self, *, queue_name: str, interval: str, batch: bool, max_tasks: str | None, options: dict) -> None:
        worker_id = jobs.worker_id_new()
        jobs.worker_beat(worker_id)
        for item in jobs.jobs_recover(me=worker_id):
            self.stdout.write(f"interrupted job {item.task_id} ({item.task_path}) of {item.worker_id}: {item.outcome}")
        heartbeat = jobs.Heartbeat(worker_id)
        heartbeat.start()
        args = ["--queue-name", queue_name, "--interval", interval, "--worker-id", worker_id, "--no-reload"]
        if batch:
            args.append("--batch")
        if max_tasks:
            args += ["--max-tasks", max_tasks]
        try:
            call_command("db_worker", *args, verbosity=options.get("verbosity", 1))
        finally:
            heartbeat.stop()
            with contextlib.suppress(Exception):  # the database may be the reason we stop
                jobs.worker_unregister(worker_id)
