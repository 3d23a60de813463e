"""Contests (DOMAIN.md §4, W10) and the entrepreneurship competition's project intake.

A contest ("充满阳光" 摄影、微视频大赛 2022) has categories (摄影 单幅, 摄影 组照, 微视频) with file
rules, criteria with weights and a panel of judges. Entries come from the portal (or are keyed
in by staff), are screened, judged anonymously (judges see ``code``, never the author), scored
per criterion, aggregated by one documented rule and awarded. Files are kept as uploaded
(``original``, never served publicly) plus a web-size copy without EXIF location and a thumbnail,
both made in the background.

Competition projects are the projects a federation recruits for 上海海峡两岸青年创业大赛,
counted by source region (overseas with country, 香港, 澳门, 台湾, 内地).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qiaolian.core.fields import import_batch_field
from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.masking import Kind
from qiaolian.core.models import Recorded
from qiaolian.core.projects import Project
from qiaolian.core.protected import BlindIndexField, ProtectedField


class ContestStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ANNOUNCED = "announced", _("已发布")
    OPEN = "open", _("征集中")
    SCREENING = "screening", _("形式审查")
    JUDGING = "judging", _("评审中")
    NOTICE = "notice", _("结果公示")
    FINAL = "final", _("已揭晓")


# States in which the portal shows the contest.
PUBLIC_STATES = (
    ContestStatus.ANNOUNCED,
    ContestStatus.OPEN,
    ContestStatus.SCREENING,
    ContestStatus.JUDGING,
    ContestStatus.NOTICE,
    ContestStatus.FINAL,
)


class Contest(Recorded):
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("主办侨联"), on_delete=models.PROTECT, related_name="contests"
    )
    title = models.CharField(_("大赛名称"), max_length=150)
    title_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    project = models.CharField(_("所属工程"), max_length=16, choices=Project.choices, default=Project.NINGXIN)
    theme = models.TextField(_("征集主题"), blank=True)
    theme_en = models.TextField(_("征集主题（英文）"), blank=True)
    rules = models.TextField(_("参赛规则"), blank=True)
    rules_en = models.TextField(_("参赛规则（英文）"), blank=True)
    eligibility = models.TextField(_("参赛对象"), blank=True, help_text=_("如 归侨侨眷、海外侨胞及港澳台同胞"))
    eligibility_en = models.TextField(_("参赛对象（英文）"), blank=True)
    opens_at = models.DateTimeField(_("征集开始"))
    closes_at = models.DateTimeField(_("征集截止"))
    max_entries_per_author = models.PositiveSmallIntegerField(_("每人限投件数"), default=3)
    status = models.CharField(
        _("状态"), max_length=12, choices=ContestStatus.choices, default=ContestStatus.DRAFT, db_index=True
    )
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), blank=True, related_name="judged_contests"
    )
    results_published_at = models.DateTimeField(_("结果揭晓时间"), null=True, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("大赛")
        verbose_name_plural = _("大赛")
        ordering = ["-year", "-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contests:contest_detail", args=[self.pk])


class CategoryKind(models.TextChoices):
    PHOTO_SINGLE = "photo_single", _("摄影（单幅）")
    PHOTO_SET = "photo_set", _("摄影（组照）")
    VIDEO = "video", _("微视频")


class Category(models.Model):
    """A category of a contest with its file rules."""

    contest = models.ForeignKey(Contest, verbose_name=_("大赛"), on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("组别"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    kind = models.CharField(_("作品类型"), max_length=16, choices=CategoryKind.choices)
    min_files = models.PositiveSmallIntegerField(_("最少文件数"), default=1)
    max_files = models.PositiveSmallIntegerField(_("最多文件数"), default=1)
    max_file_mb = models.PositiveIntegerField(_("单个文件上限（MB）"), default=20)
    min_long_side = models.PositiveIntegerField(_("图片长边下限（像素）"), default=1000)
    max_duration_seconds = models.PositiveIntegerField(
        _("视频时长上限（秒）"), null=True, blank=True, help_text=_("仅微视频")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()
    jurisdiction_path = "contest__federation"

    class Meta:
        verbose_name = _("组别")
        verbose_name_plural = _("组别")
        ordering = ["contest", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_category_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.contest.get_absolute_url()

    @property
    def is_video(self) -> bool:
        return self.kind == CategoryKind.VIDEO


class Criterion(models.Model):
    """A judging criterion with its weight (the weights of a contest add up to 100)."""

    contest = models.ForeignKey(Contest, verbose_name=_("大赛"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重（%）"))
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()
    jurisdiction_path = "contest__federation"

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["contest", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="contests_criterion_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.contest.get_absolute_url()


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已投稿")
    ELIGIBLE = "eligible", _("审查通过")
    INELIGIBLE = "ineligible", _("不符合要求")
    WITHDRAWN = "withdrawn", _("已撤回")


class Award(models.TextChoices):
    FIRST = "first", _("一等奖")
    SECOND = "second", _("二等奖")
    THIRD = "third", _("三等奖")
    EXCELLENCE = "excellence", _("优秀奖")


class Entry(models.Model):
    """One work submitted to a contest category. Judges know it only by ``code``."""

    contest = models.ForeignKey(Contest, verbose_name=_("大赛"), on_delete=models.PROTECT, related_name="entries")
    category = models.ForeignKey(Category, verbose_name=_("组别"), on_delete=models.PROTECT, related_name="entries")
    code = models.CharField(_("作品编号"), max_length=20, unique=True, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contest_entries",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contest_entries",
    )
    author_name = models.CharField(_("作者"), max_length=60)
    author_country = CountryField(_("作者所在国家/地区"), blank=True, db_index=True)
    author_phone = ProtectedField(_("联系电话"), kind=Kind.PHONE)
    author_phone_hash = BlindIndexField(source="author_phone")
    author_email = models.EmailField(_("电子邮箱"), blank=True)
    title = models.CharField(_("作品名称"), max_length=100)
    description = models.TextField(_("作品说明"), blank=True)
    taken_on = models.DateField(_("拍摄日期"), null=True, blank=True)
    taken_place = models.CharField(_("拍摄地点"), max_length=100, blank=True)
    originality_declared = models.BooleanField(_("原创声明"), default=False)
    portrait_consent = models.BooleanField(
        _("肖像使用已获同意"), default=False, help_text=_("作品含可辨认人物肖像时须获得本人同意")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED, db_index=True
    )
    ineligible_reason = models.CharField(_("不符合原因"), max_length=200, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    screened_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    score = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("奖项"), max_length=12, choices=Award.choices, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("投稿时间"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    jurisdiction_path = "contest__federation"

    class Meta:
        verbose_name = _("参赛作品")
        verbose_name_plural = _("参赛作品")
        ordering = ["contest", "code"]
        indexes = [models.Index(fields=["contest", "category", "status"], name="contests_entry_cat_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("contests:entry_detail", args=[self.pk])


class FileKind(models.TextChoices):
    IMAGE = "image", _("图片")
    VIDEO = "video", _("视频")


class Processing(models.TextChoices):
    PENDING = "pending", _("处理中")
    READY = "ready", _("已完成")
    FAILED = "failed", _("处理失败")


def _entry_path(instance: EntryFile, filename: str) -> str:
    return f"contests/originals/{uuid.uuid4().hex}{_suffix(filename)}"


def _derived_path(instance: EntryFile, filename: str) -> str:
    return f"contests/public/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:6] if dot >= 0 else ""


class EntryFile(models.Model):
    """One file of an entry. ``original`` is kept as received (with its EXIF) and is never served
    to the public; ``web`` (images: at most 2048 px, EXIF location removed) and ``thumbnail`` are
    made in the background. ``sha256`` lets the same file be spotted twice."""

    entry = models.ForeignKey(Entry, verbose_name=_("作品"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=8, choices=FileKind.choices)
    original = models.FileField(_("原始文件"), upload_to=_entry_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件格式"), max_length=40)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    duration_seconds = models.DecimalField(_("时长（秒）"), max_digits=8, decimal_places=2, null=True, blank=True)
    had_location = models.BooleanField(_("原图含位置信息"), default=False)
    web = models.FileField(_("展示文件"), upload_to=_derived_path, max_length=200, blank=True)
    thumbnail = models.FileField(_("缩略图"), upload_to=_derived_path, max_length=200, blank=True)
    processing = models.CharField(
        _("处理状态"), max_length=8, choices=Processing.choices, default=Processing.PENDING, db_index=True
    )
    processing_error = models.CharField(_("处理错误"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "entry__contest__federation"

    class Meta:
        verbose_name = _("作品文件")
        verbose_name_plural = _("作品文件")
        ordering = ["entry", "order", "id"]

    def __str__(self) -> str:
        return self.original_name or self.original.name

    def get_absolute_url(self) -> str:
        return self.entry.get_absolute_url()


class Score(models.Model):
    """One judge's score of one entry on one criterion."""

    entry = models.ForeignKey(Entry, verbose_name=_("作品"), on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评委"), on_delete=models.PROTECT, related_name="contest_scores"
    )
    criterion = models.ForeignKey(Criterion, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("分数"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("评语"), max_length=200, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    objects = ScopedManager()
    jurisdiction_path = "entry__contest__federation"

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge", "criterion"], name="contests_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.judge_id}/{self.criterion_id}={self.value}"


class Objection(models.Model):
    """An objection raised against a result during the public notice (公示)."""

    entry = models.ForeignKey(Entry, verbose_name=_("作品"), on_delete=models.CASCADE, related_name="objections")
    raised_by = models.CharField(_("异议人"), max_length=60)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    reason = models.TextField(_("异议理由"))
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "entry__contest__federation"

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.entry.code} {self.raised_by}"

    def get_absolute_url(self) -> str:
        return self.entry.get_absolute_url()


class Upload(models.Model):
    """A file being uploaded in chunks (large videos): the client sends pieces in order and may
    resume after a broken connection from ``received`` bytes. Finished uploads are attached to an
    entry and then deleted; unfinished ones expire."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("分片上传")
        verbose_name_plural = _("分片上传")

    def __str__(self) -> str:
        return f"{self.filename} {self.received}/{self.size}"


# Entrepreneurship competition ------------------------------------------------------------------


class SourceRegion(models.TextChoices):
    OVERSEAS = "overseas", _("海外")
    HONG_KONG = "hong_kong", _("香港")
    MACAO = "macao", _("澳门")
    TAIWAN = "taiwan", _("台湾")
    MAINLAND = "mainland", _("内地")


class ProjectField(models.TextChoices):
    IT = "it", _("新一代信息技术")
    AI = "ai", _("人工智能")
    BIO = "bio", _("生物医药")
    MANUFACTURING = "manufacturing", _("先进制造")
    ENERGY = "energy", _("新能源/新材料")
    CULTURE = "culture", _("文化创意")
    SERVICES = "services", _("现代服务")
    AGRICULTURE = "agriculture", _("现代农业/食品")
    OTHER = "other", _("其他")


class ProjectStage(models.TextChoices):
    IDEA = "idea", _("创意阶段")
    PROTOTYPE = "prototype", _("产品研发")
    STARTUP = "startup", _("初创运营")
    GROWTH = "growth", _("成长扩张")


class ReferralChannel(models.TextChoices):
    FEDERATION = "federation", _("侨联推荐")
    ASSOCIATION = "association", _("海外社团推荐")
    STUDENTS = "students", _("高校/留学生组织")
    HK_MACAO = "hk_macao", _("港澳机构推荐")
    PARTNER = "partner", _("合作单位推荐")
    SELF = "self", _("自主报名")


class ProjectOutcome(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    PRELIMINARY = "preliminary", _("参加初赛")
    SEMIFINAL = "semifinal", _("晋级复赛")
    FINAL = "final", _("晋级决赛")
    AWARDED = "awarded", _("获奖")
    SETTLED = "settled", _("落地发展")
    WITHDRAWN = "withdrawn", _("退赛")


class CompetitionProject(Recorded):
    """A project recruited for 上海海峡两岸青年创业大赛 by a federation."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("推荐侨联"), on_delete=models.PROTECT, related_name="competition_projects"
    )
    year = models.PositiveSmallIntegerField(_("届（年度）"), db_index=True)
    name = models.CharField(_("项目名称"), max_length=150)
    source_region = models.CharField(_("来源地区"), max_length=12, choices=SourceRegion.choices, db_index=True)
    country = CountryField(_("来源国家"), blank=True, db_index=True, help_text=_("海外项目必填"))
    field = models.CharField(_("领域"), max_length=16, choices=ProjectField.choices)
    stage = models.CharField(_("阶段"), max_length=12, choices=ProjectStage.choices)
    referral_channel = models.CharField(_("推荐渠道"), max_length=12, choices=ReferralChannel.choices)
    outcome = models.CharField(
        _("参赛结果"), max_length=12, choices=ProjectOutcome.choices, default=ProjectOutcome.REGISTERED, db_index=True
    )
    leader_name = models.CharField(_("项目负责人"), max_length=60)
    leader_phone = ProtectedField(_("负责人电话"), kind=Kind.PHONE)
    leader_phone_hash = BlindIndexField(source="leader_phone")
    summary = models.TextField(_("项目简介"), blank=True)
    import_ref = models.CharField(_("导入来源"), max_length=120, blank=True, help_text=_("导入文件名与行号"))
    import_batch = import_batch_field()

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("创业大赛项目")
        verbose_name_plural = _("创业大赛项目")
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name", "leader_name"], name="contests_project_unique"),
        ]
        indexes = [models.Index(fields=["year", "source_region"], name="contests_project_year_region")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contests:project_detail", args=[self.pk])


class TeamMember(models.Model):
    project = models.ForeignKey(
        CompetitionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=60)
    role = models.CharField(_("分工"), max_length=40, blank=True)
    nationality = CountryField(_("国籍/地区"), blank=True)
    is_leader = models.BooleanField(_("负责人"), default=False)

    objects = ScopedManager()
    jurisdiction_path = "project__federation"

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["project", "-is_leader", "id"]

    def __str__(self) -> str:
        return self.name
