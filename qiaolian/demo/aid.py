"""Hardship aid, 2018–2022 (the seed's "冬送温暖夏送凉" 困难归侨侨眷, and the 2020 epidemic).

Every year the district runs a 冬送温暖 (December–January, one share per household: 1,000 元 for
those alone or very old, 800 元 otherwise, with rice, oil or a quilt) and a 夏送凉 (July–August,
per person, 500–600 元 with cooling goods). In February 2020 the epidemic brought an emergency
campaign funded by the donations of overseas associations, whose masks, protective suits and
money went to the district's hospitals, the towns' community health centres and the campaign;
from 2021 a 侨企 or 侨商 adds to each 冬送温暖.

Only persons the registry flags in hardship are nominated, by their own town, from the registry
as it stands; the district approves at the standards within a budget set a little above what
the standards need, turning down a few (already helped by 民政 that season) and deferring one
or two; the towns visit and hand over, name the visitors and the day. The spring of 2022 and its
lockdown put the visits of 2022's 冬送温暖 partly after the demo's end (approved, not yet
delivered). Everything goes through the aid services, in date order, from the "aid" random
stream, so that a seed gives the same records.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from qiaolian.aid import services
from qiaolian.aid.eligibility import eligibility_problems, standard_for
from qiaolian.aid.models import AidKind, CampaignStatus, Nomination
from qiaolian.demo import names
from qiaolian.demo.context import DemoContext
from qiaolian.demo.geography import TOWNS
from qiaolian.demo.rand import chance, date_between
from qiaolian.liaison.models import OverseasAssociation
from qiaolian.orgs.models import Federation, Level
from qiaolian.registry.models import Person

YEARS = range(2018, 2023)
LAST_DAY = dt.date(2022, 12, 31)
# No door-to-door visits in Shanghai's lockdown of 2022 and the wave after the reopening.
NO_VISITS = ((dt.date(2022, 3, 28), dt.date(2022, 6, 1)), (dt.date(2022, 12, 15), dt.date(2023, 1, 31)))
MEDICAL = (
    "金山区公共卫生临床中心",
    "金山区疾病预防控制中心",
    "复旦大学附属金山医院",
    "金山区中心医院",
)
REJECTIONS = ("本季已享受民政临时救助", "经核实家庭收入已超过困难标准", "本人表示无需慰问，转赠更困难的侨眷")
DEFERRALS = ("住院治疗中，待出院后再审批", "家庭户信息待核实")
DONOR_TYPES = ("hometown", "chamber", "federation", "professional")  # not student unions or schools
ENTERPRISE_DONORS = (
    ("上海金山湾侨资实业有限公司", "enterprise"),
    ("金山区侨商联谊会", "organization"),
    ("上海枫泾侨企商会", "organization"),
    ("陈氏侨属爱心基金", "foundation"),
    ("上海石化地区侨界爱心人士", "individual"),
)


@dataclass
class Season:
    kind: str
    year: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    per_household: bool
    standards: list[tuple[str, str, str, int, str]]  # label, category, hardship type, amount, goods
    hardship_types: list[str] = field(default_factory=list)
    share: float = 0.9  # of the eligible a town nominates
    description: str = ""


def _seasons() -> list[Season]:
    seasons = []
    for year in YEARS:
        seasons.append(
            Season(
                kind=AidKind.SUMMER,
                year=year,
                title=f"{year}年夏送凉",
                starts_on=dt.date(year, 7, 1),
                ends_on=dt.date(year, 8, 31),
                per_household=False,
                standards=[
                    ("高龄、失能困难归侨侨眷", "", "elderly", 600, "电风扇一台、清凉饮品一箱"),
                    ("失能困难归侨侨眷", "", "incapacitated", 600, "电风扇一台、清凉饮品一箱"),
                    ("困难归侨侨眷", "", "", 500, "西瓜两个、绿豆、清凉饮品一箱"),
                ],
                share=0.75,
                description="盛夏高温期间走访慰问困难归侨侨眷，送去清凉用品和慰问金。",
            )
        )
        seasons.append(
            Season(
                kind=AidKind.WINTER,
                year=year,
                title=f"{year}年冬送温暖",
                starts_on=dt.date(year, 12, 1),
                ends_on=dt.date(year + 1, 1, 31),
                per_household=True,
                standards=[
                    ("孤寡困难归侨侨眷", "", "alone", 1000, "羽绒被一条、大米一袋"),
                    ("高龄困难归侨侨眷", "", "elderly", 1000, "羽绒被一条、大米一袋"),
                    ("困难归侨", "returnee", "", 900, "大米一袋、食用油一桶"),
                    ("困难侨眷及其他", "", "", 800, "大米一袋、食用油一桶"),
                ],
                share=0.92,
                description="岁末年初走访慰问困难归侨侨眷，每户一份慰问金和慰问品。",
            )
        )
        if year == 2020:
            seasons.append(
                Season(
                    kind=AidKind.EMERGENCY,
                    year=2020,
                    title="2020年新冠肺炎疫情困难归侨侨眷临时救助",
                    starts_on=dt.date(2020, 2, 10),
                    ends_on=dt.date(2020, 4, 30),
                    per_household=True,
                    standards=[
                        ("患病困难归侨侨眷", "", "ill", 800, "口罩50只、消毒液两瓶"),
                        ("困难归侨侨眷", "", "", 600, "口罩50只、消毒液两瓶"),
                    ],
                    share=0.8,
                    description="疫情期间由海外侨团捐赠资金支持，为困难归侨侨眷送去防疫物资和临时救助金，送货上门。",
                )
            )
    return sorted(seasons, key=lambda s: s.starts_on)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class AidBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("aid")
        self.admin = ctx.actor()
        self.staff = ctx.users.get("staff") or self.admin
        self.district = ctx.district or Federation.objects.get(parent=None)
        towns = {t.code: t for t in TOWNS}
        self.towns = list(
            Federation.objects.filter(level=Level.TOWN, code__in=list(towns)).order_by("sort_order", "id")
        )
        self.town_key = {f.pk: towns[f.code].key for f in self.towns}
        by_path = {f.path: f for f in self.towns}
        self.town_of: dict[int, Federation] = {}
        for federation in Federation.objects.order_by("path"):
            for path, town in by_path.items():
                if federation.path.startswith(path):
                    self.town_of[federation.pk] = town
        rng = self.rng
        # The town cadres who go on the visits, and the district's leaders who join some.
        self.visitors = {
            t.pk: [names.full_name(rng, male=chance(rng, 0.45), birth_year=rng.randint(1965, 1992)) for _ in range(3)]
            for t in self.towns
        }
        self.district_visitors = [
            names.full_name(rng, male=chance(rng, 0.5), birth_year=rng.randint(1962, 1980)) for _ in range(3)
        ]
        self.needy = list(
            Person.objects.filter(is_in_hardship=True, is_archived=False)
            .select_related("federation", "household")
            .order_by("id")
        )
        self.campaigns = []

    def _actor_for(self, town: Federation):
        """The town's own demo account where there is one (朱泾, 石化), else the district admin."""
        return self.ctx.users.get(self.town_key.get(town.pk, "")) or self.admin

    # Donations ----------------------------------------------------------------------------

    def epidemic_donations(self, campaign) -> None:
        rng = self.rng
        associations = list(
            OverseasAssociation.objects.filter(type__in=DONOR_TYPES).exclude(country__in=["HK", "MO"]).order_by("id")
        )
        if not associations:
            return
        donors = rng.sample(associations, min(len(associations), 7))
        gave_money = False
        for i, association in enumerate(donors):
            received = date_between(rng, dt.date(2020, 1, 28), dt.date(2020, 3, 10))
            goods = chance(rng, 0.6)
            if i == len(donors) - 1 and not gave_money:
                goods = False  # some money reached the emergency campaign, as it did in 2020
            gave_money = gave_money or not goods
            if goods:
                masks = rng.choice((5000, 10000, 20000, 30000))
                suits = rng.choice((0, 200, 500))
                detail = f"医用外科口罩 {masks} 只" + (f"、医用防护服 {suits} 套" if suits else "")
                amount = Decimal(masks) * Decimal("2.5") + Decimal(suits) * Decimal("90")
            else:
                detail = ""
                amount = Decimal(rng.choice((20000, 30000, 50000, 80000, 100000)))
            donation = services.donation_create(
                actor=self.admin,
                data={
                    "federation": self.district,
                    "donor_name": association.name,
                    "donor_kind": "association",
                    "association": association,
                    "country": association.country,
                    "received_on": received,
                    "kind": "goods" if goods else "money",
                    "amount": amount,
                    "goods": detail,
                    "purpose": "抗击新冠肺炎疫情",
                    "receipt_number": f"JSQL-2020-{rng.randint(100, 999)}",
                },
            )
            if goods:
                left = amount
                for place in rng.sample(MEDICAL, 2):
                    part = (left / 2).quantize(Decimal("1")) if left == amount else left
                    services.allocation_add(
                        actor=self.admin,
                        donation=donation,
                        data={
                            "recipient": place,
                            "allocated_on": min(received + dt.timedelta(days=rng.randint(1, 4)), LAST_DAY),
                            "amount": part,
                            "description": "防疫物资转赠一线",
                        },
                    )
                    left -= part
            else:
                # money fills the emergency campaign up to its budget; the rest goes to the Red Cross
                room = campaign.budget - sum(a.amount for a in campaign.allocations.all())
                to_campaign = min(amount, max(room, Decimal("0")))
                when = max(received, campaign.starts_on)
                if to_campaign:
                    services.allocation_add(
                        actor=self.admin,
                        donation=donation,
                        data={
                            "campaign": campaign,
                            "allocated_on": when,
                            "amount": to_campaign,
                            "description": "用于困难归侨侨眷临时救助",
                        },
                    )
                if amount > to_campaign:
                    services.allocation_add(
                        actor=self.admin,
                        donation=donation,
                        data={
                            "recipient": "金山区红十字会（疫情防控专项）",
                            "allocated_on": when,
                            "amount": amount - to_campaign,
                            "description": "按捐赠方意愿用于全区疫情防控",
                        },
                    )

    def winter_donation(self, campaign, year: int) -> None:
        rng = self.rng
        donor, kind = ENTERPRISE_DONORS[(year - 2018) % len(ENTERPRISE_DONORS)]
        amount = min(Decimal(rng.choice((10000, 20000, 30000))), campaign.budget)
        donation = services.donation_create(
            actor=self.admin,
            data={
                "federation": self.district,
                "donor_name": donor,
                "donor_kind": kind,
                "received_on": campaign.starts_on - dt.timedelta(days=rng.randint(3, 20)),
                "kind": "money",
                "amount": amount,
                "purpose": f"{year}年冬送温暖",
            },
        )
        services.allocation_add(
            actor=self.admin,
            donation=donation,
            data={"campaign": campaign, "allocated_on": campaign.starts_on, "amount": amount},
        )

    # Campaigns ----------------------------------------------------------------------------

    def build(self) -> None:
        for season in _seasons():
            self.campaign(season)

    def campaign(self, season: Season) -> None:
        rng = self.rng
        campaign = services.campaign_create(
            actor=self.admin,
            data={
                "federation": self.district,
                "title": season.title,
                "kind": season.kind,
                "year": season.year,
                "starts_on": season.starts_on,
                "ends_on": season.ends_on,
                "budget": Decimal("1"),  # set below, once the nominations are known
                "per_household": season.per_household,
                "requires_hardship": True,
                "hardship_types": season.hardship_types,
                "max_amount": Decimal("1500"),
                "description": season.description,
            },
        )
        for label, category, hardship, amount, goods in season.standards:
            services.standard_add(
                actor=self.admin,
                campaign=campaign,
                data={
                    "label": label,
                    "category": category,
                    "hardship_type": hardship,
                    "amount": Decimal(amount),
                    "goods": goods,
                },
            )
        standards = list(campaign.standards.all())
        # Who each town puts forward: eligible, in hardship, one per household where it says so.
        picks: list[Person] = []
        households: set[int] = set()
        for person in self.needy:
            if person.federation_id not in self.town_of or eligibility_problems(campaign, person):
                continue
            if season.per_household and person.household_id:
                if person.household_id in households:
                    continue
                households.add(person.household_id)
            if chance(rng, season.share):
                picks.append(person)
        need = sum(
            (
                standard_for(standards, category=p.category, hardship_types=p.hardship_types).amount
                for p in picks
                if standard_for(standards, category=p.category, hardship_types=p.hardship_types)
            ),
            Decimal("0"),
        )
        budget = Decimal(max(10000, math.ceil(float(need) * 1.1 / 5000) * 5000))
        campaign = services.campaign_update(actor=self.admin, campaign=campaign, data={"budget": budget})
        if season.kind == AidKind.EMERGENCY:
            self.epidemic_donations(campaign)
        elif season.kind == AidKind.WINTER and season.year >= 2021:
            self.winter_donation(campaign, season.year)
        by_town: dict[int, list[Person]] = {}
        for person in picks:
            by_town.setdefault(self.town_of[person.federation_id].pk, []).append(person)
        towns = {t.pk: t for t in self.towns}
        for town_pk, people in by_town.items():
            town = towns[town_pk]
            nominated_on = min(season.starts_on + dt.timedelta(days=rng.randint(2, 6)), LAST_DAY)
            approved_on = min(nominated_on + dt.timedelta(days=rng.randint(2, 5)), LAST_DAY)
            nominations = services.nominations_create(
                actor=self._actor_for(town),
                campaign=campaign,
                persons=people,
                reason=f"{town.short_name}侨联提名",
                at=_at(nominated_on, 10),
            )
            approved = []
            for nomination in nominations:
                roll = rng.random()
                if roll < 0.03:
                    services.nomination_decide(
                        actor=self.staff,
                        nomination=nomination,
                        to="rejected",
                        note=rng.choice(REJECTIONS),
                        at=_at(approved_on, 14),
                    )
                elif roll < 0.045 and season.ends_on > LAST_DAY:
                    services.nomination_decide(
                        actor=self.staff,
                        nomination=nomination,
                        to="deferred",
                        note=rng.choice(DEFERRALS),
                        at=_at(approved_on, 14),
                    )
                else:
                    approved.append(nomination)
            if approved:
                approved = services.nominations_approve(
                    actor=self.staff, campaign=campaign, nominations=approved, at=_at(approved_on, 15)
                )
                self.hand_over(campaign, season, town, approved, approved_on)
        if season.ends_on < LAST_DAY:
            services.campaign_transition(actor=self.admin, campaign=campaign, to="closed")
            if not Nomination.objects.filter(campaign=campaign, status__in=("nominated", "approved")).exists():
                services.campaign_transition(actor=self.admin, campaign=campaign, to="archived")
        elif season.starts_on + dt.timedelta(days=21) <= LAST_DAY:
            services.campaign_transition(actor=self.admin, campaign=campaign, to=CampaignStatus.CLOSED)
        self.campaigns.append(campaign)

    def hand_over(self, campaign, season: Season, town: Federation, approved: list[Nomination], approved_on) -> None:
        """The town's visits: a team goes out on a few days and visits several households each
        day; the very old sign through a relative."""
        rng = self.rng
        last = min(season.ends_on, approved_on + dt.timedelta(days=20), LAST_DAY)
        free = [
            approved_on + dt.timedelta(days=i)
            for i in range(1, (last - approved_on).days + 1)
            if not any(lo <= approved_on + dt.timedelta(days=i) <= hi for lo, hi in NO_VISITS)
        ]
        if not free:
            return  # the visits wait for the end of the lockdown or the wave
        rounds = sorted(rng.sample(free, min(len(free), rng.randint(2, 4))))
        days: dict[dt.date, list[Nomination]] = {}
        for nomination in approved:
            if season.ends_on > LAST_DAY and chance(rng, 0.3):
                continue  # not visited before the wave of December 2022
            days.setdefault(rng.choice(rounds), []).append(nomination)
        actor = self._actor_for(town)
        for day in sorted(days):
            team = rng.sample(self.visitors[town.pk], 2 if chance(rng, 0.6) else 1)
            visitors = f"{town.short_name}侨联 " + "、".join(team)
            if chance(rng, 0.25):
                visitors = f"区侨联 {rng.choice(self.district_visitors)}、" + visitors
            plain, proxied = [], []
            for nomination in days[day]:
                age = nomination.person.age_on(day)
                (proxied if age is not None and age >= 90 and chance(rng, 0.4) else plain).append(nomination)
            if plain:
                services.handovers_record(
                    actor=actor,
                    campaign=campaign,
                    nominations=plain,
                    visited_on=day,
                    visitors=visitors,
                    note="签收表已签字存档",
                    at=_at(day, 17),
                )
            for nomination in proxied:
                services.handover_record(
                    actor=actor,
                    nomination=nomination,
                    data={
                        "visited_on": day,
                        "visitors": visitors,
                        "cash_amount": nomination.amount,
                        "goods": nomination.goods,
                        "received_by": f"{rng.choice(('女儿', '儿子', '儿媳', '女婿'))}（代签）",
                        "note": "本人年事已高，由家属代签",
                    },
                    at=_at(day, 17),
                )


def build_aid(ctx: DemoContext) -> None:
    builder = AidBuilder(ctx)
    builder.build()
