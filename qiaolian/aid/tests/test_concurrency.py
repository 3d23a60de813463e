"""Two district staff approving at the same moment, each in their own thread with their own
database connection (PostgreSQL: real row locks). A barrier releases both approvals together;
the campaign row lock makes one wait for the other, which then sees what was just approved."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from qiaolian.aid import selectors, services
from qiaolian.aid.models import Nomination
from qiaolian.aid.tests.factories import household, needy, winter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(calls):
    """Run each call in its own thread, all released at once; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            value = call()
            with lock:
                results.append(value)
        except ValidationError as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "an approval hung"
    return results, errors


def test_two_staff_approving_the_last_affordable_nomination_at_once(jinshan):
    campaign = winter(jinshan, budget="1000", standard="600")
    first = services.nomination_create(actor=jinshan.user("zhujing"), campaign=campaign, person=needy(jinshan.zhujing))
    second = services.nomination_create(actor=jinshan.user("shihua"), campaign=campaign, person=needy(jinshan.shihua))
    admin, staff = jinshan.user("admin"), jinshan.user("staff")

    results, errors = _race(
        [
            lambda: services.nomination_approve(actor=admin, nomination=first),
            lambda: services.nomination_approve(actor=staff, nomination=second),
        ]
    )

    assert len(results) == 1 and len(errors) == 1
    message = errors[0].message_dict["amount"][0]
    assert message.startswith("超出预算：本专项预算 1,000.00 元，已审批 600.00 元，剩余 400.00 元")
    assert Nomination.objects.filter(status="approved").count() == 1
    assert selectors.budget_used(campaign=campaign) == Decimal("600") <= campaign.budget


def test_two_staff_approving_the_same_person_at_once(jinshan):
    campaign = winter(jinshan, budget="10000")
    nomination = services.nomination_create(
        actor=jinshan.user("zhujing"), campaign=campaign, person=needy(jinshan.zhujing)
    )
    admin, staff = jinshan.user("admin"), jinshan.user("staff")

    results, errors = _race(
        [
            lambda: services.nomination_approve(actor=admin, nomination=nomination, amount="800"),
            lambda: services.nomination_approve(actor=staff, nomination=nomination, amount="900"),
        ]
    )

    assert len(results) == 1 and len(errors) == 1
    assert "的提名为“已审批”，不能审批" in errors[0].messages[0]
    nomination.refresh_from_db()
    assert nomination.status == "approved"
    assert selectors.budget_used(campaign=campaign) == nomination.amount


def test_two_staff_approving_two_members_of_one_household_at_once(jinshan):
    campaign = winter(jinshan, budget="10000", per_household=True)
    home = household(jinshan.zhujing)
    town = jinshan.user("zhujing")
    husband = services.nomination_create(
        actor=town, campaign=campaign, person=needy(jinshan.zhujing, "周先生", household=home)
    )
    wife = services.nomination_create(
        actor=town, campaign=campaign, person=needy(jinshan.zhujing, "吴女士", household=home)
    )
    admin, staff = jinshan.user("admin"), jinshan.user("staff")

    results, errors = _race(
        [
            lambda: services.nomination_approve(actor=admin, nomination=husband),
            lambda: services.nomination_approve(actor=staff, nomination=wife),
        ]
    )

    assert len(results) == 1 and len(errors) == 1
    assert "本专项每户限一份" in errors[0].messages[0]
    assert Nomination.objects.filter(household=home, status="approved").count() == 1
