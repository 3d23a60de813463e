"""``build_demo``: the whole demo, area by area, in one transaction.

Each area is a module with a ``build_*(ctx)`` function; later areas (five years of activities,
contests, cases …) are added to ``STEPS`` and draw from their own random stream
(``ctx.rng("area")``), so that adding one does not change what the others generate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from qiaolian.activities.models import Campaign
from qiaolian.activities.selectors import activity_totals
from qiaolian.demo import accounts, activities, advocacy, contests, grassroots, liaison, orgs, people, portal, terms
from qiaolian.demo.accounts import DEMO_ACCOUNTS, demo_password
from qiaolian.demo.aid import build_aid
from qiaolian.demo.casework import build_casework
from qiaolian.demo.context import DemoContext
from qiaolian.demo.enterprises import build_enterprises
from qiaolian.demo.geography import TOWNS
from qiaolian.demo.plans import build_plans
from qiaolian.orgs.models import Federation
from qiaolian.registry import choices as c

STEPS: tuple[tuple[str, Callable[[DemoContext], None]], ...] = (
    ("district", orgs.build_district),
    ("admin", accounts.build_admin),
    ("towns", orgs.build_towns),
    ("accounts", accounts.build_accounts),
    ("stations", orgs.build_stations),
    ("partner", orgs.build_partner),
    ("people", people.build_people),
    ("terms", terms.build_terms),
    ("grassroots", grassroots.build_grassroots),
    ("advocacy", advocacy.build_advocacy),
    ("liaison", liaison.build_liaison),
    ("activities", activities.build_activities),
    ("casework", build_casework),
    ("aid", build_aid),
    ("enterprises", build_enterprises),
    ("contests", contests.build_contests),
    ("projects", contests.build_competition_projects),
    ("portal", portal.build_portal),
    ("plans", build_plans),  # reads what the steps above recorded
)


@dataclass
class DemoSummary:
    seed: int
    scale: float
    federations: int = 0
    towns: int = 0
    community_groups: int = 0
    stations: int = 0
    new_overseas_stations: int = 0
    partners: int = 0
    terms: int = 0
    committee_members: int = 0
    persons: int = 0
    households: int = 0
    overseas_ties: int = 0
    in_hardship: int = 0
    deceased: int = 0
    moved_away: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)  # (label, count) in code-list order
    by_town: list[tuple[str, int]] = field(default_factory=list)  # (town, count) in district order
    tie_countries: list[tuple[str, int]] = field(default_factory=list)  # the ten most frequent
    # Activities as reports count them (cancelled ones left out): held, distinct participants
    # (registry persons and named guests), registrations and reach (audience + online views).
    campaigns: int = 0
    activities: int = 0
    activity_participants: int = 0
    activity_registrations: int = 0
    activity_reach: int = 0
    contest_entries: list[tuple[int, int]] = field(default_factory=list)  # (year, entries received)
    competition_projects: list[tuple[str, int]] = field(default_factory=list)  # (source region, projects)
    judges: list[tuple[str, str, str]] = field(default_factory=list)  # the contests' judges, as accounts
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, federation)
    password: str = ""
    seconds: float = 0.0
    step_seconds: list[tuple[str, float]] = field(default_factory=list)


def _summarize(ctx: DemoContext, summary: DemoSummary) -> None:
    summary.federations = Federation.objects.count()
    summary.towns = len(ctx.towns)
    summary.community_groups = len(ctx.groups)
    summary.stations = len(ctx.stations)
    summary.new_overseas_stations = sum(1 for s in ctx.stations if s.kind == "new_overseas")
    summary.partners = ctx.partners
    summary.terms = len(ctx.terms)
    summary.committee_members = ctx.committee_members
    summary.persons = len(ctx.persons)
    summary.households = len(ctx.households)
    summary.overseas_ties = len(ctx.ties)
    summary.in_hardship = sum(1 for p in ctx.persons if p.is_in_hardship)
    summary.deceased = sum(1 for p in ctx.persons if p.living_status == c.LivingStatus.DECEASED)
    summary.moved_away = sum(1 for p in ctx.persons if p.living_status == c.LivingStatus.MOVED_AWAY)
    categories = [p.category for p in ctx.persons]
    summary.by_category = [(str(label), categories.count(value)) for value, label in c.Category.choices]
    summary.by_category = [row for row in summary.by_category if row[1]]
    summary.by_town = [(t.short_name, ctx.person_town.count(t.key)) for t in TOWNS]
    countries: dict[str, int] = {}
    for tie in ctx.ties:
        code = str(tie.country)
        countries[code] = countries.get(code, 0) + 1
    summary.tie_countries = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    summary.campaigns = Campaign.objects.count()
    totals = activity_totals(user=ctx.actor())
    summary.activities = totals.activities
    summary.activity_participants = totals.participants
    summary.activity_registrations = totals.registrations
    summary.activity_reach = totals.reach
    for account in DEMO_ACCOUNTS:
        user = ctx.users[account.username]
        summary.accounts.append((user.username, str(user.get_role_display()), str(user.federation)))
    summary.judges = contests.judge_accounts()
    summary.contest_entries, summary.competition_projects = contests.contest_figures()
    summary.password = demo_password()


def build_demo(*, seed: int = 2017, scale: float = 1.0) -> DemoSummary:
    """Build the Jinshan demo into an empty database. The same seed and scale give the same data."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    ctx = DemoContext(seed=seed, scale=scale)
    summary = DemoSummary(seed=seed, scale=scale)
    with transaction.atomic():
        for name, step in STEPS:
            step_started = time.perf_counter()
            step(ctx)
            summary.step_seconds.append((name, time.perf_counter() - step_started))
    _summarize(ctx, summary)
    summary.seconds = time.perf_counter() - started
    return summary
