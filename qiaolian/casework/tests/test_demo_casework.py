"""The demo's five years of cases (2018–2022): every type every year, histories that follow the
transition table, mostly resolved and followed up, a few still open at the end of 2022, and the
plan is the same for the same seed."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction

from qiaolian.accounts.models import User
from qiaolian.casework import selectors, services
from qiaolian.casework.models import OPEN_STATES, Case, CaseEvent, CaseType, State
from qiaolian.demo import build_demo
from qiaolian.demo.casework import LAST_DAY, YEARS, CaseworkBuilder
from qiaolian.demo.context import DemoContext
from qiaolian.demo.geography import TOWNS
from qiaolian.orgs.models import Federation
from qiaolian.registry.models import Person

SCALE = 0.05
SEED = 2017


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, scale=SCALE)
        transaction.set_rollback(True)


@pytest.fixture
def admin(demo, db) -> User:
    return User.objects.get(username="admin")


def test_every_type_every_year(admin):
    received = {(c.type, c.received_on.year) for c in selectors.case_list(user=admin)}
    for case_type in (CaseType.RIGHTS, CaseType.CONSULTATION, CaseType.AID_REQUEST, CaseType.SUGGESTION):
        assert {(case_type, year) for year in YEARS} <= received


def test_histories_follow_the_transition_table_and_end_by_2022(admin):
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "occurred_on", "id"):
        events.setdefault(event.case_id, []).append(event)
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        timeline = events[case.pk]
        assert (timeline[0].from_state, timeline[0].to_state) == ("", State.RECEIVED)
        for before, after in itertools.pairwise(timeline):
            assert (after.from_state, after.to_state) in services.TRANSITIONS
            assert after.from_state == before.to_state and after.occurred_on >= before.occurred_on
        assert case.state == timeline[-1].to_state and case.state_since == timeline[-1].occurred_on
        assert timeline[-1].occurred_on <= LAST_DAY
        if case.state in (State.RESOLVED, State.FOLLOWED_UP):
            assert case.outcome and case.resolution and case.days_to_close is not None


def test_most_cases_are_resolved_and_followed_up_a_few_are_open(admin):
    counts = selectors.case_counts_by_state(user=admin)
    total = sum(counts.values())
    followed_up = sum(n for (_t, s), n in counts.items() if s == State.FOLLOWED_UP)
    still_open = sum(n for (_t, s), n in counts.items() if s in OPEN_STATES)
    assert followed_up >= 0.7 * total
    assert still_open <= 0.15 * total
    assert Case.objects.filter(state__in=OPEN_STATES, received_on__year=2022).count() == still_open
    towns = Case.objects.filter(type=CaseType.RIGHTS).exclude(federation__parent=None).count()
    assert towns >= 0.6 * Case.objects.filter(type=CaseType.RIGHTS).count()  # mostly received by towns


def test_cases_link_registry_persons_of_their_own_town(admin):
    linked = Case.objects.filter(person__isnull=False).select_related("person__federation", "federation")
    assert linked.exists()
    for case in linked:
        if case.federation.parent_id is not None:  # a town's case names one of its own people
            assert case.person.federation.path.startswith(case.federation.path)


def _context(scale: float) -> DemoContext:
    ctx = DemoContext(seed=SEED, scale=scale)
    ctx.admin = User.objects.get(username="admin")
    ctx.district = Federation.objects.get(parent=None)
    ctx.users = {u.username: u for u in User.objects.all()}
    for town in TOWNS:
        ctx.towns[town.key] = Federation.objects.get(name=town.federation_name)
    town_of = {f.pk: key for key, f in ctx.towns.items()}
    for person in Person.objects.select_related("federation").order_by("pk"):
        ctx.persons.append(person)
        ctx.person_town.append(town_of.get(person.federation_id) or town_of.get(person.federation.parent_id))
    return ctx


def _plan_digest(ctx: DemoContext) -> list[tuple]:
    builder = CaseworkBuilder(ctx)
    rows = []
    for year in YEARS:
        for plan in builder.plan_year(year):
            data = plan.data
            rows.append(
                (
                    data["type"],
                    data["title"],
                    data["received_on"],
                    data["federation"].pk,
                    getattr(data.get("person"), "pk", None),
                    tuple((to, details["on"]) for to, details in plan.steps),
                )
            )
    return rows


def test_the_plan_is_the_same_for_the_same_seed(admin):
    assert _plan_digest(_context(SCALE)) == _plan_digest(_context(SCALE))
    for row in _plan_digest(_context(SCALE)):
        days = [row[2], *(on for _to, on in row[5])]
        assert days == sorted(days)  # every step on or after the one before
