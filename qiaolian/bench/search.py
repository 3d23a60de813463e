"""Search measurements on the bench registry: the staff search box, by kind of query.

The queries are drawn from the generated persons themselves (a fixed sample of person ids spread
over the whole table, read once through the model so the ID numbers and phones are decrypted the
way a user would type them), so every query of a kind has real hits: a name as written, its full
pinyin, its pinyin initials, an ID number, a phone. Each query runs ``search()`` as the district
user would from the search box (every kind of record, the user's jurisdiction resolved anew per
call); the baseline is a primary-key lookup of one person through the same connection.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from qiaolian.bench.measure import Context, NotAvailable, Result, _stats

SAMPLE = 40  # persons whose name, pinyin, initials, ID number and phone are searched for


def _sample(ctx: Context) -> list[dict]:
    """Up to SAMPLE persons spread over the id range, with what a user would type for each."""
    if "search_sample" in ctx.shared:
        return ctx.shared["search_sample"]
    from django.db.models import Max, Min

    from qiaolian.registry.models import Person

    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise NotAvailable("no persons")
    rng = random.Random(2017)
    ids = sorted({rng.randint(bounds["low"], bounds["high"]) for _ in range(SAMPLE * 3)})
    rows = []
    for person in Person.objects.filter(pk__in=ids).order_by("pk")[: SAMPLE * 2]:
        rows.append(
            {
                "pk": person.pk,
                "name": person.name,
                "pinyin": person.name_pinyin,
                "initials": person.name_initials,
                "id_number": person.id_number.reveal() if person.id_number else "",
                "phone": person.phone.reveal() if person.phone else "",
            }
        )
    ctx.shared["search_sample"] = rows
    return rows


def _user():
    from qiaolian.accounts.models import User

    return User.objects.get(username="admin")


def _timed(result: Result, queries: list[str], *, repeats: int) -> None:
    from qiaolian.accounts.models import User
    from qiaolian.search.selectors import search

    if not queries:
        raise NotAvailable("no query values in the sample")
    user = _user()
    for query in queries[:3]:  # warm up the connection and the plans
        search(user=User.objects.get(pk=user.pk), query=query)
    times: list[float] = []
    hits = 0
    for _ in range(repeats):
        for query in queries:
            fresh = User.objects.get(pk=user.pk)  # a request's user: its scope resolved anew
            started = time.perf_counter()
            found = search(user=fresh, query=query)
            times.append(time.perf_counter() - started)
            hits += any(group.hits for group in found.groups)
    _stats(result, times)
    result.extra["queries"] = len(queries)
    result.extra["answered_with_hits"] = round(hits / len(times), 3)


def search_measurement(field: str) -> Callable[[Context, Result], None]:
    """Time the search box for ``field`` values of the sample (name, pinyin, initials …)."""

    def run(ctx: Context, result: Result) -> None:
        queries = [row[field] for row in _sample(ctx) if row[field]][:SAMPLE]
        _timed(result, queries, repeats=max(1, ctx.repeats))

    return run


def baseline_person_get(ctx: Context, result: Result) -> None:
    """One person by primary key: the floor of any lookup through the ORM on this database."""
    from qiaolian.registry.models import Person

    ids = [row["pk"] for row in _sample(ctx)]
    for pk in ids[:3]:
        Person.objects.filter(pk=pk).first()
    times = []
    for pk in ids * max(1, ctx.repeats):
        started = time.perf_counter()
        Person.objects.filter(pk=pk).first()
        times.append(time.perf_counter() - started)
    _stats(result, times)
