"""侨资企业 (侨企): the enterprises the federation serves (DOMAIN.md §4), and the 聚力工程 work
around them: visits (走访调研) with the appeals (诉求) raised at them, each handled as a case of
the case engine (W6); participation in the CIIE (进博会) and other exhibitions or programmes
("一带一路"); and investment leads introduced through overseas Chinese (以侨引侨).

There is no single national definition of a 侨企; an enterprise is filed by who invested in or
founded it (``InvestorType``), with the origin and country of that investment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qiaolian.core.fields import SearchKeyField, import_batch_field
from qiaolian.core.jurisdiction import ScopedManager
from qiaolian.core.masking import Kind
from qiaolian.core.models import Recorded
from qiaolian.core.protected import BlindIndexField, ProtectedField


class InvestorType(models.TextChoices):
    OVERSEAS = "overseas", _("侨资")
    HK_MACAO = "hk_macao", _("港澳资")
    FAMILY = "family", _("侨属企业")
    NEW_OVERSEAS = "new_overseas", _("新侨创业")


class InvestorOrigin(models.TextChoices):
    OVERSEAS_CHINESE = "overseas_chinese", _("华侨")
    FOREIGN_CHINESE = "foreign_chinese", _("外籍华人")
    HK_MACAO = "hk_macao", _("港澳同胞")
    TAIWAN = "taiwan", _("台湾同胞")
    RETURNEE = "returnee", _("归侨侨眷")
    STUDENT = "student", _("留学归国人员")


class Industry(models.TextChoices):
    """The code list of the published survey forms (DOMAIN.md §3)."""

    AGRICULTURE = "agriculture", _("农业")
    HEAVY = "heavy", _("重工业")
    LIGHT = "light", _("轻工业")
    EDUCATION = "education", _("教育")
    REAL_ESTATE = "real_estate", _("房地产")
    FINANCE = "finance", _("金融")
    INTERNET = "internet", _("互联网")
    BIOMEDICINE = "biomedicine", _("生物医药")
    HIGH_TECH = "high_tech", _("高新科技")
    RESEARCH = "research", _("科研")
    OTHER = "other", _("其他")


class Enterprise(Recorded):
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="enterprises"
    )
    name = models.CharField(_("企业名称"), max_length=150)
    name_key = SearchKeyField(max_length=150)
    name_pinyin = SearchKeyField(max_length=400)
    name_initials = SearchKeyField(max_length=150)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, help_text=_("18 位，含校验位")
    )
    investor_type = models.CharField(_("企业类型"), max_length=16, choices=InvestorType.choices, db_index=True)
    investor_origin = models.CharField(_("投资方身份"), max_length=20, choices=InvestorOrigin.choices, blank=True)
    investor_country = CountryField(_("投资方国家/地区"), blank=True, db_index=True)
    industry = models.CharField(_("行业"), max_length=16, choices=Industry.choices, db_index=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    employees = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = ProtectedField(_("联系电话"), kind=Kind.PHONE)
    contact_phone_hash = BlindIndexField(source="contact_phone")
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        help_text=_("创办人或投资人在侨情库中的记录"),
    )
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("在营"), default=True)
    import_batch = import_batch_field()

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("侨资企业")
        verbose_name_plural = _("侨资企业")
        ordering = ["name_pinyin", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])


# The exhibition most participation records are about; the CIIE was first held in November 2018.
CIIE = "中国国际进口博览会"
CIIE_FIRST_YEAR = 2018
# Names offered on the form; any other exhibition or programme may be typed.
EXHIBITION_SUGGESTIONS = (
    CIIE,
    "“一带一路”国际合作",
    "中国国际工业博览会",
    "中国进出口商品交易会",
    "世界华商大会",
)


class ExhibitionParticipation(models.Model):
    """An enterprise at an exhibition or programme in one year (进博会, “一带一路” …)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="exhibitions"
    )
    year = models.PositiveSmallIntegerField(_("年份"), db_index=True)
    exhibition = models.CharField(_("展会/项目"), max_length=80, default=CIIE)
    booth = models.CharField(_("展位"), max_length=60, blank=True, help_text=_("如 4.1馆 A2-05"))
    notes = models.CharField(_("备注"), max_length=200, blank=True)
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
    jurisdiction_path = "enterprise__federation"

    class Meta:
        verbose_name = _("参展记录")
        verbose_name_plural = _("参展记录")
        ordering = ["-year", "exhibition", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "exhibition"], name="enterprises_participation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.exhibition}"

    def get_absolute_url(self) -> str:
        return self.enterprise.get_absolute_url()

    @property
    def is_ciie(self) -> bool:
        return self.exhibition == CIIE


class Visit(Recorded):
    """A visit to an enterprise (走访调研): who went, what was found, and the appeals raised."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("走访日期"), db_index=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人员"), blank=True, related_name="enterprise_visits"
    )
    visitor_names = models.CharField(
        _("其他走访人员"), max_length=200, blank=True, help_text=_("未在系统中的人员，如 区工商联 张明、镇经发办 李华")
    )
    received_by = models.CharField(_("企业接待人"), max_length=60, blank=True)
    notes = models.TextField(_("走访情况"))

    objects = ScopedManager()
    jurisdiction_path = "enterprise__federation"

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.enterprise}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:visit_detail", args=[self.pk])


class AppealTopic(models.TextChoices):
    """What an enterprise asks for (DOMAIN.md §4); the same codes as the case engine's."""

    FINANCE = "finance", _("融资")
    LAND = "land", _("用地/厂房")
    TALENT = "talent", _("人才/落户")
    POLICY = "policy", _("政策兑现")
    APPROVAL = "approval", _("审批")
    LEGAL = "legal", _("法律")
    MARKET = "market", _("市场")
    OTHER = "other", _("其他")


class Appeal(models.Model):
    """An appeal (诉求) raised at a visit. It is handled as a case of type 企业诉求 in the case
    engine, opened in the same transaction as the appeal; ``case`` stays empty only where the case
    engine's ``case_open`` is not available."""

    visit = models.ForeignKey(Visit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="appeals")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="appeals")
    topic = models.CharField(_("诉求类别"), max_length=16, choices=AppealTopic.choices, db_index=True)
    title = models.CharField(_("诉求事由"), max_length=120)
    description = models.TextField(_("诉求内容"))
    raised_on = models.DateField(_("提出日期"), db_index=True)
    case = models.OneToOneField(
        "casework.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise_appeal",
    )
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
    jurisdiction_path = "enterprise__federation"

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.visit.get_absolute_url()


class LeadStage(models.TextChoices):
    CONTACT = "contact", _("初步接洽")
    NEGOTIATING = "negotiating", _("考察洽谈")
    SIGNED = "signed", _("已签约")
    LANDED = "landed", _("已落地")
    DROPPED = "dropped", _("已终止")


class InvestmentLead(Recorded):
    """An investment project introduced through overseas Chinese (以侨引侨): who introduced it,
    where the investor comes from, how far it went (signed, landed, dropped) and, once it lands,
    the enterprise it became."""

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("跟进侨联"), on_delete=models.PROTECT, related_name="investment_leads"
    )
    project = models.CharField(_("项目名称"), max_length=150)
    investor = models.CharField(_("投资方"), max_length=150, blank=True)
    investor_country = CountryField(_("投资方国家/地区"), db_index=True)
    industry = models.CharField(_("行业"), max_length=16, choices=Industry.choices, db_index=True)
    amount = models.DecimalField(_("意向投资额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    introduced_on = models.DateField(_("引荐日期"), db_index=True)
    introducer_contact = models.ForeignKey(
        "liaison.OverseasContact",
        verbose_name=_("引荐人（海外联系人）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_leads",
    )
    introducer_name = models.CharField(
        _("引荐人"), max_length=100, blank=True, help_text=_("引荐人不在海外联系人名录中时填写姓名和身份")
    )
    stage = models.CharField(
        _("进展"), max_length=16, choices=LeadStage.choices, default=LeadStage.CONTACT, db_index=True
    )
    stage_on = models.DateField(_("进展日期"))
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    dropped_on = models.DateField(_("终止日期"), null=True, blank=True)
    drop_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("落地企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_leads",
    )
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("招商引资线索")
        verbose_name_plural = _("招商引资线索")
        ordering = ["-introduced_on", "-id"]

    def __str__(self) -> str:
        return self.project

    def get_absolute_url(self) -> str:
        return reverse("enterprises:lead_detail", args=[self.pk])

    @property
    def introducer_display(self) -> str:
        if self.introducer_contact_id:
            return str(self.introducer_contact)
        return self.introducer_name


class LeadEvent(models.Model):
    """One step of a lead: introduced, or moved to another stage, with the date and a note."""

    lead = models.ForeignKey(InvestmentLead, verbose_name=_("线索"), on_delete=models.CASCADE, related_name="events")
    occurred_on = models.DateField(_("日期"))
    from_stage = models.CharField(_("原进展"), max_length=16, choices=LeadStage.choices, blank=True)
    to_stage = models.CharField(_("新进展"), max_length=16, choices=LeadStage.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "lead__federation"

    class Meta:
        verbose_name = _("线索进展")
        verbose_name_plural = _("线索进展")
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_to_stage_display()}"

    def get_absolute_url(self) -> str:
        return self.lead.get_absolute_url()
