"""Work plans (工作规划) of the district federation: the fifth committee's plan for 2018–2022, with
yearly targets close to what the demo's records give (so the dashboard's progress panel shows a
plausible mix of targets met and missed), and the sixth committee's plan for 2023–2027 along the
"根""魂""梦" main line, with targets growing a little each year from the 2022 figures.

Targets are set through the services, as a user would, from the values of the indicator
catalogue; the figures come from ``indicator_value`` and ``grouped("year")`` (one query each)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from qiaolian.demo.context import DemoContext
from qiaolian.reports import services
from qiaolian.reports.indicators import indicator_value

# The indicators a district plan sets yearly targets for.
PLAN_CODES = (
    "activities.by_project",
    "activities.participants",
    "activities.trainings",
    "liaison.camps",
    "advocacy.opinions_submitted",
    "advocacy.opinions_adopted",
    "enterprises.visits",
    "aid.recipients",
    "aid.amount",
    "casework.by_type",
    "orgs.stations",
    "contests.entries",
)

FIFTH_TITLE = "金山区侨联2018—2022年工作规划（第五届委员会）"
FIFTH_SUMMARY = (
    "围绕凝心、聚力、惠侨、强基四项工程开展工作：\n"
    "一、凝心工程：每年组织侨法宣传月、“我们的节日”等主题活动，扩大归侨侨眷和海外侨胞的参与面。\n"
    "二、聚力工程：常态化走访侨资企业，做好社情民意信息报送，办好海内外创新创业大赛。\n"
    "三、惠侨工程：落实困难归侨侨眷帮扶慰问，依法受理和办理涉侨案件。\n"
    "四、强基工程：推进街镇侨联组织建设，命名“侨之家”和新侨驿站，开展侨务干部培训。"
)
SIXTH_TITLE = "金山区侨联2023—2027年工作规划（第六届委员会）"
SIXTH_SUMMARY = (
    "今后五年，按照“根”“魂”“梦”的新时代侨务工作主线开展工作：\n"
    "“根”——加强与海外侨胞、归侨侨眷的联系，做好侨情调查和联络服务，巩固基层侨联组织和“侨之家”阵地；\n"
    "“魂”——开展中华优秀传统文化交流和侨史宣传，办好海外华裔青少年夏令营等品牌活动；\n"
    "“梦”——发挥侨界人才和侨资企业作用，服务区域发展，办好创新创业大赛，做好涉侨权益维护和帮扶工作。\n"
    "各项目标逐年小幅提高，每年对照实际完成情况检查一次。"
)

FIFTH_YEARS = range(2018, 2023)
SIXTH_YEARS = range(2023, 2028)


def _round(value: Decimal, code: str) -> Decimal:
    """Targets look like targets: whole numbers; amounts to the hundred yuan; large counts to ten."""
    if code in ("aid.amount",):
        return (value / 100).quantize(Decimal(1), ROUND_HALF_UP) * 100
    if value >= 200:
        return (value / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10
    return value.quantize(Decimal(1), ROUND_HALF_UP)


def _actuals(ctx: DemoContext, code: str) -> dict[int, Decimal]:
    result = indicator_value(
        code=code,
        user=ctx.actor(),
        start=dt.date(FIFTH_YEARS[0], 1, 1),
        end=dt.date(FIFTH_YEARS[-1], 12, 31),
        federation=ctx.district,
    )
    return {key[0]: Decimal(value or 0) for key, value in result.grouped("year").items()}


def build_plans(ctx: DemoContext) -> None:
    rng = ctx.rng("plans")
    admin = ctx.actor()
    fifth = services.plan_create(
        actor=admin,
        data={
            "federation": ctx.district,
            "title": FIFTH_TITLE,
            "start_year": FIFTH_YEARS[0],
            "end_year": FIFTH_YEARS[-1],
            "summary": FIFTH_SUMMARY,
        },
    )
    sixth = services.plan_create(
        actor=admin,
        data={
            "federation": ctx.district,
            "title": SIXTH_TITLE,
            "start_year": SIXTH_YEARS[0],
            "end_year": SIXTH_YEARS[-1],
            "summary": SIXTH_SUMMARY,
        },
    )
    fifth_targets: dict[tuple[str, int], Decimal | None] = {}
    sixth_targets: dict[tuple[str, int], Decimal | None] = {}
    for code in PLAN_CODES:
        actuals = _actuals(ctx, code)
        if not any(actuals.values()):
            continue
        for year in FIFTH_YEARS:
            actual = actuals.get(year, Decimal(0))
            if not actual:
                continue
            # within about a tenth of what was achieved: some years met, some not quite
            factor = Decimal(str(round(rng.uniform(0.9, 1.12), 3)))
            fifth_targets[(code, year)] = max(_round(actual * factor, code), Decimal(1))
        base = actuals.get(FIFTH_YEARS[-1]) or max(actuals.values())
        for step, year in enumerate(SIXTH_YEARS, start=1):
            growth = Decimal(1) + Decimal("0.04") * step
            sixth_targets[(code, year)] = max(_round(base * growth, code), Decimal(1))
    services.plan_targets_save(actor=admin, plan=fifth, targets=fifth_targets)
    services.plan_targets_save(actor=admin, plan=sixth, targets=sixth_targets)
