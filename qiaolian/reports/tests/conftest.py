"""The demo for the reports' tests: built once per test module that asks for it, rolled back after."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import override_settings

from qiaolian.accounts.models import User
from qiaolian.demo import build_demo
from qiaolian.orgs.models import Federation

DEMO_SCALE = 0.03
# The queries of one dashboard page, whatever the number of records: about 40 figures, each one
# query (on PostgreSQL a distinct count through the activities reads their cells in one more).
DASHBOARD_QUERIES = 42
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


# The figures cache on (tests run with it off: settings_test), kept in this process.
LOCMEM = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "figures-test"},
}


@pytest.fixture
def kept():
    with override_settings(CACHES=LOCMEM):
        caches["figures"].clear()
        yield caches["figures"]
        caches["figures"].clear()
