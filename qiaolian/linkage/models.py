"""Duplicate detection in the registry: linkage runs, the candidate pairs they find, and merges
(kept with everything needed to undo them)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiaolian.core.jurisdiction import ScopedQuerySet, scope_for


class BothSidesQuerySet(ScopedQuerySet):
    """Visible only when every federation in ``jurisdiction_paths_all`` is in the user's scope: a
    pair of persons from two towns is seen only by users who can see both persons."""

    def visible_to(self, user) -> BothSidesQuerySet:
        qs = super().visible_to(user)
        scope = scope_for(user)
        if scope.everything or scope.is_empty:
            return qs
        for path in self.model.jurisdiction_paths_all:
            qs = qs.filter(**{f"{path}__in": scope.federation_ids})
        return qs


BothSidesManager = models.Manager.from_queryset(BothSidesQuerySet)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class LinkageRun(models.Model):
    """One search for duplicates over the persons of a federation's subtree."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("查重范围"), on_delete=models.PROTECT, related_name="linkage_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(_("阶段"), max_length=16, blank=True)
    total_persons = models.PositiveIntegerField(_("人员数"), default=0)
    processed_persons = models.PositiveIntegerField(_("已读取"), default=0)
    comparisons = models.PositiveIntegerField(_("比较对数"), default=0)
    pairs_found = models.PositiveIntegerField(_("疑似重复"), default=0)
    pairs_new = models.PositiveIntegerField(_("新增待审"), default=0)
    is_trained = models.BooleanField(_("已训练参数"), default=False)
    threshold = models.FloatField(_("阈值（匹配概率）"), default=0.5)
    message = models.TextField(_("说明"), blank=True)

    objects = BothSidesManager()
    jurisdiction_path = "federation"
    jurisdiction_paths_all = ()

    class Meta:
        verbose_name = _("查重运行")
        verbose_name_plural = _("查重运行")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.federation}（{self.created_at:%Y-%m-%d %H:%M}）"

    def get_absolute_url(self) -> str:
        return reverse("linkage:run_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in {RunStatus.QUEUED, RunStatus.RUNNING}

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.total_persons:
            return 0
        loaded = min(90, round(self.processed_persons * 90 / self.total_persons))
        return loaded + (5 if self.stage == "predict" else 0)


class PairStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    MERGED = "merged", _("已合并")
    DISTINCT = "distinct", _("不是同一人")


class CandidatePair(models.Model):
    """Two persons the engine thinks may be one (``person_a_id < person_b_id``)."""

    run = models.ForeignKey(
        LinkageRun, verbose_name=_("查重运行"), null=True, blank=True, on_delete=models.SET_NULL, related_name="pairs"
    )
    person_a = models.ForeignKey(
        "registry.Person", verbose_name=_("人员甲"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        "registry.Person", verbose_name=_("人员乙"), on_delete=models.CASCADE, related_name="+"
    )
    match_weight = models.FloatField(_("匹配权重"))
    match_probability = models.FloatField(_("匹配概率"), db_index=True)
    reasons = models.JSONField(_("一致项"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=PairStatus.choices, default=PairStatus.PENDING)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    objects = BothSidesManager()
    jurisdiction_path = "person_a__federation"
    jurisdiction_paths_all = ("person_a__federation", "person_b__federation")

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-match_probability", "-match_weight", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="linkage_pair_once"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="linkage_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="linkage_pair_status_idx")]

    def __str__(self) -> str:
        return f"{self.person_a} / {self.person_b}"

    def get_absolute_url(self) -> str:
        return reverse("linkage:pair_detail", args=[self.pk])


class Merge(models.Model):
    """Two persons made one: the merged person is archived and everything linked to it moved to the
    survivor. Keeps what is needed to undo it exactly (``MergeLink`` rows, changed fields)."""

    survivor = models.ForeignKey(
        "registry.Person", verbose_name=_("保留人员"), on_delete=models.PROTECT, related_name="+"
    )
    merged = models.ForeignKey(
        "registry.Person", verbose_name=_("被合并人员"), on_delete=models.PROTECT, related_name="+"
    )
    pair = models.ForeignKey(
        CandidatePair, verbose_name=_("疑似重复"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("合并人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    #: the merged person's field values at the time of merging, masked (for the history page)
    merged_snapshot = models.JSONField(_("被合并人员信息"), default=dict, blank=True)
    #: raw values (ciphertext for protected fields) of the fields the merge changed, to restore
    survivor_before = models.JSONField(default=dict, blank=True)
    merged_before = models.JSONField(default=dict, blank=True)
    is_undone = models.BooleanField(_("已撤销"), default=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = BothSidesManager()
    jurisdiction_path = "survivor__federation"
    jurisdiction_paths_all = ("survivor__federation", "merged__federation")

    class Meta:
        verbose_name = _("合并记录")
        verbose_name_plural = _("合并记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged} → {self.survivor}"

    def get_absolute_url(self) -> str:
        return reverse("linkage:merge_detail", args=[self.pk])


class LinkAction(models.TextChoices):
    MOVED = "moved", _("已转移")
    REMOVED = "removed", _("与保留人员重复，已移除")


class MergeLink(models.Model):
    """One related row a merge changed: which model, which row, which field and its old value; a
    row that clashed with the survivor's (same activity twice …) is removed and kept here whole."""

    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="links")
    model = models.CharField(_("数据类型"), max_length=64)
    row_pk = models.CharField(_("记录编号"), max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    old_value = models.JSONField(_("原值"), null=True, blank=True)
    extra = models.JSONField(_("其他变更"), default=dict, blank=True)
    action = models.CharField(_("处理"), max_length=16, choices=LinkAction.choices, default=LinkAction.MOVED)
    row_data = models.JSONField(_("被移除记录"), default=dict, blank=True)

    class Meta:
        verbose_name = _("合并转移记录")
        verbose_name_plural = _("合并转移记录")
        ordering = ["merge", "id"]

    def __str__(self) -> str:
        return f"{self.model}#{self.row_pk}.{self.field}"

    def _model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    @property
    def model_label(self) -> str:
        """What the row is, in the user's language (海外亲属, 活动报名 …); the label if unknown."""
        model = self._model()
        return str(model._meta.verbose_name) if model is not None else self.model

    @property
    def field_label(self) -> str:
        """The field that pointed at the merged person, by its verbose name."""
        model = self._model()
        if model is not None:
            for model_field in model._meta.concrete_fields:
                if self.field in (model_field.attname, model_field.name):
                    return str(model_field.verbose_name)
        return self.field
