"""Retention rules (保存期限): how long each kind of record keeps personal data, in one table.

《个人信息保护法》 Art. 19 and 47: personal information is kept no longer than its purpose needs and
is then deleted or anonymized. Each rule names the model, the moment that starts the clock, the
period (default here, overridable per rule in ``settings.QIAOLIAN_RETENTION_DAYS``) and the
action. ``select(cutoff)`` returns the records whose clock started before ``cutoff`` *and* that
the action has not yet been applied to, so a second run finds nothing more (idempotent).

Run by ``manage.py privacy_retention`` (cron) or the ``retention_run_task`` job; each rule runs in
its own transaction and leaves one ``RetentionRun`` row and one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext_lazy as _

from qiaolian.privacy.anonymize import ANONYMIZED, cases_anonymize, clearing, files_delete_on_commit


class RuleAction(models.TextChoices):
    ANONYMIZE = "anonymize", _("匿名化（保留统计字段）")
    DELETE = "delete", _("删除")
    PURGE_FILES = "purge_files", _("删除文件及单元格内容")


@dataclass(frozen=True)
class RetentionRule:
    key: str
    model: str  # "app_label.ModelName"
    label: str
    clock: str  # what starts the clock, in words for the staff page and docs
    default_days: int
    action: str
    select: Callable[[dt.datetime], models.QuerySet]
    apply: Callable[[models.QuerySet], tuple[int, int]] | None = None  # (processed, skipped)

    @property
    def days(self) -> int:
        overrides = getattr(settings, "QIAOLIAN_RETENTION_DAYS", {}) or {}
        return int(overrides.get(self.key, self.default_days))

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        return now - dt.timedelta(days=self.days)

    def due(self, now: dt.datetime) -> models.QuerySet:
        return self.select(self.cutoff(now))


# Selections: what is due at ``cutoff`` and not yet processed --------------------------------------


def _closed_cases(cutoff: dt.datetime) -> models.QuerySet:
    from qiaolian.casework.models import Case

    return Case.objects.filter(closed_on__isnull=False, closed_on__lt=cutoff.date()).exclude(title=ANONYMIZED)


def _owner_deleted_accounts(cutoff: dt.datetime) -> models.QuerySet:
    """Portal accounts whose owner asked for deletion (portal.mine.deletion_request) and whose
    request staff fulfilled (portal.review.request_fulfil: the account is anonymized and closed
    at ``DataRequest.handled_at``). The remaining row is purged after the period."""
    from django.contrib.auth import get_user_model

    from qiaolian.accounts.models import Role
    from qiaolian.portal.models import DataRequest, DataRequestKind, DataRequestStatus

    fulfilled = DataRequest.objects.filter(
        kind=DataRequestKind.DELETE, status=DataRequestStatus.FULFILLED, handled_at__lt=cutoff, user__isnull=False
    )
    return get_user_model().objects.filter(role=Role.PUBLIC, is_active=False, pk__in=fulfilled.values("user_id"))


def _verification_codes(cutoff: dt.datetime) -> models.QuerySet:
    from qiaolian.portal.models import VerificationCode

    return VerificationCode.objects.filter(expires_at__lt=cutoff)


def _sessions(cutoff: dt.datetime) -> models.QuerySet:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=cutoff)


def _axes(model_name: str):
    def select(cutoff: dt.datetime) -> models.QuerySet:
        return apps.get_model("axes", model_name).objects.filter(attempt_time__lt=cutoff)

    return select


FINISHED_IMPORTS = ("done", "failed", "cancelled", "rolled_back")


def _import_files(cutoff: dt.datetime) -> models.QuerySet:
    from qiaolian.registry.models import ImportBatch

    return ImportBatch.objects.filter(created_at__lt=cutoff, status__in=FINISHED_IMPORTS).exclude(
        file="", rejects_file=""
    )


def _task_results(cutoff: dt.datetime) -> models.QuerySet:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff)


# Actions ------------------------------------------------------------------------------------------


def _anonymize_cases(queryset: models.QuerySet) -> tuple[int, int]:
    return cases_anonymize(queryset), 0


def _delete_accounts(queryset: models.QuerySet) -> tuple[int, int]:
    """Each account in its own savepoint: one that some work record still protects is skipped
    (and counted), not allowed to stop the others."""
    processed = skipped = 0
    for user in queryset.order_by("pk"):
        try:
            with transaction.atomic():
                user.delete()
            processed += 1
        except ProtectedError:
            skipped += 1
    return processed, skipped


def _purge_import_files(queryset: models.QuerySet) -> tuple[int, int]:
    """The uploaded file and the rejects file hold every row as typed; the batch's counts stay,
    and the cell contents quoted in its issues are cleared."""
    from qiaolian.registry.models import ImportBatch, ImportIssue

    ids = list(queryset.values_list("pk", flat=True))
    batches = ImportBatch.objects.filter(pk__in=ids)
    files_delete_on_commit(batches, ("file", "rejects_file"))
    batches.update(file="", rejects_file="")
    ImportIssue.objects.filter(batch_id__in=ids).update(**clearing(ImportIssue, ("value",)))
    return len(ids), 0


def _delete(queryset: models.QuerySet) -> tuple[int, int]:
    label = queryset.model._meta.label
    return queryset.delete()[1].get(label, 0), 0


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        key="closed_cases",
        model="casework.Case",
        label=_("已办结诉求案件"),
        clock=_("案件办结日期（closed_on）"),
        default_days=5 * 365,
        action=RuleAction.ANONYMIZE,
        select=_closed_cases,
        apply=_anonymize_cases,
    ),
    RetentionRule(
        key="deleted_portal_accounts",
        model="accounts.User",
        label=_("本人申请注销的门户账号"),
        clock=_("注销申请办结时间（DataRequest.handled_at）"),
        default_days=30,
        action=RuleAction.DELETE,
        select=_owner_deleted_accounts,
        apply=_delete_accounts,
    ),
    RetentionRule(
        key="verification_codes",
        model="portal.VerificationCode",
        label=_("门户验证码"),
        clock=_("验证码失效时间"),
        default_days=7,
        action=RuleAction.DELETE,
        select=_verification_codes,
    ),
    RetentionRule(
        key="expired_sessions",
        model="sessions.Session",
        label=_("已过期的登录会话"),
        clock=_("会话过期时间"),
        default_days=0,
        action=RuleAction.DELETE,
        select=_sessions,
    ),
    RetentionRule(
        key="access_logs",
        model="axes.AccessLog",
        label=_("登录访问日志"),
        clock=_("登录时间"),
        default_days=180,
        action=RuleAction.DELETE,
        select=_axes("AccessLog"),
    ),
    RetentionRule(
        key="access_attempts",
        model="axes.AccessAttempt",
        label=_("登录失败记录"),
        clock=_("最近一次失败时间"),
        default_days=180,
        action=RuleAction.DELETE,
        select=_axes("AccessAttempt"),
    ),
    RetentionRule(
        key="access_failure_logs",
        model="axes.AccessFailureLog",
        label=_("登录失败日志"),
        clock=_("失败时间"),
        default_days=180,
        action=RuleAction.DELETE,
        select=_axes("AccessFailureLog"),
    ),
    RetentionRule(
        key="import_files",
        model="registry.ImportBatch",
        label=_("导入文件与未导入行文件"),
        clock=_("上传时间（导入结束后）"),
        default_days=90,
        action=RuleAction.PURGE_FILES,
        select=_import_files,
        apply=_purge_import_files,
    ),
    RetentionRule(
        key="task_results",
        model="django_tasks_database.DBTaskResult",
        label=_("已完成的后台任务结果"),
        clock=_("任务完成时间"),
        default_days=30,
        action=RuleAction.DELETE,
        select=_task_results,
    ),
)
RULES_BY_KEY = {rule.key: rule for rule in RULES}
