"""One case engine for rights protection (侨益维护), enterprise appeals (企业诉求), consultations,
aid applications and suggestions (DOMAIN.md §4, workflows W5 and W6).

A case belongs to the federation that received it. When it is assigned or handed to another
federation (a town hands a case up to the district), that federation is its handling federation
and both see it (``jurisdiction_path`` names both). Every change of state is a ``CaseEvent`` row
(who, when, from, to, note) as well as an audit entry; the allowed changes are the transition
table in ``services.TRANSITIONS``. Each type has its own required fields (real columns, checked by
the service against ``TYPE_RULES``) and its own deadline in working days on the official calendar
(``workdays``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.masking import Kind
from qiaolian.core.models import Recorded
from qiaolian.core.protected import BlindIndexField, ProtectedField
from qiaolian.registry.choices import Hardship


class CaseType(models.TextChoices):
    RIGHTS = "rights", _("侨益维护")
    ENTERPRISE_APPEAL = "enterprise_appeal", _("企业诉求")
    CONSULTATION = "consultation", _("咨询")
    AID_REQUEST = "aid_request", _("帮扶申请")
    SUGGESTION = "suggestion", _("建言")


class State(models.TextChoices):
    RECEIVED = "received", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("办理中")
    REFERRED = "referred", _("已转办")
    RESOLVED = "resolved", _("已办结")
    FOLLOWED_UP = "followed_up", _("已回访")


# States in which the case is still being worked on (its deadline runs).
OPEN_STATES = (State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REFERRED)
CLOSED_STATES = (State.REJECTED, State.RESOLVED, State.FOLLOWED_UP)


class Channel(models.TextChoices):
    VISIT = "visit", _("来访")
    PHONE = "phone", _("来电")
    LETTER = "letter", _("来信")
    ONLINE = "online", _("网上")
    TRANSFERRED = "transferred", _("转来")
    OVERSEAS = "overseas", _("海外联络点")
    ENTERPRISE_VISIT = "enterprise_visit", _("企业走访")


class RightsCategory(models.TextChoices):
    PROPERTY = "property", _("房屋/拆迁补偿")
    INHERITANCE = "inheritance", _("继承/赠与")
    FAMILY = "family", _("婚姻家庭")
    CONTRACT = "contract", _("租赁/合同")
    INVESTMENT = "investment", _("投资/侨企经营")
    LABOUR = "labour", _("劳动社保")
    HOUSEHOLD = "household", _("户籍/出入境")
    EDUCATION = "education", _("子女教育")
    LITIGATION = "litigation", _("司法执行/诉讼")
    OTHER = "other", _("其他")


class AppealTopic(models.TextChoices):
    FINANCE = "finance", _("融资")
    LAND = "land", _("用地/厂房")
    TALENT = "talent", _("人才/落户")
    POLICY = "policy", _("政策兑现")
    APPROVAL = "approval", _("审批")
    LEGAL = "legal", _("法律")
    MARKET = "market", _("市场")
    OTHER = "other", _("其他")


class ConsultationTopic(models.TextChoices):
    POLICY = "policy", _("侨务政策")
    IDENTITY = "identity", _("归侨侨眷身份认定")
    LAW = "law", _("法律法规")
    HOUSEHOLD = "household", _("户籍/出入境")
    EDUCATION = "education", _("子女教育")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    OTHER = "other", _("其他")


class SuggestionTopic(models.TextChoices):
    FEDERATION = "federation", _("侨联工作")
    ECONOMY = "economy", _("经济发展")
    BUSINESS = "business", _("营商环境")
    GOVERNANCE = "governance", _("社会治理")
    LIVELIHOOD = "livelihood", _("民生保障")
    CULTURE = "culture", _("文化教育")
    OTHER = "other", _("其他")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("问题解决")
    PARTLY = "partly", _("部分解决")
    MEDIATED = "mediated", _("调解成功")
    ANSWERED = "answered", _("答复解释")
    LITIGATION = "litigation", _("引导司法途径")
    UNSOLVED = "unsolved", _("未能解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("未能联系")


@dataclass(frozen=True)
class TypeRule:
    """What a case type needs: its number prefix, its deadline in working days from receipt,
    the type-specific fields it requires and those it may have. Any other type-specific field
    must stay empty."""

    prefix: str
    deadline_days: int
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


# Deadlines follow common practice (信访事项 60 days; 营商环境 rules answer a company's appeal
# in 15 working days); a deployment may change them with the setting QIAOLIAN_CASE_DEADLINES,
# e.g. {"rights": 20}.
TYPE_RULES: dict[str, TypeRule] = {
    CaseType.RIGHTS: TypeRule(
        "QY", 30, required=("category",), optional=("opposing_party", "amount_involved", "is_cross_border")
    ),
    CaseType.ENTERPRISE_APPEAL: TypeRule("SQ", 15, required=("enterprise", "appeal_topic")),
    CaseType.CONSULTATION: TypeRule("ZX", 5, required=("consultation_topic",)),
    CaseType.AID_REQUEST: TypeRule("BF", 15, required=("hardship_type",), optional=("amount_requested",)),
    CaseType.SUGGESTION: TypeRule("JY", 20, required=("suggestion_topic",)),
}
# Fields that belong to one type or another (the enterprise may be named on any case).
TYPE_FIELDS: tuple[str, ...] = (
    "category",
    "opposing_party",
    "amount_involved",
    "is_cross_border",
    "appeal_topic",
    "consultation_topic",
    "hardship_type",
    "amount_requested",
    "suggestion_topic",
)


def deadline_days(case_type: str) -> int:
    configured = getattr(settings, "QIAOLIAN_CASE_DEADLINES", {}) or {}
    return int(configured.get(str(case_type), TYPE_RULES[case_type].deadline_days))


class Case(Recorded):
    number = models.CharField(_("案件编号"), max_length=20, unique=True, editable=False)
    type = models.CharField(_("类型"), max_length=20, choices=CaseType.choices, db_index=True)
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("受理侨联"), on_delete=models.PROTECT, related_name="cases"
    )
    handling_federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("承办侨联"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        help_text=_("分派或移交给其他侨联办理时填写；两级侨联都能看到本案件"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    title = models.CharField(_("事由"), max_length=120)
    description = models.TextField(_("诉求内容"))
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("受理日期"), db_index=True)
    due_on = models.DateField(_("办理期限"), db_index=True)
    due_on_is_estimate = models.BooleanField(
        _("期限为估算"), default=False, help_text=_("期限跨入尚无官方节假日安排的年份，按周一至周五估算")
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True)
    state_since = models.DateField(_("进入当前状态日期"))

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("侨资企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    requester_name = models.CharField(_("当事人/反映人"), max_length=60)
    requester_phone = ProtectedField(_("联系电话"), kind=Kind.PHONE)
    requester_phone_hash = BlindIndexField(source="requester_phone")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("门户账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_cases",
        help_text=_("经门户提交的申请，提交人可查看办理进度和答复"),
    )

    # 侨益维护
    category = models.CharField(_("维权类别"), max_length=16, choices=RightsCategory.choices, blank=True)
    opposing_party = models.CharField(_("对方当事人/涉及单位"), max_length=120, blank=True)
    amount_involved = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    is_cross_border = models.BooleanField(
        _("涉及境外"), default=False, help_text=_("当事人在境外，需委托公证、远程视频或在线庭审等")
    )
    # 企业诉求
    appeal_topic = models.CharField(_("诉求类别"), max_length=16, choices=AppealTopic.choices, blank=True)
    # 咨询
    consultation_topic = models.CharField(_("咨询事项"), max_length=16, choices=ConsultationTopic.choices, blank=True)
    # 帮扶申请
    hardship_type = models.CharField(_("困难类型"), max_length=20, choices=Hardship.choices, blank=True)
    amount_requested = models.DecimalField(_("申请金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    # 建言
    suggestion_topic = models.CharField(_("建言领域"), max_length=16, choices=SuggestionTopic.choices, blank=True)

    # 转办
    referred_to = models.CharField(_("转办单位"), max_length=100, blank=True)
    referred_on = models.DateField(_("转办日期"), null=True, blank=True)
    reply = models.TextField(_("部门答复"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    # 办结 / 不予受理
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices, blank=True, db_index=True)
    resolution = models.TextField(_("办结情况"), blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, db_index=True)
    days_to_close = models.PositiveIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    # 回访
    satisfaction = models.CharField(_("满意度"), max_length=16, choices=Satisfaction.choices, blank=True)
    followed_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访情况"), blank=True)

    objects = ScopedManager()
    # a case handed from a town to the district (or from the district to a town) is seen by both
    jurisdiction_path = ("federation", "handling_federation")

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="case_state_due"),
            models.Index(fields=["federation", "received_on"], name="case_fed_received"),
            models.Index(fields=["type", "received_on"], name="case_type_received"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("casework:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def topic_display(self) -> str:
        """The type's own category (维权类别, 诉求类别 …) for lists."""
        for name in ("category", "appeal_topic", "consultation_topic", "hardship_type", "suggestion_topic"):
            if getattr(self, name):
                return str(getattr(self, f"get_{name}_display")())
        return ""


class CaseEvent(models.Model):
    """One step of a case's timeline: opening it, or a change of state, with who and when."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="events")
    occurred_on = models.DateField(_("日期"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("经办人姓名"), max_length=60, blank=True)
    from_state = models.CharField(_("原状态"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=State.choices)
    note = models.TextField(_("说明"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handling_federation = models.ForeignKey(
        "orgs.Federation",
        verbose_name=_("承办侨联"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.CharField(_("转办单位"), max_length=100, blank=True)
    reply = models.TextField(_("部门答复"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = ("case__federation", "case__handling_federation")

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_state}→{self.to_state}"

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()


class CaseNote(models.Model):
    """A note on a case: internal (staff only), or one that may be shown to the requester."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(_("内容"))
    is_visible_to_requester = models.BooleanField(
        _("当事人可见"), default=False, help_text=_("不勾选为内部备注，仅工作人员可见")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = ("case__federation", "case__handling_federation")

    class Meta:
        verbose_name = _("案件备注")
        verbose_name_plural = _("案件备注")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("名称"), max_length=150)
    file = models.FileField(_("文件"), upload_to="casework/%Y/")
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
    jurisdiction_path = ("case__federation", "case__handling_federation")

    class Meta:
        verbose_name = _("案件附件")
        verbose_name_plural = _("案件附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.case.get_absolute_url()


class CaseSequence(models.Model):
    """The last number given to a case of one type in one year (QY2021-0012), locked while the
    next one is taken so that two clerks never get the same number."""

    prefix = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("案件编号序列")
        verbose_name_plural = _("案件编号序列")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="casework_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}:{self.last}"
