"""Hardship aid (DOMAIN.md §4 "Hardship aid", W4): campaigns, nominations, hand-overs, donations.

A campaign (2021年冬送温暖, 2020年新冠肺炎疫情临时救助 …) is set up by the district with a budget,
standard amounts and goods per kind of recipient, and eligibility rules over the registry's own
fields (hardship, hardship types, category, age, living status). Town federations nominate
persons of their registry; the district approves an amount (the standard, changeable within the
campaign's limit); the visit and hand-over are recorded with the visitors, the date, the cash
and goods, a photo and the signature. Every campaign is 惠侨工程 work (the seed's own filing).

Two guarantees hold under concurrent use and are kept by the database where it can:
a person has at most one open nomination per campaign — so is approved at most once
(``aid_nomination_open_once``) — and, in a campaign that gives one share per household, a
household is approved at most once (``aid_nomination_household_once``, on the household
denormalized onto the nomination). The approved total never exceeds the budget: approvals lock
the campaign row while they add up what is already approved.

Donations received (from overseas associations during the 2020 epidemic, from 侨企 and 侨商) are
kept with where they went: allocations to campaigns or to recipients, never more than received.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qiaolian.core.fields import import_batch_field
from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.models import Recorded


class AidKind(models.TextChoices):
    WINTER = "winter", _("冬送温暖")
    SUMMER = "summer", _("夏送凉")
    SPRING_FESTIVAL = "spring_festival", _("春节慰问")
    EMERGENCY = "emergency", _("临时救助/应急")
    STUDY = "study", _("助学")
    MEDICAL = "medical", _("医疗帮扶")
    OTHER = "other", _("其他")


# The brand (activities.Brand) a campaign of these kinds is filed under, by the brand's name.
KIND_BRANDS = {AidKind.WINTER: "冬送温暖", AidKind.SUMMER: "夏送凉", AidKind.SPRING_FESTIVAL: "春节慰问"}


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("提名中")
    CLOSED = "closed", _("提名截止")
    ARCHIVED = "archived", _("已归档")


class Campaign(Recorded):
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("牵头侨联"), on_delete=models.PROTECT, related_name="aid_campaigns"
    )
    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("帮扶类型"), max_length=20, choices=AidKind.choices, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    brand = models.ForeignKey(
        "activities.Brand",
        verbose_name=_("品牌/系列"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_campaigns",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.OPEN, db_index=True
    )
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, help_text=_("慰问金总额上限"))
    max_amount = models.DecimalField(
        _("单份上限（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("审批金额可在标准基础上调整，但不得超过此数；留空则只受预算限制"),
    )
    per_household = models.BooleanField(
        _("每户限一份"), default=False, help_text=_("同一家庭户在本专项中只能有一人获批")
    )
    # Eligibility, over the registry's fields. Empty lists mean "any".
    requires_hardship = models.BooleanField(_("限困难归侨侨眷"), default=True)
    hardship_types = models.JSONField(_("限困难类型"), default=list, blank=True, help_text=_("不选则不限"))
    categories = models.JSONField(_("限身份类别"), default=list, blank=True, help_text=_("不选则不限"))
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True, help_text=_("按开始日期计算"))
    max_age = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True, help_text=_("按开始日期计算"))
    description = models.TextField(_("说明"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("帮扶专项")
        verbose_name_plural = _("帮扶专项")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="aid_campaign_budget_not_negative",
                violation_error_message=_("预算不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="aid_campaign_dates_ordered",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("aid:campaign_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.status == CampaignStatus.ARCHIVED


class Standard(models.Model):
    """A standard amount and goods for one kind of recipient in a campaign.

    A recipient gets the most specific standard that fits: one naming both their category and
    one of their hardship types, then one naming the category, then the hardship type, then the
    campaign's general one (both left empty)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("帮扶专项"), on_delete=models.CASCADE, related_name="standards"
    )
    label = models.CharField(_("对象"), max_length=60, help_text=_("如 孤寡高龄归侨、其他困难侨眷"))
    category = models.CharField(_("身份类别"), max_length=24, blank=True, help_text=_("不选则不限"))
    hardship_type = models.CharField(_("困难类型"), max_length=24, blank=True, help_text=_("不选则不限"))
    amount = models.DecimalField(_("慰问金（元）"), max_digits=10, decimal_places=2, default=Decimal("0"))
    goods = models.CharField(_("慰问品"), max_length=150, blank=True, help_text=_("如 大米一袋、食用油一桶"))

    objects = ScopedManager()
    jurisdiction_path = "campaign__federation"

    class Meta:
        verbose_name = _("帮扶标准")
        verbose_name_plural = _("帮扶标准")
        ordering = ["campaign", "-amount", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "category", "hardship_type"],
                name="aid_standard_unique",
                violation_error_message=_("本专项已有相同身份类别和困难类型的标准。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="aid_standard_amount_not_negative",
                violation_error_message=_("慰问金不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return self.campaign.get_absolute_url()

    @property
    def specificity(self) -> int:
        return (2 if self.category else 0) + (1 if self.hardship_type else 0)


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("待审批")
    DEFERRED = "deferred", _("暂缓")
    APPROVED = "approved", _("已审批")
    DELIVERED = "delivered", _("已发放")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# A person has at most one nomination in these states per campaign (so is approved at most once).
OPEN_STATES = (
    NominationStatus.NOMINATED,
    NominationStatus.DEFERRED,
    NominationStatus.APPROVED,
    NominationStatus.DELIVERED,
)
# States that hold a share of the budget.
APPROVED_STATES = (NominationStatus.APPROVED, NominationStatus.DELIVERED)


class Nomination(models.Model):
    """A person nominated for a campaign by their federation, and what was decided for them."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("帮扶专项"), on_delete=models.PROTECT, related_name="nominations"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("帮扶对象"), on_delete=models.PROTECT, related_name="aid_nominations"
    )
    federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("所属侨联"),
        on_delete=models.PROTECT,
        related_name="aid_nominations",
        help_text=_("提名时帮扶对象所属的侨联"),
    )
    # Denormalized at nomination, so the database can hold the once-per-household rule.
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("家庭户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_nominations",
    )
    once_per_household = models.BooleanField(default=False, editable=False)
    category = models.CharField(_("身份类别"), max_length=24, help_text=_("提名时的身份类别"))
    hardship_types = models.JSONField(_("困难类型"), default=list, blank=True)
    reason = models.TextField(_("提名理由"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=NominationStatus.choices, default=NominationStatus.NOMINATED, db_index=True
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("适用标准"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(_("审批金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    goods = models.CharField(_("慰问品"), max_length=150, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("提名时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    import_batch = import_batch_field()

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("帮扶提名")
        verbose_name_plural = _("帮扶提名")
        ordering = ["campaign", "federation__path", "person__name_pinyin", "id"]
        indexes = [models.Index(fields=["campaign", "status"], name="aid_nomination_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(status__in=[str(s) for s in OPEN_STATES]),
                name="aid_nomination_open_once",
                violation_error_message=_("该人员在本专项中已有提名，不能重复提名或重复审批。"),
            ),
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(status__in=[str(s) for s in APPROVED_STATES], once_per_household=True),
                name="aid_nomination_household_once",
                violation_error_message=_("本专项每户限一份，该家庭户已有人获批。"),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="aid_nomination_amount_not_negative",
                violation_error_message=_("审批金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.campaign.title}"

    def get_absolute_url(self) -> str:
        return reverse("aid:nomination_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")


STATUS_COLOURS = {
    NominationStatus.NOMINATED: "azure",
    NominationStatus.DEFERRED: "yellow",
    NominationStatus.APPROVED: "blue",
    NominationStatus.DELIVERED: "green",
    NominationStatus.REJECTED: "red",
    NominationStatus.WITHDRAWN: "secondary",
    CampaignStatus.OPEN: "green",
    CampaignStatus.CLOSED: "yellow",
    CampaignStatus.ARCHIVED: "secondary",
}


class HandOver(models.Model):
    """The visit at which the aid was handed over (走访慰问), with its evidence."""

    nomination = models.OneToOneField(
        Nomination, verbose_name=_("帮扶提名"), on_delete=models.CASCADE, related_name="handover"
    )
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人员"), max_length=150, help_text=_("如 区侨联 王主席、朱泾镇侨联 李干事"))
    cash_amount = models.DecimalField(_("实发慰问金（元）"), max_digits=10, decimal_places=2, default=Decimal("0"))
    goods = models.CharField(_("实发慰问品"), max_length=150, blank=True)
    photo = models.ImageField(_("走访照片"), upload_to="aid/photos/%Y/", blank=True)
    signature = models.ImageField(_("签收签名"), upload_to="aid/signatures/%Y/", blank=True)
    received_by = models.CharField(
        _("签收人"), max_length=60, blank=True, help_text=_("本人以外的人代签时填写，如 女儿 张丽（代签）")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    objects = ScopedManager()
    jurisdiction_path = "nomination__federation"

    class Meta:
        verbose_name = _("走访发放记录")
        verbose_name_plural = _("走访发放记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_amount__gte=0),
                name="aid_handover_cash_not_negative",
                violation_error_message=_("实发慰问金不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination.person.name} {self.visited_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.nomination.get_absolute_url()

    @property
    def is_receipted(self) -> bool:
        """Signed for, or photographed at the hand-over (W4 "receipted")."""
        return bool(self.signature or self.photo)


class DonorKind(models.TextChoices):
    ASSOCIATION = "association", _("海外社团")
    ENTERPRISE = "enterprise", _("侨资企业")
    INDIVIDUAL = "individual", _("侨界人士")
    FOUNDATION = "foundation", _("基金会")
    ORGANIZATION = "organization", _("其他单位")


class DonationKind(models.TextChoices):
    MONEY = "money", _("资金")
    GOODS = "goods", _("物资")


class Donation(Recorded):
    """Money or goods received by a federation, and (through allocations) where they went."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("接收侨联"), on_delete=models.PROTECT, related_name="aid_donations"
    )
    donor_name = models.CharField(_("捐赠方"), max_length=120)
    donor_kind = models.CharField(_("捐赠方类型"), max_length=16, choices=DonorKind.choices)
    association = models.ForeignKey(
        "liaison.OverseasAssociation",
        verbose_name=_("海外社团"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_donations",
        help_text=_("捐赠方是已登记的海外社团时选择"),
    )
    country = CountryField(_("国家/地区"), blank=True)
    received_on = models.DateField(_("接收日期"), db_index=True)
    kind = models.CharField(_("捐赠形式"), max_length=8, choices=DonationKind.choices)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, help_text=_("捐赠物资的，填写折合金额")
    )
    goods = models.CharField(_("物资明细"), max_length=200, blank=True, help_text=_("如 医用外科口罩 20000 只"))
    purpose = models.CharField(_("捐赠用途"), max_length=120, blank=True, help_text=_("如 抗击新冠肺炎疫情"))
    receipt_number = models.CharField(_("收据编号"), max_length=40, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="aid_donation_amount_positive",
                violation_error_message=_("金额应大于 0。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor_name}（{self.received_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("aid:donation_detail", args=[self.pk])


class Allocation(models.Model):
    """Where (part of) a donation went: into an aid campaign, or to a recipient or institution."""

    donation = models.ForeignKey(Donation, verbose_name=_("捐赠"), on_delete=models.PROTECT, related_name="allocations")
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("转入帮扶专项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    recipient = models.CharField(
        _("受赠单位/对象"), max_length=120, blank=True, help_text=_("如 金山区公共卫生中心、朱泾镇社区卫生服务中心")
    )
    allocated_on = models.DateField(_("拨付日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, help_text=_("物资填写折合金额"))
    description = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如 口罩 5000 只"))
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
    jurisdiction_path = "donation__federation"

    class Meta:
        verbose_name = _("捐赠去向")
        verbose_name_plural = _("捐赠去向")
        ordering = ["allocated_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="aid_allocation_amount_positive",
                violation_error_message=_("金额应大于 0。"),
            ),
            models.CheckConstraint(
                condition=(Q(campaign__isnull=False) & Q(recipient="")) | (Q(campaign__isnull=True) & ~Q(recipient="")),
                name="aid_allocation_one_destination",
                violation_error_message=_("请选择转入的帮扶专项，或填写受赠单位/对象（二者选一）。"),
            ),
        ]

    def __str__(self) -> str:
        return self.campaign.title if self.campaign_id else self.recipient

    def get_absolute_url(self) -> str:
        return self.donation.get_absolute_url()
