"""The audit log: append-only and hash-chained.

Each entry stores the SHA-256 of its own content together with the hash of the entry before it,
so changing, removing or inserting an entry breaks the chain from that point on;
``AuditChainHead`` remembers the last sequence number and hash, so cutting entries off the end is
caught as well. The application never updates or deletes entries, and on PostgreSQL a trigger
refuses it at the database too (SQLite refuses updates).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    LOGOUT = "logout", _("退出")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    TOKEN_CREATE = "token_create", _("创建接口令牌")
    CREATE = "create", _("新建")
    CHANGE = "change", _("修改")
    ARCHIVE = "archive", _("归档")
    RESTORE = "restore", _("恢复")
    DELETE = "delete", _("删除")
    REVEAL = "reveal", _("查看敏感信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")


GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    federation_id = models.BigIntegerField(_("所属侨联"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.get_action_display()} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")

    def _target_model(self):
        from django.apps import apps

        try:
            return apps.get_model(self.target_type) if self.target_type else None
        except (LookupError, ValueError):
            return None

    def target_type_label(self) -> str:
        """The kind of record in the user's language (人员, 侨联组织 …)."""
        model = self._target_model()
        return str(model._meta.verbose_name) if model else self.target_type

    def field_label(self) -> str:
        """For reveals: the label of the field that was shown."""
        name = (self.data or {}).get("field", "")
        model = self._target_model()
        try:
            return str(model._meta.get_field(name).verbose_name) if model and name else name
        except Exception:
            return name

    def content(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "federation_id": self.federation_id,
            "ip": self.ip,
            "data": self.data,
        }

    def compute_hash(self) -> str:
        body = json.dumps(self.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256((self.prev_hash + body).encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row: the last entry's sequence number and hash. Locked while an entry is appended."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
