"""Cases, 2018–2022: rights protection (侨益维护), consultations, aid applications, suggestions and
enterprise appeals, received mostly by the street/town/park federations, some handed up to the
district, and taken through the workflow with the case engine's own services.

Each case's history is planned from its own random stream ("casework") and written step by step
through ``case_open`` and ``case_transition`` as the district administrator, with the real dates
of each step; steps that would fall after the demo's reference date (2022-12-31) are not taken,
so the last months leave a few cases open, some of them past their deadline. Enterprise appeals
(企业诉求) are the enterprises step's: it opens them at its visits and takes them through the same
services.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from qiaolian.casework import services
from qiaolian.casework.models import Case, CaseType, deadline_days
from qiaolian.casework.workdays import add_working_days, is_working_day
from qiaolian.demo.context import DemoContext
from qiaolian.demo.geography import TOWNS
from qiaolian.demo.names import full_name
from qiaolian.demo.rand import Weighted, chance, date_between
from qiaolian.registry import choices as c

YEARS = range(2018, 2023)
# cases per year at scale 1.0
PER_YEAR = {
    CaseType.RIGHTS: 26,
    CaseType.CONSULTATION: 20,
    CaseType.AID_REQUEST: 10,
    CaseType.SUGGESTION: 6,
}

CHANNELS = {
    CaseType.RIGHTS: Weighted(
        [("visit", 50), ("phone", 20), ("letter", 8), ("online", 8), ("transferred", 10), ("overseas", 4)]
    ),
    CaseType.CONSULTATION: Weighted([("phone", 50), ("visit", 30), ("online", 15), ("overseas", 5)]),
    CaseType.AID_REQUEST: Weighted([("visit", 60), ("letter", 15), ("transferred", 25)]),
    CaseType.SUGGESTION: Weighted([("letter", 30), ("online", 35), ("visit", 35)]),
}

# (category, weight, titles, the opposing party or department, whether it is often cross-border)
RIGHTS = [
    (
        "property",
        24,
        ["归侨老宅动迁补偿标准争议", "侨房产权登记遗留问题", "华侨私房被占用要求腾退", "动迁安置房分配异议"],
        "区住房保障房屋管理局",
        True,
    ),
    (
        "inheritance",
        16,
        ["海外亲属委托办理房产继承", "侨眷遗产继承份额纠纷", "境外遗嘱公证认证咨询转维权"],
        "区公证处",
        True,
    ),
    ("family", 10, ["跨国婚姻子女抚养纠纷", "侨眷离婚财产分割求助"], "区法院", True),
    ("contract", 10, ["归侨房屋出租合同纠纷", "侨眷购房合同违约维权"], "区市场监督管理局", False),
    ("investment", 8, ["海外侨胞投资款返还纠纷", "侨资合伙经营纠纷调处"], "区商务委", True),
    (
        "labour",
        12,
        ["归侨退休待遇核定异议", "侨眷工伤认定求助", "归国留学人员社保转移接续"],
        "区人力资源社会保障局",
        False,
    ),
    ("household", 8, ["华侨回国定居落户办理受阻", "归侨子女户口迁移求助"], "金山公安分局出入境管理办公室", True),
    ("education", 7, ["归侨子女入学照顾政策落实", "华侨子女回国就读学籍办理"], "区教育局", True),
    ("litigation", 5, ["涉侨民事判决执行难求助", "海外当事人远程出庭协调"], "区法院", True),
    ("other", 4, ["侨界人士反映邻里纠纷", "侨眷反映物业服务问题"], "街镇综治中心", False),
]
RIGHTS_PICK = Weighted([(row, row[1]) for row in RIGHTS])
RIGHTS_DEPARTMENT = {row[0]: row[3] for row in RIGHTS}
# the other side of a dispute, as the requester names it
OPPOSING = {
    "property": "镇房屋征收事务所",
    "inheritance": "其他法定继承人",
    "family": "前配偶",
    "contract": "房屋承租人",
    "investment": "合伙经营方",
    "labour": "原工作单位",
}

CONSULTATIONS = [
    ("policy", 30, ["侨务优惠政策咨询", "归侨侨眷享受政策咨询"]),
    ("identity", 25, ["归侨证申办条件咨询", "侨眷身份认定材料咨询"]),
    ("law", 15, ["涉外继承法律咨询", "海外房产处置法律咨询"]),
    ("household", 12, ["华侨回国定居手续咨询", "海外亲属来华签证咨询"]),
    ("education", 10, ["归侨子女中考加分政策咨询", "华侨子女入学咨询"]),
    ("social_security", 8, ["归侨养老待遇咨询", "海外工作年限认定咨询"]),
]
CONSULTATION_PICK = Weighted([(row, row[1]) for row in CONSULTATIONS])

AID = [
    ("ill", 35, "因病医疗费用负担重申请帮扶"),
    ("elderly", 20, "高龄归侨生活困难申请帮扶"),
    ("alone", 12, "孤寡侨眷生活照料申请帮扶"),
    ("low_income", 18, "低收入侨眷家庭申请帮扶"),
    ("disabled", 8, "残疾侨眷康复费用申请帮扶"),
    ("illness_poverty", 7, "因病致贫侨眷家庭申请救助"),
]
AID_PICK = Weighted([(row, row[1]) for row in AID])

SUGGESTIONS = [
    ("federation", "关于在村居增设侨之家活动点的建议"),
    ("culture", "关于举办侨史展览的建议"),
    ("livelihood", "关于为高龄归侨提供上门服务的建议"),
    ("business", "关于为侨企提供政策宣讲的建议"),
    ("governance", "关于完善涉侨矛盾调处机制的建议"),
    ("economy", "关于发挥新侨人才作用助力乡村振兴的建议"),
]

OUTCOMES = {
    CaseType.RIGHTS: Weighted(
        [("solved", 38), ("mediated", 24), ("partly", 15), ("litigation", 11), ("answered", 7), ("unsolved", 5)]
    ),
    CaseType.CONSULTATION: Weighted([("answered", 88), ("solved", 12)]),
    CaseType.AID_REQUEST: Weighted([("solved", 70), ("partly", 22), ("unsolved", 8)]),
    CaseType.SUGGESTION: Weighted([("answered", 55), ("solved", 45)]),
}
RESOLUTIONS = {
    "solved": "经协调，当事人诉求已得到解决，相关手续办理完毕。",
    "mediated": "经侨联、司法所联合调解，双方达成调解协议并已履行。",
    "partly": "经协调，部分诉求得到解决，其余事项已向当事人解释说明。",
    "answered": "已向当事人详细解释相关政策和办理途径，当事人表示理解。",
    "litigation": "经调解未果，已引导当事人通过诉讼途径解决，法顾委律师提供法律援助。",
    "unsolved": "诉求超出现行政策范围，暂无法解决，已做好解释和心理疏导工作。",
}
REJECTIONS = [
    "所反映事项不属于涉侨权益范围，已告知当事人向有关部门反映。",
    "该事项已进入诉讼程序，依法不予受理，已告知当事人等待判决。",
    "当事人不属于归侨侨眷，已引导其向属地街镇反映。",
]
REPLIES = [
    "经核查，已按有关政策重新核定，结果已书面告知当事人。",
    "已会同街镇进行协调，相关问题正在落实中。",
    "经研究，符合政策规定，已予办理。",
    "已约谈相关单位，责成限期整改。",
]
# where other case types are referred (rights cases go to the department of their category)
DEPARTMENTS = {
    CaseType.CONSULTATION: ["区人力资源社会保障局", "金山公安分局出入境管理办公室", "区教育局"],
    CaseType.AID_REQUEST: ["区民政局", "区医疗保障局", "街镇社区事务受理服务中心"],
    CaseType.SUGGESTION: ["区委统战部", "区民政局", "区文化旅游局", "区商务委"],
}
SATISFACTION = Weighted([("satisfied", 76), ("fairly", 17), ("dissatisfied", 4), ("unreachable", 3)])
FOLLOW_UP_NOTES = [
    "电话回访，当事人表示满意。",
    "上门回访，当事人对办理结果认可。",
    "电话回访，当事人希望继续关注后续落实。",
]

LAST_DAY = dt.date(2022, 12, 31)
STALLING_FROM = dt.date(2022, 9, 1)


def _working_day(rng: random.Random, year: int) -> dt.date:
    day = date_between(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _after(day: dt.date, working_days: int) -> dt.date:
    return add_working_days(day, max(working_days, 0)).day


@dataclass
class Planned:
    """One case to open and the steps to take on it, each with its day."""

    data: dict[str, Any]
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class CaseworkBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("casework")
        self.admin = ctx.actor()
        self.district = ctx.district
        self.staff = ctx.users.get("staff")
        self.town_users = {key: ctx.users[key] for key in ("zhujing", "shihua") if key in ctx.users}
        self.town_weights = Weighted([(t.key, t.share) for t in TOWNS if t.key in ctx.towns])
        self.people_by_town: dict[str, list] = {}
        self.hardship_by_town: dict[str, list] = {}
        for person, town in zip(ctx.persons, ctx.person_town, strict=True):
            if person.living_status != c.LivingStatus.LIVING:
                continue
            self.people_by_town.setdefault(town, []).append(person)
            if person.is_in_hardship:
                self.hardship_by_town.setdefault(town, []).append(person)

    # planning ---------------------------------------------------------------------------

    def _requester(self, town: str, *, hardship: bool = False) -> dict[str, Any]:
        rng = self.rng
        pool = (self.hardship_by_town.get(town) if hardship else None) or self.people_by_town.get(town) or []
        if pool and chance(rng, 0.8 if hardship else 0.6):
            person = rng.choice(pool)
            phone = person.phone.reveal() if person.phone else ""
            return {"person": person, "requester_name": person.name, "requester_phone": phone or None}
        name = full_name(rng, male=chance(rng, 0.5), birth_year=rng.randint(1940, 1990))
        return {"requester_name": name, "requester_phone": f"+86139{rng.randint(0, 99999999):08d}"}

    def _federation(self, town: str, *, district_share: float):
        return self.district if chance(self.rng, district_share) else self.ctx.towns[town]

    def plan_year(self, year: int) -> list[Planned]:
        rng, scale = self.rng, self.ctx.scale
        plans: list[Planned] = []
        for case_type, per_year in PER_YEAR.items():
            for _ in range(max(1, round(per_year * scale))):
                town = self.town_weights.pick(rng)
                received = _working_day(rng, year)
                data: dict[str, Any] = {
                    "type": case_type,
                    "channel": CHANNELS[case_type].pick(rng),
                    "received_on": received,
                }
                if case_type == CaseType.RIGHTS:
                    category, _w, titles, _department, abroad = RIGHTS_PICK.pick(rng)
                    data.update(
                        federation=self._federation(town, district_share=0.12),
                        title=rng.choice(titles),
                        category=category,
                        opposing_party=OPPOSING.get(category, "") if chance(rng, 0.6) else "",
                        is_cross_border=abroad and chance(rng, 0.3),
                        **self._requester(town),
                    )
                    data["description"] = (
                        f"{data['requester_name']}向{data['federation'].short_name}侨联反映：{data['title']}，"
                        "请求侨联依法协调维护其合法权益。"
                    )
                elif case_type == CaseType.CONSULTATION:
                    topic, _w, titles = CONSULTATION_PICK.pick(rng)
                    data.update(
                        federation=self._federation(town, district_share=0.3),
                        title=rng.choice(titles),
                        consultation_topic=topic,
                        **self._requester(town),
                    )
                    data["description"] = f"{data['requester_name']}咨询：{data['title']}。"
                elif case_type == CaseType.AID_REQUEST:
                    hardship, _w, title = AID_PICK.pick(rng)
                    data.update(
                        federation=self.ctx.towns[town],
                        title=title,
                        hardship_type=hardship,
                        amount_requested=rng.choice([500, 800, 1000, 2000, 3000]) if chance(rng, 0.6) else None,
                        **self._requester(town, hardship=True),
                    )
                    data["description"] = f"{data['requester_name']}{title}，家庭情况经社区核实。"
                else:
                    topic, title = rng.choice(SUGGESTIONS)
                    data.update(
                        federation=self._federation(town, district_share=0.5),
                        title=title,
                        suggestion_topic=topic,
                        **self._requester(town),
                    )
                    data["description"] = (
                        f"{data['requester_name']}建议：{title.removeprefix('关于').removesuffix('的建议')}。"
                    )
                plan = Planned(data=data)
                plan.steps = self.plan_steps(case_type, data["federation"], received, town, data.get("category", ""))
                plans.append(plan)
        return plans

    def _assign(self, federation, town: str, *, hand_up: bool) -> dict[str, Any]:
        if hand_up or federation == self.district:
            details: dict[str, Any] = {"handling_federation": self.district} if federation != self.district else {}
            if self.staff is not None:
                details["assignee"] = self.staff
            return details or {"handling_federation": self.district}
        user = self.town_users.get(town)
        return {"assignee": user} if user is not None else {"handling_federation": federation}

    def plan_steps(
        self, case_type: str, federation, received: dt.date, town: str, category: str = ""
    ) -> list[tuple[str, dict]]:
        """The history of a case: who handles it, whether it is referred, when it is resolved and
        followed up. Durations are in working days, around the type's deadline."""
        rng = self.rng
        deadline = deadline_days(case_type)
        steps: list[tuple[str, dict]] = []
        reject_rate = {CaseType.RIGHTS: 0.05, CaseType.CONSULTATION: 0.02, CaseType.AID_REQUEST: 0.1}.get(
            case_type, 0.03
        )
        if chance(rng, reject_rate):
            steps.append(("rejected", {"reason": rng.choice(REJECTIONS), "on": _after(received, rng.randint(1, 3))}))
            return steps
        quick = case_type == CaseType.CONSULTATION
        day = _after(received, 0 if quick else rng.randint(0, 2))
        hand_up = case_type == CaseType.RIGHTS and federation != self.district and chance(rng, 0.2)
        steps.append(("assigned", {**self._assign(federation, town, hand_up=hand_up), "on": day}))
        day = _after(day, 0 if quick else rng.randint(0, 2))
        steps.append(("in_progress", {"on": day}))
        late = chance(rng, 0.08)
        target = round(deadline * (rng.uniform(1.05, 1.5) if late else rng.uniform(0.2, 0.95)))
        if received >= STALLING_FROM and chance(rng, 0.35):
            # harder cases of the last months: still open at the end of 2022, some past their deadline
            target = round(deadline * rng.uniform(1.2, 3.0))
        finish = _after(received, max(target, 1 if not quick else 0))
        refer_rate = {CaseType.RIGHTS: 0.35, CaseType.SUGGESTION: 0.4}.get(case_type, 0.08)
        outcome = OUTCOMES[case_type].pick(rng)
        resolve = {"outcome": outcome, "resolution": RESOLUTIONS[outcome]}
        if chance(rng, refer_rate):
            party = RIGHTS_DEPARTMENT.get(category) or rng.choice(DEPARTMENTS.get(case_type, ["区委统战部"]))
            day = _after(day, rng.randint(1, 4))
            steps.append(("referred", {"department": party, "on": day}))
            reply_day = max(_after(day, rng.randint(3, 15)), day)
            reply = rng.choice(REPLIES)
            if chance(rng, 0.6):
                steps.append(("resolved", {"reply": reply, **resolve, "on": max(reply_day, finish)}))
            else:
                steps.append(("in_progress", {"reply": reply, "on": reply_day}))
                steps.append(("resolved", {**resolve, "on": max(_after(reply_day, rng.randint(1, 5)), finish)}))
        else:
            steps.append(("resolved", {**resolve, "on": max(finish, day)}))
        if chance(rng, 0.93):
            closed = steps[-1][1]["on"]
            steps.append(
                (
                    "followed_up",
                    {
                        "satisfaction": SATISFACTION.pick(rng),
                        "note": rng.choice(FOLLOW_UP_NOTES),
                        "on": _after(closed, rng.randint(2, 10)),
                    },
                )
            )
        return steps

    # writing ----------------------------------------------------------------------------

    def take_steps(self, case: Case, steps: list[tuple[str, dict]]) -> None:
        for to, details in steps:
            if details["on"] > LAST_DAY:
                break
            case = services.case_transition(actor=self.admin, case=case, to=to, **details)

    def write(self, plans: list[Planned]) -> None:
        plans.sort(key=lambda p: (p.data["received_on"], p.data["type"], p.data["title"]))
        for plan in plans:
            case = services.case_open(actor=self.admin, data=plan.data)
            self.take_steps(case, plan.steps)


def build_casework(ctx: DemoContext) -> None:
    builder = CaseworkBuilder(ctx)
    plans: list[Planned] = []
    for year in YEARS:
        plans.extend(builder.plan_year(year))
    builder.write(plans)
