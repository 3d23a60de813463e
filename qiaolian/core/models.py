"""Abstract bases the domain apps share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Recorded(models.Model):
    """A work record that keeps who entered it and when, and when it last changed (the audit log
    keeps the details; these fields are for lists and exports)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """A running background worker (``qiaolian worker``): it writes ``seen_at`` every few seconds.
    A job left RUNNING by a worker whose row is stale or whose process is gone was interrupted
    (``core.jobs``)."""

    worker_id = models.CharField(_("工作进程"), max_length=64, primary_key=True)
    hostname = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"), auto_now_add=True)
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("后台工作进程")
        verbose_name_plural = _("后台工作进程")

    def __str__(self) -> str:
        return self.worker_id
