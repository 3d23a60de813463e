"""Keyset paging: a page is "the next N rows after this key", so page 500 costs what page 1 does.

The order is a tuple of fields ending in ``id`` (unique), e.g. ``("name_pinyin", "id")``; the
cursor is the last row's values, signed so it cannot be forged into another query.

The total under the pager is counted exactly up to ``COUNT_CAP`` ("10,000+" beyond). A page over
a large table may ask for an estimate instead (``estimate=True``): on PostgreSQL, when the rows
are more than ``ESTIMATE_FROM``, the planner's row estimate is shown as "约 N" rather than
counting ten thousand rows on every page; small results and other databases count exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import DatabaseError, connections
from django.db.models import Q, QuerySet

_SALT = "qiaolian.paging"
COUNT_CAP = 10000
# With ``estimate=True``: results of at most this many rows are counted exactly (a cheap count:
# it stops at ESTIMATE_FROM + 1 rows); beyond it, the planner's estimate is used when it too is
# above COUNT_CAP, else the capped exact count as without an estimate.
ESTIMATE_FROM = 1000


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    total_is_capped: bool
    size: int
    total_is_estimate: bool = False


def _key_of(row, fields: tuple[str, ...]) -> list:
    values = []
    for name in fields:
        value = getattr(row, name.lstrip("-"))
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    return values


def _after(fields: tuple[str, ...], values: list, *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``fields`` (or before, when ``reverse``).

    Besides the exact condition (a disjunction the database cannot use as an index bound), the
    first field gets its own redundant range bound, so an index that serves the order starts
    its scan at the cursor instead of reading, and discarding, every row of the earlier pages.
    """
    first = fields[0]
    bound = "lte" if first.startswith("-") != reverse else "gte"
    cond = Q()
    for i, name in enumerate(fields):
        desc = name.startswith("-")
        column = name.lstrip("-")
        op = "lt" if desc != reverse else "gt"
        step = Q(**{f"{column}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{fields[j].lstrip("-"): values[j]})
        cond |= step
    if len(fields) == 1:
        return cond
    return Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & cond


def planner_estimate(qs: QuerySet) -> int | None:
    """The rows PostgreSQL's planner expects ``qs`` to return (``EXPLAIN``, nothing is read), or
    None on another database or when it cannot tell. An estimate: from the table statistics
    that ``ANALYZE`` (and autovacuum) keeps, so it may be off, most for combined conditions."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except Exception:  # an empty result (``.none()``) has no SQL
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
    except DatabaseError:
        return None
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _capped_count(qs: QuerySet, cap: int) -> int:
    return qs.order_by()[: cap + 1].count()


def _total(qs: QuerySet, *, estimate: bool) -> tuple[int, bool, bool]:
    """(total, is_capped, is_estimate) of ``qs``."""
    if not hasattr(qs, "count"):
        return 0, False, False
    if estimate and connections[qs.db].vendor == "postgresql":
        small = _capped_count(qs, ESTIMATE_FROM)
        if small <= ESTIMATE_FROM:
            return small, False, False
        guess = planner_estimate(qs)
        if guess is not None and guess > COUNT_CAP:
            return guess, False, True
    capped = _capped_count(qs, COUNT_CAP)
    return min(capped, COUNT_CAP), capped > COUNT_CAP, False


def keyset_page(
    qs: QuerySet, *, order: tuple[str, ...], cursor: str = "", size: int = 25, estimate: bool = False
) -> Page:
    """One page of ``qs`` in ``order`` after (or before) the signed ``cursor``, with the total.

    ``estimate``: on PostgreSQL, show a large total as the planner's estimate (see the module's
    docstring); the rows and cursors are exact whatever it is.
    """
    direction, values = "n", None
    if cursor:
        try:
            direction, values = signing.loads(cursor, salt=_SALT)
        except signing.BadSignature:
            direction, values = "n", None
    if values is None:
        rows = list(qs.order_by(*order)[: size + 1])
        has_more, has_before = len(rows) > size, False
        rows = rows[:size]
    elif direction == "n":
        rows = list(qs.filter(_after(order, values, reverse=False)).order_by(*order)[: size + 1])
        has_more, has_before = len(rows) > size, True
        rows = rows[:size]
    else:
        flipped = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in order)
        rows = list(qs.filter(_after(order, values, reverse=True)).order_by(*flipped)[: size + 1])
        has_before, has_more = len(rows) > size, True
        rows = list(reversed(rows[:size]))
    if values is None and not has_more:
        total, is_capped, is_estimate = len(rows), False, False  # the whole result is on this page
    else:
        total, is_capped, is_estimate = _total(qs, estimate=estimate)
    next_cursor = signing.dumps(["n", _key_of(rows[-1], order)], salt=_SALT) if rows and has_more else None
    prev_cursor = signing.dumps(["p", _key_of(rows[0], order)], salt=_SALT) if rows and has_before else None
    return Page(
        rows=rows,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        total=total,
        total_is_capped=is_capped,
        size=size,
        total_is_estimate=is_estimate,
    )
