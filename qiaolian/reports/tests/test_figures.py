"""The figures cache: a figure is computed once per data version, a saved record moves the version
after its transaction commits, and figures are kept per user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.reports.figures import data_version, figures_changed
from qiaolian.reports.indicators import indicator_value
from qiaolian.reports.tests.factories import activity

pytestmark = pytest.mark.django_db

Y = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def _forget() -> None:
    """The test's own transaction never commits: drop the version moves registered so far, as a
    commit would have run them."""
    connection = transaction.get_connection()
    connection.run_on_commit = [e for e in connection.run_on_commit if e[1] is not figures_changed]


def _persons(js, user="admin"):
    return indicator_value(code="persons.by_category", user=js.user(user), start=Y[0], end=Y[1])


def test_a_figure_is_computed_once_per_data_version(kept, jinshan, django_assert_num_queries):
    js = jinshan
    PersonFactory(federation=js.zhujing)
    first = _persons(js)
    assert first.value == 1
    with django_assert_num_queries(1):  # the user's federation; the figure itself is kept
        again = _persons(js)
        assert again.value == 1 and again.breakdown == first.breakdown


def test_a_saved_record_moves_the_version_after_commit_once_per_transaction(
    kept, jinshan, django_capture_on_commit_callbacks
):
    js = jinshan
    assert _persons(js).value == 0
    _forget()
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        PersonFactory(federation=js.zhujing)
        PersonFactory(federation=js.shihua)
    assert len(callbacks) == 1 and data_version() == before + 1
    assert _persons(js).value == 2
    # an activity (another counted app) too
    _forget()
    with django_capture_on_commit_callbacks(execute=True):
        activity(js, js.zhujing, "座谈", timezone.make_aware(dt.datetime(2021, 3, 1, 9)))
    assert data_version() == before + 2


def test_writes_that_bypass_signals_say_so_themselves(kept, jinshan):
    js = jinshan
    assert _persons(js).value == 0
    PersonFactory.build(federation=js.zhujing).__class__.objects.bulk_create(
        [PersonFactory.build(federation=js.zhujing)]
    )
    assert _persons(js).value == 0  # kept: bulk_create sends no signal
    figures_changed()
    assert _persons(js).value == 1


def test_figures_are_kept_per_user_so_a_town_never_reads_the_districts(kept, jinshan):
    js = jinshan
    PersonFactory(federation=js.zhujing)
    PersonFactory(federation=js.shihua)
    assert _persons(js, "admin").value == 2
    assert _persons(js, "zhujing").value == 1
    assert _persons(js, "shihua").value == 1


def test_a_user_moved_to_another_federation_reads_that_federations_figures(kept, jinshan):
    js = jinshan
    PersonFactory(federation=js.zhujing)
    PersonFactory(federation=js.shihua)
    PersonFactory(federation=js.shihua)
    user = js.user("zhujing")
    assert indicator_value(code="persons.by_category", user=user, start=Y[0], end=Y[1]).value == 1
    user.federation = js.shihua
    user.save()  # accounts are not counted: the data version stays; the figures are keyed by jurisdiction
    user = type(user).objects.get(pk=user.pk)  # as the next request loads it
    assert indicator_value(code="persons.by_category", user=user, start=Y[0], end=Y[1]).value == 2
