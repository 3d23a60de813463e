"""Keyset paging (``qiaolian.core.paging``): pages walk the whole order both ways, the first page
of a small result costs no count, and a large total may be the planner's estimate — on
PostgreSQL only, and only when the result is large."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiaolian.core import paging
from qiaolian.core.paging import keyset_page, planner_estimate
from qiaolian.registry.models import Person
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ORDERS = [("category", "id"), ("-category", "-id"), ("-category", "id"), ("name_pinyin", "id"), ("id",)]


@pytest.fixture
def persons(jinshan):
    """Eleven persons in three categories, so an order by category has ties across pages."""
    categories = ["returnee", "relative", "overseas_chinese"]
    for i in range(11):
        PersonFactory(federation=jinshan.zhujing, category=categories[i % 3])
    return Person.objects.all()


def _walk(qs, order, size):
    """Every page forwards, then every page backwards from the last one."""
    pages = [keyset_page(qs, order=order, size=size)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(qs, order=order, cursor=pages[-1].next_cursor, size=size))
    back = [pages[-1]]
    while back[-1].prev_cursor:
        back.append(keyset_page(qs, order=order, cursor=back[-1].prev_cursor, size=size))
    return pages, list(reversed(back))


@pytest.mark.parametrize("order", ORDERS)
def test_pages_walk_the_whole_order_both_ways_without_gaps_or_repeats(persons, order):
    qs = persons
    expected = list(qs.order_by(*order).values_list("pk", flat=True))
    assert len(expected) > 6

    forward, backward = _walk(qs, order, size=2)

    assert [p.pk for page in forward for p in page.rows] == expected
    assert [[p.pk for p in page.rows] for page in backward] == [[p.pk for p in page.rows] for page in forward]
    assert {page.total for page in forward} == {len(expected)}


def test_a_cursor_condition_bounds_the_first_field_and_keeps_the_exact_order():
    cond = paging._after(("name_pinyin", "id"), ["wang", 7], reverse=False)
    assert ("name_pinyin__gte", "wang") in cond.children
    before = paging._after(("-created_at", "-id"), ["2024-01-01T00:00:00", 7], reverse=True)
    assert ("created_at__gte", "2024-01-01T00:00:00") in before.children
    single = paging._after(("-seq",), [5], reverse=False)
    assert single.children == [("seq__lt", 5)]


def test_the_only_page_of_a_small_result_is_its_total_without_a_count(persons):
    qs = persons
    n = qs.count()
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(qs, order=("name_pinyin", "id"), size=n + 5)
    assert (page.total, page.total_is_capped, page.total_is_estimate) == (n, False, False)
    assert len(queries.captured_queries) == 1
    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()


def test_without_estimate_the_total_is_exact_up_to_the_cap(persons, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 2)
    page = keyset_page(persons, order=("name_pinyin", "id"), size=2)
    assert (page.total, page.total_is_capped, page.total_is_estimate) == (4, True, False)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side of the estimate")
def test_other_databases_count_exactly_even_when_an_estimate_is_asked(persons, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 2)
    qs = persons
    assert planner_estimate(qs) is None
    page = keyset_page(qs, order=("name_pinyin", "id"), size=2, estimate=True)
    assert (page.total, page.total_is_capped, page.total_is_estimate) == (4, True, False)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_postgresql_estimates_a_large_total_and_counts_a_small_one(persons, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 2)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Person._meta.db_table}"')
    everything = persons
    n = everything.count()
    assert planner_estimate(everything) == n  # fresh statistics of a whole table are exact

    large = keyset_page(everything, order=("name_pinyin", "id"), size=2, estimate=True)
    assert (large.total, large.total_is_capped, large.total_is_estimate) == (n, False, True)
    assert len(large.rows) == 2 and large.next_cursor  # the rows are exact whatever the total

    small_qs = Person.objects.filter(pk__in=list(everything.values_list("pk", flat=True)[:2]))
    small = keyset_page(small_qs, order=("name_pinyin", "id"), size=1, estimate=True)
    assert (small.total, small.total_is_capped, small.total_is_estimate) == (2, False, False)

    not_asked = keyset_page(everything, order=("name_pinyin", "id"), size=2)
    assert (not_asked.total, not_asked.total_is_capped, not_asked.total_is_estimate) == (4, True, False)
