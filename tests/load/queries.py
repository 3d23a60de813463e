"""Queries and time per page of the load test's mix, to find N+1 queries (run on the load database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qiaolian_load DEBUG=false \
        .venv/bin/python tests/load/queries.py [--user staff] [--repeat 5] [--show 3]

For each page: the number of queries, the median time of ``--repeat`` requests through Django's
test client (no network, no gunicorn) and the SQL statements that repeat most often with
different parameters (the mark of a query per row).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", default="staff")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", type=int, default=2, help="repeated statements to show per page")
    parser.add_argument("urls", nargs="*")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiaolian.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from qiaolian.accounts.models import User
    from qiaolian.activities.models import Activity
    from qiaolian.casework.models import Case
    from qiaolian.registry.models import Person

    user = User.objects.get(username=args.user)
    person = Person.objects.visible_to(user).filter(is_archived=False).order_by("-id").first()
    activity = Activity.objects.visible_to(user).order_by("-id").first()
    case = Case.objects.visible_to(user).order_by("-id").first()
    urls = args.urls or [
        "/",
        "/search/?q=张",
        "/search/?q=zhang",
        "/registry/persons/",
        "/registry/persons/?category=returnee&sort=updated",
        f"/registry/persons/{person.pk}/",
        f"/registry/persons/{person.pk}/?tab=relatives",
        f"/registry/persons/{person.pk}/?tab=history",
        f"/registry/persons/{person.pk}/?tab=household",
        f"/activities/persons/{person.pk}/",
        f"/cases/persons/{person.pk}/",
        f"/aid/persons/{person.pk}/",
        f"/registry/persons/{person.pk}/edit/",
        "/activities/",
        f"/activities/{activity.pk}/",
        f"/activities/{activity.pk}/?tab=people",
        "/cases/",
        f"/cases/{case.pk}/",
        "/reports/dashboard/",
        "/enterprises/",
        "/api/v1/persons?limit=50",
    ]
    client = Client()
    client.force_login(user)
    print(f"{'page':<60} {'status':>6} {'queries':>7} {'ms':>8}")
    for url in urls:
        client.get(url)  # warm caches
        captured: list[str] = []

        def record(execute, sql, params, many, context, captured=captured):
            captured.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            response = client.get(url)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{url:<60} {response.status_code:>6} {len(captured):>7} {statistics.median(times):>8.1f}")
        shapes = Counter(re.sub(r"\b\d+\b|'[^']*'", "?", q) for q in captured)
        for sql, n in shapes.most_common(args.show):
            if n > 2:
                print(f"      ×{n}  {sql[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
