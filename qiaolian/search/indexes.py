"""The database indexes the search box is served by, one set per database vendor.

PostgreSQL: ``pg_trgm`` GIN indexes on the key columns (``LIKE '%…%'`` of three or more
characters), and a GIN index on ``qiaolian_grams(key)`` — every one- and two-character piece of
the key — for the one- and two-character Chinese queries a trigram cannot serve (most given
names, a surname with one character).

SQLite: an FTS5 table with the ``trigram`` tokenizer (SQLite ≥ 3.34) beside each searched table,
kept in step by SQL triggers, so rows written by ``bulk_create`` (the registry import) are
indexed as well as rows saved one by one. Queries shorter than three characters fall back to a
scan of the key column, which is fine at the sizes SQLite deployments hold.

Both sets are created by this app's migration and checked again after every ``migrate``
(``ensure_indexes``): Django rebuilds a SQLite table on many schema changes, which drops its
triggers, and a PostgreSQL index goes with a dropped column. Whatever was missing is created and
its FTS table filled again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections

# The expression the one-/two-character index is built on and queried with.
GRAMS_FUNCTION = "qiaolian_grams"

PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {GRAMS_FUNCTION}(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{{}}'::text[]) FROM (
    SELECT substr(t, i, 1) AS g FROM generate_series(1, char_length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i
  ) AS pieces
$$
"""


@dataclass(frozen=True)
class Source:
    """A searched table: its key columns, which of them have the one-/two-character index,
    and the name of its FTS5 mirror on SQLite."""

    table: str
    columns: tuple[str, ...]
    gram_columns: tuple[str, ...]
    fts: str


SOURCES = (
    Source("registry_person", ("name_key", "name_pinyin", "foreign_name_key"), ("name_key",), "search_person_fts"),
    Source("enterprises_enterprise", ("name_key", "name_pinyin"), ("name_key",), "search_enterprise_fts"),
    Source("search_titlekey", ("key", "pinyin"), ("key",), "search_titlekey_fts"),
)
SOURCE_BY_TABLE = {s.table: s for s in SOURCES}


def trgm_index_name(source: Source, column: str) -> str:
    return f"search_{source.table}_{column}_trgm"[:63]


def grams_index_name(source: Source, column: str) -> str:
    return f"search_{source.table}_{column}_grams"[:63]


def _pg_statements(source: Source) -> list[str]:
    stmts = [
        f'CREATE INDEX IF NOT EXISTS "{trgm_index_name(source, c)}" ON "{source.table}" USING gin ("{c}" gin_trgm_ops)'
        for c in source.columns
    ]
    stmts += [
        f'CREATE INDEX IF NOT EXISTS "{grams_index_name(source, c)}" ON "{source.table}" '
        f'USING gin ({GRAMS_FUNCTION}("{c}"))'
        for c in source.gram_columns
    ]
    return stmts


def _sqlite_triggers(source: Source) -> dict[str, str]:
    cols = ", ".join(source.columns)
    new_values = ", ".join(f"new.{c}" for c in source.columns)
    sets = ", ".join(f"{c} = new.{c}" for c in source.columns)
    t, f = source.table, source.fts
    return {
        f"{f}_ai": f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN "
        f"INSERT INTO {f}(rowid, {cols}) VALUES (new.id, {new_values}); END",
        f"{f}_au": f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF {cols} ON {t} BEGIN "
        f"UPDATE {f} SET {sets} WHERE rowid = old.id; END",
        f"{f}_ad": f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN "
        f"DELETE FROM {f} WHERE rowid = old.id; END",
    }


def _sqlite_names(cursor, kind: str) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {row[0] for row in cursor.fetchall()}


def sqlite_fts_refill(cursor, source: Source) -> None:
    cols = ", ".join(source.columns)
    cursor.execute(f"DELETE FROM {source.fts}")
    cursor.execute(f"INSERT INTO {source.fts}(rowid, {cols}) SELECT id, {cols} FROM {source.table}")


def ensure_indexes(using: str = "default", *, refill: bool = False) -> list[str]:
    """Create whatever search index is missing on database ``using``; with ``refill``, fill every
    SQLite FTS table again from its source. Returns what was created or refilled."""
    connection = connections[using]
    done: list[str] = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if "search_titlekey" not in tables:  # this app's migration has not run (or was reversed)
            return done
        present = [s for s in SOURCES if s.table in tables]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes")
            existing = {row[0] for row in cursor.fetchall()}
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(PG_FUNCTION_SQL)
            for source in present:
                wanted = [trgm_index_name(source, c) for c in source.columns]
                wanted += [grams_index_name(source, c) for c in source.gram_columns]
                if set(wanted) - existing:
                    for stmt in _pg_statements(source):
                        cursor.execute(stmt)
                    done.append(source.table)
        elif connection.vendor == "sqlite":
            for source in present:
                created = source.fts not in tables
                if created:
                    cols = ", ".join(source.columns)
                    cursor.execute(f"CREATE VIRTUAL TABLE {source.fts} USING fts5({cols}, tokenize='trigram')")
                triggers = _sqlite_triggers(source)
                missing = set(triggers) - _sqlite_names(cursor, "trigger")
                for name in sorted(missing):
                    cursor.execute(triggers[name])
                if created or missing or refill:
                    sqlite_fts_refill(cursor, source)
                    done.append(source.fts)
    return done


def drop_indexes(using: str = "default") -> None:
    """Remove what ``ensure_indexes`` made (the migration's reverse)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for source in SOURCES:
                for c in source.columns:
                    cursor.execute(f'DROP INDEX IF EXISTS "{trgm_index_name(source, c)}"')
                for c in source.gram_columns:
                    cursor.execute(f'DROP INDEX IF EXISTS "{grams_index_name(source, c)}"')
            cursor.execute(f"DROP FUNCTION IF EXISTS {GRAMS_FUNCTION}(text)")
        elif connection.vendor == "sqlite":
            for source in SOURCES:
                for name in _sqlite_triggers(source):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"DROP TABLE IF EXISTS {source.fts}")
