"""The registry (侨情数据库): persons, households and overseas ties."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qiaolian.core.fields import SearchKeyField, import_batch_field
from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.masking import Kind
from qiaolian.core.protected import BlindIndexField, ProtectedField
from qiaolian.registry import choices as c


class Household(models.Model):
    """A household (户): the persons living at one address, with their relation to the head."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="households"
    )
    label = models.CharField(_("户名"), max_length=60, help_text=_("如 张建国户"))
    address = ProtectedField(_("住址"), kind=Kind.ADDRESS)
    area = models.CharField(_("村居/社区"), max_length=60, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    import_batch = import_batch_field()
    # The 户号 the import file gave the household (valid within that file only).
    import_key = models.CharField(_("导入户号"), max_length=40, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["federation__path", "label", "id"]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.pk])


class Person(models.Model):
    """A person in the registry: a returnee, a relative, an overseas Chinese … (DOMAIN.md §3)."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="persons"
    )
    # Names: as written, plus the keys search and sorting use.
    name = models.CharField(_("姓名"), max_length=60)
    name_key = SearchKeyField(max_length=60)
    name_pinyin = SearchKeyField(max_length=200)
    name_initials = SearchKeyField(max_length=60)
    former_names = models.CharField(_("曾用名"), max_length=100, blank=True)
    foreign_name = models.CharField(_("外文名"), max_length=100, blank=True)
    foreign_name_key = SearchKeyField(max_length=100)
    sex = models.CharField(_("性别"), max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, db_index=True)
    ethnicity = models.CharField(_("民族"), max_length=16, choices=c.ETHNICITY_CHOICES, blank=True)
    # Identity document.
    id_type = models.CharField(_("证件类型"), max_length=24, choices=c.IdType.choices, default=c.IdType.RESIDENT_ID)
    id_number = ProtectedField(_("证件号码"), kind=Kind.ID_NUMBER)
    id_number_hash = BlindIndexField(source="id_number")
    nationality = CountryField(_("国籍"), blank=True, default="CN")
    residence_country = CountryField(_("居住国家/地区"), blank=True)
    # Category and overseas history.
    category = models.CharField(_("身份类别"), max_length=24, choices=c.Category.choices, db_index=True)
    is_new_overseas = models.BooleanField(_("新侨"), default=False)
    is_returnee_entrepreneur = models.BooleanField(_("回国创业人员"), default=False)
    emigration_period = models.CharField(_("出国时期"), max_length=16, choices=c.EmigrationPeriod.choices, blank=True)
    returned_from = CountryField(_("归来国家/地区"), blank=True)
    returned_year = models.PositiveSmallIntegerField(_("归国年份"), null=True, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=60, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=60, blank=True)
    # Where they live and how to reach them.
    address = ProtectedField(_("住址"), kind=Kind.ADDRESS)
    phone = ProtectedField(_("手机/电话"), kind=Kind.PHONE)
    phone_hash = BlindIndexField(source="phone")
    phone_alt = ProtectedField(_("其他电话（含境外）"), kind=Kind.PHONE)
    phone_alt_hash = BlindIndexField(source="phone_alt")
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat = models.CharField(_("微信号"), max_length=60, blank=True)
    # Work and education.
    education = models.CharField(_("学历"), max_length=16, choices=c.Education.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=16, choices=c.Occupation.choices, blank=True)
    industry = models.CharField(_("行业"), max_length=16, choices=c.Industry.choices, blank=True)
    employer = models.CharField(_("工作单位"), max_length=120, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, choices=c.PoliticalStatus.choices, blank=True)
    social_roles = models.CharField(_("社会职务"), max_length=200, blank=True, help_text=_("如 区人大代表、区政协委员"))
    # Hardship, life and verification.
    is_in_hardship = models.BooleanField(_("困难归侨侨眷"), default=False, db_index=True)
    hardship_types = models.JSONField(_("困难类型"), default=list, blank=True)
    hardship_note = models.CharField(_("困难情况说明"), max_length=200, blank=True)
    living_status = models.CharField(
        _("生存状态"), max_length=16, choices=c.LivingStatus.choices, default=c.LivingStatus.LIVING, db_index=True
    )
    deceased_on = models.DateField(_("去世日期"), null=True, blank=True)
    verification = models.CharField(
        _("身份核实"), max_length=20, choices=c.Verification.choices, default=c.Verification.SELF_REPORTED
    )
    source = models.CharField(_("信息来源"), max_length=16, choices=c.Source.choices, default=c.Source.STAFF)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    # Household.
    household = models.ForeignKey(
        Household, verbose_name=_("家庭户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    household_relation = models.CharField(
        _("与户主关系"), max_length=16, choices=c.HouseholdRelation.choices, blank=True
    )
    # Archive instead of delete.
    is_archived = models.BooleanField(_("已归档"), default=False)
    archived_reason = models.CharField(_("归档原因"), max_length=200, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_batch = models.ForeignKey(
        "registry.ImportBatch",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["federation", "is_archived", "name_pinyin", "id"], name="person_fed_pinyin_idx"),
            models.Index(fields=["is_archived", "name_pinyin", "id"], name="person_pinyin_idx"),
            models.Index(fields=["federation", "category"], name="person_fed_category_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=models.Q(id_number_hash__isnull=False),
                name="person_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", args=[self.pk])

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int | None:
        return self.age_on(dt.date.today())

    def hardship_labels(self) -> list[str]:
        labels = dict(c.Hardship.choices)
        return [str(labels.get(h, h)) for h in self.hardship_types]


class OverseasTie(models.Model):
    """An overseas relative of a person in the registry: what makes that person a 侨眷."""

    person = models.ForeignKey(
        Person, verbose_name=_("国内亲属"), on_delete=models.CASCADE, related_name="overseas_ties"
    )
    relative_person = models.ForeignKey(
        Person,
        verbose_name=_("亲属（侨情库人员）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="domestic_ties",
    )
    name = models.CharField(_("亲属姓名"), max_length=60)
    foreign_name = models.CharField(_("外文名"), max_length=100, blank=True)
    relation = models.CharField(_("关系"), max_length=24, choices=c.RelativeRelation.choices)
    status = models.CharField(_("亲属身份"), max_length=20, choices=c.RelativeStatus.choices)
    country = CountryField(_("所在国家/地区"))
    city = models.CharField(_("城市"), max_length=60, blank=True)
    emigrated_year = models.PositiveSmallIntegerField(_("出国年份"), null=True, blank=True)
    emigration_mode = models.CharField(_("出国方式"), max_length=16, choices=c.EmigrationMode.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=60, blank=True)
    associations = models.CharField(_("所在社团"), max_length=150, blank=True)
    support_years = models.PositiveSmallIntegerField(_("扶养年限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=c.TieState.choices, default=c.TieState.ACTIVE)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
    import_batch = import_batch_field()

    objects = ScopedManager()
    jurisdiction_path = "person__federation"

    class Meta:
        verbose_name = _("海外亲属")
        verbose_name_plural = _("海外亲属")
        ordering = ["person", "id"]
        indexes = [models.Index(fields=["country"], name="tie_country_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}，{self.country.name}）"

    def get_absolute_url(self) -> str:
        """A tie is shown on its person's page, in the overseas relatives tab."""
        return reverse("registry:person_detail", args=[self.person_id]) + "?tab=relatives"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("待确认")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")
    ROLLED_BACK = "rolled_back", _("已撤销")


class ImportBatch(models.Model):
    """One uploaded file of records of one kind (persons, enterprises, participants …: see
    ``core.importkinds``): checked first (preview), then imported in one transaction."""

    # ``ImportKind.key``; the kinds register themselves, so this is not a choices field.
    kind = models.CharField(_("导入类型"), max_length=32, default="persons", db_index=True)
    # What the kind asked for at upload (e.g. {"activity": 12}), as ids.
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("导入单位"), on_delete=models.PROTECT, related_name="import_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(_("数据行"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    valid_rows = models.PositiveIntegerField(_("可导入"), default=0)
    invalid_rows = models.PositiveIntegerField(_("有错误"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("已在库中"), default=0)
    # Importable rows that may be a person already in the registry (registry.duplicates).
    warned_rows = models.PositiveIntegerField(_("疑似重复"), default=0)
    imported_rows = models.PositiveIntegerField(_("已导入"), default=0)
    rejects_file = models.FileField(_("未导入行"), upload_to="imports/rejects/%Y/%m/", blank=True)
    message = models.TextField(_("说明"), blank=True)
    # The user's corrections of the column mapping: file column header → field ("" = ignored).
    column_overrides = models.JSONField(_("列对应调整"), default=dict, blank=True)
    # The mapping the last check used: [[sheet-independent header, field or ""], …].
    columns_found = models.JSONField(_("列对应"), default=list, blank=True)
    sheet_names = models.JSONField(_("工作表"), default=list, blank=True)
    # Rows whose 所属侨联 is blank go to the batch's federation (the command line's --federation).
    fills_federation = models.BooleanField(_("所属侨联留空时填导入单位"), default=False)
    rolled_back_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.created_at:%Y-%m-%d %H:%M}）"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in {ImportStatus.UPLOADED, ImportStatus.CHECKING} else 100
        return min(100, round(self.processed_rows * 100 / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING}


class ImportIssue(models.Model):
    """A row of an import that will not be (or was not) imported, with the cell and the reason;
    or, with ``is_warning``, a row that can be imported but should be looked at (it may be a
    person already in the registry)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=40, blank=True)
    value = models.CharField(_("单元格内容"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    is_duplicate = models.BooleanField(_("已在库中"), default=False)
    is_warning = models.BooleanField(_("仅提示（仍导入）"), default=False)

    class Meta:
        verbose_name = _("导入问题")
        verbose_name_plural = _("导入问题")
        ordering = ["batch", "id"]  # file order: sheet by sheet, row by row
        indexes = [models.Index(fields=["batch", "row_number"], name="import_issue_row_idx")]

    def __str__(self) -> str:
        return f"{self.sheet}:{self.row_number}: {self.reason}" if self.sheet else f"{self.row_number}: {self.reason}"
