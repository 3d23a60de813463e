"""Settings of the worker processes the fault tests start (``test_faults_worker``): the test
suite's, with the database queue, files on disk (MEDIA_ROOT from the environment) and quick
heartbeats."""

from qiaolian.settings_test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
QIAOLIAN_WORKER_HEARTBEAT_SECONDS = 1
QIAOLIAN_JOB_RECOVER_SECONDS = 2
