from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qiaolian.core.jurisdiction import ScopedManager


class Level(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWN = "town", _("街镇/园区级")
    COMMUNITY = "community", _("村居/社区级")


class FederationKind(models.TextChoices):
    DISTRICT = "district", _("区侨联")
    STREET = "street", _("街道侨联")
    TOWN = "town", _("镇侨联")
    PARK = "park", _("园区侨联")
    COMMUNITY = "community", _("村居/社区侨联小组")
    INSTITUTION = "institution", _("单位侨联")


class Federation(models.Model):
    """A federation (侨联组织) in the district's tree: district → street/town/park → community.

    ``path`` is the chain of ids from the root ("000001/000004/"), kept by the services, so a
    subtree is one indexed prefix query.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, help_text=_("如 朱泾镇、石化街道"))
    aliases = models.CharField(_("别名"), max_length=200, blank=True, help_text=_("多个别名用顿号或逗号分隔"))
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=FederationKind.choices)
    code = models.CharField(_("编码"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "id"

    class Meta:
        verbose_name = _("侨联组织")
        verbose_name_plural = _("侨联组织")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:federation_detail", args=[self.pk])

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.replace("、", ",").replace("，", ",").split(",") if a.strip()]


class StationKind(models.TextChoices):
    HOME = "home", _("侨之家")
    NEW_OVERSEAS = "new_overseas", _("新侨驿站")


class Station(models.Model):
    """A station (阵地): a 侨之家 or a 新侨驿站, hosted in a venue and run by a federation."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    federation = models.ForeignKey(
        Federation, verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="stations"
    )
    host_venue = models.CharField(_("依托场所"), max_length=150, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opened_on = models.DateField(_("启用日期"), null=True, blank=True)
    contact_name = models.CharField(_("负责人"), max_length=40, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("阵地")
        verbose_name_plural = _("阵地")
        ordering = ["federation__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="station_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:station_detail", args=[self.pk])


class Term(models.Model):
    """A term (届) of a federation's committee, from one congress to the next."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("侨联组织"), on_delete=models.PROTECT, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("届满日期"))
    congress_name = models.CharField(_("代表大会"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        ordering = ["federation__path", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "number"], name="term_unique_number"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return _("%(federation)s 第%(number)s届") % {"federation": self.federation, "number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("orgs:term_detail", args=[self.pk])


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", _("主席")
    VICE_CHAIR = "vice_chair", _("副主席")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    STANDING = "standing", _("常委")
    MEMBER = "member", _("委员")
    HONORARY_CHAIR = "honorary_chair", _("名誉主席")
    ADVISER = "adviser", _("顾问")


COMMITTEE_ROLE_ORDER = [r.value for r in CommitteeRole]


class CommitteeMember(models.Model):
    term = models.ForeignKey(Term, verbose_name=_("届次"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_seats",
    )
    role = models.CharField(_("职务"), max_length=24, choices=CommitteeRole.choices)
    is_full_time = models.BooleanField(_("专职"), default=False)
    position = models.CharField(_("工作单位及职务"), max_length=150, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = ScopedManager()
    jurisdiction_path = "term__federation"

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["term", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class PartnerFederation(models.Model):
    """A federation outside the district that works with it (e.g. 平湖市侨联, brand 金平果)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    region = models.CharField(_("所在地区"), max_length=100)
    brand = models.CharField(_("合作品牌"), max_length=100, blank=True)
    since = models.DateField(_("合作起始"), null=True, blank=True)
    contact = models.CharField(_("联系人"), max_length=60, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("在合作"), default=True)

    class Meta:
        verbose_name = _("合作侨联")
        verbose_name_plural = _("合作侨联")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:partner_edit", args=[self.pk])


# Elections (换届) ---------------------------------------------------------------------------------


class ElectionMethod(models.TextChoices):
    UNCONTESTED = "uncontested", _("等额选举")
    CONTESTED = "contested", _("差额选举")
    OTHER = "other", _("其他方式")


class Election(models.Model):
    """An election (换届): the congress that closed one term of a federation and opened the next.

    Written only by ``services.election_record``, which also shortens the previous term, creates
    the new one and seats the committee it elected."""

    federation = models.ForeignKey(
        Federation, verbose_name=_("侨联组织"), on_delete=models.PROTECT, related_name="elections"
    )
    held_on = models.DateField(_("选举日期"))
    method = models.CharField(_("选举方式"), max_length=16, choices=ElectionMethod.choices)
    method_note = models.CharField(_("选举方式说明"), max_length=200, blank=True)
    congress_name = models.CharField(_("代表大会"), max_length=100)
    delegate_count = models.PositiveIntegerField(_("代表人数"), null=True, blank=True)
    previous_term = models.ForeignKey(
        Term,
        verbose_name=_("上一届"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closing_elections",
    )
    term = models.OneToOneField(Term, verbose_name=_("新一届"), on_delete=models.PROTECT, related_name="election")
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("换届选举")
        verbose_name_plural = _("换届选举")
        ordering = ["-held_on", "federation__path"]
        indexes = [models.Index(fields=["held_on"], name="election_held_on")]

    def __str__(self) -> str:
        return _("%(federation)s 第%(number)s届换届选举") % {"federation": self.federation, "number": self.term.number}

    def get_absolute_url(self) -> str:
        return reverse("orgs:election_detail", args=[self.pk])


class ElectionDocument(models.Model):
    election = models.ForeignKey(
        Election, verbose_name=_("换届选举"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("名称"), max_length=150)
    file = models.FileField(_("文件"), upload_to="orgs/elections/%Y/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "election__federation"

    class Meta:
        verbose_name = _("换届材料")
        verbose_name_plural = _("换届材料")
        ordering = ["election", "id"]

    def __str__(self) -> str:
        return self.title


# Stations' standards checklist (侨之家规范化建设) ----------------------------------------------------


class ChecklistItem(models.Model):
    """One item of the standards checklist; district-wide configuration, not bound to a place."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    text = models.CharField(_("内容"), max_length=200)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    applies_to_home = models.BooleanField(_("适用于侨之家"), default=True)
    applies_to_new_overseas = models.BooleanField(_("适用于新侨驿站"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("规范化建设检查项")
        verbose_name_plural = _("规范化建设检查项")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.text

    @property
    def short_text(self) -> str:
        """The heading of the item ("有组织" of "有组织：……")."""
        return self.text.split("：", 1)[0]

    def applies_to(self, kind: str) -> bool:
        return {StationKind.HOME: self.applies_to_home, StationKind.NEW_OVERSEAS: self.applies_to_new_overseas}.get(
            kind, False
        )


class AssessmentResult(models.TextChoices):
    MODEL = "model", _("示范点")
    PASSED = "passed", _("达标")
    RECTIFY = "rectify", _("待整改")


class StationAssessment(models.Model):
    """A standards assessment (规范化建设考评) of a station: a score per checklist item."""

    station = models.ForeignKey(Station, verbose_name=_("阵地"), on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("考评日期"))
    assessor = models.CharField(_("考评人"), max_length=100)
    total_score = models.PositiveSmallIntegerField(_("总分"), default=0)
    max_score = models.PositiveSmallIntegerField(_("满分"), default=0)
    result = models.CharField(_("考评结果"), max_length=16, choices=AssessmentResult.choices)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ScopedManager()
    jurisdiction_path = "station__federation"

    class Meta:
        verbose_name = _("阵地考评")
        verbose_name_plural = _("阵地考评")
        ordering = ["station", "-assessed_on", "-id"]

    def __str__(self) -> str:
        return _("%(station)s %(date)s 考评") % {"station": self.station, "date": self.assessed_on.isoformat()}

    def get_absolute_url(self) -> str:
        return reverse("orgs:station_detail", args=[self.station_id]) + f"#assessment-{self.pk}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(
        StationAssessment, verbose_name=_("阵地考评"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("得分"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "assessment__station__federation"

    class Meta:
        verbose_name = _("考评得分")
        verbose_name_plural = _("考评得分")
        ordering = ["assessment", "item__sort_order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="assessment_score_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


# Groups: arts alliance, expert and youth committees, mentoring (传帮带) ----------------------------


class GroupKind(models.TextChoices):
    ARTS = "arts", _("文艺联盟")
    EXPERT = "expert", _("专家委员会")
    YOUTH = "youth", _("青年委员会")
    MENTORING = "mentoring", _("传帮带")
    OTHER = "other", _("其他")


class Group(models.Model):
    """A group organised by a federation: 金侨文艺联盟, an expert or youth committee, a 传帮带
    programme (possibly with a partner federation such as 平湖市侨联)."""

    kind = models.CharField(_("类型"), max_length=16, choices=GroupKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    federation = models.ForeignKey(
        Federation, verbose_name=_("所属侨联"), on_delete=models.PROTECT, related_name="groups"
    )
    partner = models.ForeignKey(
        PartnerFederation,
        verbose_name=_("合作侨联"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("在运行"), default=True)

    objects = ScopedManager()
    jurisdiction_path = "federation"

    class Meta:
        verbose_name = _("侨界团体")
        verbose_name_plural = _("侨界团体")
        ordering = ["federation__path", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="group_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:group_detail", args=[self.pk])


class GroupMember(models.Model):
    group = models.ForeignKey(Group, verbose_name=_("团体"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=60)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("侨情库人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_memberships",
    )
    role = models.CharField(_("职务"), max_length=40, blank=True, help_text=_("如 主任、副主任、成员"))
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "group__federation"

    class Meta:
        verbose_name = _("团体成员")
        verbose_name_plural = _("团体成员")
        ordering = ["group", "left_on", "joined_on", "id"]

    def __str__(self) -> str:
        return self.name


class PartnerSide(models.TextChoices):
    NONE = "none", _("双方均在本区")
    MENTOR = "mentor", _("导师来自合作侨联")
    MENTEE = "mentee", _("学员来自合作侨联")


class MentoringPair(models.Model):
    """A 传帮带 pair: a mentor (导师) and a mentee (学员), either of them possibly from the partner."""

    group = models.ForeignKey(Group, verbose_name=_("团体"), on_delete=models.CASCADE, related_name="pairs")
    mentor_name = models.CharField(_("导师"), max_length=60)
    mentor_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("导师（侨情库）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mentee_name = models.CharField(_("学员"), max_length=60)
    mentee_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("学员（侨情库）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    partner_side = models.CharField(_("合作方"), max_length=8, choices=PartnerSide.choices, default=PartnerSide.NONE)
    started_on = models.DateField(_("结对日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedManager()
    jurisdiction_path = "group__federation"

    class Meta:
        verbose_name = _("传帮带结对")
        verbose_name_plural = _("传帮带结对")
        ordering = ["group", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.mentor_name} → {self.mentee_name}"
