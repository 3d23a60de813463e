"""The public portal (PRODUCT.md §1): accounts of returned overseas Chinese, relatives, overseas
Chinese and young people who serve themselves; the privacy notice they consent to, with its
version and time (《个人信息保护法》 Art. 14, 29, 31); profile changes that staff review before
they touch the registry; news; and data-subject requests (DOMAIN.md W13).

A portal account is an ``accounts.User`` with role ``public`` and a ``PortalProfile``. It is
linked to a registry person only after staff verify who it is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.masking import Kind
from qiaolian.core.models import Recorded
from qiaolian.core.protected import BlindIndexField, ProtectedField

# PIPL Art. 31: personal information of a child under 14 needs the guardian's consent.
GUARDIAN_CONSENT_AGE = 14


class PortalProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="portal_profile"
    )
    phone = ProtectedField(_("手机号码"), kind=Kind.PHONE)
    phone_hash = BlindIndexField(source="phone")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    country = CountryField(_("居住国家/地区"), blank=True)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    language = models.CharField(_("界面语言"), max_length=10, default="zh-hans")
    contact_verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("所属侨联"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_profiles",
        help_text=_("账号所在街镇侨联；未选择时由区侨联受理"),
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_profiles",
    )
    person_linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person_linked_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    guardian_name = models.CharField(_("监护人姓名"), max_length=60, blank=True)
    guardian_relation = models.CharField(_("与监护人关系"), max_length=30, blank=True)
    guardian_contact = ProtectedField(_("监护人联系方式"), kind=Kind.PHONE)
    deletion_requested_at = models.DateTimeField(_("申请注销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("门户账号资料")
        verbose_name_plural = _("门户账号资料")

    def __str__(self) -> str:
        return str(self.user)


class PrivacyNotice(models.Model):
    """A version of the privacy notice. The newest published one is what sign-up shows."""

    version = models.CharField(_("版本"), max_length=20, unique=True)
    text = models.TextField(_("正文（简体）"))
    text_en = models.TextField(_("正文（英文）"))
    published_at = models.DateTimeField(_("发布时间"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐私政策")
        verbose_name_plural = _("隐私政策")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class ConsentPurpose(models.TextChoices):
    PRIVACY = "privacy", _("个人信息处理（隐私政策）")
    SENSITIVE = "sensitive", _("处理敏感个人信息（单独同意）")
    GUARDIAN = "guardian", _("监护人同意处理未成年人信息")
    PORTRAIT = "portrait", _("作品肖像使用")


class Consent(models.Model):
    """A consent given (never pre-ticked, never bundled), with its notice version and time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="consents"
    )
    notice = models.ForeignKey(
        PrivacyNotice, verbose_name=_("隐私政策版本"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("用途"), max_length=12, choices=ConsentPurpose.choices)
    separate = models.BooleanField(_("单独同意"), default=False)
    method = models.CharField(_("方式"), max_length=40, default="web")
    given_by = models.CharField(_("同意人"), max_length=60, help_text=_("本人，或监护人姓名"))
    given_at = models.DateTimeField(_("同意时间"))
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.purpose} {self.notice}"


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册验证")
    RESET = "reset", _("找回密码")


class VerificationCode(models.Model):
    """A one-time code sent to an e-mail address or phone. Only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=8, choices=CodePurpose.choices)
    channel = models.CharField(max_length=8)  # "email" or "sms"
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class ProfileChange(models.Model):
    """Changes a portal user asks for; staff review them before the profile (and, once linked,
    the registry) changes. ``changes`` maps field names to the new values."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="profile_changes"
    )
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("受理侨联"), on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("申请修改内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True
    )
    note = models.CharField(_("审核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("资料修改申请")
        verbose_name_plural = _("资料修改申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("portal_staff:change_detail", args=[self.pk])


class News(Recorded):
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("发布侨联"), on_delete=models.PROTECT, related_name="news"
    )
    title = models.CharField(_("标题"), max_length=150)
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    body_en = models.TextField(_("英文正文"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("相关活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("新闻")
        verbose_name_plural = _("新闻")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal_staff:news_edit", args=[self.pk])


class DataRequestKind(models.TextChoices):
    DELETE = "delete", _("注销账号并删除个人信息")
    CORRECT = "correct", _("更正个人信息")


class DataRequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    FULFILLED = "fulfilled", _("已办理")
    REFUSED = "refused", _("不予办理")


class DataRequest(models.Model):
    """A data-subject request (DOMAIN.md W13) made from the portal."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    account_label = models.CharField(_("账号"), max_length=150, help_text=_("账号删除后仍可知是谁的申请"))
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("受理侨联"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=DataRequestKind.choices)
    detail = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.RECEIVED, db_index=True
    )
    reason = models.CharField(_("处理说明"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("个人信息权利申请")
        verbose_name_plural = _("个人信息权利申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account_label} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("portal_staff:request_detail", args=[self.pk])
