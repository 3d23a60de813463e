"""What the privacy app keeps of its own: one row per run of a retention rule (retention.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One run of one retention rule: when, up to which moment records were due, how many were
    processed. Dry runs are not recorded."""

    rule = models.CharField(_("规则"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))
    cutoff = models.DateTimeField(_("截止时间"), help_text=_("此时间之前开始计时的记录已到期"))
    days = models.PositiveIntegerField(_("保存期限（天）"))
    processed = models.PositiveIntegerField(_("处理条数"), default=0)
    skipped = models.PositiveIntegerField(_("跳过条数"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("保存期限执行记录")
        verbose_name_plural = _("保存期限执行记录")
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule} {self.finished_at:%Y-%m-%d %H:%M}"
