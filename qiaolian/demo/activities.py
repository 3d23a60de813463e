"""Activities, December 2017 – 2022 (DOMAIN.md §4, W9), as the seed tells them.

Every March the district's 侨法宣传月 with events in every street/town/park federation; the
凝心 work (侨心向党, the 主题教育 of 2019, the “四史” of 2020, 党史学习教育 of 2021, the study of
the 19th congress, its plenums and the 20th congress) and the 同舟讲坛 lectures; the 2019 and
2021 performances and exhibitions and the tours of the 金侨文艺联盟; the yearly 基层侨务干部培训班
with sessions and attendance; the 金平果 joint activities with 平湖市侨联; events hosted by the
侨之家 and 新侨驿站; congresses and committee meetings. 2020 and the spring of 2022 move online.

Everything is planned in memory first, from its own random stream ("activities") and from what
the earlier steps stored (federations, persons, committees, stations, groups, camps), then
written in date order through the activities services, as the district administrator: campaigns,
activities, speakers and performers (``registration_add``), sessions and attendance
(``attendance_record``), the report (``activity_report``, straight from planned, as the service
allows) and the archive, or the cancellation. Participants, trainees and guests are inserted in
bulk, as ``persons_bulk_create`` does for the registry, under the same rules as
``registration_add`` (``participant_key``, unique codes from the same alphabet, no one twice,
within capacity, while the activity is open to people, persons of the organizing federation's
area), and check-ins are stamped at the time of the event (``check_in`` would stamp the time of
the build); one audit entry per activity records the lot, as ``attendance_record`` does.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from qiaolian.activities import services
from qiaolian.activities.models import ActivityKind as K
from qiaolian.activities.models import Brand, Campaign, Mode, Registration, Role, Status
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.projects import Project as P
from qiaolian.demo import names
from qiaolian.demo.context import DemoContext, age_on
from qiaolian.demo.geography import TOWNS, Town
from qiaolian.demo.rand import chance, date_between, weighted_sample
from qiaolian.orgs.models import (
    CommitteeMember,
    CommitteeRole,
    Election,
    Federation,
    Group,
    GroupKind,
    Level,
    PartnerFederation,
    Station,
    StationKind,
)
from qiaolian.registry import choices as c
from qiaolian.registry.models import Person
from qiaolian.registry.selectors import person_scope

YEARS = range(2018, 2023)
LAST_DAY = dt.date(2022, 12, 31)
HALL = "区侨联多功能厅"
HALL_CAPACITY = 120
SCHOOL = "中共金山区委党校"
THEATRE = "金山区文化馆小剧场"
GALLERY = "金山区图书馆展厅"
CONFERENCE = "金山区会议中心"
ACCOUNT = "“金山侨联”微信公众号"
MEETING_APP = "腾讯会议"
CHANNELS = "微信视频号"
LAWYERS = "金山区侨联法律顾问委员会"
PINGHU = "平湖市侨联"
OFFICIALS = "区委统战部"
# No gatherings: the first wave of 2020, Shanghai's spring of 2022 and the wave after the
# reopening of December 2022. Events move online, are put off, or are cancelled.
RESTRICTED = (
    (dt.date(2020, 1, 24), dt.date(2020, 5, 31)),
    (dt.date(2022, 3, 12), dt.date(2022, 6, 30)),
    (dt.date(2022, 12, 8), dt.date(2022, 12, 31)),
)
ARCHIVED_SHARE = {2017: 0.8, 2018: 0.8, 2019: 0.7, 2020: 0.5, 2021: 0.3, 2022: 0.05}
DOCTORS = ("医生", "主治医师", "护士长")
SCHOLARS = ("教授", "副教授", "研究员")
LAWS = (
    "中华人民共和国归侨侨眷权益保护法",
    "上海市华侨权益保护条例",
    "上海市实施《中华人民共和国归侨侨眷权益保护法》办法",
)
EXPERT_ORGS = (
    ("中共上海市委党校", "教授"),
    ("中共金山区委党校", "副教授"),
    ("上海社会科学院", "研究员"),
    ("复旦大学国际问题研究院", "教授"),
    ("华东师范大学", "教授"),
    ("上海交通大学", "副教授"),
    ("区委宣讲团", "宣讲员"),
    ("上海市侨联", "处长"),
)
FORUM_TOPICS = {
    2018: ["改革开放40年与上海发展", "中美经贸摩擦的走向与影响", "长三角一体化发展的机遇", "乡村振兴战略解读",
           "宪法修正案的重大意义", "首届进博会与扩大开放"],
    2019: ["新中国70年的伟大成就", "上海自贸试验区临港新片区建设", "5G时代的产业变革", "中美关系的历史与现实",
           "粤港澳大湾区与长三角", "十九届四中全会精神解读"],
    2020: ["疫情下的世界经济形势", "民法典与侨界群众生活", "“十四五”规划建议解读", "抗疫中的中国精神",
           "“四史”中的上海故事"],
    2021: ["百年党史中的侨界故事", "“十四五”开局与金山发展", "碳达峰碳中和的路径", "共同富裕的内涵与实践",
           "十九届六中全会精神解读", "乡村振兴与金山农业"],
    2022: ["百年变局下的国际格局", "全过程人民民主", "党的二十大报告解读", "上海湾区高新区发展规划",
           "数字化转型与城市治理"],
}  # fmt: skip
HEALTH_TOPICS = ("老年慢性病防治", "夏季防暑与饮食健康", "骨质疏松的预防", "冬季心脑血管疾病预防", "中医养生与保健",
                 "老年人防跌倒")  # fmt: skip
POLICY_TOPICS = ("人才落户与居住证积分政策", "留学回国人员创业扶持政策", "高新技术企业认定与研发费用加计扣除",
                 "知识产权保护与成果转化", "海外人才子女入学政策")  # fmt: skip
# (title with 侨之家/新侨驿站 standing for the station's name, kind, project, months, what was done)
HOME_EVENTS = (
    (
        "侨之家健康讲座：{topic}",
        K.LECTURE,
        P.HUIQIAO,
        (4, 5, 7, 8, 11),
        "社区卫生服务中心医生结合老年侨界群众的常见问题讲解防治知识，并现场答疑。",
    ),
    (
        "侨之家“书香侨韵”读书分享会",
        K.STUDY,
        P.NINGXIN,
        (4, 5, 8, 11),
        "参加者分享近期阅读的书籍，交流学习体会，畅谈家乡发展变化。",
    ),
    (
        "侨之家“浓情端午”包粽子联谊活动",
        K.GATHERING,
        P.HUIQIAO,
        (6,),
        "侨界群众一起包粽子、挂香囊，共度佳节，并为社区高龄归侨侨眷送去粽子。",
    ),
    (
        "侨之家“情满中秋”侨界联谊会",
        K.GATHERING,
        P.NINGXIN,
        (9,),
        "侨界群众欢聚一堂，品月饼、话团圆，表演自编自演的节目，视频连线海外亲友。",
    ),
    ("侨之家重阳节敬老慰问活动", K.VISIT, P.HUIQIAO, (10,), "侨之家志愿者走访高龄归侨侨眷，送上节日慰问品和祝福。"),
    (
        "侨之家智能手机使用辅导",
        K.LECTURE,
        P.HUIQIAO,
        (4, 5, 7, 11),
        "青年志愿者手把手教老年侨界群众使用健康码、视频通话和网上预约挂号，帮助他们跨越数字鸿沟。",
    ),
    (
        "侨之家法律咨询服务日",
        K.LAW,
        P.HUIQIAO,
        (5, 8, 11),
        "区侨联法顾委律师在侨之家坐班，接待涉侨法律咨询，发放侨法宣传资料。",
    ),
    ("侨之家红色观影活动", K.STUDY, P.NINGXIN, (6, 7, 10), "组织侨界群众观看红色影片，观影后交流感受。"),
)
NEW_OVERSEAS_EVENTS = (
    ("新侨驿站政策解读会：{topic}", K.LECTURE, P.JULI, (4, 5, 6, 9, 11),
     "相关职能部门负责人解读政策，并就新侨关心的问题逐一解答。"),
    ("新侨驿站新侨创新创业沙龙", K.GATHERING, P.JULI, (4, 6, 9, 10, 12),
     "新侨创业者分享创业经历，交流项目进展和资源对接需求。"),
    ("新侨驿站走访侨资企业", K.ENTERPRISE, P.JULI, (5, 7, 10),
     "驿站工作人员和侨联干部走访辖区侨资企业，了解经营情况和诉求，协调解决实际困难。"),
    ("新侨驿站新侨青年联谊会", K.GATHERING, P.NINGXIN, (5, 8, 10),
     "新侨青年围绕职业发展和生活融入交流互动，结识新朋友。"),
)  # fmt: skip
GROUP_EVENTS = (
    ("{group}侨联小组学习会", K.STUDY, P.NINGXIN, "侨联小组成员学习上级侨联会议精神，交流近期侨情和群众反映的问题。"),
    ("{group}侨联小组走访高龄归侨侨眷", K.VISIT, P.HUIQIAO, "侨联小组负责人走访辖区高龄、独居归侨侨眷，了解生活近况。"),
    ("{group}侨界邻里联谊会", K.GATHERING, P.NINGXIN, "辖区侨界群众相聚交流，增进邻里情谊。"),
)
TRAININGS = {
    2018: (dt.date(2018, 6, 21), 2, SCHOOL, Mode.OFFLINE, [
        ("新时代侨务工作的新要求——学习贯彻党的十九大精神", "中共金山区委党校"),
        ("侨联组织六大职能与基层侨联工作实务", "区侨联"),
        ("《上海市华侨权益保护条例》解读", LAWYERS),
        ("侨情调查与侨情数据管理", "区侨联")]),
    2019: (dt.date(2019, 10, 16), 3, "浙江省平湖市侨联会议室", Mode.OFFLINE, [
        ("学习习近平总书记关于侨务工作的重要论述", "中共上海市委党校"),
        ("“不忘初心、牢记使命”主题教育专题辅导", "中共金山区委党校"),
        ("“金平果”毗邻合作与侨务资源共享", PINGHU),
        ("侨之家规范化建设经验交流", "区侨联"),
        ("新媒体宣传与信息报送", "区侨联"),
        ("社情民意信息的撰写与报送", "区政协")]),
    2020: (dt.date(2020, 11, 12), 1, SCHOOL, Mode.HYBRID, [
        ("“四史”学习教育专题辅导", "中共金山区委党校"),
        ("疫情防控常态化下的为侨服务", "区侨联"),
        ("《中华人民共和国民法典》与涉侨权益保护", LAWYERS)]),
    2021: (dt.date(2021, 6, 9), 2, SCHOOL, Mode.OFFLINE, [
        ("中国共产党百年奋斗历程与侨务工作", "中共上海市委党校"),
        ("《中国共产党统一战线工作条例》解读", OFFICIALS),
        ("侨联组织政治建设与基层侨联规范化建设", "区侨联"),
        ("侨之家阵地建设的“五有”标准", "区侨联"),
        ("涉侨矛盾纠纷调解实务", LAWYERS)]),
    2022: (dt.date(2022, 9, 15), 2, SCHOOL, Mode.HYBRID, [
        ("新一届基层侨联班子履职能力建设", "区侨联"),
        ("基层侨联组织换届后的工作规范", "区侨联"),
        ("侨情数据库与侨务信息化", "区侨联"),
        ("新时代统一战线工作的重要论述", OFFICIALS)]),
}  # fmt: skip
# The campaigns of the 凝心 work besides the yearly 侨心向党: (title, starts, ends, description).
STUDY_CAMPAIGNS = {
    2019: ("“不忘初心、牢记使命”主题教育", dt.date(2019, 9, 1), dt.date(2020, 1, 31),
           "按照区委部署，在区侨联机关和侨联委员中开展“不忘初心、牢记使命”主题教育。"),
    2020: ("“四史”学习教育", dt.date(2020, 6, 1), dt.date(2020, 12, 31),
           "学习党史、新中国史、改革开放史、社会主义发展史，引导侨界群众坚定“四个自信”。"),
    2021: ("党史学习教育", dt.date(2021, 2, 20), dt.date(2021, 12, 31),
           "学党史、悟思想、办实事、开新局：区侨联机关、各级侨联组织和侨界群众的党史学习教育。"),
    2022: ("学习宣传贯彻党的二十大精神", dt.date(2022, 10, 16), dt.date(2022, 12, 31),
           "组织侨界群众收看党的二十大开幕会，开展专题学习、宣讲和座谈。"),
}  # fmt: skip
HEART_CAMPAIGNS = {
    2018: ("2018年“侨心向党”主题宣传教育活动", "纪念改革开放40周年，讲述侨界人士亲历的发展变化。"),
    2019: ("2019年“侨心向党·礼赞新中国”主题宣传教育活动", "庆祝中华人民共和国成立70周年。"),
    2020: ("2020年“侨心向党·同心抗疫”主题宣传教育活动", "讲述侨界同心抗疫的故事，凝聚侨心侨力。"),
    2021: ("2021年“侨心向党”主题宣传教育活动", "庆祝中国共产党成立100周年：听党话、感党恩、跟党走。"),
    2022: ("2022年“侨心向党·喜迎二十大”主题宣传教育活动", "以侨界群众喜闻乐见的形式喜迎党的二十大召开。"),
}
HEART_TOWN_EVENTS = (
    ("{town}侨界“侨心向党”主题座谈会", K.GATHERING),
    ("{town}侨界红色观影活动", K.STUDY),
    ("{town}“侨心向党”红色故事分享会", K.REPORT),
    ("{town}侨界人士红色寻访活动", K.STUDY),
)
RESEARCH = {
    2019: ("金山区新侨人才发展现状", dt.date(2019, 9, 12)),
    2020: ("侨资企业转型升级中的诉求与对策", dt.date(2020, 7, 16)),
    2021: ("后疫情时代统战侨务工作的探索与实践", dt.date(2021, 10, 21)),
    2022: ("“侨之家”阵地规范化建设的实践与思考", dt.date(2022, 5, 12)),
}
NUMERALS = "〇一二三四五六七八九十"


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def restricted(day: dt.date) -> bool:
    return any(first <= day <= last for first, last in RESTRICTED)


def _key(reg: Reg) -> str:
    return services.participant_key(
        person_id=reg.person.pk if reg.person else None, name=reg.name, organization=reg.organization
    )


@dataclass
class Member:
    """A registry person who may take part in activities."""

    person: Person
    town: str  # Town.key
    federation_id: int
    born: dt.date
    until: dt.date | None  # no longer takes part from this day (died, moved away)
    weight: float  # how often they come
    hardship: bool
    doctor: bool
    scholar: bool
    entrepreneur: bool
    young: bool  # a returned student or a student's relative, for the 新侨 events

    def fits(self, day: dt.date, min_age: int = 16, max_age: int = 92) -> bool:
        if self.until is not None and day >= self.until:
            return False
        return min_age <= age_on(self.born, day) <= max_age


def _deceased(person: Person | None) -> bool:
    return person is not None and person.living_status == c.LivingStatus.DECEASED


@dataclass
class Reg:
    person: Person | None = None
    name: str = ""
    organization: str = ""
    role: str = Role.PARTICIPANT
    present: bool = True
    service: bool = False  # through registration_add: speakers and performers
    attends: tuple[int, ...] = ()  # the sessions attended, by index

    def __post_init__(self) -> None:
        if self.person is not None:
            self.name = self.person.name
        self.name, self.organization = self.name.strip(), self.organization.strip()


@dataclass
class Plan:
    federation: Federation
    title: str
    kind: str
    project: str
    start: dt.datetime
    end: dt.datetime
    mode: str = Mode.OFFLINE
    place: str = ""
    platform: str = ""
    campaign: Campaign | None = None
    brand: Brand | None = None
    co: list[Federation] = field(default_factory=list)
    partners: list[PartnerFederation] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    other: str = ""
    capacity: int | None = None
    budget: Decimal | None = None
    regs: list[Reg] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    sessions: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # (starts, topic, speaker)
    audience: int | None = None
    views: int | None = None
    detail: str = ""  # what was done, for the summary
    outcome: str = ""  # cancelled / held / reported / archived; "" = decided when written
    publish: bool = False
    seq: int = 0

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> dt.date:
        return timezone.localtime(self.end).date()

    def add(self, reg: Reg) -> bool:
        """Register ``reg`` unless they already are, or the activity is full."""
        key = _key(reg)
        if key in self.keys or (self.capacity is not None and len(self.regs) >= self.capacity):
            return False
        self.keys.add(key)
        self.regs.append(reg)
        return True


class ActivityBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("activities")
        self.admin = ctx.actor()
        self.scale = ctx.scale
        self.events = min(ctx.scale, 1.0)  # counts of events grow with the scale up to the full demo
        self.district = ctx.district or Federation.objects.get(parent=None)
        by_code = {t.code: t for t in TOWNS}
        self.towns: list[tuple[Town, Federation]] = [
            (by_code[f.code], f)
            for f in Federation.objects.filter(level=Level.TOWN, code__in=list(by_code)).order_by("sort_order", "id")
        ]
        self.town_of_federation: dict[int, str] = {f.pk: t.key for t, f in self.towns}
        self.groups: dict[str, list[Federation]] = {t.key: [] for t, _f in self.towns}
        for group in Federation.objects.filter(level=Level.COMMUNITY).order_by("sort_order", "id"):
            key = self.town_of_federation.get(group.parent_id)
            if key:
                self.groups[key].append(group)
                self.town_of_federation[group.pk] = key
        self.brands = {b.name: b for b in Brand.objects.all()}
        self.partner = PartnerFederation.objects.filter(name=PINGHU).first()
        self.stations = list(Station.objects.filter(is_active=True).select_related("federation").order_by("id"))
        self.committee = list(CommitteeMember.objects.select_related("term__federation").order_by("id"))
        self._load_people()
        self._load_arts()
        self.heart_campaigns: dict[int, Campaign] = {}
        self.hosted: set[int] = set()  # stations that have hosted an activity
        rng = self.rng
        # Fixed rosters of outside people, so the same lawyers, experts and friends from 平湖 come back.
        self.lawyers = [
            (names.full_name(rng, male=chance(rng, 0.6), birth_year=rng.randint(1965, 1988)), LAWYERS) for _ in range(6)
        ]
        self.experts = [
            (names.full_name(rng, male=chance(rng, 0.65), birth_year=rng.randint(1958, 1982)), *rng.choice(EXPERT_ORGS))
            for _ in range(12)
        ]
        self.doctors = [
            (names.full_name(rng, male=chance(rng, 0.5), birth_year=rng.randint(1962, 1990)),
             rng.choice(("复旦大学附属金山医院", "金山区中心医院")))
            for _ in range(6)
        ]  # fmt: skip
        self.pinghu = [
            (
                names.full_name(rng, male=chance(rng, 0.55), birth_year=rng.randint(1960, 1995)),
                PINGHU
                if chance(rng, 0.6)
                else rng.choice(("平湖市侨联青年委员会", "平湖市侨商会", "平湖市新侨联谊会")),
            )
            for _ in range(18)
        ]
        self.plans: list[Plan] = []
        self.codes: set[str] = set(Registration.objects.values_list("code", flat=True))

    # Who may take part ---------------------------------------------------------------------

    def _load_people(self) -> None:
        rng = self.rng
        seated = {m.person_id for m in self.committee if m.person_id}
        self.members: list[Member] = []
        # the persons registration_add accepts from the actor (not archived, in their scope), at home
        persons = (
            person_scope(user=self.admin)
            .filter(residence_country="", birth_date__isnull=False)
            .exclude(living_status=c.LivingStatus.DECEASED, deceased_on__isnull=True)
            .only(
                "id", "name", "federation_id", "birth_date", "category", "living_status", "deceased_on", "notes",
                "employer", "position", "occupation", "social_roles", "is_in_hardship", "is_returnee_entrepreneur",
            )
            .order_by("id")
        )  # fmt: skip
        for person in persons:
            town = self.town_of_federation.get(person.federation_id)
            if town is None:
                continue
            until = None
            if person.living_status == c.LivingStatus.DECEASED:
                until = person.deceased_on
            elif person.living_status == c.LivingStatus.MOVED_AWAY:
                year = int(person.notes[:4]) if person.notes[:4].isdigit() else 2018
                until = dt.date(year, 6, 30)
            age = age_on(person.birth_date)
            weight = rng.lognormvariate(0.0, 0.8)
            weight *= 1.8 if person.pk in seated else 1.0
            weight *= 1.4 if person.social_roles else 1.0
            weight *= {c.Category.RETURNEE: 1.4, c.Category.RETURNED_STUDENT: 1.2}.get(person.category, 1.0)
            weight *= 1.3 if 58 <= age <= 80 else 0.4 if age > 88 else 1.0
            self.members.append(
                Member(
                    person=person,
                    town=town,
                    federation_id=person.federation_id,
                    born=person.birth_date,
                    until=until,
                    weight=weight,
                    hardship=person.is_in_hardship,
                    doctor=person.position in DOCTORS,
                    scholar=person.position in SCHOLARS,
                    entrepreneur=bool(person.employer)
                    and (person.occupation == c.Occupation.ENTREPRENEUR or person.is_returnee_entrepreneur),
                    young=person.category in (c.Category.RETURNED_STUDENT, c.Category.STUDENT_RELATIVE),
                )
            )
        self.by_person = {m.person.pk: m for m in self.members}
        self.by_town: dict[str, list[Member]] = {t.key: [] for t, _f in self.towns}
        self.by_federation: dict[int, list[Member]] = {}
        for m in self.members:
            self.by_town[m.town].append(m)
            self.by_federation.setdefault(m.federation_id, []).append(m)

    def pool(self, federation: Federation) -> list[Member]:
        """The persons of a federation's area (its subtree): who its activities register."""
        if federation.pk == self.district.pk:
            return self.members
        if federation.level == Level.TOWN:
            return self.by_town.get(self.town_of_federation.get(federation.pk, ""), [])
        return self.by_federation.get(federation.pk, [])

    def pick(self, pool: list[Member], day: dt.date, k: int, *, min_age=16, max_age=92, prefer=None) -> list[Member]:
        eligible = [m for m in pool if m.fits(day, min_age, max_age)]
        weights = [m.weight * (prefer(m) if prefer else 1.0) for m in eligible]
        return weighted_sample(self.rng, eligible, weights, min(k, len(eligible)))

    def heads(self, low: int, high: int, *, minimum: int = 1) -> int:
        """A count of people, scaled."""
        return max(minimum, round(self.rng.randint(low, high) * self.scale))

    def count(self, low: int, high: int, *, minimum: int = 1) -> int:
        """A count of events, scaled up to the full demo."""
        return max(minimum, round(self.rng.randint(low, high) * self.events))

    def optional(self) -> bool:
        """Whether to plan an event that only the fuller demos need (always at scale 1 and above;
        about one in four in the small builds the tests make)."""
        return chance(self.rng, min(1.0, max(self.events, 0.25)))

    def fill(self, plan: Plan, pool: list[Member], low: int, high: int, *, role=Role.PARTICIPANT, service=False,
             min_age=16, max_age=92, prefer=None, rate: float | None = None) -> list[Member]:  # fmt: skip
        """Register about ``low``–``high`` (× scale) people of ``pool``; most of them come."""
        rate = rate if rate is not None else self.rng.uniform(0.82, 0.97)
        chosen = self.pick(pool, plan.day, self.heads(low, high, minimum=2), min_age=min_age, max_age=max_age,
                           prefer=prefer)  # fmt: skip
        added = []
        for m in chosen:
            reg = Reg(person=m.person, role=role, service=service, present=service or chance(self.rng, rate))
            if plan.add(reg):
                added.append(m)
        return added

    def roster(self, federation: Federation, day: dt.date) -> list[tuple[CommitteeMember, Reg]]:
        """The committee of ``federation`` in force on ``day``: registry persons where linked,
        cadres by name with their federation as organization (the same key in every activity)."""
        out = []
        for seat in self.committee:
            term = seat.term
            if term.federation_id != federation.pk or not term.starts_on <= day <= term.ends_on:
                continue
            if seat.person_id:
                member = self.by_person.get(seat.person_id)
                if member is None or not member.fits(day, 16, 100):
                    continue
                out.append((seat, Reg(person=member.person)))
            else:
                if federation.level == Level.DISTRICT:
                    org = seat.position.removesuffix("主席") if seat.position.endswith("侨联主席") else "金山区侨联"
                else:
                    org = federation.name
                out.append((seat, Reg(name=seat.name, organization=org)))
        return out

    def seat_committee(self, plan: Plan, federation: Federation, *, rate: float = 0.9, service: bool = False,
                       role=Role.PARTICIPANT) -> None:  # fmt: skip
        for _seat, reg in self.roster(federation, plan.day):
            reg.role, reg.service = role, service
            reg.present = service or chance(self.rng, rate)
            plan.add(reg)

    # Planning helpers ------------------------------------------------------------------------

    def campaign(self, title: str, brand: str | None, project: str, starts: dt.date, ends: dt.date,
                 description: str) -> Campaign:  # fmt: skip
        return services.campaign_create(
            actor=self.admin,
            data={
                "federation": self.district,
                "title": title,
                "brand": self.brands.get(brand) if brand else None,
                "project": project,
                "starts_on": starts,
                "ends_on": ends,
                "description": description,
            },
        )

    def plan(self, federation: Federation, title: str, kind: str, project: str, day: dt.date, *, hour: int = 9,
             minute: int = 0, hours: float = 2.0, end_day: dt.date | None = None, mode: str = Mode.OFFLINE,
             place: str = "", platform: str = "", brand: str | None = None, **extra) -> Plan:  # fmt: skip
        start = at(day, hour, minute)
        end = at(end_day, 16, 30) if end_day else start + dt.timedelta(hours=hours)
        if mode != Mode.OFFLINE and not platform:
            platform = ACCOUNT if day.year < 2020 else self.rng.choice((MEETING_APP, CHANNELS))
        if mode == Mode.ONLINE:
            place = ""
        plan = Plan(
            federation=federation,
            title=title,
            kind=kind,
            project=project,
            start=start,
            end=end,
            mode=mode,
            place=place,
            platform=platform if mode != Mode.OFFLINE else "",
            brand=self.brands.get(brand) if brand else None,
            seq=len(self.plans),
            **extra,
        )
        self.plans.append(plan)
        return plan

    def free_day(self, months: tuple[int, ...], year: int, *, allow_restricted: bool = False) -> dt.date | None:
        """A day in one of ``months`` of ``year`` outside the restrictions (None if none found)."""
        for _ in range(12):
            month = self.rng.choice(months)
            first = dt.date(year, month, 1)
            last = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
            day = date_between(self.rng, first, min(last, LAST_DAY))
            if allow_restricted or not restricted(day):
                return day
        return None

    def speaker(self, plan: Plan, *, scholar_share: float = 0.3) -> str:
        """Register the speaker (an expert from the roster, or a scholar from the registry)."""
        rng = self.rng
        scholars = [m for m in self.members if m.scholar and m.fits(plan.day, 30, 75)]
        if scholars and chance(rng, scholar_share):
            m = rng.choice(scholars)
            plan.add(Reg(person=m.person, role=Role.SPEAKER, service=True))
            return f"{m.person.employer}{m.person.position}{m.person.name}"
        name, org, title = rng.choice(self.experts)
        plan.add(Reg(name=name, organization=org, role=Role.SPEAKER, service=True))
        return f"{org}{title}{name}"

    def lawyer(self, plan: Plan, role=Role.SPEAKER) -> str:
        name, org = self.rng.choice(self.lawyers)
        plan.add(Reg(name=name, organization=org, role=role, service=role == Role.SPEAKER))
        return name

    # The programmes --------------------------------------------------------------------------

    def build_plans(self) -> None:
        self.congresses()
        for year in YEARS:
            self.law_month(year)
            self.heart(year)
            self.study(year)
            self.forum(year)
            self.training(year)
            self.committee_meeting(year)
            self.new_year(year)
            self.juli(year)
            self.stations_year(year)
            self.groups_year(year)
            if self.partner is not None:
                self.jinpingguo(year)
        self.shows()
        self.tours()
        self.volunteers()
        self.camps()

    def congresses(self) -> None:
        rng = self.rng
        day = dt.date(2017, 12, 15)
        plan = self.plan(self.district, "金山区第五次归侨侨眷代表大会", K.MEETING, P.QIANGJI, day, hours=5,
                         place=CONFERENCE, other=OFFICIALS, publish=True)  # fmt: skip
        self.seat_committee(plan, self.district, rate=1.0)
        plan.audience = self.heads(150, 180)
        plan.detail = "大会听取和审议区侨联第四届委员会工作报告，选举产生区侨联第五届委员会，提出今后五年的目标任务。"
        plan = self.plan(self.district, "学习贯彻党的十九大精神专题宣讲会", K.REPORT, P.NINGXIN,
                         dt.date(2017, 12, 21), hour=14, place=HALL, capacity=HALL_CAPACITY)  # fmt: skip
        who = self.speaker(plan, scholar_share=0)
        self.seat_committee(plan, self.district)
        self.fill(plan, self.members, 30, 60)
        plan.detail = f"{who}作专题宣讲，系统解读党的十九大报告的主要精神和新时代侨务工作的新要求。"

        sixth = Election.objects.filter(federation=self.district, held_on__year=2022).first()
        day = sixth.held_on if sixth else dt.date(2022, 11, 22)
        plan = self.plan(self.district, "金山区第六次归侨侨眷代表大会", K.MEETING, P.QIANGJI, day, hours=5,
                         place=CONFERENCE, other=OFFICIALS, publish=True)  # fmt: skip
        self.seat_committee(plan, self.district, rate=1.0)
        delegates = sixth.delegate_count if sixth and sixth.delegate_count else rng.randint(180, 220)
        plan.audience = max(1, round(delegates * min(self.scale, 1.0)) - len(plan.regs))
        plan.detail = (
            "大会听取和审议区侨联第五届委员会工作报告，选举产生区侨联第六届委员会，"
            "号召全区归侨侨眷深入学习贯彻党的二十大精神。"
        )
        for election in (
            Election.objects.filter(federation__level=Level.TOWN)
            .select_related("federation", "term")
            .order_by("held_on", "id")
        ):
            if not self.optional():
                continue
            chair = election.term.members.filter(role=CommitteeRole.CHAIR).values_list("name", flat=True).first()
            federation = election.federation
            plan = self.plan(federation, election.congress_name, K.MEETING, P.QIANGJI, election.held_on, hours=3,
                             place=f"{federation.short_name}社区文化活动中心")  # fmt: skip
            self.seat_committee(plan, federation, rate=1.0)
            plan.audience = max(1, round((election.delegate_count or 60) * min(self.scale, 1.0)) - len(plan.regs))
            plan.detail = "大会审议通过上一届委员会工作报告，选举产生新一届委员会" + (
                f"，{chair}当选主席。" if chair else "。"
            )

    def committee_meeting(self, year: int) -> None:
        if not self.optional():
            return
        day = dt.date(year, 1, self.rng.randint(8, 18))
        plan = self.plan(self.district, f"区侨联五届{NUMERALS[year - 2016]}次全委（扩大）会议", K.MEETING, P.QIANGJI,
                         day, hour=14, place=HALL, capacity=HALL_CAPACITY)  # fmt: skip
        self.seat_committee(plan, self.district)
        for _town, federation in self.towns:  # 扩大: the chairs of the town federations
            for seat, reg in self.roster(federation, day):
                if seat.role == CommitteeRole.CHAIR:
                    reg.present = chance(self.rng, 0.95)
                    plan.add(reg)
        plan.detail = (
            f"会议审议通过区侨联{year - 1}年工作报告和{year}年工作要点，"
            f"表彰{year - 1}年度先进基层侨联组织和优秀侨之家。"
        )

    # 惠侨: 侨法宣传月 ---------------------------------------------------------------------------

    def law_month(self, year: int) -> None:
        rng = self.rng
        campaign = self.campaign(f"{year}年侨法宣传月", "侨法宣传月", P.HUIQIAO, dt.date(year, 3, 1),
                                 dt.date(year, 3, 31),
                                 "在全区营造“知侨法、懂侨法、用侨法、护侨益”的良好氛围：咨询、义诊、讲座、"
                                 "走访慰问和网上知识竞答。")  # fmt: skip
        law = {"campaign": campaign, "brand": "侨法宣传月"}
        host_town, host = self.towns[(year - 2018) * 3 % len(self.towns)]
        online = year == 2020
        day = dt.date(year, 3, rng.randint(1, 6) if year != 2022 else rng.randint(1, 4))
        plan = self.plan(self.district, f"{year}年金山区“侨法宣传月”活动启动仪式", K.LAW, P.HUIQIAO, day,
                         mode=Mode.ONLINE if online else Mode.OFFLINE,
                         place=f"{host_town.short_name}社区文化活动中心广场",
                         co=[] if online else [host], other="区委统战部、区司法局", publish=True,
                         budget=Decimal(rng.randrange(5000, 15000, 500)), **law)  # fmt: skip
        self.seat_committee(plan, self.district, rate=0.7)
        leaflets = rng.randrange(800, 2500, 50)
        if online:
            plan.views = self.heads(3000, 8000)
            plan.detail = (
                "受疫情影响，启动仪式改在线上举行，发布侨法宣传月活动安排和疫情期间涉侨法律服务热线，"
                "推送侨法知识图文和微视频。"
            )
        else:
            for _ in range(2):
                self.lawyer(plan, role=Role.VOLUNTEER)
            self.fill(plan, self.pool(host), 30, 60)
            plan.audience = self.heads(150, 400)
            plan.detail = (
                f"启动仪式发布了{year}年侨法宣传月活动安排。区侨联法律顾问委员会律师和侨界医生现场设摊，"
                f"提供法律咨询和义诊服务，发放《{LAWS[0]}》《{LAWS[1]}》等宣传资料{leaflets}份。"
            )
        quiz_end = dt.date(year, 3, 31)
        plan = self.plan(self.district, f"{year}年“侨法知识网上竞答”活动", K.LAW, P.HUIQIAO, dt.date(year, 3, 1),
                         end_day=quiz_end, mode=Mode.ONLINE, platform=ACCOUNT, **law)  # fmt: skip
        plan.views = self.heads(2000, 6000) * (2 if year >= 2020 else 1)
        plan.detail = (
            f"竞答围绕归侨侨眷权益保护法律法规设置{rng.choice((20, 25, 30))}道题目，"
            f"{rng.randint(50, 120)}名答题优秀者获得纪念品。"
        )
        if self.optional():
            self.law_lecture(year, law)
        for town, federation in self.towns:
            if year == 2020:
                kinds = ["online"] + (["visit"] if chance(rng, 0.6) and self.optional() else [])
                days = sorted(date_between(rng, dt.date(2020, 3, 2), dt.date(2020, 3, 31)) for _ in kinds)
            else:
                n = self.count(2, 4)
                # the town federation's own event first, then perhaps one of a community group
                kinds = rng.sample(["desk", "clinic", "visit", "lecture"], 1)
                kinds += rng.sample([k for k in ("desk", "clinic", "visit", "lecture", "community") if k != kinds[0]],
                                    n - 1)  # fmt: skip
                if year == 2022:  # offline until the city closed on 12 March, online after
                    days = [date_between(rng, dt.date(2022, 3, 1), dt.date(2022, 3, 11))]
                    days += sorted(date_between(rng, dt.date(2022, 3, 14), dt.date(2022, 3, 31)) for _ in kinds[1:])
                else:
                    days = sorted(date_between(rng, dt.date(year, 3, 1), dt.date(year, 3, 31)) for _ in kinds)
            for kind, day in zip(kinds, days, strict=True):
                self.law_event(kind, town, federation, day, law)

    def law_lecture(self, year: int, law: dict) -> None:
        rng = self.rng
        day = dt.date(year, 3, rng.randint(8, 24))
        mode = Mode.ONLINE if restricted(day) else Mode.OFFLINE
        topic = rng.choice(
            ("涉侨房产与继承法律问题", "跨境婚姻家庭法律问题", "海外侨胞在沪权益保护", "涉侨遗产继承与公证")
        )
        plan = self.plan(self.district, f"侨法专题讲座：{topic}", K.LECTURE, P.HUIQIAO, day, hour=14, mode=mode,
                         place=HALL, capacity=HALL_CAPACITY, **law)  # fmt: skip
        name = self.lawyer(plan)
        self.fill(plan, self.members, 30, 70)
        if mode == Mode.ONLINE:
            plan.views = self.heads(400, 1500)
        plan.detail = f"区侨联法律顾问委员会律师{name}围绕{topic}，结合典型案例解读相关法律规定，并解答提问。"

    def law_event(self, kind: str, town: Town, federation: Federation, day: dt.date, law: dict) -> None:
        rng = self.rng
        short = town.short_name
        online = (restricted(day) and kind != "visit") or kind == "online"
        if restricted(day) and kind == "visit" and day.year == 2022:
            kind, online = "online", True
        pool = self.pool(federation)
        leaflets = rng.randrange(200, 900, 20)
        if online:
            titles = {
                "online": f"{short}线上侨法宣传：疫情防控期间涉侨法律问答",
                "desk": f"{short}“侨法宣传月”线上咨询活动",
                "clinic": f"{short}侨界医生线上健康咨询",
                "lecture": f"{short}线上侨法知识讲座",
                "community": f"{short}“侨法进社区”线上推送",
            }
            plan = self.plan(federation, titles[kind], K.LAW if kind != "lecture" else K.LECTURE, P.HUIQIAO, day,
                             mode=Mode.ONLINE, platform=rng.choice((ACCOUNT, "微信群", MEETING_APP)),
                             **law)  # fmt: skip
            if kind in ("lecture", "desk"):
                self.lawyer(plan)
                self.fill(plan, pool, 10, 30, rate=0.95)
            plan.views = self.heads(200, 1500)
            plan.detail = "律师和侨联工作人员在线解答侨界群众的涉侨法律咨询，推送侨法知识图文和微视频。"
            return
        if kind == "desk":
            plan = self.plan(federation, f"{short}“侨法宣传月”咨询服务活动", K.LAW, P.HUIQIAO, day,
                             place=f"{short}社区文化活动中心广场", **law)  # fmt: skip
            lawyer = self.lawyer(plan, role=Role.VOLUNTEER)
            volunteers = self.fill(plan, pool, 3, 6, role=Role.VOLUNTEER, min_age=20, max_age=70, rate=1.0)
            self.fill(plan, pool, 15, 35)
            plan.audience = self.heads(80, 250)
            plan.detail = (
                f"活动设侨法咨询台，律师{lawyer}和{len(volunteers)}名侨界志愿者现场解答房屋动迁、继承、"
                f"出入境等涉侨法律问题{rng.randint(20, 60)}人次，发放宣传资料{leaflets}份。"
            )
        elif kind == "clinic":
            plan = self.plan(federation, f"{short}侨界医生义诊暨侨法宣传活动", K.LAW, P.HUIQIAO, day,
                             place=f"{short}党群服务中心", **law)  # fmt: skip
            # doctors of the town's registry; the district's 侨界 doctors by name where it has none
            wanted = rng.randint(2, 4)
            local = [m for m in pool if m.doctor and m.fits(day, 28, 70)]
            doctors = []
            for m in rng.sample(local, min(len(local), wanted)):
                plan.add(Reg(person=m.person, role=Role.VOLUNTEER))
                doctors.append(m.person.name)
            for name, hospital in rng.sample(self.doctors, max(0, wanted - len(doctors))):
                plan.add(Reg(name=name, organization=hospital, role=Role.VOLUNTEER))
                doctors.append(name)
            self.fill(plan, pool, 15, 30, min_age=45)
            plan.audience = self.heads(60, 200)
            who = "、".join(doctors) + f"等{len(doctors)}名侨界医生"
            plan.detail = (
                f"{who}为侨界群众测量血压、提供健康咨询等义诊服务{rng.randint(40, 150)}人次，"
                f"同时发放侨法宣传资料{leaflets}份。"
            )
        elif kind == "visit":
            plan = self.plan(federation, f"{short}侨法宣传月走访慰问困难归侨侨眷", K.VISIT, P.HUIQIAO, day,
                             hours=4, place=f"{short}辖区困难归侨侨眷家中", **law)  # fmt: skip
            visited = self.fill(plan, pool, 4, 10, min_age=50, rate=1.0,
                                prefer=lambda m: 30.0 if m.hardship else 1.0)  # fmt: skip
            plan.detail = (
                f"{federation.name}负责人走访慰问困难归侨侨眷{len(visited)}户，送上慰问品和侨法宣传资料，"
                "了解他们的生活困难和诉求。"
            )
        elif kind == "lecture":
            law_name = rng.choice(LAWS[:2] if day.year < 2021 else (*LAWS[:2], "中华人民共和国民法典"))
            plan = self.plan(federation, f"{short}侨法知识讲座：《{law_name}》解读", K.LECTURE, P.HUIQIAO, day,
                             hour=14, place=f"{short}党群服务中心", capacity=60, **law)  # fmt: skip
            lawyer = self.lawyer(plan)
            self.fill(plan, pool, 20, 45)
            plan.detail = f"区侨联法律顾问委员会律师{lawyer}结合案例解读《{law_name}》，并现场答疑。"
        else:  # community: by a community group where the town has one
            groups = self.groups.get(town.key) or []
            organizer = rng.choice(groups) if groups else federation
            area = organizer.short_name if groups else rng.choice(town.communities or town.areas).name
            plan = self.plan(organizer, f"“侨法进社区”宣传活动（{short}{area}）", K.LAW, P.HUIQIAO, day,
                             place=f"{short}{area}党群服务站", **law)  # fmt: skip
            self.fill(plan, self.pool(organizer), 10, 25)
            plan.audience = self.heads(30, 100)
            plan.detail = f"在居民区设宣传点、张贴宣传海报，发放侨法宣传资料{leaflets // 2}份，解答居民咨询。"

    # 凝心 ---------------------------------------------------------------------------------------

    def heart(self, year: int) -> None:
        rng = self.rng
        title, description = HEART_CAMPAIGNS[year]
        ends = dt.date(year, 10, 31) if year == 2022 else dt.date(year, 12, 31)
        campaign = self.campaign(title, "侨心向党", P.NINGXIN, dt.date(year, 4, 1), ends, description)
        self.heart_campaigns[year] = campaign
        heart = {"campaign": campaign, "brand": "侨心向党"}
        district_events = {
            2018: [("“改革开放40年·侨界看金山”参观考察活动", K.STUDY, (10, 11)),
                   ("纪念改革开放40周年侨界座谈会", K.GATHERING, (12,))],
            2019: [("“我和我的祖国”侨界快闪活动", K.PUBLICITY, (9,)),
                   ("侨界人士参观中共一大会址", K.STUDY, (6, 7))],
            2020: [("“侨心向党·同心抗疫”侨界抗疫故事征集展示", K.PUBLICITY, (6, 7)),
                   ("“同心抗疫”侨界人士座谈会", K.GATHERING, (9, 10))],
            2021: [("侨界人士参观中共一大纪念馆", K.STUDY, (7, 8)),
                   ("“学党史、感党恩、跟党走”侨界故事会", K.REPORT, (5, 9)),
                   ("“唱支山歌给党听”侨界歌咏会", K.PERFORMANCE, (6,))],
            2022: [("“喜迎二十大·侨心向党”侨界微视频展播", K.PUBLICITY, (7, 8)),
                   ("“喜迎二十大”侨界书画联展", K.EXHIBITION, (9, 10))],
        }[year]  # fmt: skip
        for title, kind, months in district_events:
            if not self.optional():
                continue
            day = self.free_day(months, year)
            if day is None:
                continue
            online = kind == K.PUBLICITY and year >= 2019
            end_day = day + dt.timedelta(days=14) if kind == K.EXHIBITION else None
            place = {K.STUDY: "上海市黄浦区", K.EXHIBITION: GALLERY, K.PERFORMANCE: THEATRE}.get(kind, HALL)
            if "一大" in title:
                place = "中共一大纪念馆" if year >= 2021 else "中共一大会址纪念馆"
            mode = Mode.ONLINE if online else Mode.HYBRID if kind == K.EXHIBITION else Mode.OFFLINE
            plan = self.plan(self.district, title, kind, P.NINGXIN, day, hour=9 if kind == K.STUDY else 14,
                             hours=4 if kind == K.STUDY else 2, end_day=end_day, mode=mode, place=place,
                             platform=ACCOUNT if kind == K.EXHIBITION else CHANNELS if online and year >= 2020 else "",
                             **heart)  # fmt: skip
            if kind == K.PERFORMANCE:
                performers = self.fill(plan, self.members, 20, 35, role=Role.PERFORMER, service=True,
                                       min_age=12, max_age=80)  # fmt: skip
                plan.audience = self.heads(200, 400)
                plan.detail = f"{len(performers)}名侨界歌手和合唱团员演唱《唱支山歌给党听》等经典红色歌曲。"
            elif kind == K.PUBLICITY:
                plan.views = self.heads(3000, 12000)
                self.fill(plan, self.members, 10, 25, min_age=14)
                plan.detail = "征集侨界人士的故事和作品，在新媒体平台集中展示，讲述侨界人士与祖国同行的故事。"
            elif kind == K.EXHIBITION:
                artists = self.fill(plan, self.members, 20, 40, min_age=14, rate=0.95)
                plan.audience = self.heads(600, 1500)
                plan.views = self.heads(1000, 4000)
                plan.detail = f"展出{len(artists)}位侨界人士创作的书画作品{len(artists) * 2 + rng.randint(0, 20)}件。"
            else:
                self.seat_committee(plan, self.district, rate=0.7)
                self.fill(plan, self.members, 20, 45, min_age=18, max_age=85)
                plan.detail = {
                    K.STUDY: "参加者重温入党誓词，参观展陈，追寻红色足迹，交流学习体会。",
                    K.GATHERING: "侨界人士代表结合亲身经历，畅谈国家和家乡的发展变化。",
                    K.REPORT: "侨界老同志、老党员讲述亲历的革命和建设故事。",
                }.get(kind, "")
        # Town federations file their own events under the district's campaign.
        for town, federation in self.towns:
            if not chance(rng, (0.6 + (0.2 if year in (2019, 2021) else 0.0)) * self.events):
                continue
            title, kind = rng.choice(HEART_TOWN_EVENTS)
            day = self.free_day((4, 5, 6, 7, 9, 10) if year != 2022 else (7, 8, 9, 10), year)
            if day is None:
                continue
            plan = self.plan(federation, title.format(town=town.short_name), kind, P.NINGXIN, day, hour=14,
                             place=f"{town.short_name}党群服务中心", **heart)  # fmt: skip
            self.seat_committee(plan, federation, rate=0.8)
            self.fill(plan, self.pool(federation), 15, 40)
            plan.detail = "侨界群众围绕“侨心向党”主题，讲述身边故事，抒发爱党爱国情怀。"

    def study(self, year: int) -> None:
        """The 主题教育 and 学习教育 of the seed, and the study of the congresses and plenums."""
        rng = self.rng
        campaign = None
        if year in STUDY_CAMPAIGNS:
            title, starts, ends, description = STUDY_CAMPAIGNS[year]
            campaign = self.campaign(title, None, P.NINGXIN, starts, ends, description)
        events = {
            2018: [("学习贯彻十九届二中、三中全会和全国两会精神专题学习会", K.STUDY, dt.date(2018, 3, 22), None),
                   ("学习宪法修正案专题辅导报告会", K.REPORT, dt.date(2018, 4, 19), None)],
            2019: [("区侨联“不忘初心、牢记使命”主题教育动员部署会", K.MEETING, dt.date(2019, 9, 10), campaign),
                   ("“不忘初心、牢记使命”主题教育专题党课", K.REPORT, dt.date(2019, 9, 26), campaign),
                   ("主题教育集中学习研讨暨参观陈云纪念馆", K.STUDY, dt.date(2019, 10, 17), campaign),
                   ("学习贯彻十九届四中全会精神专题学习会", K.STUDY, dt.date(2019, 11, 14), campaign)],
            2020: [("“四史”学习教育专题报告会", K.REPORT, dt.date(2020, 6, 18), campaign),
                   ("“四史”学习教育读书分享会", K.STUDY, dt.date(2020, 9, 24), campaign),
                   ("学习贯彻十九届五中全会精神专题宣讲会", K.REPORT, dt.date(2020, 11, 19), campaign)],
            2021: [("区侨联党史学习教育动员部署会", K.MEETING, dt.date(2021, 3, 4), campaign),
                   ("党史学习教育专题报告会", K.REPORT, dt.date(2021, 4, 22), campaign),
                   ("侨界人士党史学习交流会", K.STUDY, dt.date(2021, 5, 20), campaign),
                   ("学习贯彻十九届六中全会精神专题学习会", K.STUDY, dt.date(2021, 11, 25), campaign)],
            2022: [("组织侨界人士收看党的二十大开幕会", K.STUDY, dt.date(2022, 10, 16), campaign),
                   ("学习贯彻党的二十大精神专题学习会", K.STUDY, dt.date(2022, 10, 28), campaign),
                   ("学习二十大精神侨界座谈会", K.GATHERING, dt.date(2022, 11, 17), campaign),
                   ("党的二十大精神线上宣讲", K.REPORT, dt.date(2022, 12, 15), campaign)],
        }[year]  # fmt: skip
        for i, (title, kind, day, in_campaign) in enumerate(events):
            if (i or in_campaign is None) and not self.optional():  # each campaign has its first event
                continue
            hybrid = kind == K.REPORT and year >= 2020
            mode = Mode.ONLINE if restricted(day) else Mode.HYBRID if hybrid else Mode.OFFLINE
            place = "青浦区练塘镇陈云纪念馆" if "陈云" in title else SCHOOL if kind == K.REPORT else HALL
            plan = self.plan(self.district, title, kind, P.NINGXIN, day, hour=9 if "陈云" in title else 14,
                             hours=4 if "陈云" in title else 2, mode=mode, place=place, campaign=in_campaign,
                             capacity=HALL_CAPACITY if place == HALL else None)  # fmt: skip
            self.seat_committee(plan, self.district, rate=0.9)
            if kind == K.REPORT:
                who = self.speaker(plan, scholar_share=0.0)
                self.fill(plan, self.members, 30, 70, min_age=18)
                plan.detail = f"{who}作专题辅导，"
                plan.detail += "结合侨务工作实际阐释精神要义，引导侨界群众把思想和行动统一到党中央决策部署上来。"
                if mode != Mode.OFFLINE:
                    plan.views = self.heads(500, 2500)
            elif kind == K.MEETING:
                plan.detail = "会议传达上级部署，明确学习安排和要求，区委督导组到会指导。"
            else:
                self.fill(plan, self.members, 10, 30, min_age=18)
                plan.detail = (
                    "参加者参观展陈、重温入党誓词，并围绕主题教育开展集中研讨。"
                    if "参观" in title
                    else "参加者原原本本学习原文，结合侨联工作交流学习体会。"
                )
        if year == 2022 and campaign is not None:  # 宣讲 in the towns after the congress
            for town, federation in rng.sample(self.towns, self.count(4, 6, minimum=0)):
                day = date_between(rng, dt.date(2022, 11, 1), dt.date(2022, 12, 6))
                plan = self.plan(self.district, f"党的二十大精神宣讲进侨界（{town.short_name}）", K.REPORT, P.NINGXIN,
                                 day, hour=14, place=f"{town.short_name}党群服务中心", co=[federation],
                                 campaign=campaign)  # fmt: skip
                who = self.speaker(plan, scholar_share=0.0)
                self.seat_committee(plan, federation)
                self.fill(plan, self.pool(federation), 20, 40)
                plan.detail = f"{who}为侨界群众宣讲党的二十大精神，结合金山发展谈认识、谈体会。"

    def forum(self, year: int) -> None:
        """同舟讲坛: several lectures a year, online and hybrid since 2020."""
        rng = self.rng
        topics = FORUM_TOPICS[year]
        chosen = rng.sample(topics, min(len(topics), self.count(4, 6)))
        for topic in chosen:
            day = self.free_day((4, 5, 6, 7, 9, 10, 11, 12) if year != 2022 else (1, 2, 3, 4, 5, 7, 8, 9, 11, 12),
                                year, allow_restricted=True)  # fmt: skip
            if day is None:
                continue
            if "二十大" in topic:
                day = date_between(rng, dt.date(2022, 10, 24), dt.date(2022, 12, 20))
            if "四中全会" in topic:
                day = date_between(rng, dt.date(2019, 11, 4), dt.date(2019, 12, 20))
            if "六中全会" in topic:
                day = date_between(rng, dt.date(2021, 11, 15), dt.date(2021, 12, 20))
            if restricted(day):
                mode = Mode.ONLINE
            elif year >= 2020:
                mode = rng.choice((Mode.HYBRID, Mode.HYBRID, Mode.OFFLINE))
            else:
                mode = Mode.OFFLINE
            plan = self.plan(self.district, f"同舟讲坛：{topic}", K.LECTURE, P.NINGXIN, day, hour=14, mode=mode,
                             place=HALL, capacity=HALL_CAPACITY if mode == Mode.OFFLINE else None,
                             brand="同舟讲坛", publish=chance(rng, 0.25))  # fmt: skip
            who = self.speaker(plan)
            self.fill(plan, self.members, 40, 100, min_age=18)
            if mode != Mode.OFFLINE:
                plan.views = self.heads(500, 3000)
            plan.detail = f"{who}以“{topic}”为题作报告，并与侨界听众互动交流。"

    def shows(self) -> None:
        """The seed's performances and exhibitions of 2019 and 2021."""
        rng = self.rng
        arts = [m for _joined, _left, m in self.arts_roster]
        for year, show, exhibition, show_day, exhibition_days, mode in (
            (2019, "金山区侨界人士庆祝新中国成立70周年文艺汇演", "金山区侨界人士庆祝新中国成立70周年书画摄影展",
             dt.date(2019, 9, 27), (dt.date(2019, 9, 20), dt.date(2019, 10, 10)), Mode.OFFLINE),
            (2021, "金山区侨界人士献礼建党100周年文艺汇演", "金山区侨界人士庆祝建党100周年红色记忆书画展",
             dt.date(2021, 6, 25), (dt.date(2021, 6, 18), dt.date(2021, 7, 16)), Mode.HYBRID),
        ):  # fmt: skip
            heart = {"campaign": self.heart_campaigns.get(year), "brand": "侨心向党"}
            plan = self.plan(self.district, show, K.PERFORMANCE, P.NINGXIN, show_day, hour=14, hours=2.5, mode=mode,
                             place=THEATRE, platform=CHANNELS if mode == Mode.HYBRID else "",
                             co=[f for _t, f in self.towns], other=OFFICIALS, publish=True,
                             budget=Decimal(rng.randrange(30000, 60000, 1000)), **heart)  # fmt: skip
            troupe = [m for m in arts if m.fits(show_day, 10, 85)]
            for m in troupe[: self.heads(18, 24, minimum=5)]:
                plan.add(Reg(person=m.person, role=Role.PERFORMER, service=True))
            self.fill(plan, self.members, 10, 20, role=Role.PERFORMER, service=True, min_age=8, max_age=80)
            if year == 2021 and self.partner is not None:
                for name, org in rng.sample(self.pinghu, 3):
                    plan.add(Reg(name=name, organization=org, role=Role.PERFORMER, service=True))
            self.seat_committee(plan, self.district, rate=0.8)
            performers = sum(1 for r in plan.regs if r.role == Role.PERFORMER)
            plan.audience = self.heads(400, 600)
            if mode == Mode.HYBRID:
                plan.views = self.heads(5000, 15000)
            programme = "合唱、舞蹈、沪剧、诗朗诵、器乐演奏" if year == 2019 else "合唱、情景朗诵、舞蹈、独唱、旗袍秀"
            plan.detail = f"{performers}名侨界演员（含金侨文艺联盟成员）登台，以{programme}等形式" + (
                "抒发对伟大祖国的热爱和祝福。"
                if year == 2019
                else "回顾党的百年光辉历程，表达侨界群众听党话、跟党走的心声。"
            )
            first, last = exhibition_days
            plan = self.plan(self.district, exhibition, K.EXHIBITION, P.NINGXIN, first, end_day=last, mode=mode,
                             place=GALLERY, platform=ACCOUNT if mode == Mode.HYBRID else "", publish=True,
                             budget=Decimal(rng.randrange(10000, 25000, 1000)), **heart)  # fmt: skip
            artists = [m for m in arts if m.fits(first, 10, 90)][: self.heads(6, 10)]
            for m in artists:
                plan.add(Reg(person=m.person))
            self.fill(plan, self.members, 25, 40, min_age=10, rate=0.95)
            exhibitors = len(plan.regs)
            plan.audience = self.heads(800, 2000)
            if mode == Mode.HYBRID:
                plan.views = self.heads(2000, 6000)
            works = exhibitors * 2 + rng.randint(5, 30)
            kinds = "书法、国画、油画和摄影" if year == 2019 else "书法、国画和摄影"
            plan.detail = f"展出{exhibitors}位侨界人士创作的{kinds}作品{works}件。"

    def _load_arts(self) -> None:
        """The 金侨文艺联盟 and its members from the registry: (joined, left, member)."""
        self.arts_group = Group.objects.filter(kind=GroupKind.ARTS).order_by("id").first()
        self.arts_roster: list[tuple[dt.date | None, dt.date | None, Member]] = []
        if self.arts_group is None:
            return
        for gm in self.arts_group.members.filter(person__isnull=False).order_by("id"):
            m = self.by_person.get(gm.person_id)
            if m is not None:
                self.arts_roster.append((gm.joined_on, gm.left_on, m))

    def tours(self) -> None:
        """金侨文艺联盟 tours through the towns, from its founding."""
        rng = self.rng
        group = self.arts_group
        if group is None:
            return
        founded = group.founded_on or dt.date(2019, 9, 26)
        themes = {2019: "礼赞新中国", 2020: "同心抗疫", 2021: "献礼建党百年", 2022: "喜迎二十大"}
        per_year = {2019: (1, 2), 2020: (2, 2), 2021: (4, 6), 2022: (2, 3)}
        for year in range(max(founded.year, 2018), 2023):
            low, high = per_year.get(year, (2, 4))
            towns = rng.sample(self.towns, min(len(self.towns), self.count(low, high)))
            for town, federation in towns:
                first = max(founded + dt.timedelta(days=7), dt.date(year, 4, 1))
                day = date_between(rng, first, dt.date(year, 12, 20))
                online = restricted(day)
                title = f"金侨文艺联盟“{themes.get(year, '侨心向党')}”文艺巡演（{town.short_name}专场）"
                if online:
                    title = f"金侨文艺联盟“{themes.get(year, '侨心向党')}”云上展演（{town.short_name}）"
                plan = self.plan(self.district, title, K.PERFORMANCE, P.NINGXIN, day, hour=14, hours=2,
                                 mode=Mode.ONLINE if online else Mode.OFFLINE,
                                 place=f"{town.short_name}社区文化活动中心", platform=CHANNELS, co=[federation],
                                 brand="金侨文艺联盟", budget=Decimal(rng.randrange(3000, 8000, 500)))  # fmt: skip
                active = [
                    m
                    for joined, left, m in self.arts_roster
                    if (joined is None or joined <= day) and (left is None or left > day) and m.fits(day, 10, 85)
                ]
                for m in rng.sample(active, min(len(active), self.heads(8, 16, minimum=3))):
                    plan.add(Reg(person=m.person, role=Role.PERFORMER, service=True))
                if online:
                    plan.views = self.heads(800, 3000)
                else:
                    self.fill(plan, self.pool(federation), 10, 25)
                    plan.audience = self.heads(120, 350)
                n = sum(1 for r in plan.regs if r.role == Role.PERFORMER)
                plan.detail = (
                    f"联盟{n}名成员带来合唱、舞蹈、沪剧和器乐等节目，把文艺演出送到{town.short_name}侨界群众身边。"
                )

    # 强基 ---------------------------------------------------------------------------------------

    def training(self, year: int) -> None:
        rng = self.rng
        first, days, place, mode, topics = TRAININGS[year]
        last = first + dt.timedelta(days=days - 1)
        plan = self.plan(self.district, f"{year}年金山区基层侨务干部培训班", K.TRAINING, P.QIANGJI, first, hour=9,
                         end_day=last, mode=mode, place=place, platform=MEETING_APP if mode == Mode.HYBRID else "",
                         capacity=100, budget=Decimal(rng.randrange(15000, 40000, 1000)),
                         partners=[self.partner] if year == 2019 and self.partner else [])  # fmt: skip
        slots = [
            (first + dt.timedelta(days=d), hour, minute) for d in range(days) for hour, minute in ((9, 0), (13, 30))
        ]
        for i, (topic, org) in enumerate(topics):
            day, hour, minute = slots[min(i, len(slots) - 1)]
            speaker = names.full_name(rng, male=chance(rng, 0.6), birth_year=rng.randint(1960, 1985))
            plan.sessions.append((at(day, hour, minute), topic, f"{speaker}（{org}）"))
        trainees = 0
        for _town, federation in self.towns:
            for _seat, reg in self.roster(federation, first):
                if chance(rng, 0.04):  # registered, then did not come
                    reg.present, reg.attends = False, ()
                else:
                    attends = tuple(i for i in range(len(plan.sessions)) if chance(rng, 0.9))
                    reg.attends = attends or (0,)
                reg.role = Role.TRAINEE
                trainees += plan.add(reg)
        plan.detail = (
            f"培训班为期{days}天，围绕{'、'.join(t for t, _o in topics[:3])}等专题授课{len(topics)}讲，"
            f"各街镇（园区）侨联主席、副主席和委员{trainees}人参加。"
        )
        if mode == Mode.HYBRID:
            plan.views = self.heads(30, 80)

    def stations_year(self, year: int) -> None:
        """Events hosted by the 侨之家 and 新侨驿站 (each hosts some from the year it opened)."""
        rng = self.rng
        for station in self.stations:
            opened = station.opened_on or dt.date(2018, 1, 1)
            if opened > dt.date(year, 11, 30):
                continue
            base = (0, 1) if year == 2020 else (1, 3)
            n = round(rng.randint(*base) * self.events)
            if n == 0 and station.pk not in self.hosted:
                n = 1  # every station hosts something from its first year
            events = NEW_OVERSEAS_EVENTS if station.kind == StationKind.NEW_OVERSEAS else HOME_EVENTS
            for title, kind, project, months, detail in rng.sample(events, min(n, len(events))):
                months = tuple(mo for mo in months if dt.date(year, mo, 28) > opened) or (12,)
                day = self.free_day(months, year, allow_restricted=True)
                if day is None or day < opened:
                    continue
                cancelled = False
                if restricted(day):
                    if not chance(rng, 0.35):
                        continue  # not planned at all that spring
                    cancelled = True
                name = station.name
                title = title.format(topic=rng.choice(POLICY_TOPICS if "驿站" in title else HEALTH_TOPICS))
                title = title.replace("新侨驿站", name, 1) if "驿站" in title else title.replace("侨之家", name, 1)
                brand = "新侨双创" if project == P.JULI else None
                plan = self.plan(station.federation, title, kind, project, day, hour=rng.choice((9, 14)),
                                 place=station.host_venue or station.federation.short_name, stations=[station],
                                 capacity=40, brand=brand)  # fmt: skip
                pool = self.pool(station.federation)
                prefer = (lambda m: 4.0 if m.young or m.entrepreneur else 0.3) if project == P.JULI else None
                self.fill(plan, pool, 10, 30, prefer=prefer, min_age=18 if project == P.JULI else 16)
                if cancelled:
                    plan.outcome = Status.CANCELLED
                    continue
                self.hosted.add(station.pk)
                plan.detail = detail

    def groups_year(self, year: int) -> None:
        """The community groups (侨联小组) hold a meeting or a visit or two a year."""
        rng = self.rng
        for town, _federation in self.towns:
            for group in self.groups.get(town.key, []):
                founded = group.established_on or dt.date(2017, 1, 1)
                if founded > dt.date(year, 10, 31) or not self.optional():
                    continue
                for title, kind, project, detail in rng.sample(GROUP_EVENTS, rng.randint(1, 2)):
                    day = self.free_day((4, 5, 6, 7, 9, 10, 11, 12), year)
                    if day is None or day <= founded:
                        continue
                    name = f"{town.short_name}{group.short_name}"
                    plan = self.plan(group, title.format(group=name), kind, project, day, hour=rng.choice((9, 14)),
                                     place=f"{name}党群服务站", capacity=40)  # fmt: skip
                    low, high = (3, 8) if kind == K.VISIT else (8, 25)
                    self.fill(plan, self.pool(group), low, high, min_age=60 if kind == K.VISIT else 16)
                    plan.detail = detail

    def new_year(self, year: int) -> None:
        """Each town's 迎新春 gathering in January (some online in 2021)."""
        rng = self.rng
        towns = rng.sample(self.towns, self.count(8, 11, minimum=0)) if self.events < 1 else self.towns
        for town, federation in towns:
            day = dt.date(year, 1, rng.randint(6, 20))
            online = year == 2021 and chance(rng, 0.5)
            title = f"{town.short_name}侨界人士迎新春{'云' if online else ''}联谊会"
            plan = self.plan(federation, title, K.GATHERING, P.NINGXIN, day, hour=14, hours=2.5,
                             mode=Mode.ONLINE if online else Mode.OFFLINE,
                             place=f"{town.short_name}社区文化活动中心",
                             platform=MEETING_APP if online else "")  # fmt: skip
            self.seat_committee(plan, federation, rate=0.95)
            self.fill(plan, self.pool(federation), 25, 55)
            if online:
                plan.views = self.heads(200, 800)
            plan.detail = (
                f"{federation.name}负责人通报一年来的工作，侨界人士表演自编自演的节目，共叙乡情、共话发展。"
                if not online
                else "响应就地过年倡议，联谊会改在线上举行，侨界人士通过视频互致新春祝福。"
            )
        if year == 2020:  # the district's 元宵 gathering was called off
            plan = self.plan(self.district, "2020年金山区侨界人士元宵联谊会", K.GATHERING, P.NINGXIN,
                             dt.date(2020, 2, 8), hour=14, place=HALL, capacity=HALL_CAPACITY)  # fmt: skip
            self.fill(plan, self.members, 30, 60)
            plan.outcome = Status.CANCELLED

    # 聚力 ---------------------------------------------------------------------------------------

    def juli(self, year: int) -> None:
        rng = self.rng
        # 走访调研侨资企业
        for _ in range(self.count(2, 3, minimum=0)):
            town, federation = rng.choice(self.towns)
            day = self.free_day((4, 5, 6, 8, 9, 10, 11), year)
            if day is None:
                continue
            bosses = self.pick(self.pool(federation), day, 1, min_age=28, max_age=75,
                               prefer=lambda m: 1.0 if m.entrepreneur else 0.0001)  # fmt: skip
            boss = bosses[0] if bosses and bosses[0].entrepreneur else None
            company = boss.person.employer if boss else f"{town.short_name}一家侨资企业"
            plan = self.plan(self.district, f"走访调研侨资企业（{company}）", K.ENTERPRISE, P.JULI, day, hour=14,
                             place=company, co=[federation])  # fmt: skip
            if boss:
                plan.add(Reg(person=boss.person))
            for seat, reg in self.roster(self.district, day)[:4]:
                if seat.role in (CommitteeRole.CHAIR, CommitteeRole.VICE_CHAIR):
                    plan.add(reg)
            topic = rng.choice(("融资", "用工和人才落户", "厂房扩建用地", "政策兑现", "市场拓展"))
            plan.detail = (
                f"了解企业生产经营和转型升级情况，听取企业在{topic}方面的诉求，会后梳理形成问题清单转交相关部门。"
            )
        # 海峡两岸青年创业大赛 宣讲
        day = self.free_day((4, 5, 6), year, allow_restricted=True)
        if day is not None and self.optional():
            mode = Mode.ONLINE if restricted(day) else Mode.OFFLINE
            plan = self.plan(self.district, f"{year}上海海峡两岸青年创业大赛金山区推介宣讲会", K.MEETING, P.JULI, day,
                             hour=14, mode=mode, place=HALL, capacity=HALL_CAPACITY, brand="新侨双创")  # fmt: skip
            self.fill(plan, self.members, 20, 40, min_age=20, max_age=50,
                      prefer=lambda m: 5.0 if m.young or m.entrepreneur else 0.2)  # fmt: skip
            if mode == Mode.ONLINE:
                plan.views = self.heads(300, 1200)
            plan.detail = "介绍大赛赛制、金山区人才和创业扶持政策，动员海内外侨界青年创业项目报名参赛。"
        # 调研座谈
        if year in RESEARCH and self.optional():
            topic, day = RESEARCH[year]
            mode = Mode.ONLINE if restricted(day) else Mode.OFFLINE
            plan = self.plan(self.district, f"“{topic}”课题调研座谈会", K.RESEARCH, P.JULI, day, hour=14, mode=mode,
                             place=HALL)  # fmt: skip
            self.seat_committee(plan, self.district, rate=0.6)
            self.fill(plan, self.members, 8, 15, min_age=25, max_age=75)
            plan.detail = f"围绕“{topic}”课题听取各方意见建议，为形成调研报告收集第一手材料。"
        # 进博会
        if not self.optional():
            return
        edition = year - 2017
        day = dt.date(year, 11, rng.randint(5, 9))
        plan = self.plan(self.district, f"组织侨企和侨界人士参观第{NUMERALS[edition]}届中国国际进口博览会",
                         K.ENTERPRISE, P.JULI, day, hours=6, place="国家会展中心（上海）")  # fmt: skip
        self.fill(plan, self.members, 10, 25 if year not in (2020, 2022) else 12, min_age=25, max_age=70,
                  prefer=lambda m: 6.0 if m.entrepreneur else 0.3, rate=0.97)  # fmt: skip
        plan.detail = "组织侨资企业负责人和侨界人士参观展会、对接采购商，了解“一带一路”沿线国家的商品和市场信息。"

    def volunteers(self) -> None:
        """侨界 volunteers in the epidemic: February 2020 and the spring of 2022."""
        rng = self.rng
        for first, last, title, detail in (
            (dt.date(2020, 2, 3), dt.date(2020, 2, 28), "{town}侨界志愿者参与社区疫情防控值守",
             "侨界志愿者在居民区、村的卡口协助测温、登记和宣传，为居家隔离人员代购生活物资。"),
            (dt.date(2022, 4, 6), dt.date(2022, 5, 20), "{town}侨界志愿者参与核酸检测和物资保障服务",
             "侨界志愿者协助核酸检测扫码、维持秩序和分发生活物资，为高龄归侨侨眷送药上门。"),
        ):  # fmt: skip
            for town, federation in rng.sample(self.towns, self.count(4, 7, minimum=0)):
                day = date_between(rng, first, last)
                plan = self.plan(federation, title.format(town=town.short_name), K.VOLUNTEER, P.JULI, day, hour=8,
                                 hours=8, place=f"{town.short_name}各居民区、村")  # fmt: skip
                self.fill(plan, self.pool(federation), 5, 15, role=Role.VOLUNTEER, min_age=22, max_age=65, rate=1.0)
                plan.detail = detail

    def jinpingguo(self, year: int) -> None:
        """Joint activities with 平湖市侨联 under the brand 金平果, from the agreement of November 2018."""
        rng = self.rng
        partner = self.partner
        since = partner.since or dt.date(2018, 11, 1)
        mentoring = Group.objects.filter(kind=GroupKind.MENTORING).order_by("id").first()
        schedule = {
            2018: [("金山区侨联·平湖市侨联“金平果”侨务合作签约仪式", K.MEETING, since, "金山", Mode.OFFLINE),
                   ("“金平果”侨界人士联谊会", K.GATHERING, dt.date(2018, 12, 13), "平湖", Mode.OFFLINE)],
            2019: [("金平果·海创接力“传帮带”结对启动仪式", K.GATHERING, dt.date(2019, 4, 18), "金山", Mode.OFFLINE),
                   ("“金平果”侨界人士联谊活动", K.GATHERING, dt.date(2019, 8, 22), "平湖", Mode.OFFLINE),
                   ("金平果·海创接力“传帮带”创业沙龙", K.GATHERING, dt.date(2019, 11, 21), "金山", Mode.OFFLINE)],
            2020: [("“金平果”侨务合作云端交流会", K.MEETING, dt.date(2020, 5, 14), "", Mode.ONLINE),
                   ("“金平果”侨界人士联谊活动", K.GATHERING, dt.date(2020, 10, 15), "金山", Mode.OFFLINE)],
            2021: [("“金平果”侨界人士红色寻访（嘉兴南湖）", K.STUDY, dt.date(2021, 5, 13), "嘉兴", Mode.OFFLINE),
                   ("金平果·海创接力“传帮带”经验交流会", K.GATHERING, dt.date(2021, 9, 16), "平湖", Mode.OFFLINE),
                   ("“金平果”侨界人士联谊活动", K.GATHERING, dt.date(2021, 11, 18), "金山", Mode.OFFLINE)],
            2022: [("金平果·海创接力“传帮带”新春座谈会", K.GATHERING, dt.date(2022, 2, 24), "平湖", Mode.OFFLINE),
                   ("“金平果”侨务合作线上交流会", K.MEETING, dt.date(2022, 7, 7), "", Mode.ONLINE),
                   ("“金平果”侨界人士联谊活动", K.GATHERING, dt.date(2022, 11, 10), "金山", Mode.HYBRID)],
        }[year]  # fmt: skip
        for i, (title, kind, day, where, mode) in enumerate(schedule):
            if i and year != 2018 and not self.optional():  # the agreement of 2018 and its first 联谊 always
                continue
            place = {"金山": HALL, "平湖": "浙江省平湖市侨联会议室", "嘉兴": "浙江省嘉兴市南湖革命纪念馆"}.get(
                where, ""
            )
            plan = self.plan(self.district, title, kind, P.QIANGJI, day, hour=14 if kind != K.STUDY else 9,
                             hours=2.5 if kind != K.STUDY else 6, mode=mode, place=place, partners=[partner],
                             brand="金平果", publish=day == since)  # fmt: skip
            self.seat_committee(plan, self.district, rate=0.6)
            if "传帮带" in title and mentoring is not None:
                for pair in mentoring.pairs.order_by("id"):
                    if pair.started_on and pair.started_on > day:
                        continue
                    for person_id, name in ((pair.mentor_person_id, pair.mentor_name),
                                            (pair.mentee_person_id, pair.mentee_name)):  # fmt: skip
                        m = self.by_person.get(person_id) if person_id else None
                        if m is not None and m.fits(day):
                            plan.add(Reg(person=m.person, present=chance(rng, 0.9)))
                        elif person_id is None and name:
                            plan.add(Reg(name=name, organization=PINGHU, present=chance(rng, 0.9)))
            self.fill(plan, self.members, 12, 30, min_age=20, max_age=80,
                      prefer=lambda m: 3.0 if m.entrepreneur or m.young else 1.0)  # fmt: skip
            for name, org in rng.sample(self.pinghu, min(len(self.pinghu), self.heads(6, 12, minimum=2))):
                plan.add(Reg(name=name, organization=org, present=chance(rng, 0.92)))
            if mode != Mode.OFFLINE:
                plan.views = self.heads(300, 1500)
            plan.detail = {
                K.MEETING: "两地侨联交流年度工作，商定“金平果”品牌下的联谊、传帮带和阵地共建项目。",
                K.STUDY: "两地侨界人士共同参观南湖革命纪念馆、瞻仰红船，重温建党历史。",
            }.get(kind, "两地侨界人士座谈交流，资深侨商和专家与新侨青年结对分享创业经验。")

    def camps(self) -> None:
        """The youth camps of the liaison work, as activities (the campers are its enrolments)."""
        from qiaolian.liaison.models import Camp, EnrolmentStatus

        for camp in Camp.objects.order_by("starts_on", "id"):
            online = camp.mode == "online"
            plan = self.plan(camp.federation, camp.title, K.CAMP, P.HUIQIAO, camp.starts_on, end_day=camp.ends_on,
                             mode=Mode.ONLINE if online else Mode.OFFLINE,
                             place="金山区（枫泾古镇、上海湾区高新区等）", platform=f"{MEETING_APP}、{CHANNELS}",
                             other=camp.organizer, capacity=camp.capacity, brand="寻根之旅", publish=True)  # fmt: skip
            campers = camp.enrolments.filter(status=EnrolmentStatus.ATTENDED).count()
            if online:
                plan.views = self.heads(3000, 8000)
            else:
                plan.audience = campers or None
            plan.detail = f"{campers}名海外华裔青少年参营，" + (
                "通过网课、直播和线上游览了解中华文化和家乡金山。" if online else "参观、上课、体验非遗，感受中华文化。"
            )

    # Writing ---------------------------------------------------------------------------------

    def new_code(self) -> str:
        """A fresh check-in code, as ``services.new_code`` makes them (same alphabet and length)."""
        while True:
            code = "".join(secrets.choice(services.CODE_ALPHABET) for _ in range(services.CODE_LENGTH))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def write(self) -> None:
        for plan in sorted(self.plans, key=lambda p: (p.start, p.seq)):
            if plan.day > LAST_DAY:  # nothing after the demo's reference date
                continue
            self.write_one(plan)

    def write_one(self, plan: Plan) -> None:
        rng, admin = self.rng, self.admin
        many = (("co_federations", plan.co), ("partners", plan.partners), ("stations", plan.stations))
        activity = services.activity_create(
            actor=admin,
            data={
                "federation": plan.federation,
                "title": plan.title[:150],
                "kind": plan.kind,
                "project": plan.project,
                "campaign": plan.campaign,
                "brand": plan.brand,
                "other_organizers": plan.other,
                "mode": plan.mode,
                "place": plan.place,
                "online_platform": plan.platform,
                "starts_at": plan.start,
                "ends_at": plan.end,
                "capacity": plan.capacity,
                "budget": plan.budget,
                # the many-to-many fields only when set: each costs queries even when empty
                **{name: values for name, values in many if values},
            },
        )
        sessions = [
            services.session_add(actor=admin, activity=activity, starts_at=start, topic=topic, speaker=speaker)
            for start, topic, speaker in plan.sessions
        ]
        by_service = []
        for reg in plan.regs:
            # A performer who has died since the activity cannot be registered through the desk
            # today (registration_add refuses the deceased): recorded with the others, in bulk.
            if reg.service and not _deceased(reg.person):
                made = services.registration_add(
                    actor=admin, activity=activity, person=reg.person, name=reg.name,
                    organization=reg.organization, role=reg.role,
                )  # fmt: skip
                self.codes.add(made.code)
                by_service.append((reg, made))
        bulk = [reg for reg in plan.regs if not reg.service or _deceased(reg.person)]
        if plan.outcome == Status.CANCELLED:  # people had signed up before it was called off
            self.register_in_bulk(activity, plan, bulk, by_service, checked_in=False)
            services.activity_transition(actor=admin, activity=activity, to=Status.CANCELLED)
            return
        outcome = plan.outcome
        if not outcome:
            if plan.day >= dt.date(2022, 12, 1) and chance(rng, 0.6):
                outcome = Status.HELD  # the summary is still to be written
            elif chance(rng, ARCHIVED_SHARE[plan.day.year]):
                outcome = Status.ARCHIVED
            else:
                outcome = Status.REPORTED
        # People are registered and checked in while the activity is open to them (planned, open
        # or held); the report then closes it (``activity_report`` goes straight from planned).
        made = self.register_in_bulk(activity, plan, bulk, by_service, checked_in=True)
        if sessions:
            present = {(sessions[i].pk, row.pk) for reg, row in made for i in reg.attends if i < len(sessions)}
            services.attendance_record(actor=admin, activity=activity, present=present)
        if outcome == Status.HELD:
            services.activity_transition(actor=admin, activity=activity, to=Status.HELD)
            return
        registered = len(plan.regs)
        present = sum(1 for r in plan.regs if r.present)
        activity = services.activity_report(
            actor=admin,
            activity=activity,
            data={
                "summary": self.summary(plan, registered, present),
                "audience": plan.audience,
                "online_views": plan.views,
                "is_published": plan.publish,
            },
        )
        if outcome == Status.ARCHIVED:
            services.activity_transition(actor=admin, activity=activity, to=Status.ARCHIVED)

    def register_in_bulk(
        self, activity, plan: Plan, bulk: list[Reg], by_service: list[tuple[Reg, Registration]], *, checked_in: bool
    ) -> list[tuple[Reg, Registration]]:
        """The ordinary participants in one insert, and every check-in at the time of the event
        (the first session attended, for a training), under the rules of ``registration_add``
        and ``check_in``; one audit entry for the lot. Returns every registration with its plan."""
        if activity.status not in services.OPEN_FOR_PEOPLE:
            raise RuntimeError(f"{activity} is not open for registrations")
        taken = {made.participant_key for _reg, made in by_service}
        if activity.capacity is not None and len(taken) + len(bulk) > activity.capacity:
            raise RuntimeError(f"{activity}: {len(taken) + len(bulk)} registrations for {activity.capacity} places")

        def arrival(reg: Reg) -> dt.datetime:
            first = min(reg.attends) if reg.attends and plan.sessions else None
            start = plan.sessions[first][0] if first is not None else activity.starts_at
            return start - dt.timedelta(minutes=self.rng.randint(3, 40))

        pairs = []
        for reg in bulk:
            key = _key(reg)
            if key in taken:
                raise RuntimeError(f"{reg.name} registered twice for {activity}")
            taken.add(key)
            present = checked_in and reg.present
            row = Registration(
                activity=activity,
                person=reg.person,
                name=reg.name,
                organization=reg.organization,
                role=reg.role,
                participant_key=key,
                code=self.new_code(),
                checked_in_at=arrival(reg) if present else None,
                checked_in_by=self.admin if present else None,
                created_by=self.admin,
            )
            pairs.append((reg, row))
        Registration.objects.bulk_create([row for _reg, row in pairs], batch_size=500)
        arrived = []
        if checked_in:
            for reg, made in by_service:
                if reg.present:
                    made.checked_in_at, made.checked_in_by = arrival(reg), self.admin
                    arrived.append(made)
            Registration.objects.bulk_update(arrived, ["checked_in_at", "checked_in_by"], batch_size=500)
        checked = sum(1 for _reg, row in pairs if row.checked_in_at) + len(arrived)
        if pairs or checked:
            audit_record(
                actor=self.admin,
                action=Action.CHANGE,  # as attendance_record records its bulk change
                target=activity,
                federation_id=activity.federation_id,
                data={"registrations": {"added": len(pairs), "checked_in": checked, "source": "demo-data"}},
            )
        return list(by_service) + pairs

    def summary(self, plan: Plan, registered: int, present: int) -> str:
        start, end = plan.day, plan.last_day
        when = cn_date(start) if start == end else f"{cn_date(start)}至{end.month}月{end.day}日"
        who = "金山区侨联" if plan.federation.pk == self.district.pk else plan.federation.name
        if plan.partners:
            who += "与" + "、".join(p.name for p in plan.partners)
        if plan.mode == Mode.ONLINE:
            where = f"通过{plan.platform}"
        elif plan.mode == Mode.HYBRID and plan.kind == K.EXHIBITION:
            where = f"在{plan.place}（同步在{plan.platform}推出线上展厅）"
        elif plan.mode == Mode.HYBRID:
            where = f"在{plan.place}（同步在{plan.platform}直播）"
        else:
            where = f"在{plan.place}"
        if plan.title.startswith("组织"):
            verb = ""
        elif plan.kind in (K.VISIT, K.VOLUNTEER, K.ENTERPRISE, K.RESEARCH) or "参观" in plan.title:
            verb = "开展"
        else:
            verb = "举办"
        text = f"{when}，{who}{where}{verb}{plan.title}。"
        if plan.stations:
            text += f"{'、'.join(s.name for s in plan.stations)}承办。"
        helpers = [f.name for f in plan.co] if len(plan.co) <= 3 else ["各街镇（园区）侨联"]
        if plan.other:
            helpers.insert(0, plan.other)
        if helpers:
            text += f"{'、'.join(helpers)}协办。"
        text += plan.detail
        counts = []
        if registered:
            counts.append(f"登记参加{registered}人，签到{present}人")
        if plan.audience:
            counts.append(f"现场{'观众' if plan.kind in (K.PERFORMANCE, K.EXHIBITION) else '群众'}约{plan.audience}人")
        if plan.views:
            counts.append(f"线上观看、参与{plan.views}人次")
        if counts:
            text += "，".join(counts) + "。"
        return text


def build_activities(ctx: DemoContext) -> None:
    builder = ActivityBuilder(ctx)
    builder.build_plans()
    builder.write()
