"""Overseas liaison, 2018–2022: the associations and people abroad the district keeps in touch
with, the log of those contacts, and the youth camps — two summers of the offline
“寻根中国·相约上海” camp (2018, 2019) and the online “忆乡情·寻根金山” camp of 2022."""

from __future__ import annotations

import datetime as dt

from qiaolian.demo import overseas
from qiaolian.demo.context import DemoContext, age_on
from qiaolian.demo.names import foreign_name, full_name
from qiaolian.demo.rand import Weighted, chance, date_between
from qiaolian.liaison import services
from qiaolian.liaison.models import (
    AssociationType,
    ChineseLevel,
    ContactKind,
    EnrolmentStatus,
    InteractionKind,
    Relationship,
)

# (name, type, country, city); names follow the patterns of real associations abroad.
ASSOCIATIONS = [
    ("美国上海联谊会", AssociationType.HOMETOWN, "US", "纽约"),
    ("北加州上海同乡会", AssociationType.HOMETOWN, "US", "旧金山"),
    ("美国华人协会", AssociationType.FEDERATION, "US", "洛杉矶"),
    ("美东华人专业人士协会", AssociationType.PROFESSIONAL, "US", "纽约"),
    ("全美华人工程师协会", AssociationType.PROFESSIONAL, "US", "圣何塞"),
    ("美国中华总商会", AssociationType.CHAMBER, "US", "洛杉矶"),
    ("加拿大上海联谊会", AssociationType.HOMETOWN, "CA", "多伦多"),
    ("多伦多华人联合总会", AssociationType.FEDERATION, "CA", "多伦多"),
    ("温哥华中华文化中心", AssociationType.CULTURE, "CA", "温哥华"),
    ("澳大利亚上海同乡会", AssociationType.HOMETOWN, "AU", "悉尼"),
    ("悉尼华人联合会", AssociationType.FEDERATION, "AU", "悉尼"),
    ("墨尔本中文学校", AssociationType.CULTURE, "AU", "墨尔本"),
    ("日本上海同乡会", AssociationType.HOMETOWN, "JP", "东京"),
    ("日本华侨华人联合会", AssociationType.FEDERATION, "JP", "东京"),
    ("全日本中国留学人员友好联谊会", AssociationType.STUDENTS, "JP", "东京"),
    ("日本中华总商会", AssociationType.CHAMBER, "JP", "东京"),
    ("新加坡上海公会", AssociationType.HOMETOWN, "SG", "新加坡"),
    ("新加坡中华总商会", AssociationType.CHAMBER, "SG", "新加坡"),
    ("马来西亚华人公会联谊会", AssociationType.FEDERATION, "MY", "吉隆坡"),
    ("马来西亚华校董事联合会总会", AssociationType.CULTURE, "MY", "吉隆坡"),
    ("印尼华裔联谊会", AssociationType.FEDERATION, "ID", "雅加达"),
    ("印尼中华总商会", AssociationType.CHAMBER, "ID", "雅加达"),
    ("泰国中华总商会", AssociationType.CHAMBER, "TH", "曼谷"),
    ("泰华上海同乡会", AssociationType.HOMETOWN, "TH", "曼谷"),
    ("英国上海联谊会", AssociationType.HOMETOWN, "GB", "伦敦"),
    ("全英中国学生学者联合会", AssociationType.STUDENTS, "GB", "伦敦"),
    ("英国华人联合会", AssociationType.FEDERATION, "GB", "曼彻斯特"),
    ("法国华侨华人会", AssociationType.FEDERATION, "FR", "巴黎"),
    ("法国中文学校联合会", AssociationType.CULTURE, "FR", "巴黎"),
    ("德国华侨华人联合会", AssociationType.FEDERATION, "DE", "法兰克福"),
    ("全德中国学生学者联合会", AssociationType.STUDENTS, "DE", "柏林"),
    ("荷兰华侨华人总会", AssociationType.FEDERATION, "NL", "阿姆斯特丹"),
    ("新西兰上海同乡会", AssociationType.HOMETOWN, "NZ", "奥克兰"),
    ("意大利华侨华人联谊会", AssociationType.FEDERATION, "IT", "米兰"),
    ("意大利普拉托华商会", AssociationType.CHAMBER, "IT", "普拉托"),
    ("香港上海联谊会", AssociationType.HOMETOWN, "HK", "香港"),
    ("香港金山同乡会", AssociationType.HOMETOWN, "HK", "香港"),
    ("香港沪港专业人士协会", AssociationType.PROFESSIONAL, "HK", "香港"),
    ("澳门上海联谊会", AssociationType.HOMETOWN, "MO", "澳门"),
    ("澳门金山同乡联谊会", AssociationType.OTHER, "MO", "澳门"),
]

RELATIONSHIPS = Weighted(
    [(Relationship.CORE, 2), (Relationship.REGULAR, 4), (Relationship.OCCASIONAL, 3), (Relationship.NEW, 1)]
)
CONTACT_COUNTRIES = Weighted(
    [("US", 22), ("CA", 8), ("AU", 9), ("JP", 12), ("SG", 6), ("MY", 4), ("ID", 3), ("TH", 2), ("GB", 9),
     ("FR", 4), ("DE", 5), ("NL", 2), ("NZ", 3), ("IT", 2), ("HK", 7), ("MO", 2)]
)  # fmt: skip
CONTACT_KINDS = Weighted(
    [(ContactKind.TALENT, 30), (ContactKind.STUDENT, 20), (ContactKind.LEADER, 30), (ContactKind.OTHER, 8)]
)
ORGANIZATIONS = {
    ContactKind.TALENT: [("大学", "副教授"), ("半导体公司", "首席工程师"), ("生物医药公司", "研发总监"),
                         ("国家实验室", "研究员"), ("投资银行", "董事总经理"), ("大学附属医院", "主任医师")],
    ContactKind.STUDENT: [("大学", "在读博士"), ("大学", "在读硕士"), ("研究所", "博士后")],
    ContactKind.LEADER: [("", "会长"), ("", "常务副会长"), ("", "秘书长"), ("", "理事")],
    ContactKind.HK_MACAO: [("某贸易公司", "董事长"), ("某律师行", "合伙人"), ("某投资公司", "总经理")],
    ContactKind.OTHER: [("某餐饮集团", "总经理"), ("中文学校", "校长")],
}  # fmt: skip
SUMMARIES = {
    InteractionKind.MEETING: ["来访座谈，介绍金山营商环境和人才政策", "参加海外侨胞恳谈会", "会见并交流社团近况"],
    InteractionKind.PHONE: ["电话问候，了解在外生活情况", "春节前电话慰问", "电话沟通夏令营招生事宜"],
    InteractionKind.VISIT: ["随区侨联出访团拜访社团", "走访其在沪亲属"],
    InteractionKind.LETTER: ["寄送《金山侨讯》和新春贺卡", "致函邀请参加世界金山人大会"],
    InteractionKind.VIDEO: ["视频连线，交流疫情防控情况", "线上参加“云端话金山”活动", "视频沟通网上夏令营合作"],
    InteractionKind.OTHER: ["微信联系，转发招商推介资料"],
}
FOLLOW_UPS = [
    "寄送侨刊和活动资料",
    "邀请参加下届夏令营招生宣传",
    "协助联系在沪亲属",
    "回复人才政策咨询",
    "邀请回乡考察",
]

SCHOOLS = {
    "US": ["Lincoln Middle School", "Stuyvesant High School", "Irvine High School"],
    "CA": ["Markham District High School", "Vancouver Technical Secondary"],
    "AU": ["Chatswood High School", "Box Hill High School"],
    "JP": ["东京中华学校", "横滨山手中华学校"],
    "GB": ["Harrow High School", "Manchester Grammar School"],
    "FR": ["Lycée Henri-IV", "Collège Victor Hugo"],
    "DE": ["Goethe-Gymnasium", "Humboldt-Gymnasium"],
    "NL": ["Amsterdams Lyceum"],
    "SG": ["华侨中学", "南洋女子中学"],
    "MY": ["吉隆坡尊孔独立中学", "槟城钟灵独立中学"],
    "ID": ["雅加达八华学校"],
    "TH": ["曼谷培英学校"],
    "NZ": ["Auckland Grammar School"],
    "IT": ["Liceo Scientifico Leonardo da Vinci"],
}
LANGUAGES = {
    "US": "英语", "CA": "英语、法语", "AU": "英语", "GB": "英语", "NZ": "英语", "FR": "法语、英语", "DE": "德语、英语",
    "NL": "荷兰语、英语", "IT": "意大利语", "JP": "日语", "SG": "英语、华语", "MY": "马来语、华语、英语",
    "ID": "印尼语", "TH": "泰语",
}  # fmt: skip
CAMP_COUNTRIES = Weighted(
    [("US", 20), ("CA", 8), ("AU", 10), ("JP", 8), ("GB", 8), ("FR", 6), ("DE", 5), ("NL", 3), ("SG", 5),
     ("MY", 6), ("ID", 4), ("TH", 3), ("NZ", 3), ("IT", 3)]
)  # fmt: skip
OFFLINE_TOPICS = ["开营仪式", "参观中共一大纪念馆", "金山农民画体验", "枫泾古镇寻根", "书法与剪纸课",
                  "中文课堂", "参访上海湾区高新区企业", "结营仪式暨文艺汇演"]  # fmt: skip
ONLINE_TOPICS = ["云端开营", "金山农民画网课", "线上游枫泾古镇", "中华诗词诵读", "非遗剪纸直播课", "云端结营"]
CAMPS = [
    ("2018“寻根中国·相约上海”海外华裔青少年夏令营（金山营）", "offline", "市侨联、区侨联",
     dt.date(2018, 7, 16), dt.date(2018, 7, 25), 40, 44, OFFLINE_TOPICS),
    ("2019“寻根中国·相约上海”海外华裔青少年夏令营（金山营）", "offline", "市侨联、区侨联",
     dt.date(2019, 7, 15), dt.date(2019, 7, 24), 40, 45, OFFLINE_TOPICS),
    ("2022“忆乡情·寻根金山”海外华裔青少年网上夏令营", "online", "区侨联",
     dt.date(2022, 7, 25), dt.date(2022, 8, 5), 60, 62, ONLINE_TOPICS),
]  # fmt: skip


def build_liaison(ctx: DemoContext) -> None:
    rng = ctx.rng("liaison")
    admin = ctx.actor()
    towns = list(ctx.towns.values())
    associations = []
    for name, kind, country, city in ASSOCIATIONS:
        federation = ctx.district if chance(rng, 0.8) or not towns else rng.choice(towns)
        associations.append(
            services.association_create(
                actor=admin,
                data={
                    "federation": federation,
                    "name": name,
                    "type": kind,
                    "country": country,
                    "city": city,
                    "relationship": RELATIONSHIPS.pick(rng),
                },
            )
        )
    by_country: dict[str, list] = {}
    for association in associations:
        by_country.setdefault(association.country.code, []).append(association)
    # About 120 contacts in the full demo; fewer in the small builds the tests make.
    for _ in range(max(24, round(120 * min(ctx.scale, 1.0)))):
        country = CONTACT_COUNTRIES.pick(rng)
        kind = ContactKind.HK_MACAO if country in ("HK", "MO") else CONTACT_KINDS.pick(rng)
        male = chance(rng, 0.55)
        birth_year = rng.randint(1950, 1995) if kind != ContactKind.STUDENT else rng.randint(1990, 1999)
        name = full_name(rng, male=male, birth_year=birth_year)
        association = rng.choice(by_country[country]) if country in by_country and chance(rng, 0.6) else None
        if kind == ContactKind.LEADER and association is None and country in by_country:
            association = rng.choice(by_country[country])
        city = overseas.city(rng, country)
        organization, position = rng.choice(ORGANIZATIONS[kind])
        if kind in (ContactKind.TALENT, ContactKind.STUDENT):
            organization = f"{city}{organization}"  # 东京大学, 悉尼大学附属医院 …
        if kind == ContactKind.LEADER and association is not None:
            organization = association.name
        contact = services.contact_create(
            actor=admin,
            data={
                "federation": association.federation if association else ctx.district,
                "name": name,
                "foreign_name": ""
                if country in ("JP", "HK", "MO")
                else foreign_name(rng, chinese_name=name, male=male),
                "kind": kind,
                "country": country,
                "city": city,
                "association": association,
                "organization": organization,
                "position": position,
                "phone": overseas.overseas_phone(rng, country),
            },
        )
        if kind == ContactKind.LEADER and association is not None and not association.leaders:
            services.association_update(actor=admin, association=association, data={"leaders": f"{position} {name}"})
        days = sorted(date_between(rng, dt.date(2018, 1, 1), dt.date(2022, 12, 20)) for _ in range(rng.randint(1, 5)))
        for day in days:
            if 2020 <= day.year <= 2022 and chance(rng, 0.7):
                how = rng.choice([InteractionKind.VIDEO, InteractionKind.PHONE, InteractionKind.LETTER])
            else:
                how = Weighted([(k, w) for k, w in zip(InteractionKind.values, (4, 4, 2, 2, 1, 1), strict=True)]).pick(
                    rng
                )
            services.interaction_add(
                actor=admin, contact=contact, occurred_on=day, kind=how, summary=rng.choice(SUMMARIES[how])
            )
        if chance(rng, 0.3):
            follow_up = services.follow_up_add(
                actor=admin,
                contact=contact,
                due_on=days[-1] + dt.timedelta(days=rng.randint(7, 60)),
                what=rng.choice(FOLLOW_UPS),
            )
            if follow_up.due_on < ctx.reference_date and chance(rng, 0.6):
                services.follow_up_complete(actor=admin, follow_up=follow_up, done_on=follow_up.due_on)
    for title, mode, organizer, starts, ends, capacity, applicants, topics in CAMPS:
        _build_camp(ctx, rng, title, mode, organizer, starts, ends, capacity, applicants, topics)


def _build_camp(ctx, rng, title, mode, organizer, starts, ends, capacity, applicants, topics) -> None:
    admin = ctx.actor()
    camp = services.camp_create(
        actor=admin,
        data={
            "federation": ctx.district,
            "title": title,
            "mode": mode,
            "organizer": organizer,
            "starts_on": starts,
            "ends_on": ends,
            "capacity": capacity,
            "description": "面向海外华裔青少年，通过参观、课堂与文化体验，了解中华文化和家乡金山的发展。",
        },
    )
    span = (ends - starts).days
    sessions = [
        services.session_add(
            actor=admin, camp=camp, date=starts + dt.timedelta(days=round(i * span / (len(topics) - 1))), topic=topic
        )
        for i, topic in enumerate(topics)
    ]
    admitted = []
    seen = set()
    for _ in range(applicants):
        country = CAMP_COUNTRIES.pick(rng)
        male = chance(rng, 0.5)
        birth = date_between(rng, dt.date(starts.year - 18, starts.month, 1), dt.date(starts.year - 12, 6, 30))
        name = full_name(rng, male=male, birth_year=birth.year)
        if (name, birth) in seen:
            continue
        seen.add((name, birth))
        age = age_on(birth, starts)
        status = EnrolmentStatus.ADMITTED if len(admitted) < capacity - 2 else EnrolmentStatus.WAITLISTED
        if chance(rng, 0.05):
            status = EnrolmentStatus.DECLINED
        elif status == EnrolmentStatus.ADMITTED and not chance(rng, 0.05):  # the few others did not come
            status = EnrolmentStatus.ATTENDED
        father = full_name(rng, male=True, birth_year=birth.year - 32, family=name[0])
        enrolment = services.enrolment_add(
            actor=admin,
            camp=camp,
            data={
                "name": name,
                "foreign_name": "" if country in ("JP",) else foreign_name(rng, chinese_name=name, male=male),
                "sex": "M" if male else "F",
                "birth_date": birth,
                "country": country,
                "city": overseas.city(rng, country),
                "school": rng.choice(SCHOOLS[country]),
                "chinese_level": rng.choice(ChineseLevel.values),
                "languages": LANGUAGES[country],
                "guardian_name": father,
                "guardian_relation": "父亲",
                "guardian_consent": age < 14 or chance(rng, 0.9),
                "passport_number": f"{country[0]}{rng.randint(10000000, 99999999)}",
                "status": status,
            },
        )
        if status in (EnrolmentStatus.ADMITTED, EnrolmentStatus.ATTENDED):
            admitted.append(enrolment)
    present = set()
    for enrolment in admitted:
        if enrolment.status != EnrolmentStatus.ATTENDED:
            continue
        for session in sessions:
            if chance(rng, 0.92 if mode == "offline" else 0.8):
                present.add((session.pk, enrolment.pk))
    services.attendance_record(actor=admin, camp=camp, present=present)
