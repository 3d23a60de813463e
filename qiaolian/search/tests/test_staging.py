"""The staged lookup of names: exact key first, then prefixes in index order, then matches
anywhere only when the page is not full; counts capped; no query reads every match of a common
name (docs/search.md, "Staged lookup")."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ninja.testing import TestClient

from qiaolian.registry.models import Person
from qiaolian.registry.services import persons_bulk_create
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.search import selectors
from qiaolian.search.api import router
from qiaolian.search.selectors import search

pytestmark = pytest.mark.django_db


def _persons(jinshan, federation, *names: str) -> list[Person]:
    made = [Person(federation=federation, name=name, category="relative") for name in names]
    persons_bulk_create(actor=jinshan.user("admin"), persons=made)
    return list(Person.objects.filter(federation=federation, name__in=set(names)).order_by("id"))


def _group(user, query: str, *, limit: int = 10, kind: str = "person"):
    return search(user=user, query=query, kind=kind, limit=limit).groups[0]


def _names(group) -> list[str]:
    return [hit.label for hit in group.hits]


@pytest.mark.parametrize("query", ["wangfang", "王芳"])
def test_exact_key_then_prefix_then_anywhere(jinshan, query):
    # 李王芳 (liwangfang) sorts before 王芳华 (wangfanghua) by pinyin and has the same length:
    # the old closest-first order put it second; the stages put every prefix match before it
    _persons(jinshan, jinshan.zhujing, "李王芳", "王芳华", "王芳")
    group = _group(jinshan.user("zhujing"), query)
    assert _names(group) == ["王芳", "王芳华", "李王芳"]
    assert group.count == 3 and not group.count_is_capped


def test_exact_initials_match_ranks_first_when_prefix_matches_would_fill_the_page(jinshan):
    # twelve names whose initials start with wf (wfy, wfh …) written before the one exact "wf"
    _persons(jinshan, jinshan.zhujing, *["王飞宇"] * 6, *["王芳华"] * 6)
    exact = PersonFactory(federation=jinshan.zhujing, name="吴凤")
    group = _group(jinshan.user("zhujing"), "wf", limit=3)
    assert group.hits[0].id == exact.pk
    assert len(group.hits) == 3 and group.count == 13 and not group.count_is_capped


def test_prefix_matches_are_taken_in_index_order(jinshan):
    # initials wfh < wfm < wfy: with room for two, the index order decides which two
    _persons(jinshan, jinshan.zhujing, "王飞宇", "王芳明", "王芳华")
    group = _group(jinshan.user("zhujing"), "wf", limit=2)
    assert _names(group) == ["王芳华", "王芳明"]
    assert group.count == 3


def test_count_adds_every_stage_once(jinshan):
    # 王芳 matches the exact stage and (as "wangfang" inside "wangfang") the anywhere stage too:
    # counting each stage without what earlier stages matched gives 6, not 9
    _persons(jinshan, jinshan.zhujing, "王芳", "王芳", "王方", "王芳华", "王芳明", "李王芳")
    group = _group(jinshan.user("zhujing"), "wangfang", limit=2)
    assert len(group.hits) == 2 and set(_names(group)) <= {"王芳", "王方"}
    assert group.count == 6 and not group.count_is_capped


def test_a_large_set_is_counted_up_to_the_cap_and_shown_as_cap_plus(jinshan, client):
    _persons(jinshan, jinshan.zhujing, *["王芳"] * (selectors.COUNT_CAP + 20))
    user = jinshan.user("zhujing")
    group = _group(user, "wf")
    assert len(group.hits) == 10
    assert group.count == selectors.COUNT_CAP and group.count_is_capped
    assert group.count_display == f"{selectors.COUNT_CAP}+" == "100+"
    data = TestClient(router).get("/search", query_params={"q": "wf", "kind": "person"}, user=user).json()
    assert data["groups"][0]["count"] == 100 and data["groups"][0]["count_is_capped"] is True
    client.force_login(user)
    body = client.get(reverse("search:results"), {"q": "王芳"}).content.decode()
    assert "100+" in body


def test_the_stages_keep_to_the_users_jurisdiction(jinshan):
    theirs = _persons(jinshan, jinshan.shihua, *["王芳"] * 15, "王芳华", "李王芳")
    mine = _persons(jinshan, jinshan.zhujing, "王芳", "李王芳")
    expected = {"wf": {mine[0].pk}, "wangfang": {p.pk for p in mine}, "王芳": {p.pk for p in mine}}
    expected["芳"] = expected["王芳"]
    for query, ids in expected.items():
        group = _group(jinshan.user("zhujing"), query)
        assert {hit.id for hit in group.hits} == ids, query
        assert not ids & {p.pk for p in theirs}
        assert group.count == len(ids) and not group.count_is_capped
    district = _group(jinshan.user("staff"), "wangfang", limit=5)
    assert district.count == 19 and len(district.hits) == 5


def _person_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if "registry_person" in q["sql"]]


def _anywhere_marks(query: str) -> tuple[str, ...]:
    """How the "anywhere" stage of ``query`` shows in SQL on either database."""
    return ("MATCH", "qiaolian_grams", f"%{query}%")


@pytest.mark.parametrize("query", ["wf", "wangfang", "王芳"])
def test_no_query_reads_every_match_of_a_common_name(jinshan, query):
    _persons(jinshan, jinshan.zhujing, *["王芳"] * 150, *["王芳华"] * 30, *["李王芳"] * 30)
    with CaptureQueriesContext(connection) as captured:
        group = _group(jinshan.user("staff"), query)
    assert group.count_display == "100+" and len(group.hits) == 10
    sqls = _person_queries(captured.captured_queries)
    assert sqls
    for sql in sqls:
        limits = [int(n) for n in re.findall(r"\bLIMIT (\d+)", sql)]
        assert limits and max(limits) <= selectors.COUNT_CAP + 1, sql  # every query bounded
        assert "LENGTH(" not in sql.upper(), sql  # no closest-first sort over every match
        # the "anywhere" stage is never a query of its own: at most the last branch of a
        # UNION ALL whose earlier branches (here the exact stage) reach the LIMIT first
        if any(mark in sql for mark in _anywhere_marks(query)):
            assert "UNION ALL" in sql, sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_postgres_never_starts_the_anywhere_stage_when_the_exact_stage_fills_page_and_count(jinshan):
    _persons(jinshan, jinshan.zhujing, *["王芳"] * 150, "李王芳")
    with CaptureQueriesContext(connection) as captured:
        group = _group(jinshan.user("staff"), "wangfang")
    assert group.count_display == "100+"
    unions = [sql for sql in _person_queries(captured.captured_queries) if "UNION ALL" in sql]
    assert len(unions) == 2  # the page and the count
    with connection.cursor() as cursor:
        for sql in unions:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            # the plan node whose condition is the "anywhere" one (the node line above it)
            nodes = [
                next(plan[j] for j in range(i, -1, -1) if "->" in plan[j])
                for i, line in enumerate(plan)
                if "%wangfang%" in line
            ]
            assert nodes, plan
            assert all("never executed" in node for node in nodes), "\n".join(plan)


def test_the_anywhere_stage_runs_when_the_earlier_stages_leave_room(jinshan):
    _persons(jinshan, jinshan.zhujing, "李王芳", "王芳")
    with CaptureQueriesContext(connection) as captured:
        group = _group(jinshan.user("zhujing"), "wangfang")
    assert _names(group) == ["王芳", "李王芳"]
    joined = "\n".join(_person_queries(captured.captured_queries))
    assert "MATCH" in joined or "%wangfang%" in joined
