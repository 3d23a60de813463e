"""Overseas liaison (海外联谊): overseas associations and contacts, the interaction log and
follow-ups, and youth camps (寻根之旅) with their enrolments and attendance (DOMAIN.md §4, W11)."""

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
from qiaolian.registry.choices import Sex

# PIPL Art. 28/31: all information of a child under 14 is sensitive and needs a guardian's consent.
GUARDIAN_CONSENT_AGE = 14


class AssociationType(models.TextChoices):
    HOMETOWN = "hometown", _("同乡会")
    CHAMBER = "chamber", _("商会")
    FEDERATION = "federation", _("联合总会")
    PROFESSIONAL = "professional", _("专业协会")
    STUDENTS = "students", _("学联/留学生会")
    CULTURE = "culture", _("文化/华教")
    OTHER = "other", _("其他")


class Relationship(models.TextChoices):
    CORE = "core", _("密切合作")
    REGULAR = "regular", _("经常联系")
    OCCASIONAL = "occasional", _("一般联系")
    NEW = "new", _("初步接触")
    DORMANT = "dormant", _("暂无往来")


class OverseasAssociation(Recorded):
    """An overseas Chinese association (海外社团) a federation keeps in touch with."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("联系侨联"), on_delete=models.PROTECT, related_name="overseas_associations"
    )
    name = models.CharField(_("社团名称"), max_length=120)
    type = models.CharField(_("社团类型"), max_length=16, choices=AssociationType.choices, db_index=True)
    country = CountryField(_("国家/地区"), db_index=True)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    leaders = models.CharField(_("负责人"), max_length=200, blank=True, help_text=_("如 会长 张明（2021年起）"))
    relationship = models.CharField(
        _("联系程度"), max_length=16, choices=Relationship.choices, default=Relationship.OCCASIONAL
    )
    last_contact_on = models.DateField(_("最近联系日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("海外社团")
        verbose_name_plural = _("海外社团")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("liaison:association_detail", args=[self.pk])


class ContactKind(models.TextChoices):
    TALENT = "talent", _("高层次人才")
    STUDENT = "student", _("留学人员")
    LEADER = "leader", _("社团负责人")
    HK_MACAO = "hk_macao", _("港澳人士")
    OTHER = "other", _("其他")


class OverseasContact(Recorded):
    """A person abroad (or in Hong Kong/Macao) the federation keeps in touch with."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("联系侨联"), on_delete=models.PROTECT, related_name="overseas_contacts"
    )
    name = models.CharField(_("姓名"), max_length=60)
    foreign_name = models.CharField(_("外文名"), max_length=100, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=ContactKind.choices, db_index=True)
    country = CountryField(_("国家/地区"), db_index=True)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    association = models.ForeignKey(
        OverseasAssociation,
        verbose_name=_("所在社团"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    organization = models.CharField(_("工作单位"), max_length=120, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overseas_contacts",
    )
    phone = ProtectedField(_("电话"), kind=Kind.PHONE)
    phone_hash = BlindIndexField(source="phone")
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("海外联系人")
        verbose_name_plural = _("海外联系人")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("liaison:contact_detail", args=[self.pk])


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("会见")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("走访")
    LETTER = "letter", _("信函")
    VIDEO = "video", _("视频")
    OTHER = "other", _("其他")


class Interaction(models.Model):
    contact = models.ForeignKey(
        OverseasContact, verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="interactions"
    )
    occurred_on = models.DateField(_("日期"))
    kind = models.CharField(_("方式"), max_length=16, choices=InteractionKind.choices)
    summary = models.TextField(_("内容摘要"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "contact__federation"

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class FollowUp(models.Model):
    contact = models.ForeignKey(
        OverseasContact, verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_on = models.DateField(_("到期日"), db_index=True)
    what = models.CharField(_("跟进事项"), max_length=200)
    done = models.BooleanField(_("已完成"), default=False)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "contact__federation"

    class Meta:
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        ordering = ["done", "due_on", "id"]

    def __str__(self) -> str:
        return self.what

    def get_absolute_url(self) -> str:
        return self.contact.get_absolute_url()


class CampMode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")


class Camp(Recorded):
    """A youth camp (寻根之旅, 夏令营) for overseas young people of Chinese descent."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("承办侨联"), on_delete=models.PROTECT, related_name="camps"
    )
    title = models.CharField(_("营名"), max_length=120)
    mode = models.CharField(_("形式"), max_length=8, choices=CampMode.choices, default=CampMode.OFFLINE)
    organizer = models.CharField(_("主办单位"), max_length=120, blank=True, help_text=_("如 市侨联"))
    starts_on = models.DateField(_("开营日期"), db_index=True)
    ends_on = models.DateField(_("结营日期"))
    capacity = models.PositiveIntegerField(_("录取名额"))
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), default=12)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), default=18)
    description = models.TextField(_("简介"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("青少年营")
        verbose_name_plural = _("青少年营")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("liaison:camp_detail", args=[self.pk])


class CampSession(models.Model):
    camp = models.ForeignKey(Camp, verbose_name=_("营"), on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=120)

    objects = ScopedManager()
    jurisdiction_path = "camp__federation"

    class Meta:
        verbose_name = _("营期活动")
        verbose_name_plural = _("营期活动")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%m-%d} {self.topic}"

    def get_absolute_url(self) -> str:
        return self.camp.get_absolute_url()


class ChineseLevel(models.TextChoices):
    NONE = "none", _("零基础")
    BASIC = "basic", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    ADVANCED = "advanced", _("高级")
    NATIVE = "native", _("母语水平")


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("已报名")
    ADMITTED = "admitted", _("已录取")
    WAITLISTED = "waitlisted", _("候补")
    DECLINED = "declined", _("未录取")
    ATTENDED = "attended", _("已参营")


class Enrolment(models.Model):
    """One young person's application to a camp (DOMAIN.md W11)."""

    camp = models.ForeignKey(Camp, verbose_name=_("营"), on_delete=models.CASCADE, related_name="enrolments")
    name = models.CharField(_("中文姓名"), max_length=60)
    foreign_name = models.CharField(_("外文名"), max_length=100, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"))
    country = CountryField(_("国家/地区"), db_index=True)
    city = models.CharField(_("城市"), max_length=60, blank=True)
    school = models.CharField(_("就读学校"), max_length=120, blank=True)
    chinese_level = models.CharField(_("中文水平"), max_length=16, choices=ChineseLevel.choices, blank=True)
    languages = models.CharField(_("语言"), max_length=100, blank=True, help_text=_("如 英语、法语"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=60, blank=True)
    guardian_relation = models.CharField(_("与监护人关系"), max_length=30, blank=True)
    guardian_consent = models.BooleanField(_("监护人同意"), default=False)
    passport_number = ProtectedField(_("护照号码"), kind=Kind.ID_NUMBER)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_enrolments",
        help_text=_("本人或监护人在门户报名时记录"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    jurisdiction_path = "camp__federation"

    class Meta:
        verbose_name = _("营员报名")
        verbose_name_plural = _("营员报名")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["camp", "name", "birth_date"], name="liaison_enrolment_unique_person")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.camp.get_absolute_url()


class Attendance(models.Model):
    """An enrolled young person was present at a session (a row means present)."""

    session = models.ForeignKey(CampSession, verbose_name=_("营期活动"), on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("营员"), on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager()
    jurisdiction_path = "session__camp__federation"

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="liaison_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}-{self.enrolment_id}"
