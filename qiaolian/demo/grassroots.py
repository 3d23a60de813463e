"""Grassroots work (强基工程) beyond terms: the yearly standards assessments of the stations
(侨之家规范化建设, 2018–2022), the 金侨文艺联盟 and the youth committee of the district
federation, and the 传帮带 pairs with 平湖市侨联 under the joint brand 金平果.

(The 2022 elections of every street/town/park federation and of the district are recorded by
``demo.terms`` through ``orgs.services.election_record``.) Everything is written through the
orgs services with its own random stream ("grassroots").
"""

from __future__ import annotations

import datetime as dt
import random

from qiaolian.demo import names
from qiaolian.demo.context import DemoContext, age_on
from qiaolian.demo.rand import date_between
from qiaolian.orgs.models import GroupKind, PartnerFederation, PartnerSide
from qiaolian.orgs.services import (
    checklist_for,
    group_create,
    group_member_add,
    mentoring_pair_add,
    station_assessment_record,
)
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person

ASSESSMENT_YEARS = range(2018, 2023)
WEAK_NOTES = {
    "organization": "侨联小组负责人调整后尚未明确分工",
    "team": "联络员队伍不稳定，志愿者偏少",
    "funding": "工作经费无固定来源",
    "venue": "活动场所与其他部门合用，侨务标识不明显",
    "activities": "全年活动次数偏少",
    "law_corner": "侨法宣传资料未及时更新",
    "display_board": "展示板内容陈旧",
}
ARTS_ROLES = ("主席", "副主席", "副主席", "秘书长")
YOUTH_ROLES = ("主任", "副主任", "副主任")
MENTOR_TOPICS = ("创业指导", "外贸与海外市场拓展", "侨企管理经验交流", "科技成果转化", "法律与知识产权", "青年侨商成长")


def _assessor(rng: random.Random) -> str:
    first = names.full_name(rng, male=rng.random() < 0.5, birth_year=rng.randint(1968, 1985))
    second = names.full_name(rng, male=rng.random() < 0.5, birth_year=rng.randint(1975, 1992))
    return f"区侨联考评组（{first}、{second}）"


def build_assessments(ctx: DemoContext, rng: random.Random) -> None:
    actor = ctx.actor()
    items_by_kind: dict[str, list] = {}
    for station in ctx.stations:
        items = items_by_kind.setdefault(station.kind, checklist_for(station.kind))
        quality = rng.uniform(0.5, 0.9)  # how well run the station is; most improve year by year
        for year in ASSESSMENT_YEARS:
            if station.opened_on and station.opened_on > dt.date(year, 10, 31):  # not open before the review
                continue
            quality = min(1.0, quality + rng.uniform(-0.03, 0.08))
            scores = {}
            for item in items:
                share = min(1.0, max(0.2, rng.gauss(quality, 0.1)))
                score = round(item.max_score * share)
                note = WEAK_NOTES.get(item.code, "") if share < 0.6 else ""
                scores[item.code] = (score, note)
            station_assessment_record(
                actor=actor,
                station=station,
                assessed_on=date_between(rng, dt.date(year, 11, 10), dt.date(year, 12, 20)),
                assessor=_assessor(rng),
                scores=scores,
                notes="年度规范化建设考评" if year < 2022 else "年度规范化建设考评（结合侨之家五有标准复核）",
            )


def _candidates(ctx: DemoContext, *, ages: tuple[int, int], categories=None) -> list[Person]:
    out = []
    for person in ctx.persons:
        if person.living_status != c.LivingStatus.LIVING or person.residence_country:
            continue
        if categories and person.category not in categories:
            continue
        if ages[0] <= age_on(person.birth_date) <= ages[1]:
            out.append(person)
    return out


def build_groups(ctx: DemoContext, rng: random.Random) -> None:
    actor = ctx.actor()
    district = ctx.district
    assert district is not None

    arts = group_create(
        actor=actor,
        federation=district,
        kind=GroupKind.ARTS,
        name="金侨文艺联盟",
        founded_on=dt.date(2019, 9, 26),
        description="由区侨联发起、侨界文艺爱好者组成，开展合唱、书画、摄影、舞蹈等活动，参与“侨心向党”等主题文艺演出。",
    )
    pool = _candidates(ctx, ages=(25, 78))
    for i, person in enumerate(rng.sample(pool, min(len(pool), 30))):
        group_member_add(
            actor=actor,
            group=arts,
            person=person,
            role=ARTS_ROLES[i] if i < len(ARTS_ROLES) else "成员",
            joined_on=dt.date(2019, 9, 26)
            if i < 12
            else date_between(rng, dt.date(2019, 10, 1), dt.date(2022, 10, 31)),
        )

    youth = group_create(
        actor=actor,
        federation=district,
        kind=GroupKind.YOUTH,
        name="金山区侨联青年委员会",
        founded_on=dt.date(2020, 5, 4),
        description="团结侨界青年和留学回国人员，开展新侨创新创业交流、青年志愿服务。",
    )
    young = _candidates(
        ctx, ages=(22, 45), categories=(c.Category.RETURNED_STUDENT, c.Category.STUDENT_RELATIVE, c.Category.RELATIVE)
    )
    for i, person in enumerate(rng.sample(young, min(len(young), 15))):
        group_member_add(
            actor=actor,
            group=youth,
            person=person,
            role=YOUTH_ROLES[i] if i < len(YOUTH_ROLES) else "委员",
            joined_on=dt.date(2020, 5, 4),
        )

    partner = PartnerFederation.objects.filter(name="平湖市侨联").first()
    mentoring = group_create(
        actor=actor,
        federation=district,
        kind=GroupKind.MENTORING,
        name="金平果·海创接力“传帮带”",
        partner=partner,
        founded_on=dt.date(2019, 4, 18),
        description="金山区侨联与平湖市侨联在“金平果”品牌下结对：侨界资深企业家、专家与新侨青年一对一传帮带。",
    )
    seniors = [
        p
        for p in _candidates(ctx, ages=(40, 72), categories=(c.Category.RETURNED_STUDENT, c.Category.RETURNEE))
        if p.employer
    ]
    juniors = _candidates(ctx, ages=(22, 40), categories=(c.Category.RETURNED_STUDENT, c.Category.STUDENT_RELATIVE))
    for i in range(8):
        started = date_between(rng, dt.date(2019, 4, 18), dt.date(2022, 10, 31))
        topic = rng.choice(MENTOR_TOPICS)
        outsider = names.full_name(rng, male=rng.random() < 0.6, birth_year=rng.randint(1965, 1998), southern=True)
        if not seniors and not juniors:
            break
        if seniors and (i % 2 == 0 or not juniors):  # a Jinshan mentor, a mentee from 平湖
            mentor = seniors.pop(rng.randrange(len(seniors)))
            mentoring_pair_add(
                actor=actor,
                group=mentoring,
                mentor_person=mentor,
                mentee_name=outsider,
                partner_side=PartnerSide.MENTEE if partner else PartnerSide.NONE,
                started_on=started,
                notes=topic,
            )
        else:  # a mentor from 平湖, a young Jinshan mentee
            mentee = juniors.pop(rng.randrange(len(juniors)))
            mentoring_pair_add(
                actor=actor,
                group=mentoring,
                mentor_name=outsider,
                mentee_person=mentee,
                partner_side=PartnerSide.MENTOR if partner else PartnerSide.NONE,
                started_on=started,
                notes=topic,
            )


def build_grassroots(ctx: DemoContext) -> None:
    rng = ctx.rng("grassroots")
    build_assessments(ctx, rng)
    build_groups(ctx, rng)
