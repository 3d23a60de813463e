"""社情民意 and research reports, December 2017 – 2022, as the seed describes: CPPCC members of
the 侨联 sector and informants report, the district submits, some are adopted and instructed."""

from __future__ import annotations

import datetime as dt

from qiaolian.advocacy import services
from qiaolian.advocacy.models import AdoptionLevel, AuthorKind, OpinionCategory
from qiaolian.demo.context import DemoContext

AUTHORS = [
    ("陈建华", AuthorKind.CPPCC_MEMBER),
    ("沈丽萍", AuthorKind.CPPCC_MEMBER),
    ("顾伟民", AuthorKind.CPPCC_MEMBER),
    ("朱慧敏", AuthorKind.CPPCC_MEMBER),
    ("张国平", AuthorKind.INFORMANT),
    ("王静", AuthorKind.INFORMANT),
    ("李晓东", AuthorKind.STAFF),
]

TOPICS = [
    ("关于优化侨资企业融资服务的建议", OpinionCategory.BUSINESS),
    ("关于为海外人才子女入学提供便利的建议", OpinionCategory.CULTURE),
    ("关于加强归侨老人居家养老服务的建议", OpinionCategory.LIVELIHOOD),
    ("关于完善涉侨矛盾纠纷多元化解机制的建议", OpinionCategory.RIGHTS),
    ("关于以侨引侨助力湾区招商引资的建议", OpinionCategory.ECONOMY),
    ("关于疫情期间做好海外侨胞关心关爱工作的建议", OpinionCategory.OVERSEAS),
    ("关于推进侨法宣传进社区进企业的建议", OpinionCategory.RIGHTS),
    ("关于支持新侨创新创业载体建设的建议", OpinionCategory.ECONOMY),
    ("关于提升涉侨政务服务“一网通办”便利度的建议", OpinionCategory.GOVERNANCE),
    ("关于挖掘金山侨史资源讲好侨的故事的建议", OpinionCategory.CULTURE),
    ("关于加大困难归侨侨眷帮扶力度的建议", OpinionCategory.LIVELIHOOD),
    ("关于深化沪浙毗邻地区侨务合作的建议", OpinionCategory.GOVERNANCE),
]

BODY = (
    "一、基本情况\n近年来，我区归侨侨眷和海外侨胞在{topic}方面反映较为集中。经走访调研，{town}等地的侨界群众普遍关注此事。\n"
    "二、存在问题\n一是政策知晓度不高；二是办理渠道分散；三是跟踪反馈机制不够健全。\n"
    "三、意见建议\n建议有关部门加强统筹协调，明确责任分工，完善服务举措，定期通报办理情况。"
)

RESEARCH = [
    ("金山区新侨人才发展现状调查", "区侨联课题组", dt.date(2019, 10, 28), "新侨；人才；调查"),
    ("侨资企业转型升级中的诉求与对策", "区侨联、区工商联联合课题组", dt.date(2020, 9, 15), "侨企；营商环境"),
    ("后疫情时代统战侨务工作的探索与实践", "区侨联课题组", dt.date(2021, 11, 30), "后疫情；统战；侨务"),
    ("“侨之家”阵地规范化建设的实践与思考", "区侨联基层工作部", dt.date(2022, 6, 20), "侨之家；基层组织"),
    (
        "海外华裔青少年中华文化认同研究——以“寻根”夏令营为例",
        "区侨联课题组",
        dt.date(2022, 12, 10),
        "华裔青少年；夏令营；文化认同",
    ),
]


def build_advocacy(ctx: DemoContext) -> None:
    rng = ctx.rng("advocacy")
    admin = ctx.actor()
    towns = list(ctx.towns.values())
    for year in range(2018, 2023):
        for _ in range(rng.randint(8, 13)):
            title, category = rng.choice(TOPICS)
            author, kind = rng.choice(AUTHORS)
            town = rng.choice(towns)
            report = services.opinion_create(
                actor=admin,
                data={
                    "federation": ctx.district,
                    "title": title,
                    "category": category,
                    "author_name": author,
                    "author_kind": kind,
                    "body": BODY.format(topic=title.removeprefix("关于").removesuffix("的建议"), town=town.short_name),
                },
            )
            submitted = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            services.opinion_submit(actor=admin, report=report, submitted_on=submitted, submitted_to="区政协")
            roll = rng.random()
            if roll < 0.15:
                continue  # still awaiting an answer
            decided = submitted + dt.timedelta(days=rng.randint(10, 60))
            adopted = roll < 0.6
            level = rng.choices([AdoptionLevel.DISTRICT, AdoptionLevel.CITY, AdoptionLevel.NATIONAL], [70, 25, 5])[0]
            services.opinion_record_outcome(
                actor=admin,
                report=report,
                adopted=adopted,
                decided_on=decided,
                level=level if adopted else "",
                adopted_by={"district": "区政协", "city": "市政协", "national": "全国政协"}[level] if adopted else "",
            )
            if adopted and rng.random() < 0.3:
                services.opinion_record_instruction(
                    actor=admin,
                    report=report,
                    instruction_on=decided + dt.timedelta(days=rng.randint(3, 20)),
                    instruction_by="区领导",
                    instruction="请相关部门认真研究，提出落实意见。",
                )
    for title, authors, completed, keywords in RESEARCH:
        services.research_create(
            actor=admin,
            data={
                "federation": ctx.district,
                "title": title,
                "authors": authors,
                "completed_on": completed,
                "keywords": keywords,
                "abstract": f"本课题围绕“{title}”开展调查研究，梳理现状与问题，提出对策建议。",
            },
        )
