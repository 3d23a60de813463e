"""Activities and campaigns (DOMAIN.md §4, W9): what the federations do, recorded as it happens.

An activity is filed under one of the four projects, may belong to a campaign (侨法宣传月 2021)
and a brand (同舟讲坛, 金平果), and is organized by one federation with co-organizers. People
take part as registrations (from the registry, or named cadres and guests), each with a personal
check-in code; public and online reach that is not registered individually is a headcount.
Trainings add sessions with attendance per session.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiaolian.core.fields import ExactKeyField, import_batch_field
from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.models import Recorded
from qiaolian.core.projects import Project


class ActivityKind(models.TextChoices):
    STUDY = "study", _("学习教育")
    PUBLICITY = "publicity", _("主题宣传")
    REPORT = "report", _("报告会/宣讲")
    LECTURE = "lecture", _("讲座/讲坛")
    GATHERING = "gathering", _("座谈/联谊")
    PERFORMANCE = "performance", _("文艺演出")
    EXHIBITION = "exhibition", _("书画摄影展")
    TRAINING = "training", _("培训")
    VISIT = "visit", _("走访慰问")
    LAW = "law", _("侨法宣传")
    RESEARCH = "research", _("调研")
    CAMP = "camp", _("夏令营")
    CONTEST = "contest", _("比赛")
    ENTERPRISE = "enterprise", _("企业走访")
    LIAISON = "liaison", _("海外联谊")
    MEETING = "meeting", _("会议")
    VOLUNTEER = "volunteer", _("志愿服务")
    OTHER = "other", _("其他")


class Mode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")
    HYBRID = "hybrid", _("线上线下结合")


class Status(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("报名中")
    HELD = "held", _("已举办")
    REPORTED = "reported", _("已总结")
    ARCHIVED = "archived", _("已归档")
    CANCELLED = "cancelled", _("已取消")


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("参加者")
    SPEAKER = "speaker", _("主讲/发言")
    PERFORMER = "performer", _("演出者")
    VOLUNTEER = "volunteer", _("志愿者")
    ORGANIZER = "organizer", _("组织者")
    TRAINEE = "trainee", pgettext_lazy("activity role", "学员")


class Brand(models.Model):
    """A named programme that recurs (侨法宣传月, 同舟讲坛, 金平果 …): a configurable list."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    project = models.CharField(_("所属工程"), max_length=16, choices=Project.choices)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("品牌/系列")
        verbose_name_plural = _("品牌/系列")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:brand_list")


class Campaign(Recorded):
    """Activities grouped over a period: 2021年侨法宣传月, 侨心向党, 党史学习教育 …"""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("牵头侨联"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("名称"), max_length=120)
    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌/系列"), null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    project = models.CharField(_("所属工程"), max_length=16, choices=Project.choices, db_index=True)
    starts_on = models.DateField(_("开始日期"), db_index=True)
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("简介"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("专项活动")
        verbose_name_plural = _("专项活动")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:campaign_detail", args=[self.pk])


class Activity(Recorded):
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("主办侨联"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=150)
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices, db_index=True)
    project = models.CharField(_("所属工程"), max_length=16, choices=Project.choices, db_index=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("所属专项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    brand = models.ForeignKey(
        Brand, verbose_name=_("品牌/系列"), null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    co_federations = models.ManyToManyField(
        "orgs.Federation", verbose_name=_("协办侨联"), blank=True, related_name="co_organized_activities"
    )
    partners = models.ManyToManyField(
        "orgs.PartnerFederation", verbose_name=_("合作侨联"), blank=True, related_name="activities"
    )
    stations = models.ManyToManyField(
        "orgs.Station", verbose_name=_("承办侨之家/驿站"), blank=True, related_name="hosted_activities"
    )
    other_organizers = models.CharField(
        _("其他主办/协办单位"), max_length=200, blank=True, help_text=_("如 区委统战部、区司法局")
    )
    mode = models.CharField(_("形式"), max_length=8, choices=Mode.choices, default=Mode.OFFLINE, db_index=True)
    place = models.CharField(_("地点"), max_length=150, blank=True)
    online_platform = models.CharField(
        _("线上平台"), max_length=100, blank=True, help_text=_("如 微信视频号、腾讯会议")
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("不限名额请留空"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    summary = models.TextField(_("活动总结"), blank=True)
    audience = models.PositiveIntegerField(_("现场人数"), null=True, blank=True, help_text=_("未逐一登记的到场人数"))
    online_views = models.PositiveIntegerField(_("线上观看/参与人次"), null=True, blank=True)
    budget = models.DecimalField(_("经费（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    is_published = models.BooleanField(_("在门户发布"), default=False)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["federation", "starts_at"], name="activity_fed_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity_detail", args=[self.pk])

    @property
    def reach(self) -> int:
        return (self.audience or 0) + (self.online_views or 0)


class Registration(models.Model):
    """One participant of an activity: a person from the registry, or a named cadre or guest.

    ``participant_key`` identifies the participant across activities (``p<person id>`` or
    ``n:<name>|<organization>``): distinct participants are counted on it, and it is unique per
    activity so nobody is registered twice.
    """

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_registrations",
    )
    name = models.CharField(_("姓名"), max_length=60)
    organization = models.CharField(_("单位"), max_length=120, blank=True)
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    participant_key = ExactKeyField(max_length=200, editable=False, db_index=True)
    code = models.CharField(_("签到码"), max_length=12, unique=True, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_registrations",
        help_text=_("本人在门户报名时记录"),
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    import_batch = import_batch_field()

    objects = ScopedManager()
    jurisdiction_path = "activity__federation"

    class Meta:
        verbose_name = _("参与登记")
        verbose_name_plural = _("参与登记")
        ordering = ["activity", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "participant_key"], name="activities_registration_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:registration_ticket", args=[self.pk])


class Session(models.Model):
    """One session of a training (or of any activity over several days)."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("时间"))
    topic = models.CharField(_("主题"), max_length=150)
    speaker = models.CharField(_("主讲人"), max_length=60, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "activity__federation"

    class Meta:
        verbose_name = _("课程/场次")
        verbose_name_plural = _("课程/场次")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return self.activity.get_absolute_url()


class SessionAttendance(models.Model):
    """A registered participant was present at a session (a row means present)."""

    session = models.ForeignKey(Session, verbose_name=_("场次"), on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(
        Registration, verbose_name=pgettext_lazy("activity role", "学员"), on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager()
    jurisdiction_path = "session__activity__federation"

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [models.UniqueConstraint(fields=["session", "registration"], name="activities_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}-{self.registration_id}"


class Photo(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="activities/photos/%Y/")
    caption = models.CharField(_("说明"), max_length=150, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "activity__federation"

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name.rsplit("/", 1)[-1]

    def get_absolute_url(self) -> str:
        return self.activity.get_absolute_url()


class Attachment(models.Model):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("名称"), max_length=150)
    file = models.FileField(_("文件"), upload_to="activities/files/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "activity__federation"

    class Meta:
        verbose_name = _("活动附件")
        verbose_name_plural = _("活动附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.activity.get_absolute_url()
