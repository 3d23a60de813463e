"""Computed figures kept for a while, so that dashboards and the review read them in milliseconds.

Counting five years of registrations for a district takes seconds on a million persons; the same
figure is asked for by every dashboard view and by each section of the review. Values, breakdowns
and groupings of indicators are therefore kept in the "figures" cache (settings.CACHES; by default
a database table shared by every web and worker process), under a key made of everything the
figure depends on: the indicator, the user (whose jurisdiction decides which records count), the
federation, the period, the drill-down group, and the current **data version**.

The data version moves whenever a record of a counted app is saved or deleted (after the
transaction commits, once per transaction), so a figure never outlives the data it was computed
from; writes that bypass model signals (bulk loads, ``QuerySet.update``) call ``figures_changed()``
themselves, and ``QIAOLIAN_FIGURES_SECONDS`` (default 15 minutes) bounds how long any figure is
kept whatever happens. Only numbers are kept — never records or personal data.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction

ALIAS = "figures"
VERSION_KEY = "figures:version"
# The apps whose records the indicator catalogue counts.
COUNTED_APPS = frozenset(
    {"registry", "activities", "aid", "casework", "contests", "enterprises", "liaison", "advocacy", "orgs"}
)
_MISSING = object()


def _cache():
    return caches[ALIAS]


def data_version() -> int:
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        # a fresh cache starts from the clock, so it never meets figures of an earlier start
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY) or 0
    return version


def figures_changed() -> None:
    """The counted data changed: figures computed before are no longer used."""
    cache = _cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), None)


def remembered(parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its kept result for the same ``parts`` at the current data version."""
    cache = _cache()
    digest = hashlib.sha256(repr((data_version(), *parts)).encode()).hexdigest()
    key = f"figures:{digest}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    cache.set(key, value, settings.QIAOLIAN_FIGURES_SECONDS)
    return value


def on_record_change(sender, **kwargs) -> None:
    """post_save/post_delete/m2m_changed: move the data version once the transaction commits
    (once per transaction, however many records it writes)."""
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in COUNTED_APPS or meta.apps is not global_apps:
        return  # not counted, or a migration's historical model (the cache may not exist yet)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is figures_changed for entry in connection.run_on_commit):
        return
    transaction.on_commit(figures_changed)
