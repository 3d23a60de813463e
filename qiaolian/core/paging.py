"""Keyset paging: a page is "the next N rows after this key", so page 500 costs what page 1 does.

The order is a tuple of fields ending in ``id`` (unique), e.g. ``("name_pinyin", "id")``; the
cursor is the last row's values, signed so it cannot be forged into another query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

_SALT = "qiaolian.paging"
COUNT_CAP = 10000


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    total_is_capped: bool
    size: int


def _key_of(row, fields: tuple[str, ...]) -> list:
    values = []
    for name in fields:
        value = getattr(row, name.lstrip("-"))
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    return values


def _after(fields: tuple[str, ...], values: list, *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``fields`` (or before, when ``reverse``)."""
    cond = Q()
    for i, name in enumerate(fields):
        desc = name.startswith("-")
        column = name.lstrip("-")
        op = "lt" if desc != reverse else "gt"
        step = Q(**{f"{column}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{fields[j].lstrip("-"): values[j]})
        cond |= step
    return cond


def keyset_page(qs: QuerySet, *, order: tuple[str, ...], cursor: str = "", size: int = 25) -> Page:
    direction, values = "n", None
    if cursor:
        try:
            direction, values = signing.loads(cursor, salt=_SALT)
        except signing.BadSignature:
            direction, values = "n", None
    capped = qs.order_by()[: COUNT_CAP + 1].count() if hasattr(qs, "count") else 0
    total, is_capped = min(capped, COUNT_CAP), capped > COUNT_CAP
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
    next_cursor = signing.dumps(["n", _key_of(rows[-1], order)], salt=_SALT) if rows and has_more else None
    prev_cursor = signing.dumps(["p", _key_of(rows[0], order)], salt=_SALT) if rows and has_before else None
    return Page(
        rows=rows, next_cursor=next_cursor, prev_cursor=prev_cursor, total=total, total_is_capped=is_capped, size=size
    )
