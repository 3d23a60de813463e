"""The enterprises step of the demo: 侨企 across the towns, five years of visits and appeals
(with their cases), CIIE participation from 2018 and investment leads; deterministic."""

import datetime as dt

import pytest
from django.db import transaction

from qiaolian.demo.build import STEPS
from qiaolian.demo.context import DemoContext
from qiaolian.demo.enterprises import build_enterprises, lead_day
from qiaolian.enterprises import cases, selectors
from qiaolian.enterprises.models import CIIE, Appeal, Enterprise, InvestmentLead, Visit
from qiaolian.enterprises.validators import parse_credit_code

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    enterprises = [
        (
            e.name,
            e.credit_code,
            e.federation_id,
            e.investor_type,
            str(e.investor_country),
            e.contact_phone.reveal() if e.contact_phone else "",
        )
        for e in Enterprise.objects.order_by("name")
    ]
    visits = [
        (v.enterprise.name, v.visited_on, v.notes)
        for v in Visit.objects.select_related("enterprise").order_by("visited_on", "enterprise__name")
    ]
    appeals = [
        (a.title, a.raised_on, getattr(a.case, "state", ""))
        for a in Appeal.objects.select_related("case").order_by("raised_on", "title", "id")
    ]
    leads = [
        (lead.project, lead.stage, lead.introduced_on)
        for lead in InvestmentLead.objects.order_by("introduced_on", "project")
    ]
    return [*enterprises, *visits, *appeals, *leads]


def test_demo_enterprises_are_realistic_valid_and_deterministic():
    ctx = DemoContext(seed=2017, scale=0.05)
    with transaction.atomic():
        for name, step in STEPS:
            if name != "enterprises":
                step(ctx)
    runs = []
    for _ in range(2):
        with transaction.atomic():
            build_enterprises(ctx)
            runs.append(_snapshot())
            staff = ctx.users["staff"]
            enterprises = list(selectors.enterprise_scope(user=staff))
            assert len(enterprises) >= 12
            assert len({e.federation_id for e in enterprises}) >= 5  # spread across the towns
            assert all(parse_credit_code(e.credit_code) == e.credit_code for e in enterprises)
            assert {e.investor_type for e in enterprises} >= {"overseas", "hk_macao"}
            overview = {r["year"]: r for r in selectors.yearly_overview(user=staff)}
            assert set(overview) <= set(range(2018, 2023)) and {2018, 2022} <= set(overview)
            assert all(r["visits"] > 0 for r in overview.values())
            ciie_years = {r["year"] for r in selectors.exhibitors_by_year(user=staff) if r["exhibition"] == CIIE}
            assert min(ciie_years) >= 2018 and len(ciie_years) >= 3
            assert Appeal.objects.exists()
            if cases.case_open_function() is not None:
                assert not Appeal.objects.filter(case=None).exists()
                assert sum(r["resolved"] for r in overview.values()) > 0
                assert all(a.case.received_on == a.raised_on for a in Appeal.objects.select_related("case"))
            leads = InvestmentLead.objects.all()
            assert leads.count() >= 8
            for lead in leads.filter(stage="landed"):
                assert lead.enterprise is not None and lead.landed_on >= lead.signed_on >= lead.introduced_on
            transaction.set_rollback(True)
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    ("day", "moved"),
    [
        (
            dt.date(2020, 1, 31),
            dt.date(2020, 6, 30),
        ),  # `demo-data --seed 2023 --scale 1` used to fail: "day is out of range"
        (dt.date(2022, 5, 31), dt.date(2022, 6, 30)),
        (dt.date(2022, 3, 12), dt.date(2022, 6, 12)),
        (dt.date(2021, 5, 31), dt.date(2021, 5, 31)),  # no lockdown: unchanged
    ],
)
def test_leads_introduced_in_a_lockdown_move_to_a_real_day_in_june(day, moved):
    assert lead_day(day) == moved
