"""社情民意 (reports of public opinion, written by CPPCC members of the 侨联 sector and by
informants) and the research report library (调研成果)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.models import Recorded

OPINION_MAX_CHARS = 1500


class OpinionCategory(models.TextChoices):
    ECONOMY = "economy", _("经济发展")
    BUSINESS = "business", _("营商环境")
    GOVERNANCE = "governance", _("社会治理")
    LIVELIHOOD = "livelihood", _("民生保障")
    RIGHTS = "rights", _("侨益维护")
    CULTURE = "culture", _("文化教育")
    OVERSEAS = "overseas", _("海外联谊")
    OTHER = "other", _("其他")


class AuthorKind(models.TextChoices):
    CPPCC_MEMBER = "cppcc_member", _("政协侨联界别委员")
    INFORMANT = "informant", _("信息员")
    STAFF = "staff", _("侨联工作人员")


class OpinionStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    REVIEW = "review", _("内部审核")
    SUBMITTED = "submitted", _("已报送")
    ADOPTED = "adopted", _("已采用")
    NOT_ADOPTED = "not_adopted", _("未采用")


class AdoptionLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    NATIONAL = "national", _("全国")


class OpinionReport(Recorded):
    """One issue per report: facts, analysis and a proposal (DOMAIN.md §4, workflow W7)."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="opinion_reports"
    )
    title = models.CharField(_("标题"), max_length=120)
    category = models.CharField(_("类别"), max_length=16, choices=OpinionCategory.choices)
    body = models.TextField(_("正文"))
    author_name = models.CharField(_("作者"), max_length=60)
    author_kind = models.CharField(_("作者身份"), max_length=16, choices=AuthorKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_reports",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.DRAFT, db_index=True
    )
    submitted_on = models.DateField(_("报送日期"), null=True, blank=True, db_index=True)
    submitted_to = models.CharField(_("报送单位"), max_length=100, blank=True)
    adopted_on = models.DateField(_("采用日期"), null=True, blank=True)
    adoption_level = models.CharField(_("采用层级"), max_length=16, choices=AdoptionLevel.choices, blank=True)
    adopted_by = models.CharField(_("采用单位"), max_length=100, blank=True)
    instruction_on = models.DateField(_("批示日期"), null=True, blank=True)
    instruction_by = models.CharField(_("批示领导"), max_length=60, blank=True)
    instruction = models.TextField(_("批示内容"), blank=True)
    feedback = models.TextField(_("反馈情况"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("社情民意")
        verbose_name_plural = _("社情民意")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["federation", "submitted_on"], name="opinion_fed_submitted_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("advocacy:opinion_detail", args=[self.pk])


class ResearchReport(models.Model):
    """A finished piece of research (调研成果), e.g. 《后疫情时代统战侨务工作的探索与实践》."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="research_reports"
    )
    title = models.CharField(_("题目"), max_length=150)
    authors = models.CharField(_("作者"), max_length=200)
    completed_on = models.DateField(_("完成日期"), db_index=True)
    abstract = models.TextField(_("摘要"))
    keywords = models.CharField(_("关键词"), max_length=150, blank=True)
    file = models.FileField(_("全文"), upload_to="research/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("调研成果")
        verbose_name_plural = _("调研成果")
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("advocacy:research_detail", args=[self.pk])
