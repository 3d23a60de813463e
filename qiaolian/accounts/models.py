from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区侨联管理员")
    DISTRICT_STAFF = "district_staff", _("区侨联工作人员")
    TOWN_STAFF = "town_staff", _("街镇/园区侨联工作人员")
    STATION_MANAGER = "station_manager", _("侨之家/驿站负责人")
    LEADER = "leader", _("领导（只读）")
    JUDGE = "judge", _("评委")
    CPPCC_MEMBER = "cppcc_member", _("政协侨联界别委员")
    AUDITOR = "auditor", _("审计员")
    PUBLIC = "public", _("公众用户")


STAFF_ROLES = frozenset(r for r in Role if r != Role.PUBLIC)


class User(AbstractUser):
    """A person who signs in. Staff work in one federation, which sets what they may see."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("所在侨联"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is kept; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
