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
