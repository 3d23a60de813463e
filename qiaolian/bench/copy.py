"""Streaming rows into a model's table with PostgreSQL ``COPY`` (psycopg 3).

A ``Table`` names the columns a generator fills per row; every other NOT NULL column gets the
field's own default once (Django defaults are not database defaults, so COPY needs them spelled
out), and a column the generator forgets fails at once instead of half-way through a million rows.
Rows are plain tuples built by generators and written as they come: nothing is held in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

# One moment for every "created at / updated at" of generated rows.
LOADED_AT = dt.datetime(2023, 1, 3, 9, 0, tzinfo=dt.UTC)


class Table:
    """The COPY layout of ``model``: ``fields`` per row (field names, ``_id`` for foreign keys
    may be given as the field name), then the constant defaults of the remaining columns."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, constants: dict[str, Any] | None = None):
        self.model = model
        self.db_table = model._meta.db_table
        constants = dict(constants or {})
        by_name = {f.name: f for f in model._meta.concrete_fields} | {f.attname: f for f in model._meta.concrete_fields}
        self.row_fields = [by_name[name] for name in fields]
        given = {f.attname for f in self.row_fields} | {by_name[n].attname for n in constants}
        const_fields, const_values = [], []
        for name, value in constants.items():
            const_fields.append(by_name[name])
            const_values.append(value)
        for f in model._meta.concrete_fields:
            if f.attname in given:
                continue
            if f.primary_key:
                raise ValueError(f"{self.db_table}: the generator must give the primary key")
            value = _default(f)
            if value is None and not f.null:
                raise ValueError(f"{self.db_table}.{f.column} is NOT NULL and has no default: give it")
            const_fields.append(f)
            const_values.append(value)
        self.const_fields = const_fields
        self.const_values = tuple(const_values)
        self.columns = [f.column for f in self.row_fields + const_fields]

    @property
    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.db_table}" ({cols}) FROM STDIN'


def _default(field: models.Field) -> Any:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return LOADED_AT
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return LOADED_AT.date()
    if not field.has_default():
        return "" if (not field.null and field.empty_strings_allowed and not field.is_relation) else None
    value = field.get_default()
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if value is not None and hasattr(value, "code"):  # a country
        return value.code
    return value


class Progress:
    """Rows per second on stdout, every ``every`` rows and at the end."""

    def __init__(self, label: str, *, write: Callable[[str], None] | None = None, every: int = 200_000):
        self.label = label
        self.write = write
        self.every = every
        self.rows = 0
        self.started = time.perf_counter()
        self._next = every

    def add(self, n: int = 1) -> None:
        self.rows += n
        if self.write and self.rows >= self._next:
            self._next += self.every
            self.write(f"  {self.label}: {self.rows:,} rows, {self.rate:,.0f} rows/s")

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def done(self) -> None:
        if self.write:
            self.write(f"  {self.label}: {self.rows:,} rows in {self.seconds:.1f} s ({self.rate:,.0f} rows/s)")


def copy_rows(table: Table, rows: Iterable[tuple], progress: Progress | None = None) -> int:
    """COPY ``rows`` (tuples in ``table``'s field order) into the table; the number written."""
    n = 0
    const = table.const_values
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(table.sql, writer=QueuedLibpqWriter(raw)) as copy:
            for row in rows:
                copy.write_row(row + const)
                n += 1
                if progress is not None and n % 10_000 == 0:
                    progress.add(10_000)
    if progress is not None:
        progress.add(n % 10_000)
    return n


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return int(cursor.fetchone()[0])


def reset_sequence(model: type[models.Model]) -> None:
    """After rows were copied with explicit ids, let the next ordinary insert continue after them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))",
            [table],
        )
