"""Work plans (工作规划): a federation's targets per indicator per year for a term, read against
the indicators' values on the dashboard and in the review's 展望."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.models import Recorded


class WorkPlan(Recorded):
    """A federation's plan for a run of years (usually the five years of a term)."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("侨联组织"), on_delete=models.PROTECT, related_name="work_plans"
    )
    title = models.CharField(_("规划名称"), max_length=120)
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("截止年份"))
    summary = models.TextField(_("工作主线与目标"), blank=True, help_text=_("用于五年回顾的“展望”部分。"))

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("工作规划")
        verbose_name_plural = _("工作规划")
        ordering = ["-start_year", "federation__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="reports_plan_years_in_order"
            ),
            models.UniqueConstraint(fields=["federation", "start_year"], name="reports_plan_one_per_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:plan_detail", args=[self.pk])

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class PlanTarget(models.Model):
    """The target value of one indicator (``indicators.BY_CODE``) in one year of a plan."""

    plan = models.ForeignKey(WorkPlan, verbose_name=_("工作规划"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("指标"), max_length=64)
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    notes = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "plan__federation"

    class Meta:
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")
        ordering = ["plan", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "year"], name="reports_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"


class ReviewFormat(models.TextChoices):
    DOCX = "docx", "Word (.docx)"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"


class ReviewStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ReviewDocument(Recorded):
    """A generated review (五年工作回顾) document: made by a background job, kept for download."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("侨联组织"), on_delete=models.PROTECT, related_name="review_documents"
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    format = models.CharField(_("格式"), max_length=8, choices=ReviewFormat.choices)
    status = models.CharField(_("状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to="reports/reviews/%Y/", blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("回顾文档")
        verbose_name_plural = _("回顾文档")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.federation} {self.start:%Y-%m}—{self.end:%Y-%m} {self.format}"
