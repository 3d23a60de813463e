"""The registry of the demo: about 3,000 persons (× scale), their households and overseas ties.

Persons are made in family units. A unit starts from one person of a category and may add the
people whose status follows from theirs: the spouse of an elderly 归侨 (a 归侨 too, or a 侨眷
through the marriage), a child of a 归侨, the spouse who shares a child abroad, both parents of
a student abroad, the parent of a 华侨 or 港澳同胞. Units share one town, area and address;
couples and their co-resident relatives form a household.

Proportions aim at a Shanghai suburb's registry: a majority of 侨眷, then 港澳同胞眷属 and 归侨
(mostly elderly, back from South-East Asia in the 1950s–60s), 留学回国人员 and 留学人员家属, and a
few 华侨, 外籍华人 and 港澳同胞 registered through their families. About 4 % are in hardship.

About 1.5 % of the registry (at least six persons from scale 0.02 on) are the same person
registered a second time, as record linkage is meant to find them: entered again by another town,
with a typo in the name (a homophone typed through pinyin), in traditional characters, with the
birth month and day swapped, simply without the ID number, or with a new phone number. None of
these second records carries the ID number, since the entry-time check (registry.duplicates)
refuses a number already registered; they are written after the first ones and put through that
check, as an import would be. The import's audit entry lists them (person ids and kind only), so
the demo's duplicates can be found and the linkage's recall on them measured.

Everything is planned in memory first (deterministically, from the seed), then written in one
go: households, persons through ``persons_bulk_create``, ties, and one audit entry.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from pypinyin import lazy_pinyin

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.chinese import to_traditional
from qiaolian.core.text import pinyin_key, search_key
from qiaolian.demo import geography as geo
from qiaolian.demo import names
from qiaolian.demo import overseas as ov
from qiaolian.demo.context import REFERENCE_DATE, DemoContext, age_on
from qiaolian.demo.geography import Area, Town
from qiaolian.demo.identity import IdNumbers, landline, mobile, street_address
from qiaolian.demo.rand import Weighted, date_between, date_in_year, weighted_sample
from qiaolian.orgs.models import Federation
from qiaolian.registry import choices as c
from qiaolian.registry.duplicates import Rule, candidates_for_rows, entry_keys
from qiaolian.registry.models import Household, OverseasTie, Person
from qiaolian.registry.services import persons_bulk_create

TOTAL_PERSONS = 3000
HARDSHIP_SHARE = 0.04
MIN_BIRTH = dt.date(1930, 1, 1)
MAX_BIRTH = dt.date(2010, 12, 31)
YEAR = REFERENCE_DATE.year
DUPLICATE_SHARE = 0.015
MIN_DUPLICATES = 6  # one of each kind, from scale 0.02 (60 persons) on

COUNTRY_ZH = {
    "ID": "印度尼西亚", "MY": "马来西亚", "VN": "越南", "TH": "泰国", "SG": "新加坡", "MM": "缅甸", "IN": "印度",
    "PH": "菲律宾", "KH": "柬埔寨", "LA": "老挝", "JP": "日本", "US": "美国", "AU": "澳大利亚", "CA": "加拿大",
    "DE": "德国", "FR": "法国", "GB": "英国", "NZ": "新西兰", "IT": "意大利", "KR": "韩国", "NL": "荷兰",
    "ES": "西班牙", "RU": "俄罗斯", "CH": "瑞士", "IE": "爱尔兰", "SE": "瑞典", "HK": "香港", "MO": "澳门",
}  # fmt: skip
ALPHA3 = {"US": "USA", "CA": "CAN", "AU": "AUS", "JP": "JPN", "SG": "SGP", "MY": "MYS", "GB": "GBR", "NZ": "NZL"}
ENGLISH_SPEAKING = ("US", "CA", "AU", "GB", "NZ", "SG", "IE")

# The first person of each family unit.
UNIT_KINDS = Weighted(
    [
        ("relative", 53.0),
        ("hk_macao_relative", 7.5),
        ("returnee", 11.5),
        ("returned_student", 7.5),
        ("student_relative", 2.6),
        ("overseas_chinese", 1.6),
        ("foreign_chinese", 1.0),
        ("hk_macao", 0.8),
    ]
)

# Birth cohorts (first year, last year, weight).
RELATIVE_BIRTHS = Weighted(
    [((1930, 1944), 10), ((1945, 1954), 17), ((1955, 1964), 22), ((1965, 1974), 18), ((1975, 1984), 13),
     ((1985, 1994), 10), ((1995, 2004), 7), ((2005, 2010), 3)]
)  # fmt: skip
HK_RELATIVE_BIRTHS = Weighted(
    [((1930, 1944), 14), ((1945, 1954), 20), ((1955, 1964), 22), ((1965, 1974), 17), ((1975, 1984), 12),
     ((1985, 1994), 9), ((1995, 2010), 6)]
)  # fmt: skip
RETURNED_STUDENT_BIRTHS = Weighted([((1962, 1972), 10), ((1973, 1979), 20), ((1980, 1989), 45), ((1990, 1997), 25)])

# Where each kind of unit lives: the town's share of the registry times a kind-specific factor.
_TOWN_FACTORS: dict[str, dict[str, float]] = {
    "returned_student": {"shihua": 1.6, "shanyang": 1.5, "gongyequ": 1.3, "zhujing": 1.2, "langxia": 0.5,
                         "lvxiang": 0.6, "zhangyan": 0.7},
    "returnee": {"shihua": 1.3, "zhujing": 1.2, "langxia": 0.7},
}  # fmt: skip

EDUCATION_BY_COHORT: list[tuple[int, Weighted[str]]] = [
    (1900, Weighted([(c.Education.NONE, 8), (c.Education.PRIMARY, 28), (c.Education.JUNIOR, 28),
                     (c.Education.SENIOR, 22), (c.Education.COLLEGE, 7), (c.Education.BACHELOR, 7)])),
    (1950, Weighted([(c.Education.PRIMARY, 12), (c.Education.JUNIOR, 38), (c.Education.SENIOR, 30),
                     (c.Education.COLLEGE, 10), (c.Education.BACHELOR, 9), (c.Education.MASTER, 1)])),
    (1966, Weighted([(c.Education.PRIMARY, 4), (c.Education.JUNIOR, 28), (c.Education.SENIOR, 30),
                     (c.Education.COLLEGE, 18), (c.Education.BACHELOR, 17), (c.Education.MASTER, 3)])),
    (1980, Weighted([(c.Education.JUNIOR, 10), (c.Education.SENIOR, 20), (c.Education.COLLEGE, 25),
                     (c.Education.BACHELOR, 35), (c.Education.MASTER, 9), (c.Education.DOCTOR, 1)])),
    (1995, Weighted([(c.Education.SENIOR, 20), (c.Education.COLLEGE, 25), (c.Education.BACHELOR, 45),
                     (c.Education.MASTER, 10)])),
]  # fmt: skip
RETURNEE_EDUCATION = Weighted(
    [(c.Education.PRIMARY, 10), (c.Education.JUNIOR, 25), (c.Education.SENIOR, 30), (c.Education.COLLEGE, 15),
     (c.Education.BACHELOR, 18), (c.Education.MASTER, 2)]
)  # fmt: skip
RETURNED_STUDENT_EDUCATION = Weighted([(c.Education.BACHELOR, 20), (c.Education.MASTER, 55), (c.Education.DOCTOR, 25)])
WORKING_OCCUPATIONS = Weighted(
    [(c.Occupation.EMPLOYEE, 40), (c.Occupation.OFFICIAL, 6), (c.Occupation.PROFESSIONAL, 10),
     (c.Occupation.ENTREPRENEUR, 8), (c.Occupation.FREELANCE, 8), (c.Occupation.TEACHER, 1),
     (c.Occupation.RESEARCHER, 2), (c.Occupation.OTHER, 25)]
)  # fmt: skip
RETURNED_STUDENT_OCCUPATIONS = Weighted(
    [(c.Occupation.EMPLOYEE, 33), (c.Occupation.PROFESSIONAL, 15), (c.Occupation.ENTREPRENEUR, 15),
     (c.Occupation.TEACHER, 8), (c.Occupation.RESEARCHER, 12), (c.Occupation.OFFICIAL, 10),
     (c.Occupation.FREELANCE, 7)]
)  # fmt: skip
INDUSTRIES = Weighted(
    [(c.Industry.HEAVY, 20), (c.Industry.LIGHT, 14), (c.Industry.AGRICULTURE, 6), (c.Industry.EDUCATION, 8),
     (c.Industry.REAL_ESTATE, 4), (c.Industry.FINANCE, 5), (c.Industry.INTERNET, 4), (c.Industry.BIOMED, 5),
     (c.Industry.HIGH_TECH, 8), (c.Industry.RESEARCH, 2), (c.Industry.OTHER, 24)]
)  # fmt: skip
RETURNED_STUDENT_INDUSTRIES = Weighted(
    [(c.Industry.HIGH_TECH, 22), (c.Industry.BIOMED, 14), (c.Industry.INTERNET, 12), (c.Industry.FINANCE, 10),
     (c.Industry.EDUCATION, 12), (c.Industry.RESEARCH, 8), (c.Industry.HEAVY, 14), (c.Industry.OTHER, 8)]
)  # fmt: skip
COMPANY_WORDS = (
    "金泽",
    "枫亭",
    "新杰",
    "华川",
    "海湾",
    "金晨",
    "卫城",
    "龙腾",
    "申南",
    "金枫",
    "亭新",
    "漕海",
    "恒信",
    "嘉禾",
    "宏达",
    "天成",
    "金凯",
    "澳华",
    "兴达",
    "瑞丰",
    "山海",
    "泾源",
    "湾区",
    "浦金",
    "星辰",
)
COMPANY_KINDS = {
    c.Industry.HEAVY: ("化工", "机械制造", "钢结构", "石化设备", "新材料"),
    c.Industry.LIGHT: ("服饰", "食品", "包装材料", "家具", "纺织"),
    c.Industry.REAL_ESTATE: ("置业", "物业管理", "房地产开发"),
    c.Industry.INTERNET: ("信息科技", "网络科技", "数字科技"),
    c.Industry.BIOMED: ("生物医药", "医疗器械", "生物科技"),
    c.Industry.HIGH_TECH: ("新材料科技", "智能装备", "电子科技", "新能源科技"),
    c.Industry.RESEARCH: ("检测技术", "技术研究"),
    c.Industry.OTHER: ("贸易", "物流", "商贸", "餐饮管理"),
}
BANKS = (
    "中国工商银行上海市金山支行",
    "中国农业银行上海金山支行",
    "上海农村商业银行金山支行",
    "中国建设银行上海金山石化支行",
    "中国银行上海市金山支行",
)
GOVERNMENT = (
    "金山区教育局",
    "金山区卫生健康委员会",
    "金山区商务委员会",
    "金山区科学技术委员会",
    "金山区人力资源和社会保障局",
    "金山区民政局",
    "金山区文化和旅游局",
)
POSITIONS = {
    c.Occupation.EMPLOYEE: ("职员", "技术员", "工程师", "销售经理", "财务", "行政主管", "车间主任", "质检员"),
    c.Occupation.OFFICIAL: ("科员", "副科长", "科长", "四级主任科员", "三级主任科员"),
    c.Occupation.PROFESSIONAL: ("主治医师", "医生", "律师", "注册会计师", "高级工程师", "护士长", "建筑师"),
    c.Occupation.ENTREPRENEUR: ("董事长", "总经理", "执行董事", "合伙人"),
    c.Occupation.TEACHER: ("讲师", "副教授", "教授"),
    c.Occupation.RESEARCHER: ("研究员", "副研究员", "高级工程师"),
}
HARDSHIP_NOTES = {
    c.Hardship.ALONE: "独居，子女在海外，需社区定期探望",
    c.Hardship.ELDERLY: "年逾八旬，行动不便",
    c.Hardship.ILL: "患慢性病，需长期服药",
    c.Hardship.DISABLED: "肢体残疾，生活部分不能自理",
    c.Hardship.LOW_INCOME: "家庭收入低，享受低保",
    c.Hardship.ILLNESS_POVERTY: "家人重病，医疗支出大",
    c.Hardship.INCAPACITATED: "失能，需长期护理",
    c.Hardship.OTHER: "住房困难",
}
MOVED_TO = ("闵行区", "松江区", "浦东新区", "奉贤区", "徐汇区", "浙江省平湖市", "江苏省苏州市", "境外")
DEMOCRATIC_PARTIES = (
    c.PoliticalStatus.CZGP, c.PoliticalStatus.CZGP, c.PoliticalStatus.CZGP, c.PoliticalStatus.RCCK,
    c.PoliticalStatus.CDL, c.PoliticalStatus.CNDCA, c.PoliticalStatus.CAPD, c.PoliticalStatus.CPWDP,
    c.PoliticalStatus.JS,
)  # fmt: skip
ETHNIC_MINORITIES = ("回族", "满族", "壮族", "蒙古族", "土家族", "苗族", "朝鲜族")

# Second records of a person (planted duplicates): the first of each kind in this order, the rest
# by weight. "other_town": registered again where the person also lives (户籍地 and 居住地);
# "typo": a given-name character typed as its homophone; "traditional": the name in 繁體, as
# written on a Hong Kong or overseas document; "swapped_date": birth month and day exchanged;
# "missing_id": the same record without the ID number; "changed_phone": a new mobile number.
DUPLICATE_ORDER = ("other_town", "typo", "traditional", "swapped_date", "missing_id", "changed_phone")
DUPLICATE_KINDS = Weighted(
    [("other_town", 25), ("typo", 20), ("traditional", 15), ("swapped_date", 15), ("missing_id", 15),
     ("changed_phone", 10)]
)  # fmt: skip
# Given-name characters and a homophone a pinyin input method offers first (same toneless pinyin).
HOMOPHONES = dict(
    zip(
        "英华明芳珍娟萍平国建伟峰杰静敏琴红丽兰林军斌涛燕霞宇龙生凤梅美玉秀荣东新文晓佳嘉俊浩怡婷雯琪涵轩志德福宝勇刚忠云飞磊颖洁蕾晶",
        "瑛桦鸣方贞鹃苹萍帼健玮锋洁婧闽芹虹莉岚琳君彬韬艳侠雨隆升风美梅钰绣容冬欣雯小嘉佳骏皓仪亭文棋寒萱智得富保永钢中芸菲垒莹杰雷菁",
        strict=True,
    )
)
DUPLICATE_SOURCES = Weighted([(c.Source.SURVEY, 50), (c.Source.SELF_DECLARED, 30), (c.Source.STAFF, 20)])


@dataclass(frozen=True)
class Home:
    town: Town
    area: Area
    address: str
    federation: Federation


def _clamp_birth(day: dt.date) -> dt.date:
    return min(max(day, MIN_BIRTH), MAX_BIRTH)


def _birth_in(rng: random.Random, first: int, last: int) -> dt.date:
    return _clamp_birth(date_between(rng, dt.date(first, 1, 1), dt.date(last, 12, 31)))


def _near(rng: random.Random, birth: dt.date, lo: int, hi: int) -> dt.date:
    """A birth date ``lo``–``hi`` years after ``birth`` (negative: before), within the range."""
    year = min(max(birth.year + rng.randint(lo, hi), MIN_BIRTH.year), MAX_BIRTH.year)
    return date_in_year(rng, year)


class PeoplePlanner:
    """Plans persons, households and ties in memory; ``write`` puts them in the database."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("people")
        self.ids = IdNumbers(ctx.rng("people-ids"))
        self.persons: list[Person] = []
        self.person_town: list[str] = []
        self.households: list[Household] = []
        self.ties: list[OverseasTie] = []
        self._town_picks: dict[str, Weighted[Town]] = {}
        self._husbands: dict[int, str] = {}  # id() of a married woman → her husband's surname
        # Planted duplicates draw from their own stream: which persons and how they differ does
        # not change what the first records are.
        self.duplicate_rng = ctx.rng("people-duplicates")
        self.originals = 0  # persons[:originals] are first records, the rest planted duplicates
        self.planted: list[tuple[Person, Person, str]] = []  # (original, duplicate, kind)

    def _husband_surname(self, wife: Person) -> str:
        """The surname of a woman's husband, drawn once: her children bear it, and so does the
        husband if he is registered too."""
        if id(wife) not in self._husbands:
            self._husbands[id(wife)] = names.surname(self.rng)
        return self._husbands[id(wife)]

    # Places -----------------------------------------------------------------------------------

    def _town(self, kind: str) -> Town:
        if kind not in self._town_picks:
            factors = _TOWN_FACTORS.get(kind, {})
            self._town_picks[kind] = Weighted([(t, t.share * factors.get(t.key, 1.0)) for t in geo.TOWNS])
        return self._town_picks[kind].pick(self.rng)

    def _home(self, kind: str) -> Home:
        rng = self.rng
        town = self._town(kind)
        urban = town.urban_share + (0.25 if kind == "returned_student" else 0.0)
        areas = town.communities if (not town.villages or rng.random() < urban) else town.villages
        area = rng.choice(areas)
        return Home(town, area, street_address(rng, town, area), self.ctx.federation_for(town, area.name))

    # One person -------------------------------------------------------------------------------

    def _person(
        self,
        home: Home,
        *,
        category: str,
        male: bool,
        birth: dt.date,
        family: str | None = None,
        southern: bool = False,
        native_place: str = "",
        birthplace: str = "",
        area_code: str = "",
        migrant_share: float = 0.1,
        **fields: Any,
    ) -> Person:
        rng = self.rng
        if not area_code:
            if rng.random() < migrant_share:
                code, place, south, _w = MIGRANT_PICK.pick(rng)
                area_code, native_place, southern = code, native_place or place, southern or south
                birthplace = birthplace or place
            else:
                area_code = geo.OLD_AREA_CODE if birth.year < geo.AREA_CODE_SWITCH_YEAR else geo.NEW_AREA_CODE
        successor = geo.SUCCESSOR_AREA_CODES.get(area_code)
        if successor and birth.year >= successor[1]:
            area_code = successor[0]
        native_place = native_place or "上海金山"
        person = Person(
            federation=home.federation,
            name=names.full_name(rng, male=male, birth_year=birth.year, family=family, southern=southern),
            sex=c.Sex.MALE if male else c.Sex.FEMALE,
            birth_date=birth,
            ethnicity="汉族" if rng.random() < 0.985 else rng.choice(ETHNIC_MINORITIES),
            category=category,
            native_place=native_place,
            birthplace=birthplace or native_place,
            address=home.address,
            verification=VERIFICATION.pick(rng),
            source=SOURCES.pick(rng),
            created_by=self.ctx.admin,
            **fields,
        )
        if person.id_type == c.IdType.RESIDENT_ID and not fields.get("id_number"):
            person.id_number = self.ids.resident_id(area_code=area_code, birth=birth, male=male)
        self._contact(person)
        self._work(person, home)
        self.persons.append(person)
        self.person_town.append(home.town.key)
        return person

    def _contact(self, person: Person) -> None:
        rng = self.rng
        age = age_on(person.birth_date)
        roll = rng.random()
        if age >= 80:
            phone = mobile(rng) if roll < 0.45 else landline(rng) if roll < 0.9 else ""
        elif age >= 65:
            phone = mobile(rng) if roll < 0.75 else landline(rng) if roll < 0.95 else ""
        elif age < 16:
            phone = mobile(rng) if roll < 0.4 else ""
        else:
            phone = mobile(rng) if roll < 0.98 else landline(rng)
        if phone and person.phone is None:
            person.phone = phone
        if person.phone_alt is None and phone.startswith("+8613") and rng.random() < 0.12:
            person.phone_alt = landline(rng)
        if 18 <= age < 60 and not person.email and rng.random() < 0.35:
            person.email = self._email(person, age)

    def _email(self, person: Person, age: int) -> str:
        rng = self.rng
        if rng.random() < 0.45:
            return f"{rng.randint(10_000_000, 2_999_999_999)}@qq.com"
        handle = "".join(lazy_pinyin(person.name)) + str(
            rng.randint(1, 99) if rng.random() < 0.6 else person.birth_date.year
        )
        domains = (
            ("163.com", "126.com", "sina.com", "outlook.com", "gmail.com")
            if age < 45
            else ("163.com", "126.com", "sina.com")
        )
        return f"{handle}@{rng.choice(domains)}"

    def _work(self, person: Person, home: Home) -> None:
        """Education, occupation, employer and political status by age and category."""
        rng = self.rng
        age = age_on(person.birth_date)
        category = person.category
        if not person.education:
            if age < 16:
                person.education = c.Education.PRIMARY if age < 13 else c.Education.JUNIOR
            elif age < 19:
                person.education = c.Education.SENIOR
            elif category == c.Category.RETURNEE and person.birth_date.year < 1960:
                person.education = RETURNEE_EDUCATION.pick(rng)
            else:
                table = EDUCATION_BY_COHORT[0][1]
                for first, weighted in EDUCATION_BY_COHORT:
                    if person.birth_date.year >= first:
                        table = weighted
                person.education = table.pick(rng)
        retire_age = 60 if person.sex == c.Sex.MALE else 55
        if not person.occupation:
            if age < 22 or (age < 26 and person.education in (c.Education.MASTER, c.Education.DOCTOR)):
                person.occupation = c.Occupation.STUDENT
            elif age >= retire_age:
                person.occupation = c.Occupation.RETIRED
            else:
                person.occupation = WORKING_OCCUPATIONS.pick(rng)
        if person.occupation not in (c.Occupation.STUDENT, c.Occupation.RETIRED) and not person.industry:
            person.industry = INDUSTRIES.pick(rng)
            farming = (c.Occupation.OTHER, c.Occupation.EMPLOYEE, c.Occupation.ENTREPRENEUR)
            if home.area.is_village and person.occupation in farming and rng.random() < 0.25:
                person.industry = c.Industry.AGRICULTURE
        fixed_employer = bool(person.employer)
        if person.occupation not in (c.Occupation.STUDENT, c.Occupation.RETIRED, c.Occupation.FREELANCE):
            if not person.employer and rng.random() < 0.7:
                person.employer = self._employer(person, home)
            positions = POSITIONS.get(person.occupation)
            if person.industry == c.Industry.EDUCATION and person.occupation != c.Occupation.TEACHER:
                positions = ("教师", "一级教师", "高级教师", "教研组长", "副校长")
            if positions and not person.position:
                person.position = rng.choice(positions)
                if person.occupation == c.Occupation.PROFESSIONAL and not fixed_employer:
                    person.employer = self._professional_employer(person.position, home) or person.employer
            elif (
                person.occupation == c.Occupation.OTHER
                and person.industry == c.Industry.AGRICULTURE
                and home.area.is_village  # a farmer, or a member of the village co-operative
            ):
                person.position = "务农"
        if not person.political_status and age >= 14:
            person.political_status = self._politics(age, category)

    def _employer(self, person: Person, home: Home) -> str:
        rng = self.rng
        town = home.town
        if person.occupation == c.Occupation.OFFICIAL:
            return rng.choice(
                (*GOVERNMENT, f"金山区{town.short_name}人民政府" if town.kind != "park" else "金山工业区管委会")
            )
        if person.occupation == c.Occupation.TEACHER:
            return rng.choice(("上海城建职业学院", "上海师范大学", "华东理工大学", "上海海洋大学"))
        industry = person.industry
        if industry == c.Industry.HEAVY and town.key in ("shihua", "shanyang", "jinshanwei") and rng.random() < 0.5:
            return "中国石化上海石油化工股份有限公司"
        if industry == c.Industry.EDUCATION:
            return f"上海市金山区{town.plain_name}{rng.choice(('小学', '中学', '幼儿园', '学校'))}"
        if industry == c.Industry.FINANCE:
            return rng.choice(BANKS)
        if industry == c.Industry.AGRICULTURE:
            if home.area.is_village:
                return f"金山区{town.short_name}{home.area.name}{rng.choice(('蔬果', '粮食', '农机'))}专业合作社"
            return f"上海{rng.choice(COMPANY_WORDS)}农业发展有限公司"
        if industry == c.Industry.OTHER and rng.random() < 0.35:
            return rng.choice((f"金山区{town.plain_name}社区卫生服务中心", "复旦大学附属金山医院", "金山区中心医院"))
        kinds = COMPANY_KINDS.get(industry, COMPANY_KINDS[c.Industry.OTHER])
        return f"上海{rng.choice(COMPANY_WORDS)}{rng.choice(kinds)}有限公司"

    def _professional_employer(self, position: str, home: Home) -> str:
        rng = self.rng
        if position in ("医生", "主治医师", "护士长"):
            return rng.choice(
                (f"金山区{home.town.plain_name}社区卫生服务中心", "复旦大学附属金山医院", "金山区中心医院")
            )
        if position == "律师":
            return f"上海{rng.choice(COMPANY_WORDS)}律师事务所"
        if position == "注册会计师":
            return f"上海{rng.choice(COMPANY_WORDS)}会计师事务所"
        return ""

    def _politics(self, age: int, category: str) -> str:
        rng = self.rng
        roll = rng.random()
        if age <= 28:
            if roll < 0.40:
                return c.PoliticalStatus.CYL
            if roll < 0.47:
                return c.PoliticalStatus.CPC
            if roll < 0.48:
                return c.PoliticalStatus.CPC_PROBATIONARY
            return c.PoliticalStatus.MASSES
        cpc = {c.Category.RETURNED_STUDENT: 0.27, c.Category.RETURNEE: 0.12}.get(category, 0.17)
        if roll < cpc:
            return c.PoliticalStatus.CPC
        if roll < cpc + 0.035:
            return rng.choice(DEMOCRATIC_PARTIES)
        if roll < cpc + 0.045:
            return c.PoliticalStatus.NON_PARTISAN
        return c.PoliticalStatus.MASSES

    # Overseas ties ----------------------------------------------------------------------------

    def _tie(
        self,
        person: Person,
        *,
        relation: str,
        country: str,
        relative_birth: dt.date | None = None,
        relative_person: Person | None = None,
        status: str = "",
        hk: bool = False,
        min_year: int = 1979,
        name: str = "",
        born_abroad: bool = False,
    ) -> OverseasTie:
        rng = self.rng
        rb = relative_birth or (relative_person.birth_date if relative_person else person.birth_date)
        relative_age = max(age_on(rb), 0)
        male = _relative_is_male(rng, relation, person)
        if relative_person is not None:
            name = relative_person.name
        elif not name:
            husband = self._husband_surname(person) if person.sex == c.Sex.FEMALE else ""
            family = _relative_surname(rng, relation, person, husband)
            name = names.full_name(rng, male=male, birth_year=rb.year, family=family)
        emigrated: int | None = None
        mode = ""
        notes = ""
        if country != "CN":
            earliest = max(rb.year + 16, min_year)
            grandchild = relation in (c.RelativeRelation.GRANDCHILD, c.RelativeRelation.MATERNAL_GRANDCHILD)
            if born_abroad or earliest > YEAR or (grandchild and rng.random() < 0.7):
                notes = "在当地出生"
            else:
                latest = min(YEAR, max(earliest, rb.year + 45))
                emigrated = rng.randint(earliest, latest)
                mode = _emigration_mode(rng, country, emigrated - rb.year, emigrated, hk=hk)
        if not status:
            status = _relative_status(rng, country, emigrated, mode, relative_age, hk=hk)
        foreign_name = ""
        if status == c.RelativeStatus.FOREIGN_CHINESE and country in ENGLISH_SPEAKING and rng.random() < 0.6:
            foreign_name = names.foreign_name(rng, chinese_name=name, male=male)
        state = c.TieState.ACTIVE
        if relative_age >= 75 and relation in _ELDER_RELATIONS and rng.random() < 0.2:
            state = c.TieState.RELATIVE_DECEASED
        elif relation == c.RelativeRelation.SPOUSE and rng.random() < 0.05:
            state = c.TieState.ENDED_DIVORCE
        support_years = rng.randint(5, 20) if relation == c.RelativeRelation.SUPPORT else None
        if support_years:
            notes = "扶养关系已公证"
        tie = OverseasTie(
            person=person,
            relative_person=relative_person,
            name=name,
            foreign_name=foreign_name,
            relation=relation,
            status=status,
            country=country,
            city="上海" if country == "CN" else ov.city(rng, country),
            emigrated_year=emigrated,
            emigration_mode=mode,
            occupation=_relative_occupation(rng, status, relative_age, country),
            associations=ov.association(rng, country) if country != "CN" and rng.random() < 0.08 else "",
            support_years=support_years,
            state=state,
            notes=notes,
        )
        self.ties.append(tie)
        return tie

    def _copy_tie(self, tie: OverseasTie, person: Person, relation: str) -> OverseasTie:
        """The same relative seen from the spouse (a shared child abroad)."""
        copy = OverseasTie(
            person=person,
            relative_person=tie.relative_person,
            name=tie.name,
            foreign_name=tie.foreign_name,
            relation=relation,
            status=tie.status,
            country=tie.country,
            city=tie.city,
            emigrated_year=tie.emigrated_year,
            emigration_mode=tie.emigration_mode,
            occupation=tie.occupation,
            associations=tie.associations,
            state=tie.state,
            notes=tie.notes,
        )
        self.ties.append(copy)
        return copy

    def _relative_ties(self, person: Person, *, hk: bool, count: int) -> list[OverseasTie]:
        rng = self.rng
        age = age_on(person.birth_date)
        used: list[str] = []
        ties = []
        for _ in range(count):
            relation = _relation_for(rng, age, person.birth_date.year, used)
            used.append(relation)
            country = ov.HK_MACAO.pick(rng) if hk else ov.RELATIVE_COUNTRIES.pick(rng)
            relative_birth = _relative_birth(rng, relation, person.birth_date)
            ties.append(
                self._tie(
                    person,
                    relation=relation,
                    country=country,
                    relative_birth=relative_birth,
                    hk=hk,
                    min_year=1949 if hk else (1979 if rng.random() < 0.95 else 1950),
                )
            )
        return ties

    # Households -------------------------------------------------------------------------------

    def _household(self, home: Home, members: list[tuple[Person, str]]) -> None:
        head = next(p for p, rel in members if rel == c.HouseholdRelation.HEAD)
        household = Household(
            federation=home.federation, label=f"{head.name}户", address=home.address, area=home.area.name
        )
        self.households.append(household)
        for person, relation in members:
            person.household = household
            person.household_relation = relation

    def _couple(self, home: Home, a: Person, b: Person, extra: list[tuple[Person, str]] | None = None) -> None:
        head, spouse = (a, b) if (a.sex == c.Sex.MALE) == (self.rng.random() < 0.8) else (b, a)
        members = [(head, c.HouseholdRelation.HEAD), (spouse, c.HouseholdRelation.SPOUSE)]
        self._household(home, members + (extra or []))

    def _spouse_birth(self, person: Person) -> dt.date:
        lo, hi = (-6, 1) if person.sex == c.Sex.MALE else (-1, 6)
        return _near(self.rng, person.birth_date, lo, hi)

    # Family units -----------------------------------------------------------------------------

    def unit_relative(self, room: int, *, hk: bool = False) -> None:
        rng = self.rng
        category = c.Category.HK_MACAO_RELATIVE if hk else c.Category.RELATIVE
        home = self._home("hk_macao_relative" if hk else "relative")
        first, last = (HK_RELATIVE_BIRTHS if hk else RELATIVE_BIRTHS).pick(rng)
        birth = _birth_in(rng, first, last)
        male = rng.random() < (0.46 if birth.year < 1950 else 0.5)
        person = self._person(home, category=category, male=male, birth=birth)
        if rng.random() < 0.015:  # declared, proof of the relative still to come
            person.verification = c.Verification.EVIDENCE_PENDING
            return
        count = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3)[rng.randrange(10)] if not hk else (1, 1, 1, 2)[rng.randrange(4)]
        ties = self._relative_ties(person, hk=hk, count=count)
        children = [t for t in ties if t.relation in _CHILD_RELATIONS]
        age = age_on(birth)
        married_abroad = any(t.relation == c.RelativeRelation.SPOUSE for t in ties)
        if room >= 2 and children and not married_abroad and age >= 40 and rng.random() < 0.5:
            husband = self._husband_surname(person) if not male else None
            spouse = self._person(
                home, category=category, male=not male, birth=self._spouse_birth(person), family=husband
            )
            for tie in children:
                self._copy_tie(tie, spouse, tie.relation)
            extra: list[tuple[Person, str]] = []
            if room >= 3 and 40 <= age < 62 and rng.random() < 0.12:  # an elderly parent living with them
                parent_birth = _near(rng, birth, -34, -22)
                father = rng.random() < 0.35  # a mother keeps her own surname
                family = names.split_surname(person.name) if father else None
                parent = self._person(home, category=category, male=father, birth=parent_birth, family=family)
                for tie in children:
                    relation = (
                        c.RelativeRelation.GRANDCHILD
                        if person.sex == c.Sex.MALE
                        else (c.RelativeRelation.MATERNAL_GRANDCHILD)
                    )
                    self._copy_tie(tie, parent, relation)
                extra.append((parent, c.HouseholdRelation.PARENT))
            self._couple(home, person, spouse, extra)

    def unit_hk_macao_relative(self, room: int) -> None:
        self.unit_relative(room, hk=True)

    def unit_returnee(self, room: int) -> None:
        rng = self.rng
        home = self._home("returnee")
        wave_index = ov.RETURNEE_WAVE_PICK.pick(rng)
        first, last, _w, countries = ov.RETURNEE_WAVES[wave_index]
        country = countries.pick(rng)
        years = list(range(first, last + 1))
        returned = rng.choices(years, weights=[ov.RETURN_YEAR_BOOST.get(y, 1.0) for y in years])[0]
        if wave_index == 0:
            age_at_return = int(rng.triangular(5, 28, 17))
        elif wave_index == 1:
            age_at_return = rng.randint(3, 40)
        else:
            age_at_return = rng.randint(38, 68)
        birth_year = max(returned - age_at_return, MIN_BIRTH.year + rng.randint(0, 4))
        birth = date_in_year(rng, min(birth_year, returned - 3))
        native, southern, _w2 = RETURNEE_ORIGIN_PICK.pick(rng)
        born_abroad = wave_index < 2 and rng.random() < 0.7
        if wave_index < 2:
            period, left = c.EmigrationPeriod.BEFORE_1979, None
        else:
            left = min(birth.year + rng.randint(22, 40), returned - 2)
            period = c.EmigrationPeriod.SINCE_1979 if left >= 1979 else c.EmigrationPeriod.BEFORE_1979
        birthplace = f"{COUNTRY_ZH[country]}{ov.city(rng, country)}" if born_abroad else native
        area_code = geo.OLD_AREA_CODE
        farm_codes = FARM_AREA_CODES.get(native[:2], ())
        if wave_index < 2 and farm_codes and rng.random() < 0.2:  # first settled on a 华侨农场 in the south
            area_code = rng.choice(farm_codes)
        male = rng.random() < 0.5
        fields = {
            "returned_from": country,
            "returned_year": returned,
            "emigration_period": period,
            "is_new_overseas": wave_index == 2 and left is not None and left >= 1979,
        }
        person = self._person(
            home,
            category=c.Category.RETURNEE,
            male=male,
            birth=birth,
            southern=southern,
            native_place=native,
            birthplace=birthplace,
            area_code=area_code,
            **fields,
        )
        if rng.random() < 0.4:  # relatives still abroad
            for _ in range(1 if rng.random() < 0.7 else 2):
                if country in ("ID", "MY", "SG", "TH", "PH", "MM", "VN", "KH") and rng.random() < 0.6:
                    relation = c.RelativeRelation.BROTHER if rng.random() < 0.5 else c.RelativeRelation.SISTER
                    self._tie(
                        person,
                        relation=relation,
                        country=country,
                        relative_birth=_near(rng, birth, -8, 8),
                        born_abroad=born_abroad,
                    )
                else:
                    self._relative_ties(person, hk=False, count=1)
        age = age_on(birth)
        if room >= 2 and age >= 40 and rng.random() < 0.55:
            spouse_birth = self._spouse_birth(person)
            if rng.random() < 0.4:  # both came back
                spouse = self._person(
                    home,
                    category=c.Category.RETURNEE,
                    male=not male,
                    birth=spouse_birth,
                    southern=southern,
                    native_place=native,
                    birthplace=birthplace if born_abroad else native,
                    area_code=area_code,
                    returned_from=country,
                    returned_year=min(YEAR, returned + rng.randint(-1, 2)),
                    emigration_period=period,
                    is_new_overseas=fields["is_new_overseas"],
                )
            else:
                spouse = self._person(home, category=c.Category.RELATIVE, male=not male, birth=spouse_birth)
                self._tie(
                    spouse,
                    relation=c.RelativeRelation.SPOUSE,
                    country="CN",
                    relative_person=person,
                    status=c.RelativeStatus.RETURNEE,
                )
            extra: list[tuple[Person, str]] = []
            if room >= 3 and age >= 60 and rng.random() < 0.25:
                child_birth = _near(rng, birth, 24, 34)
                if child_birth.year <= 2004:
                    family = names.split_surname((person if male else spouse).name)
                    child = self._person(
                        home, category=c.Category.RELATIVE, male=rng.random() < 0.5, birth=child_birth, family=family
                    )
                    relation = c.RelativeRelation.FATHER if male else c.RelativeRelation.MOTHER
                    self._tie(
                        child, relation=relation, country="CN", relative_person=person, status=c.RelativeStatus.RETURNEE
                    )
                    extra.append((child, c.HouseholdRelation.CHILD))
            self._couple(home, person, spouse, extra)

    def unit_returned_student(self, room: int) -> None:
        rng = self.rng
        home = self._home("returned_student")
        first, last = RETURNED_STUDENT_BIRTHS.pick(rng)
        birth = _birth_in(rng, first, last)
        country = ov.STUDY_COUNTRIES.pick(rng)
        left = min(max(birth.year + rng.randint(18, 28), 1985), YEAR - 2)
        education = RETURNED_STUDENT_EDUCATION.pick(rng)
        years_abroad = {c.Education.DOCTOR: (4, 9), c.Education.MASTER: (1, 4)}.get(education, (3, 7))
        returned = min(YEAR, left + rng.randint(*years_abroad))
        occupation = RETURNED_STUDENT_OCCUPATIONS.pick(rng)
        person = self._person(
            home,
            category=c.Category.RETURNED_STUDENT,
            male=rng.random() < 0.55,
            birth=birth,
            migrant_share=0.3,
            returned_from=country,
            returned_year=returned,
            emigration_period=c.EmigrationPeriod.SINCE_1979,
            is_new_overseas=True,
            education=education,
            occupation=occupation,
            industry=RETURNED_STUDENT_INDUSTRIES.pick(rng),
            is_returnee_entrepreneur=occupation == c.Occupation.ENTREPRENEUR,
        )
        if rng.random() < 0.15:
            self._relative_ties(person, hk=False, count=1)

    def unit_student_relative(self, room: int) -> None:
        """Parents of a student abroad; sometimes the student is registered too."""
        rng = self.rng
        home = self._home("student_relative")
        child_birth = _birth_in(rng, 1995, 2004)
        country = ov.STUDY_COUNTRIES.pick(rng)
        father = self._person(
            home, category=c.Category.STUDENT_RELATIVE, male=True, birth=_near(rng, child_birth, -33, -25)
        )
        family = names.split_surname(father.name)
        child_male = rng.random() < 0.5
        relation = c.RelativeRelation.SON if child_male else c.RelativeRelation.DAUGHTER
        left = max(child_birth.year + rng.randint(17, 23), 2012)
        student: Person | None = None
        if room >= 3 and rng.random() < 0.3:
            student = self._person(
                home,
                category=c.Category.STUDENT_ABROAD,
                male=child_male,
                birth=child_birth,
                family=family,
                residence_country=country,
                is_new_overseas=True,
                occupation=c.Occupation.STUDENT,
            )
        tie = self._tie(
            father,
            relation=relation,
            country=country,
            relative_birth=child_birth,
            relative_person=student,
            status=c.RelativeStatus.STUDENT_ABROAD,
            name="" if student else names.full_name(rng, male=child_male, birth_year=child_birth.year, family=family),
        )
        tie.emigrated_year, tie.emigration_mode, tie.notes = min(left, YEAR), c.EmigrationMode.STUDY, ""
        tie.occupation = "留学生"
        if room >= 2 and rng.random() < 0.6:
            mother = self._person(
                home, category=c.Category.STUDENT_RELATIVE, male=False, birth=_near(rng, father.birth_date, -1, 4)
            )
            self._copy_tie(tie, mother, relation)
            extra = [(student, c.HouseholdRelation.CHILD)] if student else []
            self._couple(home, father, mother, extra)

    def _abroad(self, room: int, *, category: str) -> None:
        """A 华侨, 外籍华人 or 港澳同胞 registered through the family home; often a parent too."""
        rng = self.rng
        home = self._home(category)
        hk = category == c.Category.HK_MACAO
        country = ov.HK_MACAO.pick(rng) if hk else ov.RELATIVE_COUNTRIES.pick(rng)
        if category == c.Category.FOREIGN_CHINESE:
            country = rng.choice(("US", "US", "CA", "AU", "AU", "JP", "SG", "GB", "NZ", "MY"))
        birth = _birth_in(rng, 1950, 1992)
        left = max(birth.year + rng.randint(18, 35), 1950 if hk else 1979)
        male = rng.random() < 0.5
        fields: dict[str, Any] = {
            "residence_country": country,
            "emigration_period": c.EmigrationPeriod.SINCE_1979 if left >= 1979 else c.EmigrationPeriod.BEFORE_1979,
            "is_new_overseas": left >= 1979,
            "phone_alt": ov.overseas_phone(rng, country),
        }
        if category == c.Category.OVERSEAS_CHINESE:
            fields |= {"id_type": c.IdType.PASSPORT, "id_number": self.ids.chinese_passport()}
        elif hk:
            fields |= {"id_type": c.IdType.HK_MACAO_PERMIT, "id_number": self.ids.hk_macao_permit(country)}
        else:
            fields["nationality"] = country
            if rng.random() < 0.35:  # lives and works in Jinshan
                fields["residence_country"] = "CN"
                fields["id_type"] = c.IdType.FOREIGNER_PERMANENT
                fields["id_number"] = self.ids.permanent_residence(country_alpha3=ALPHA3[country], birth=birth)
            else:
                fields["id_type"] = c.IdType.PASSPORT
                fields["id_number"] = self.ids.foreign_passport(country)
        person = self._person(home, category=category, male=male, birth=birth, **fields)
        if category == c.Category.FOREIGN_CHINESE and country in ENGLISH_SPEAKING:
            person.foreign_name = names.foreign_name(rng, chinese_name=person.name, male=male)
        parent_birth = _near(rng, birth, -34, -23)
        if room >= 2 and birth.year - 34 >= MIN_BIRTH.year and rng.random() < 0.5:
            parent_category = c.Category.HK_MACAO_RELATIVE if hk else c.Category.RELATIVE
            father = rng.random() < 0.4  # the mother keeps her own surname
            parent = self._person(
                home,
                category=parent_category,
                male=father,
                birth=parent_birth,
                family=names.split_surname(person.name) if father else None,
            )
            status = {
                c.Category.HK_MACAO: c.RelativeStatus.HK_MACAO,
                c.Category.FOREIGN_CHINESE: c.RelativeStatus.FOREIGN_CHINESE,
            }.get(category, c.RelativeStatus.OVERSEAS_CHINESE)
            relation = c.RelativeRelation.SON if male else c.RelativeRelation.DAUGHTER
            tie = self._tie(parent, relation=relation, country=country, relative_person=person, status=status, hk=hk)
            tie.emigrated_year = left
            tie.emigration_mode = _emigration_mode(rng, country, left - birth.year, left, hk=hk)
            tie.notes = ""

    def unit_overseas_chinese(self, room: int) -> None:
        self._abroad(room, category=c.Category.OVERSEAS_CHINESE)

    def unit_foreign_chinese(self, room: int) -> None:
        self._abroad(room, category=c.Category.FOREIGN_CHINESE)

    def unit_hk_macao(self, room: int) -> None:
        self._abroad(room, category=c.Category.HK_MACAO)

    # The whole registry -----------------------------------------------------------------------

    def plan(self, total: int) -> None:
        units = {
            "relative": self.unit_relative,
            "hk_macao_relative": self.unit_hk_macao_relative,
            "returnee": self.unit_returnee,
            "returned_student": self.unit_returned_student,
            "student_relative": self.unit_student_relative,
            "overseas_chinese": self.unit_overseas_chinese,
            "foreign_chinese": self.unit_foreign_chinese,
            "hk_macao": self.unit_hk_macao,
        }
        first_records = total - duplicate_count(total)
        while len(self.persons) < first_records:
            units[UNIT_KINDS.pick(self.rng)](first_records - len(self.persons))
        self._life_events()
        self._hardship()
        self._social_roles()
        self._duplicates(total - len(self.persons))

    def _life_events(self) -> None:
        """Deaths since 2018 (mostly of the very old) and a few who moved away."""
        rng = self.rng
        for person in self.persons:
            age = age_on(person.birth_date)
            p_death = 0.14 if age >= 88 else 0.07 if age >= 80 else 0.03 if age >= 70 else 0.005 if age >= 55 else 0
            if rng.random() < p_death:
                person.living_status = c.LivingStatus.DECEASED
                person.deceased_on = date_between(rng, dt.date(2018, 1, 1), REFERENCE_DATE)
            elif 20 <= age <= 75 and person.residence_country in ("", "CN") and rng.random() < 0.015:
                person.living_status = c.LivingStatus.MOVED_AWAY
                year = rng.randint(2018, 2022)
                person.notes = f"{year}年迁往{rng.choice(MOVED_TO)}"

    def _hardship(self) -> None:
        rng = self.rng
        living = [p for p in self.persons if p.living_status == c.LivingStatus.LIVING and not p.residence_country]
        weights = []
        for p in living:
            age = age_on(p.birth_date)
            w = 1.0 + (6.0 if age >= 80 else 2.5 if age >= 70 else 0.0)
            w *= 1.8 if p.category == c.Category.RETURNEE else 1.0
            w *= 0.3 if p.category == c.Category.RETURNED_STUDENT else 1.0
            weights.append(w)
        for person in weighted_sample(rng, living, weights, round(len(self.persons) * HARDSHIP_SHARE)):
            age = age_on(person.birth_date)
            options: list[tuple[str, float]] = [
                (c.Hardship.ILL, 4), (c.Hardship.LOW_INCOME, 3), (c.Hardship.DISABLED, 1.5),
                (c.Hardship.ILLNESS_POVERTY, 1.5), (c.Hardship.OTHER, 0.5),
            ]  # fmt: skip
            if age >= 80:
                options.append((c.Hardship.ELDERLY, 5))
            if age >= 70 and person.household is None:
                options.append((c.Hardship.ALONE, 3))
            if age >= 75:
                options.append((c.Hardship.INCAPACITATED, 1.5))
            pick = Weighted(options)
            types = [pick.pick(rng)]
            if rng.random() < 0.45:
                second = pick.pick(rng)
                if second not in types:
                    types.append(second)
            types = [str(t) for t in c.Hardship if t in types]  # in the code list's order
            person.is_in_hardship = True
            person.hardship_types = types
            person.hardship_note = "；".join(HARDSHIP_NOTES[c.Hardship(t)] for t in types)[:200]

    def _social_roles(self) -> None:
        rng = self.rng
        scale = len(self.persons) / TOTAL_PERSONS
        adults = [
            p
            for p in self.persons
            if p.living_status == c.LivingStatus.LIVING and 32 <= age_on(p.birth_date) <= 72 and not p.residence_country
        ]
        weights = [3.0 if p.category == c.Category.RETURNED_STUDENT else 1.0 for p in adults]
        roles = (("区政协委员（侨联界别）", 12), ("区人大代表", 6), ("镇人大代表", 15), ("区政协委员", 5))
        picked = weighted_sample(rng, adults, weights, sum(max(1, round(n * scale)) for _, n in roles))
        rng.shuffle(picked)
        cursor = 0
        for role, n in roles:
            for person in picked[cursor : cursor + max(1, round(n * scale))]:
                person.social_roles = role
            cursor += max(1, round(n * scale))

    # Planted duplicates -----------------------------------------------------------------------

    def _duplicates(self, count: int) -> None:
        """``count`` second records of persons planned so far (see the module's docstring)."""
        rng = self.duplicate_rng
        self.originals = len(self.persons)
        ties_of: dict[int, list[OverseasTie]] = {}
        for tie in self.ties:
            ties_of.setdefault(id(tie.person), []).append(tie)
        candidates = [
            i
            for i, p in enumerate(self.persons)
            if p.living_status == c.LivingStatus.LIVING
            and p.residence_country in ("", "CN")
            and p.id_type == c.IdType.RESIDENT_ID
            and p.id_number
            and age_on(p.birth_date) >= 18
        ]
        rng.shuffle(candidates)
        for n in range(count):
            wanted = DUPLICATE_ORDER[n] if n < len(DUPLICATE_ORDER) else DUPLICATE_KINDS.pick(rng)
            # the first candidate that can have this kind; "missing_id" fits anyone
            for kind in dict.fromkeys((wanted, "missing_id")):
                found = next(
                    ((position, index, made) for position, index in enumerate(candidates)
                     if (made := self._duplicate_of(index, kind)) is not None),
                    None,
                )  # fmt: skip
                if found is not None:
                    break
            if found is None:
                break  # nobody left to register twice
            position, index, (duplicate, town) = found
            del candidates[position]
            original = self.persons[index]
            self.persons.append(duplicate)
            self.person_town.append(town)
            for tie in ties_of.get(id(original), []):  # the same relatives abroad, recorded again
                self._copy_tie(tie, duplicate, tie.relation)
            self.planted.append((original, duplicate, kind))

    def _duplicate_of(self, index: int, kind: str) -> tuple[Person, str] | None:
        """A second record of ``persons[index]`` of ``kind`` and its town, or None when that
        person cannot have one of this kind (no homophone in the name, a day after the 12th …)."""
        rng = self.duplicate_rng
        original = self.persons[index]
        town_key = self.person_town[index]
        name, birth, federation = original.name, original.birth_date, original.federation
        address = original.address.reveal() if original.address else ""
        phone = original.phone.reveal() if original.phone else ""
        if kind == "typo":
            name = _homophone_typo(rng, original.name)
            if not name:
                return None
        elif kind == "traditional":
            name = to_traditional(original.name)
            if name == original.name or search_key(name) != search_key(original.name):
                return None
        elif kind == "swapped_date":
            if birth.day > 12 or birth.day == birth.month:
                return None
            birth = dt.date(birth.year, birth.day, birth.month)
        elif kind == "changed_phone":
            if not phone.startswith("+861"):  # a mobile number, given up for a new one
                return None
            phone = mobile(rng)
        elif kind == "other_town":
            town = Weighted([(t, t.share) for t in geo.TOWNS if t.key != town_key]).pick(rng)
            areas = town.communities if (not town.villages or rng.random() < town.urban_share) else town.villages
            area = rng.choice(areas)
            town_key, address = town.key, street_address(rng, town, area)
            federation = self.ctx.federation_for(town, area.name)
        duplicate = Person(
            federation=federation,
            name=name,
            sex=original.sex,
            birth_date=birth,
            ethnicity=original.ethnicity,
            category=original.category,
            nationality=original.nationality,
            residence_country=original.residence_country,
            is_new_overseas=original.is_new_overseas,
            is_returnee_entrepreneur=original.is_returnee_entrepreneur,
            emigration_period=original.emigration_period,
            returned_from=original.returned_from,
            returned_year=original.returned_year,
            native_place=original.native_place,
            birthplace=original.birthplace,
            address=address,
            phone=phone,
            education=original.education,
            occupation=original.occupation,
            industry=original.industry,
            political_status=original.political_status,
            verification=c.Verification.SELF_REPORTED,
            source=DUPLICATE_SOURCES.pick(rng),
            created_by=self.ctx.admin,
        )
        return duplicate, town_key

    def _entry_check(self) -> list[list[str]]:
        """Put the planted duplicates through the entry-time check, against the first records
        just written (as an import checks its rows): the rules that would have asked the user to
        confirm each one. A duplicate with an ID number already registered would be refused; the
        planner never makes one."""
        rows = [
            entry_keys(
                {
                    "name": p.name,
                    "birth_date": p.birth_date,
                    "sex": p.sex,
                    "phone": p.phone.reveal() if p.phone else "",
                    "phone_alt": p.phone_alt.reveal() if p.phone_alt else "",
                }
            )
            for _original, p, _kind in self.planted
        ]
        found = candidates_for_rows(rows)
        rules: list[list[str]] = []
        for position in range(len(rows)):
            agreed = sorted({str(rule) for match in found.get(position, []) for rule in match.rules})
            if Rule.ID_NUMBER in agreed:
                raise RuntimeError("a planted duplicate carries an ID number already registered")
            rules.append(agreed)
        return rules

    # Writing ----------------------------------------------------------------------------------

    def write(self) -> None:
        ctx = self.ctx
        # Households, then persons, then ties: bulk_create fills each foreign key from the
        # related object saved just before.
        Household.objects.bulk_create(self.households, batch_size=500)
        persons_bulk_create(actor=ctx.actor(), persons=self.persons[: self.originals], batch_size=500)
        entry_rules = self._entry_check()
        persons_bulk_create(actor=ctx.actor(), persons=self.persons[self.originals :], batch_size=500)
        OverseasTie.objects.bulk_create(self.ties, batch_size=1000)
        audit_record(
            actor=ctx.actor(),
            action=Action.IMPORT,
            federation_id=ctx.district.pk if ctx.district else None,
            data={
                "source": "demo-data",
                "seed": ctx.seed,
                "scale": ctx.scale,
                "persons": len(self.persons),
                "households": len(self.households),
                "overseas_ties": len(self.ties),
                "planted_duplicates": [
                    {"original": original.pk, "duplicate": duplicate.pk, "kind": kind, "entry_check": rules}
                    for (original, duplicate, kind), rules in zip(self.planted, entry_rules, strict=True)
                ],
            },
        )
        ctx.persons = self.persons
        ctx.households = self.households
        ctx.ties = self.ties
        ctx.person_town = self.person_town


# Area codes of places in the south where returnees were first settled (华侨农场), by province.
FARM_AREA_CODES = {"福建": ("350582", "350181", "350583"), "广东": ("440781", "441403", "445102"), "海南": ("469005",)}
MIGRANT_PICK = Weighted([(origin, origin[3]) for origin in geo.MIGRANT_ORIGINS])
RETURNEE_ORIGIN_PICK = Weighted([(origin, origin[2]) for origin in geo.RETURNEE_ORIGINS])
VERIFICATION = Weighted(
    [(c.Verification.VERIFIED, 80), (c.Verification.SELF_REPORTED, 12), (c.Verification.EVIDENCE_PENDING, 5),
     (c.Verification.UNDER_REVIEW, 3)]
)  # fmt: skip
SOURCES = Weighted([(c.Source.SURVEY, 70), (c.Source.SELF_DECLARED, 20), (c.Source.STAFF, 10)])

_CHILD_RELATIONS = (c.RelativeRelation.SON, c.RelativeRelation.DAUGHTER)
_ELDER_RELATIONS = (
    c.RelativeRelation.FATHER, c.RelativeRelation.MOTHER, c.RelativeRelation.GRANDPARENT,
    c.RelativeRelation.MATERNAL_GRANDPARENT, c.RelativeRelation.BROTHER, c.RelativeRelation.SISTER,
    c.RelativeRelation.SPOUSE,
)  # fmt: skip
_UNIQUE_RELATIONS = (c.RelativeRelation.SPOUSE, c.RelativeRelation.FATHER, c.RelativeRelation.MOTHER)

# Relation of the overseas relative by the domestic person's age in 2022.
R = c.RelativeRelation
_RELATIONS_BY_AGE: list[tuple[int, Weighted[str]]] = [
    (60, Weighted([(R.SON, 28), (R.DAUGHTER, 28), (R.GRANDCHILD, 7),
                   (R.MATERNAL_GRANDCHILD, 6), (R.BROTHER, 10),
                   (R.SISTER, 10), (R.CHILD_SPOUSE, 4), (R.SPOUSE, 2),
                   (R.SUPPORT, 0.5)])),
    (45, Weighted([(R.SON, 20), (R.DAUGHTER, 20), (R.BROTHER, 18),
                   (R.SISTER, 18), (R.SPOUSE, 8), (R.FATHER, 3),
                   (R.MOTHER, 3), (R.CHILD_SPOUSE, 2),
                   (R.SUPPORT, 0.5)])),
    (25, Weighted([(R.BROTHER, 18), (R.SISTER, 18), (R.FATHER, 14),
                   (R.MOTHER, 14), (R.SPOUSE, 14), (R.GRANDPARENT, 4),
                   (R.MATERNAL_GRANDPARENT, 4), (R.SON, 3),
                   (R.DAUGHTER, 3)])),
    (0, Weighted([(R.FATHER, 30), (R.MOTHER, 30), (R.BROTHER, 10),
                  (R.SISTER, 10), (R.GRANDPARENT, 8),
                  (R.MATERNAL_GRANDPARENT, 8)])),
]  # fmt: skip
_RELATIVE_BIRTH_OFFSETS: dict[str, tuple[int, int]] = {
    c.RelativeRelation.SON: (23, 36),
    c.RelativeRelation.DAUGHTER: (23, 36),
    c.RelativeRelation.CHILD_SPOUSE: (22, 38),
    c.RelativeRelation.GRANDCHILD: (48, 66),
    c.RelativeRelation.MATERNAL_GRANDCHILD: (48, 66),
    c.RelativeRelation.BROTHER: (-10, 10),
    c.RelativeRelation.SISTER: (-10, 10),
    c.RelativeRelation.SPOUSE: (-6, 6),
    c.RelativeRelation.FATHER: (-38, -22),
    c.RelativeRelation.MOTHER: (-36, -20),
    c.RelativeRelation.GRANDPARENT: (-65, -45),
    c.RelativeRelation.MATERNAL_GRANDPARENT: (-65, -45),
    c.RelativeRelation.SUPPORT: (-30, 30),
}


def _relation_for(rng: random.Random, age: int, birth_year: int, used: list[str]) -> str:
    table = _RELATIONS_BY_AGE[-1][1]
    for min_age, weighted in _RELATIONS_BY_AGE:
        if age >= min_age:
            table = weighted
            break
    for _ in range(20):
        relation = table.pick(rng)
        lo = _RELATIVE_BIRTH_OFFSETS[relation][0]
        if relation in _UNIQUE_RELATIONS and relation in used:
            continue
        if birth_year + lo > YEAR - 1:  # the relative would not be born yet
            continue
        return relation
    return c.RelativeRelation.BROTHER if rng.random() < 0.5 else c.RelativeRelation.SISTER


def _relative_birth(rng: random.Random, relation: str, birth: dt.date) -> dt.date:
    lo, hi = _RELATIVE_BIRTH_OFFSETS[relation]
    year = min(birth.year + rng.randint(lo, hi), YEAR - 1)
    return date_in_year(rng, year)


def _relative_is_male(rng: random.Random, relation: str, person: Person) -> bool:
    if relation in (c.RelativeRelation.SON, c.RelativeRelation.BROTHER, c.RelativeRelation.FATHER):
        return True
    if relation in (c.RelativeRelation.DAUGHTER, c.RelativeRelation.SISTER, c.RelativeRelation.MOTHER):
        return False
    if relation == c.RelativeRelation.SPOUSE:
        return person.sex != c.Sex.MALE
    return rng.random() < 0.5


def _relative_surname(rng: random.Random, relation: str, person: Person, husband: str) -> str | None:
    """Children and grandchildren take the father's surname; siblings and the father share ours."""
    own = names.split_surname(person.name)
    if husband and relation in (c.RelativeRelation.SON, c.RelativeRelation.DAUGHTER, c.RelativeRelation.GRANDCHILD):
        return husband
    if relation in (c.RelativeRelation.BROTHER, c.RelativeRelation.SISTER, c.RelativeRelation.FATHER):
        return own
    if relation == c.RelativeRelation.GRANDPARENT and rng.random() < 0.5:
        return own
    if person.sex == c.Sex.MALE and relation in (
        c.RelativeRelation.SON, c.RelativeRelation.DAUGHTER, c.RelativeRelation.GRANDCHILD,
    ):  # fmt: skip
        return own
    return None


_m = c.EmigrationMode
_MODES_HK = Weighted([(_m.SETTLEMENT, 40), (_m.MARRIAGE, 20), (_m.LABOUR, 10), (_m.BUSINESS, 15), (_m.STUDY, 10),
                      (_m.OTHER, 5)])  # fmt: skip
_MODES_YOUNG = Weighted([(_m.STUDY, 50), (_m.MARRIAGE, 12), (_m.SETTLEMENT, 15), (_m.LABOUR, 12), (_m.BUSINESS, 6),
                         (_m.OTHER, 5)])  # fmt: skip
_MODES_OLDER = Weighted(
    [(_m.SETTLEMENT, 40), (_m.BUSINESS, 20), (_m.LABOUR, 15), (_m.MARRIAGE, 10), (_m.STUDY, 10), (_m.OTHER, 5)]
)


def _emigration_mode(rng: random.Random, country: str, age_at_leaving: int, year: int, *, hk: bool = False) -> str:
    if hk:
        return _MODES_HK.pick(rng)
    if age_at_leaving > 45:
        return c.EmigrationMode.SETTLEMENT  # parents joining their children
    if country == "JP" and 1985 <= year <= 2002 and rng.random() < 0.35:
        return c.EmigrationMode.LABOUR  # 就学生 and 研修生 of the 1980s–90s
    return (_MODES_YOUNG if age_at_leaving <= 30 else _MODES_OLDER).pick(rng)


def _relative_occupation(rng: random.Random, status: str, age: int, country: str) -> str:
    if country == "CN":
        return ""
    if status == c.RelativeStatus.STUDENT_ABROAD:
        return "留学生"
    return ov.relative_occupation(rng, age)


def _relative_status(
    rng: random.Random, country: str, emigrated: int | None, mode: str, relative_age: int, *, hk: bool
) -> str:
    if hk or country in ("HK", "MO"):
        return c.RelativeStatus.HK_MACAO
    if emigrated is None:
        return c.RelativeStatus.FOREIGN_CHINESE if rng.random() < 0.75 else c.RelativeStatus.OVERSEAS_CHINESE
    if mode == c.EmigrationMode.STUDY and emigrated >= 2015 and relative_age < 35:
        return c.RelativeStatus.STUDENT_ABROAD
    naturalized = min(0.85, (YEAR - emigrated) / 25)
    if country in ("JP", "KR"):
        naturalized *= 0.5
    return c.RelativeStatus.FOREIGN_CHINESE if rng.random() < naturalized else c.RelativeStatus.OVERSEAS_CHINESE


def duplicate_count(total: int) -> int:
    """How many of ``total`` persons are planted second records: ``DUPLICATE_SHARE``, at least
    ``MIN_DUPLICATES``, never more than a tenth of the registry (none below ten persons)."""
    return min(max(MIN_DUPLICATES, round(total * DUPLICATE_SHARE)), total // 10)


def _homophone_typo(rng: random.Random, name: str) -> str:
    """``name`` with one given-name character replaced by a homophone (same pinyin, another
    name key), or "" when it has none."""
    start = len(names.split_surname(name))
    positions = [i for i in range(start, len(name)) if name[i] in HOMOPHONES]
    if not positions:
        return ""
    i = rng.choice(positions)
    typo = name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
    if pinyin_key(typo) != pinyin_key(name) or search_key(typo) == search_key(name):
        return ""
    return typo


def build_people(ctx: DemoContext) -> None:
    planner = PeoplePlanner(ctx)
    planner.plan(max(1, round(TOTAL_PERSONS * ctx.scale)))
    planner.write()
