"""Figures of a document computed side by side before the document reads them one by one.

A document (the five-year review) asks the indicator catalogue for a hundred figures, one after
the other, as its text is written. After a data change each figure is counted again, and on a
million persons a few of them take seconds each (the distinct participants over five million
registrations above all). One PostgreSQL backend works on one query at a time; the others wait.

So the figures a document asked for the last time it was written for the same federation and
period (its **plan**: which indicators, periods, breakdowns and groupings — no values) are kept,
and before the document is written again they are computed by ``QIAOLIAN_REPORT_WORKERS``
threads, each with its own database connection, into the figures cache (``figures.remembered``).
The document then reads every figure from the cache, in its own order. The plan only warms the
cache: a figure it missed (the data took the text down another branch) is computed when read,
and a figure it named that the text no longer reads costs time but changes nothing.

Only on PostgreSQL, and only outside a transaction: a thread's connection cannot see what the
caller's open transaction wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections

from qiaolian.reports.figures import ALIAS

log = logging.getLogger(__name__)

PLAN_SECONDS = 60 * 60 * 24 * 90  # a plan names figures, never values: kept long
VALUE = "value"
BREAKDOWN = "breakdown"

# (indicator code, start, end, what): what is VALUE, BREAKDOWN or a tuple of grouping fields
Request = tuple[str, dt.date, dt.date, str | tuple[str, ...]]


def _plan_key(name: str, federation_id: int, start: dt.date, end: dt.date) -> str:
    digest = hashlib.sha256(repr((name, federation_id, start, end)).encode()).hexdigest()
    return f"figures:plan:{digest}"


def plan_get(name: str, *, federation_id: int, start: dt.date, end: dt.date) -> list[Request]:
    return caches[ALIAS].get(_plan_key(name, federation_id, start, end)) or []


def plan_set(name: str, *, federation_id: int, start: dt.date, end: dt.date, asked: list[Request]) -> None:
    caches[ALIAS].set(_plan_key(name, federation_id, start, end), list(dict.fromkeys(asked)), PLAN_SECONDS)


def can_prefetch(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return settings.QIAOLIAN_REPORT_WORKERS > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block


def _tasks(asked: Iterable[Request]) -> list[tuple[tuple[str, dt.date, dt.date], list]]:
    """The requests grouped per indicator and period (one thread computes all of an indicator's
    figures: a breakdown and a grouping often come from the same scan), the biggest scans first
    so that they do not start last: distinct counts, then the largest tables."""
    from qiaolian.reports.indicators import BY_CODE

    tasks: dict[tuple[str, dt.date, dt.date], list] = {}
    for code, start, end, what in asked:
        if code in BY_CODE:
            wants = tasks.setdefault((code, start, end), [])
            if what not in wants:
                wants.append(what)

    def weight(item) -> tuple:
        indicator = BY_CODE[item[0][0]]
        return (indicator.measure != "distinct", indicator.model != "activities.Registration", item[0])

    return sorted(tasks.items(), key=weight)


def _compute(task, *, user, federation) -> None:
    from django.http import Http404

    from qiaolian.reports.indicators import NotApplicable, indicator_value

    (code, start, end), wants = task
    try:
        result = indicator_value(code=code, user=user, start=start, end=end, federation=federation)
        for what in wants:
            if what == BREAKDOWN:
                result.breakdown  # noqa: B018 - computed and kept in the figures cache
            elif isinstance(what, tuple):
                result.grouped(*what)
    except (NotApplicable, Http404):
        pass
    except Exception:  # the document computes the figure itself and reports what is wrong
        log.exception("prefetching %s failed", code)
    finally:
        connections.close_all()  # this thread's connections only


def prefetch(asked: Iterable[Request], *, user, federation) -> int:
    """Compute the requested figures into the figures cache with several connections at once;
    the number of indicator-periods computed."""
    tasks = _tasks(asked)
    if not tasks:
        return 0
    with ThreadPoolExecutor(max_workers=settings.QIAOLIAN_REPORT_WORKERS, thread_name_prefix="figures") as pool:
        list(pool.map(lambda task: _compute(task, user=user, federation=federation), tasks))
    return len(tasks)
