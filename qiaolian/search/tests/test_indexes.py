"""The indexes the search box is served by: present on each database, used by its queries, and
kept in step with rows written by bulk paths, table rebuilds and ``search_rebuild``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from qiaolian.registry.models import Person
from qiaolian.registry.services import persons_bulk_create
from qiaolian.search.indexes import SOURCES, ensure_indexes, grams_index_name, trgm_index_name
from qiaolian.search.models import TitleKey
from qiaolian.search.selectors import search

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL pg_trgm")


def _person_ids(user, query):
    return {hit.id for group in search(user=user, query=query, kind="person").groups for hit in group.hits}


def test_persons_written_by_the_import_bulk_path_are_found_at_once(jinshan):
    made = [Person(federation=jinshan.zhujing, name=name, category="relative") for name in ("司马相如", "諸葛孔明")]
    persons_bulk_create(actor=jinshan.user("admin"), persons=made)
    staff = jinshan.user("zhujing")
    for query in ("马相如", "相如", "诸葛孔明", "葛孔", "simaxiang", "zgkm"):
        assert _person_ids(staff, query), query


@sqlite_only
def test_sqlite_has_an_fts5_trigram_table_and_triggers_per_searched_table():
    import sqlite3

    assert sqlite3.sqlite_version_info >= (3, 34)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, type, sql FROM sqlite_master")
        rows = {name: (kind, sql or "") for name, kind, sql in cursor.fetchall()}
    for source in SOURCES:
        assert "trigram" in rows[source.fts][1]
        for suffix in ("ai", "au", "ad"):
            assert rows[f"{source.fts}_{suffix}"][0] == "trigger"


@sqlite_only
def test_sqlite_fts_follows_updates_and_deletes(jinshan):
    from qiaolian.registry.tests.factories import PersonFactory

    staff = jinshan.user("zhujing")
    person = PersonFactory(federation=jinshan.zhujing, name="公孙大娘")
    assert _person_ids(staff, "孙大娘") == {person.pk}
    Person.objects.filter(pk=person.pk).update(name_key="公孙二娘")
    assert not _person_ids(staff, "孙大娘")
    assert _person_ids(staff, "孙二娘") == {person.pk}
    Person.objects.filter(pk=person.pk).delete()
    assert not _person_ids(staff, "孙二娘")


@sqlite_only
def test_lost_triggers_are_restored_and_the_fts_refilled_after_migrate(jinshan):
    """Django rebuilds a SQLite table on many schema changes, dropping its triggers: the
    post-migrate check puts them back and refills the FTS table from its source."""
    staff = jinshan.user("zhujing")
    with connection.cursor() as cursor:
        for suffix in ("ai", "au", "ad"):
            cursor.execute(f"DROP TRIGGER search_person_fts_{suffix}")
    persons_bulk_create(
        actor=jinshan.user("admin"), persons=[Person(federation=jinshan.zhujing, name="上官婉儿", category="relative")]
    )
    assert not _person_ids(staff, "官婉儿")  # the trigger was gone
    assert "search_person_fts" in ensure_indexes()
    assert _person_ids(staff, "官婉儿")


@sqlite_only
def test_search_rebuild_refills_fts_and_title_keys(jinshan, towns):
    staff = jinshan.user("zhujing")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_person_fts")
    TitleKey.objects.all().delete()
    assert not _person_ids(staff, "阳明月")
    call_command("search_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _person_ids(staff, "阳明月") == {towns["zhujing"].ouyang.pk}
    assert TitleKey.objects.filter(kind="case", object_id=towns["zhujing"].case.pk).exists()


def test_search_rebuild_restores_title_keys_on_any_database(jinshan, towns):
    TitleKey.objects.all().delete()
    staff = jinshan.user("zhujing")
    assert not search(user=staff, query="拆迁补偿", kind="case").groups[0].hits
    call_command("search_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [h.id for h in search(user=staff, query="拆迁补偿", kind="case").groups[0].hits] == [
        towns["zhujing"].case.pk
    ]


@postgres_only
def test_postgres_has_trigram_and_short_query_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes")
        defs = dict(cursor.fetchall())
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ctype = cursor.fetchone()[0]
    assert "UTF-8" in ctype.upper() or "UTF8" in ctype.upper(), "pg_trgm makes no trigrams for CJK under C"
    for source in SOURCES:
        for column in source.columns:
            assert "gin_trgm_ops" in defs[trgm_index_name(source, column)]
        for column in source.gram_columns:
            assert "qiaolian_grams" in defs[grams_index_name(source, column)]


def _plan(qs) -> str:
    """The plan with every scan but a bitmap scan turned off: a bitmap scan needs an index whose
    expression matches the condition, so the plan names the index only if the query can use it."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize(
    ("column", "value", "index"),
    [
        ("name_key", "张伟", "registry_person_name_key_grams"),
        ("name_key", "伟", "registry_person_name_key_grams"),
        ("name_key", "欧阳明", "registry_person_name_key_trgm"),
        ("name_pinyin", "zhangwei", "registry_person_name_pinyin_trgm"),
        ("foreign_name_key", "mingyue", "registry_person_foreign_name_key_trgm"),
    ],
)
def test_postgres_person_conditions_can_use_the_search_indexes(column, value, index):
    from qiaolian.search.selectors import contains_q

    assert f"search_{index}" in _plan(Person.objects.filter(contains_q(Person, column, value)).values("pk"))


@postgres_only
def test_postgres_enterprise_and_title_conditions_can_use_the_search_indexes():
    from qiaolian.enterprises.models import Enterprise
    from qiaolian.search.selectors import contains_q

    plan = _plan(Enterprise.objects.filter(contains_q(Enterprise, "name_key", "机械")).values("pk"))
    assert "search_enterprises_enterprise_name_key_grams" in plan
    plan = _plan(TitleKey.objects.filter(contains_q(TitleKey, "key", "补偿争议")).values("pk"))
    assert "search_search_titlekey_key_trgm" in plan
    plan = _plan(TitleKey.objects.filter(contains_q(TitleKey, "pinyin", "chaiqian")).values("pk"))
    assert "search_search_titlekey_pinyin_trgm" in plan


@postgres_only
def test_search_keys_and_blind_indexes_have_one_index_each_and_prefixes_and_hashes_use_it():
    """No varchar_pattern_ops twin (core.fields.NoPatternIndexMixin), and the one plain index
    still serves a prefix range (collation "C") and an exact hash lookup."""
    from qiaolian.core.fields import prefix_q

    with connection.cursor() as cursor:
        tables = ("registry_person", "activities_registration")
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [list(tables)])
        defs = [row[0] for row in cursor.fetchall()]
    columns = ("name_key", "name_pinyin", "name_initials", "id_number_hash", "phone_hash", "phone_alt_hash")
    for column in (*columns, "participant_key"):
        on_column = [d for d in defs if f"({column}" in d and "gin" not in d]
        assert on_column and not any("pattern_ops" in d for d in on_column), column
    plan = _plan(Person.objects.filter(prefix_q("name_initials", "zw")).values("pk"))
    assert "name_initials" in plan and "Seq Scan" not in plan
    plan = _plan(Person.objects.filter(phone_hash="0" * 64).values("pk"))
    assert "phone_hash" in plan and "Seq Scan" not in plan
