"""A document's figures computed side by side (reports/prefetch.py): the review keeps the plan
of what it read, the next build computes that plan with several connections before it writes,
and the document is the same as one written figure by figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiaolian.activities import services as activity_services
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.reports import prefetch
from qiaolian.reports.figures import figures_changed
from qiaolian.reports.review import build_review, review_json
from qiaolian.reports.tests.factories import activity as _activity

START, END = dt.date(2017, 12, 1), dt.date(2022, 12, 31)


def _some_work(js) -> None:
    at = timezone.make_aware
    persons = [PersonFactory(federation=js.zhujing, name=f"朱泾{n}") for n in range(3)]
    acts = [
        _activity(js, js.zhujing, "朱泾侨法宣传", at(dt.datetime(2019, 3, 15, 9))),
        _activity(
            js, js.shihua, "石化侨务干部培训", at(dt.datetime(2021, 6, 1, 9)), project="qiangji", kind="training"
        ),
    ]
    for person in persons:
        for act in acts:
            activity_services.registration_add(actor=js.user("admin"), activity=act, person=person)


def test_requests_are_grouped_per_indicator_and_the_big_scans_come_first():
    asked = [
        ("persons.by_category", START, END, prefetch.VALUE),
        ("activities.registrations", START, END, prefetch.VALUE),
        ("activities.participants", START, END, prefetch.VALUE),
        ("activities.participants", START, END, ("year",)),
        ("activities.participants", START, END, ("year",)),  # asked twice, computed once
        ("no.such_code", START, END, prefetch.VALUE),  # an indicator since removed
    ]
    tasks = prefetch._tasks(asked)
    assert [key[0] for key, _wants in tasks] == [
        "activities.participants",  # a distinct count: the largest scan
        "activities.registrations",  # a count over the registrations
        "persons.by_category",
    ]
    assert tasks[0][1] == [prefetch.VALUE, ("year",)]


@pytest.mark.django_db
def test_the_review_keeps_the_plan_of_the_figures_it_read(jinshan, kept):
    _some_work(jinshan)
    admin = jinshan.user("admin")
    assert prefetch.plan_get("review", federation_id=jinshan.district.pk, start=START, end=END) == []
    build_review(user=admin, start=START, end=END)
    plan = prefetch.plan_get("review", federation_id=jinshan.district.pk, start=START, end=END)
    assert ("activities.participants", START, END, prefetch.VALUE) in plan
    assert ("activities.trainees", START, END, ("year",)) in plan
    assert any(what == prefetch.BREAKDOWN for _c, _s, _e, what in plan)
    assert len(plan) == len(set(plan))
    # inside a transaction (as here) other connections could not see its writes: no prefetch
    assert not prefetch.can_prefetch()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prefetching runs on PostgreSQL only")
def test_after_a_change_the_plan_is_computed_by_other_connections_and_the_review_is_the_same(jinshan, settings, kept):
    _some_work(jinshan)
    admin = jinshan.user("admin")
    settings.QIAOLIAN_REPORT_WORKERS = 1  # figure by figure: the reference, and the plan kept
    assert not prefetch.can_prefetch()
    one_by_one = review_json(build_review(user=admin, start=START, end=END))

    figures_changed()
    settings.QIAOLIAN_REPORT_WORKERS = 2
    assert prefetch.can_prefetch()
    with CaptureQueriesContext(connection) as own:
        side_by_side = review_json(build_review(user=admin, start=START, end=END))
    assert side_by_side == one_by_one
    # this connection only read the cache: every count ran on the workers' connections
    counted = [q["sql"] for q in own.captured_queries if "activities_registration" in q["sql"]]
    assert counted == []
