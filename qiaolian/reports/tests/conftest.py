"""The demo for the reports' tests: built once per test module that asks for it, rolled back after."""

from __future__ import annotations

import pytest
from django.db import transaction

from qiaolian.accounts.models import User
from qiaolian.demo import build_demo
from qiaolian.orgs.models import Federation

DEMO_SCALE = 0.03
DEMO_SEED = 2017


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=DEMO_SEED, scale=DEMO_SCALE)
        transaction.set_rollback(True)


@pytest.fixture
def admin(demo, db) -> User:
    return User.objects.get(username="admin")


def demo_federation(place: str) -> Federation:
    """ "district" or a town's short name (朱泾镇, 石化街道 …)."""
    if place == "district":
        return Federation.objects.get(parent__isnull=True)
    return Federation.objects.get(short_name=place)
