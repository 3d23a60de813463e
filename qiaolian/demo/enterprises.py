"""聚力工程, 2018–2022: the 侨企 of Jinshan's towns and parks, five years of visits (走访调研) with
the appeals raised at them, the CIIE (进博会, every November since 2018) and “一带一路”
participation, and the investment leads introduced through overseas Chinese (以侨引侨).

Everything goes through the enterprises services as the district administrator, so every record
is validated and audited as on the pages. An appeal opens its 企业诉求 case through the case
engine's ``case_open`` when the engine provides it; the case is then taken through the engine's
own ``case_transition`` (assigned → in progress → referred to a department and answered →
resolved → followed up) on the days it happened, so the statistics show appeals resolved and the
time it took. The step draws from its own random stream ("enterprises") and uses the liaison
contacts (introducers) and registry persons (founders of 侨属 companies) made before it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

from stdnum.cn import uscc

from qiaolian.demo import identity, names
from qiaolian.demo.context import DemoContext, age_on
from qiaolian.demo.geography import TOWNS_BY_KEY
from qiaolian.demo.rand import Weighted, chance, date_between
from qiaolian.enterprises import cases, services
from qiaolian.enterprises.models import CIIE, AppealTopic, Industry, InvestorOrigin, InvestorType
from qiaolian.liaison.selectors import contact_scope
from qiaolian.registry import choices as c

YEARS = range(2018, 2023)
LAST_DAY = dt.date(2022, 12, 31)
BELT_AND_ROAD = "“一带一路”国际合作"
# No visits while gatherings stopped: the first weeks of 2020 and Shanghai's spring of 2022.
NO_VISITS = ((dt.date(2020, 1, 24), dt.date(2020, 2, 16)), (dt.date(2022, 3, 12), dt.date(2022, 5, 31)))
# The CIIE: first edition 5–10 November 2018, then every November.
CIIE_OPENING = {2018: dt.date(2018, 11, 5), 2019: dt.date(2019, 11, 5), 2020: dt.date(2020, 11, 4),
                2021: dt.date(2021, 11, 5), 2022: dt.date(2022, 11, 5)}  # fmt: skip

# (town key, weight, park or area the companies sit in)
TOWN_WEIGHTS = (
    ("gongyequ", 20, "上海湾区高新技术产业开发区"),
    ("zhujing", 14, "金山第二工业区"),
    ("fengjing", 12, "枫泾工业区"),
    ("tinglin", 11, "亭林工业园区"),
    ("shihua", 9, ""),
    ("caojing", 8, "漕泾工业园区"),
    ("zhangyan", 7, "张堰工业园区"),
    ("jinshanwei", 7, "金山卫镇工业园区"),
    ("shanyang", 6, "山阳镇工业园区"),
    ("lvxiang", 3, ""),
    ("langxia", 3, "廊下现代农业园区"),
)
TYPES = Weighted(
    [
        (InvestorType.OVERSEAS, 40),
        (InvestorType.HK_MACAO, 25),
        (InvestorType.FAMILY, 20),
        (InvestorType.NEW_OVERSEAS, 15),
    ]
)
OVERSEAS_COUNTRIES = Weighted(
    [("SG", 16), ("US", 14), ("JP", 12), ("MY", 8), ("AU", 7), ("CA", 7), ("ID", 5), ("TH", 5), ("DE", 5),
     ("GB", 4), ("NL", 2), ("IT", 2), ("NZ", 2), ("KR", 2)]
)  # fmt: skip
NEW_OVERSEAS_COUNTRIES = Weighted([("US", 10), ("GB", 6), ("AU", 6), ("JP", 5), ("CA", 5), ("DE", 4), ("FR", 2)])
INDUSTRIES = Weighted(
    [(Industry.HEAVY, 22), (Industry.LIGHT, 20), (Industry.HIGH_TECH, 16), (Industry.BIOMEDICINE, 10),
     (Industry.AGRICULTURE, 6), (Industry.INTERNET, 6), (Industry.RESEARCH, 4), (Industry.EDUCATION, 3),
     (Industry.FINANCE, 2), (Industry.REAL_ESTATE, 2), (Industry.OTHER, 9)]
)  # fmt: skip
FARMING_TOWNS = ("lvxiang", "langxia")
BRANDS = (
    "侨丰", "华盛", "金海", "新亚", "嘉和", "联泰", "宏达", "恒信", "永丰", "瑞昌",
    "南洋", "德海", "海越", "星源", "安联", "佳美", "富田", "兴华", "嘉禾", "东瑞",
    "信和", "丰源", "裕隆", "协成", "丰益", "昌明", "天利", "万嘉", "凯德", "美亚",
    "圣和", "锦江", "华联", "博远", "明泰", "致远", "中健", "荣美", "和昇", "金枫",
)  # fmt: skip
TRADES = {
    Industry.HEAVY: ("精密机械", "汽车零部件", "新材料", "模具", "机电设备", "化工材料"),
    Industry.LIGHT: ("食品", "纺织", "服饰", "包装材料", "家居用品", "日用化学品"),
    Industry.HIGH_TECH: ("电子科技", "智能装备", "新能源科技", "光电科技", "自动化科技"),
    Industry.BIOMEDICINE: ("生物医药", "医疗器械", "生物科技", "健康科技"),
    Industry.AGRICULTURE: ("农业发展", "果蔬种植", "花卉园艺", "生态农业"),
    Industry.INTERNET: ("信息技术", "网络科技", "数字科技"),
    Industry.RESEARCH: ("科技研发", "检测技术"),
    Industry.EDUCATION: ("教育科技", "文化培训"),
    Industry.FINANCE: ("投资管理", "融资租赁"),
    Industry.REAL_ESTATE: ("置业", "物业管理"),
    Industry.OTHER: ("国际贸易", "物流", "餐饮管理", "酒店管理", "商贸"),
}

VISIT_NOTES = {
    2018: ("走访了解企业生产经营情况，介绍区侨联服务侨企的工作举措，听取企业意见建议。",
           "了解企业发展规划和用工情况，宣传首届进博会和区里的招商政策。"),
    2019: ("了解企业经营和外贸订单情况，宣传人才落户和高新技术企业认定政策。",
           "走访了解企业参加第二届进博会的准备情况，听取企业对营商环境的意见。"),
    2020: ("了解疫情对企业生产经营的影响，协助解决复工复产中的困难，宣传纾困惠企政策。",
           "回访企业复工复产进展，了解防疫物资和员工返岗情况。"),
    2021: ("了解企业“十四五”发展规划、用工需求和外籍员工来华情况。",
           "走访了解企业扩大产能和技术改造计划，宣传区里的人才政策。"),
    2022: ("疫情后走访，了解企业复工复产、物流保障和订单恢复情况。",
           "了解企业全年经营情况和明年投资计划，听取对营商环境的意见。"),
}  # fmt: skip
# Before the epidemic reached a year's visits (January 2020, March 2022) nobody speaks of it yet.
VISIT_NOTES_BEFORE = {
    2020: (dt.date(2020, 1, 24), ("春节前走访，了解企业全年经营情况和春节期间生产安排。",)),
    2022: (dt.date(2022, 3, 12), ("春节后走访，了解企业开工和全年经营计划，宣传区里的惠企政策。",
                                  "了解企业用工和原材料供应情况，听取企业意见建议。")),
}  # fmt: skip


def _visit_note(rng, day: dt.date) -> str:
    before, notes = VISIT_NOTES_BEFORE.get(day.year, (dt.date.min, ()))
    return rng.choice(notes if day < before else VISIT_NOTES[day.year])


APPEAL_TOPICS = Weighted(
    [(AppealTopic.FINANCE, 18), (AppealTopic.LAND, 12), (AppealTopic.TALENT, 18), (AppealTopic.POLICY, 20),
     (AppealTopic.APPROVAL, 10), (AppealTopic.LEGAL, 7), (AppealTopic.MARKET, 10), (AppealTopic.OTHER, 5)]
)  # fmt: skip
APPEALS = {
    AppealTopic.FINANCE: (("流动资金贷款续贷", "原材料价格上涨，资金周转紧张，希望协调银行续贷并适当降低利率。"),
                          ("申请政策性融资担保", "企业扩大生产需融资约500万元，希望对接区融资担保政策。"),
                          ("纾困贷款贴息", "受疫情影响订单下降，希望申请中小企业纾困贷款贴息。")),
    AppealTopic.LAND: (("扩建厂房用地", "企业扩大产能，需新增工业用地约15亩，希望了解土地出让安排。"),
                       ("租赁标准厂房", "现有厂房不足，希望协助对接园区标准厂房。")),
    AppealTopic.TALENT: (("外籍技术人员工作许可", "两名外籍工程师来华工作许可办理进度较慢，希望协助加快。"),
                         ("技术骨干子女入学", "引进的技术骨干子女需在金山入学，希望协调学位。"),
                         ("人才公寓申请", "新招聘的研发人员住宿困难，希望申请人才公寓。"),
                         ("人才落户", "两名硕士研究生申请落户上海，希望了解积分和落户政策。")),
    AppealTopic.POLICY: (("稳岗补贴兑现", "已按要求申报稳岗补贴，至今未到账，希望了解进度。"),
                         ("外资企业奖励政策兑现", "企业增资后符合外资奖励条件，希望协助申报。"),
                         ("高新技术企业认定", "希望了解高新技术企业认定条件和申报辅导。"),
                         ("研发费用加计扣除", "对研发费用加计扣除政策理解不清，希望税务部门辅导。")),
    AppealTopic.APPROVAL: (("技改项目环评审批", "技术改造项目环评审批时间较长，希望协调加快。"),
                           ("新建车间消防验收", "新建车间已完工，希望尽快安排消防验收。")),
    AppealTopic.LEGAL: (("合同纠纷法律咨询", "与境外客户发生货款纠纷，希望法律顾问提供咨询。"),
                        ("商标被仿冒", "企业商标被外地企业仿冒，希望协助维权。")),
    AppealTopic.MARKET: (("拓展国内销售渠道", "出口订单减少，希望对接国内采购商和电商平台。"),
                         ("进博会采购对接", "希望在进博会期间对接境外供应商和采购商。")),
    AppealTopic.OTHER: (("厂区周边道路改善", "厂区门前道路坑洼、大货车通行困难，希望协调修缮。"),
                        ("员工通勤班车", "园区公交班次少，员工通勤不便，希望增开线路。")),
}  # fmt: skip
DEPARTMENTS = {
    AppealTopic.FINANCE: ("区金融工作局", "区经委"),
    AppealTopic.LAND: ("区规划资源局", "区投资促进中心"),
    AppealTopic.TALENT: ("区人社局", "区教育局", "区科委"),
    AppealTopic.POLICY: ("区经委", "区商务委", "区科委", "区税务局"),
    AppealTopic.APPROVAL: ("区生态环境局", "区消防救援支队"),
    AppealTopic.LEGAL: ("区司法局", "区市场监管局"),
    AppealTopic.MARKET: ("区商务委",),
    AppealTopic.OTHER: ("区建管委", "区交通委"),
}
OUTCOMES = Weighted([("solved", 50), ("partly", 20), ("answered", 25), ("unsolved", 5)])
RESOLUTIONS = {
    "solved": "经协调，问题已解决，企业表示满意。",
    "partly": "经协调，问题已部分解决，其余事项已向企业说明后续安排。",
    "answered": "已向企业答复相关政策规定和办理途径。",
    "unsolved": "受政策条件限制，暂未能解决，已向企业解释说明。",
}
SATISFACTION = {"solved": "satisfied", "partly": "fairly", "answered": "fairly", "unsolved": "dissatisfied"}

LEAD_PROJECTS = (
    ("{country}精密制造项目", Industry.HEAVY), ("{country}食品加工项目", Industry.LIGHT),
    ("{country}医疗器械研发生产项目", Industry.BIOMEDICINE), ("{country}新能源材料项目", Industry.HIGH_TECH),
    ("{country}智能装备项目", Industry.HIGH_TECH), ("{country}跨境电商项目", Industry.INTERNET),
    ("{country}生物医药研发中心", Industry.BIOMEDICINE), ("{country}现代农业示范项目", Industry.AGRICULTURE),
    ("{country}国际教育项目", Industry.EDUCATION), ("{country}物流仓储项目", Industry.OTHER),
)  # fmt: skip
LEAD_COUNTRIES = Weighted(
    [("SG", 12), ("US", 10), ("HK", 12), ("JP", 8), ("MY", 5), ("AU", 5), ("CA", 5), ("DE", 5), ("MO", 3),
     ("GB", 3), ("TH", 3), ("ID", 2)]
)  # fmt: skip
COUNTRY_NAMES = {"SG": "新加坡", "US": "美国", "HK": "香港", "JP": "日本", "MY": "马来西亚", "AU": "澳大利亚",
                 "CA": "加拿大", "DE": "德国", "MO": "澳门", "GB": "英国", "TH": "泰国", "ID": "印尼", "NL": "荷兰",
                 "IT": "意大利", "NZ": "新西兰", "KR": "韩国", "FR": "法国"}  # fmt: skip
DROP_REASONS = ("投资方调整全球布局，项目暂缓", "受疫情影响，投资方无法来华考察", "用地条件不满足项目要求",
                "投资方选择了其他地区", "项目融资未落实")  # fmt: skip
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _credit_code(rng, used: set[str]) -> str:
    """A valid code of a company registered in Jinshan: 9 (工商) 1 (企业) 310116, the organization
    code, and the GB 32100 check digit."""
    while True:
        body = "91310116" + "MA1" + "".join(rng.choice(_ALPHABET) for _ in range(6))
        code = body + uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def _visit_day(rng, year: int) -> dt.date:
    while True:
        day = date_between(rng, dt.date(year, 1, 3), dt.date(year, 12, 24))
        if not any(start <= day <= end for start, end in NO_VISITS):
            return day


def lead_day(day: dt.date) -> dt.date:
    """When a lead is introduced: a day inside a lockdown (NO_VISITS) moves to June of that year,
    the same day of the month where June has it (31 January becomes 30 June)."""
    if any(start <= day <= end for start, end in NO_VISITS):
        return dt.date(day.year, 6, min(day.day, 30))
    return day


def _case_engine():
    """The case engine's transition service, when the engine provides one."""
    if cases.case_open_function() is None:
        return None
    return getattr(import_module("qiaolian.casework.services"), "case_transition", None)


class EnterpriseBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("enterprises")
        self.admin = ctx.actor()
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.enterprises: list = []
        self.transition = _case_engine()

    # enterprises ----------------------------------------------------------------------------

    def _name(self, industry: str, town_key: str) -> str:
        rng = self.rng
        for _ in range(50):
            prefix = "上海" if chance(rng, 0.7) else f"上海{TOWNS_BY_KEY[town_key].plain_name}"
            name = f"{prefix}{rng.choice(BRANDS)}{rng.choice(TRADES[industry])}有限公司"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no free enterprise name")

    def _founder(self, town_key: str):
        """A registry person of the town who founded a 侨属 or 新侨 company (or None)."""
        wanted = (c.Category.RETURNEE, c.Category.RELATIVE, c.Category.RETURNED_STUDENT)
        pool = [
            p
            for p, key in zip(self.ctx.persons, self.ctx.person_town, strict=True)
            if key == town_key
            and p.category in wanted
            and p.birth_date
            and 30 <= age_on(p.birth_date, dt.date(2020, 1, 1)) <= 68
            and p.living_status == c.LivingStatus.LIVING
        ]
        return self.rng.choice(pool) if pool else None

    def enterprise(
        self,
        town_key: str,
        park: str,
        *,
        kind: str | None = None,
        country: str | None = None,
        industry: str | None = None,
        established: dt.date | None = None,
        name: str | None = None,
    ):
        rng = self.rng
        town = TOWNS_BY_KEY[town_key]
        kind = kind or TYPES.pick(rng)
        if industry is None:
            industry = Industry.AGRICULTURE if town_key in FARMING_TOWNS and chance(rng, 0.6) else INDUSTRIES.pick(rng)
        person = None
        if kind == InvestorType.OVERSEAS:
            origin = InvestorOrigin.FOREIGN_CHINESE if chance(rng, 0.65) else InvestorOrigin.OVERSEAS_CHINESE
            country = country or OVERSEAS_COUNTRIES.pick(rng)
        elif kind == InvestorType.HK_MACAO:
            origin, country = InvestorOrigin.HK_MACAO, country or ("HK" if chance(rng, 0.8) else "MO")
        elif kind == InvestorType.FAMILY:
            origin, country = InvestorOrigin.RETURNEE, country or ""
            person = self._founder(town_key)
        else:
            origin = InvestorOrigin.STUDENT if chance(rng, 0.7) else InvestorOrigin.RETURNEE
            country = country or NEW_OVERSEAS_COUNTRIES.pick(rng)
            person = self._founder(town_key) if chance(rng, 0.5) else None
        established = established or date_between(rng, dt.date(1996, 1, 1), dt.date(2021, 6, 30))
        big = kind in (InvestorType.OVERSEAS, InvestorType.HK_MACAO)
        employees = rng.randint(40, 600) if big else rng.randint(5, 120)
        capital = Decimal(rng.choice((100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 8000)) * (3 if big else 1))
        legal = (
            person.name if person else names.full_name(rng, male=chance(rng, 0.75), birth_year=rng.randint(1950, 1985))
        )
        contact = names.full_name(rng, male=chance(rng, 0.5), birth_year=rng.randint(1970, 1995))
        area = park or town.short_name
        address = f"上海市金山区{town.short_name}{area if park else ''}{rng.choice(town.roads)}{rng.randint(1, 999)}号"
        enterprise = services.enterprise_create(
            actor=self.admin,
            data={
                "federation": self.ctx.towns[town_key],
                "name": name or self._name(industry, town_key),
                "credit_code": _credit_code(rng, self.codes),
                "investor_type": kind,
                "investor_origin": origin,
                "investor_country": country,
                "industry": industry,
                "address": address,
                "established_on": established,
                "registered_capital": capital,
                "employees": employees,
                "legal_representative": legal,
                "contact_name": contact,
                "contact_phone": identity.mobile(rng) if chance(rng, 0.8) else identity.landline(rng),
                "person": person,
                "is_active": chance(rng, 0.95),
            },
        )
        self.enterprises.append(enterprise)
        return enterprise

    def build_enterprises(self, count: int) -> None:
        towns = Weighted([((key, park), weight) for key, weight, park in TOWN_WEIGHTS if key in self.ctx.towns])
        for _ in range(count):
            key, park = towns.pick(self.rng)
            self.enterprise(key, park)

    # exhibitions ----------------------------------------------------------------------------

    def build_exhibitions(self) -> None:
        rng = self.rng
        exhibiting = (InvestorType.OVERSEAS, InvestorType.HK_MACAO, InvestorType.NEW_OVERSEAS)
        candidates = [e for e in self.enterprises if e.is_active and e.investor_type in exhibiting]
        halls = ("食品及农产品展区", "医疗器械及医药保健展区", "技术装备展区", "消费品展区", "服务贸易展区")
        regulars = rng.sample(candidates, k=min(len(candidates), max(2, len(candidates) // 6)))
        for year in YEARS:
            share = {2018: 0.10, 2019: 0.16, 2020: 0.12, 2021: 0.16, 2022: 0.14}[year]
            for enterprise in candidates:
                if enterprise.established_on.year >= year:
                    continue
                if not (enterprise in regulars and chance(rng, 0.8)) and not chance(rng, share):
                    continue
                as_buyer = chance(rng, 0.4)
                services.exhibition_add(
                    actor=self.admin,
                    enterprise=enterprise,
                    data={
                        "year": year,
                        "exhibition": CIIE,
                        "booth": "" if as_buyer else f"{rng.choice(halls)} {rng.randint(1, 8)}.{rng.randint(1, 2)}馆",
                        "notes": "组团采购，对接境外供应商" if as_buyer else "参展",
                    },
                )
            for enterprise in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3))):
                if enterprise.established_on.year < year:
                    services.exhibition_add(
                        actor=self.admin,
                        enterprise=enterprise,
                        data={
                            "year": year,
                            "exhibition": BELT_AND_ROAD,
                            "notes": rng.choice(
                                (
                                    "随区经贸团赴东南亚考察对接",
                                    "参加“一带一路”沿线国家投资推介会",
                                    "在马来西亚设立海外仓",
                                    "与泰国企业签订合作协议",
                                )
                            ),
                        },
                    )

    # visits, appeals and their cases --------------------------------------------------------

    def _visitors(self, enterprise, year: int) -> tuple[list, str]:
        rng = self.rng
        users = self.ctx.users
        town_key = next(k for k, f in self.ctx.towns.items() if f.pk == enterprise.federation_id)
        visitors, others = [], ""
        if town_key in users:  # the towns with a demo account (朱泾镇, 石化街道) visit themselves
            visitors.append(users[town_key])
            if chance(rng, 0.5):
                visitors.append(users["staff"])
        else:
            visitors.append(users["staff"])
            cadre = names.full_name(rng, male=chance(rng, 0.5), birth_year=1975)
            others = f"{TOWNS_BY_KEY[town_key].short_name}侨联 {cadre}"
        if chance(rng, 0.15):
            visitors.append(users["leader"])  # the chair leads the visit
        if chance(rng, 0.2):
            others = "、".join(filter(None, [others, f"区工商联 {names.full_name(rng, male=True, birth_year=1970)}"]))
        return visitors, others

    def build_visits(self) -> None:
        rng = self.rng
        planned = []
        for enterprise in self.enterprises:
            for year in YEARS:
                if enterprise.established_on.year > year or not chance(rng, 0.45 if year != 2022 else 0.35):
                    continue
                for _ in range(2 if chance(rng, 0.15) else 1):
                    day = _visit_day(rng, year)
                    if day >= enterprise.established_on:
                        planned.append((day, enterprise))
        planned.sort(key=lambda row: (row[0], row[1].pk))
        for day, enterprise in planned:
            visitors, others = self._visitors(enterprise, day.year)
            appeals = []
            if chance(rng, 0.3):
                for _ in range(2 if chance(rng, 0.2) else 1):
                    topic = APPEAL_TOPICS.pick(rng)
                    title, description = rng.choice(APPEALS[topic])
                    if all(a["title"] != title for a in appeals):
                        appeals.append({"topic": topic, "title": title, "description": description})
            visit = services.visit_record(
                actor=self.admin,
                enterprise=enterprise,
                data={
                    "visited_on": day,
                    "visitors": visitors,
                    "visitor_names": others,
                    "received_by": enterprise.contact_name,
                    "notes": _visit_note(rng, day),
                },
                appeals=appeals,
            )
            if self.transition is not None:
                for appeal in visit.appeals.select_related("case").order_by("id"):
                    if appeal.case is not None:
                        self._work_case(appeal.case, appeal.topic, enterprise)

    def _work_case(self, case, topic: str, enterprise) -> None:
        """Take the case through the engine's steps on the days they happened (none after 2022)."""
        rng, step = self.rng, self.transition
        users = self.ctx.users
        town_key = next(k for k, f in self.ctx.towns.items() if f.pk == enterprise.federation_id)
        assignee = users.get(town_key) or users["staff"]
        day = case.received_on

        def later(low: int, high: int) -> dt.date | None:
            nonlocal day
            nxt = day + dt.timedelta(days=rng.randint(low, high))
            if nxt > LAST_DAY:
                return None
            day = nxt
            return day

        if chance(rng, 0.04):
            if on := later(1, 4):
                step(
                    actor=self.admin,
                    case=case,
                    to="rejected",
                    reason="不属于侨联职责范围，已告知企业向主管部门反映",
                    on=on,
                )
            return
        if not (on := later(1, 3)):
            return
        case = step(actor=self.admin, case=case, to="assigned", assignee=assignee, on=on)
        if not (on := later(0, 4)):
            return
        case = step(actor=self.admin, case=case, to="in_progress", on=on)
        outcome = OUTCOMES.pick(rng)
        if chance(rng, 0.6):
            if not (on := later(1, 6)):
                return
            department = rng.choice(DEPARTMENTS[topic])
            case = step(actor=self.admin, case=case, to="referred", department=department, on=on)
            if not (on := later(4, 25)):
                return
            reply = f"{department}答复：{RESOLUTIONS[outcome]}"
            case = step(
                actor=self.admin,
                case=case,
                to="resolved",
                reply=reply,
                outcome=outcome,
                resolution=RESOLUTIONS[outcome],
                on=on,
            )
        else:
            if not (on := later(3, 20)):
                return
            case = step(
                actor=self.admin, case=case, to="resolved", outcome=outcome, resolution=RESOLUTIONS[outcome], on=on
            )
        if chance(rng, 0.75) and (on := later(5, 30)):
            step(actor=self.admin, case=case, to="followed_up", satisfaction=SATISFACTION[outcome], on=on,
                 note="电话回访企业联系人")  # fmt: skip

    # investment leads -----------------------------------------------------------------------

    def build_leads(self, count: int) -> None:
        rng = self.rng
        contacts = list(contact_scope(user=self.admin).order_by("pk"))
        towns = [key for key, _w, _park in TOWN_WEIGHTS if key in self.ctx.towns]
        parks = {key: park for key, _w, park in TOWN_WEIGHTS}
        plans = []
        for _ in range(count):
            plans.append(lead_day(date_between(rng, dt.date(2018, 1, 8), dt.date(2022, 10, 31))))
        for introduced in sorted(plans):
            country = LEAD_COUNTRIES.pick(rng)
            template, industry = rng.choice(LEAD_PROJECTS)
            project = template.format(country=COUNTRY_NAMES[country])
            by_country = [c for c in contacts if c.country.code == country]
            contact = rng.choice(by_country) if by_country and chance(rng, 0.75) else None
            town_key = rng.choice(towns)
            lead = services.lead_create(
                actor=self.admin,
                data={
                    "federation": self.ctx.district if chance(rng, 0.5) else self.ctx.towns[town_key],
                    "project": project,
                    "investor": f"{COUNTRY_NAMES[country]}{rng.choice(BRANDS)}集团",
                    "investor_country": country,
                    "industry": industry,
                    "amount": Decimal(rng.choice((300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 12000))),
                    "introduced_on": introduced,
                    "introducer_contact": contact,
                    "introducer_name": ""
                    if contact
                    else f"{COUNTRY_NAMES[country]}侨商 {names.full_name(rng, male=True, birth_year=1965)}",
                },
            )
            self._advance(lead, town_key, parks.get(town_key, ""), country, industry)

    def _advance(self, lead, town_key: str, park: str, country: str, industry: str) -> None:
        rng = self.rng
        day = lead.introduced_on

        def later(low: int, high: int) -> dt.date | None:
            nonlocal day
            nxt = day + dt.timedelta(days=rng.randint(low, high))
            if nxt > LAST_DAY:
                return None
            day = nxt
            return day

        fate = rng.random()  # about a third land, a quarter are dropped, the rest are still open
        if chance(rng, 0.1) or not (on := later(20, 120)):  # no answer from the investor yet
            return
        lead = services.lead_advance(
            actor=self.admin, lead=lead, to_stage="negotiating", on=on, note="投资方来金山实地考察"
        )
        if fate > 0.72:
            if on := later(30, 200):
                services.lead_advance(
                    actor=self.admin, lead=lead, to_stage="dropped", on=on, note=rng.choice(DROP_REASONS)
                )
            return
        if fate > 0.5:
            return
        signing = later(40, 300)
        if not signing:
            return
        ciie = CIIE_OPENING.get(signing.year)
        if ciie and signing < ciie and (ciie - signing).days < 90:
            signing = day = ciie + dt.timedelta(days=rng.randint(0, 4))  # signed at the CIIE
        lead = services.lead_advance(
            actor=self.admin, lead=lead, to_stage="signed", on=signing,
            note="在进博会期间签约" if ciie and signing >= ciie and (signing - ciie).days <= 5 else "签订投资协议",
        )  # fmt: skip
        if fate > 0.34 or not (on := later(60, 330)):
            return
        name = f"{lead.investor.removesuffix('集团')}{TRADES[industry][0]}（上海）有限公司"
        if name in self.names:
            name = f"{lead.investor.removesuffix('集团')}{TRADES[industry][0]}（金山）有限公司"
        self.names.add(name)
        kind = InvestorType.HK_MACAO if country in ("HK", "MO") else InvestorType.OVERSEAS
        enterprise = self.enterprise(
            town_key, park, kind=kind, country=country, industry=industry, established=on, name=name
        )
        services.lead_advance(actor=self.admin, lead=lead, to_stage="landed", on=on, enterprise=enterprise,
                              note="完成工商注册，项目落地")  # fmt: skip


def build_enterprises(ctx: DemoContext) -> None:
    builder = EnterpriseBuilder(ctx)
    # About 90 enterprises and 40 leads (a dozen of which land as enterprises) in the full demo.
    scale = min(ctx.scale, 1.0)
    builder.build_enterprises(max(12, round(80 * scale)))
    builder.build_leads(max(8, round(40 * scale)))
    builder.build_exhibitions()
    builder.build_visits()
