"""The demo's hardship aid, 2018–2022: two campaigns a year and the 2020 emergency, only people
in hardship helped, every rule of the services held, donations fully accounted for, and the
generator deterministic."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from qiaolian.accounts.models import User
from qiaolian.aid.models import APPROVED_STATES, Allocation, Campaign, Donation, HandOver, Nomination, Standard
from qiaolian.demo import build_demo
from qiaolian.demo.aid import build_aid
from qiaolian.demo.context import DemoContext
from qiaolian.orgs.models import Federation

SCALE = 0.05
SEED = 2017


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=SEED, scale=SCALE)
        transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def test_a_winter_and_a_summer_campaign_every_year_and_the_epidemic(built):
    titles = list(Campaign.objects.order_by("starts_on").values_list("title", flat=True))
    for year in range(2018, 2023):
        assert f"{year}年冬送温暖" in titles and f"{year}年夏送凉" in titles
    assert "2020年新冠肺炎疫情困难归侨侨眷临时救助" in titles
    assert len(titles) == 11
    assert set(Campaign.objects.exclude(title="2022年冬送温暖").values_list("status", flat=True)) == {"archived"}


def test_only_people_in_hardship_are_helped_within_budget_and_the_standards(built):
    nominations = Nomination.objects.select_related("person")
    assert nominations.exists()
    assert all(n.person.is_in_hardship and n.person.living_status == "living" for n in nominations)
    for campaign in Campaign.objects.all():
        approved = Nomination.objects.filter(campaign=campaign, status__in=APPROVED_STATES)
        total = approved.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        assert total <= campaign.budget
        assert all(Decimal("500") <= n.amount <= Decimal("1000") for n in approved)
        if campaign.per_household:
            doubled = (
                approved.exclude(household=None).values("household").annotate(n=Count("id")).filter(n__gt=1).exists()
            )
            assert not doubled
    assert Standard.objects.filter(campaign__kind="winter").values("campaign").distinct().count() == 5


def test_hand_overs_name_visitors_and_a_day_inside_the_campaign(built):
    handovers = HandOver.objects.select_related("nomination__campaign")
    assert handovers.exists()
    for h in handovers:
        campaign = h.nomination.campaign
        assert h.visitors and campaign.starts_on <= h.visited_on <= campaign.ends_on
        assert h.cash_amount == h.nomination.amount and h.nomination.status == "delivered"
    late = Nomination.objects.filter(campaign__title="2022年冬送温暖")
    assert not Nomination.objects.exclude(campaign__title="2022年冬送温暖").filter(status="approved").exists()
    assert late.filter(status__in=APPROVED_STATES).exists()


def test_epidemic_donations_from_overseas_associations_are_all_accounted_for(built):
    epidemic = Donation.objects.filter(purpose="抗击新冠肺炎疫情")
    assert epidemic.exists() and all(d.association_id for d in epidemic)
    for donation in Donation.objects.all():
        allocated = donation.allocations.aggregate(s=Sum("amount"))["s"]
        assert allocated == donation.amount
    emergency = Campaign.objects.get(kind="emergency")
    funded = Allocation.objects.filter(campaign=emergency).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    assert 0 < funded <= emergency.budget


def _digest() -> str:
    h = hashlib.sha256()
    for n in Nomination.objects.select_related("campaign", "person", "handover").order_by(
        "campaign__starts_on", "person__id_number_hash", "person__name"
    ):
        handover = getattr(n, "handover", None)
        row = (
            n.campaign.title,
            n.person.name,
            str(n.person.birth_date),
            n.status,
            str(n.amount),
            n.goods,
            n.nominated_at.isoformat(),
            (handover.visited_on.isoformat(), handover.visitors, handover.received_by) if handover else None,
        )
        h.update(repr(row).encode())
    for d in Donation.objects.order_by("received_on", "donor_name"):
        h.update(repr((d.donor_name, str(d.amount), d.goods, [str(a.amount) for a in d.allocations.all()])).encode())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_aid(built):
    first = _digest()
    with transaction.atomic():
        Allocation.objects.all().delete()
        Donation.objects.all().delete()
        HandOver.objects.all().delete()
        Nomination.objects.all().delete()
        Standard.objects.all().delete()
        Campaign.objects.all().delete()
        users = {u.username: u for u in User.objects.all()}
        ctx = DemoContext(
            seed=SEED, scale=SCALE, admin=users["admin"], district=Federation.objects.get(parent=None), users=users
        )
        build_aid(ctx)
        assert _digest() == first
        transaction.set_rollback(True)
