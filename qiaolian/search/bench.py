"""How fast the search box answers on a large registry (PostgreSQL).

    DATABASE_URL=postgres://… python -m qiaolian.search.bench --persons 1000000 [--database NAME] [--reuse]

Creates (or with ``--reuse`` keeps) a database of its own on the same server — never the one
DATABASE_URL names — migrates it, fills it with the Jinshan tree, ``--persons`` persons with
demo names (bulk, as the import writes them) spread over the towns, and a few hundred
enterprises, cases and activities through their services; then times ``search()`` for a district
user and a town user over a mix of queries (one/two/three Chinese characters, traditional,
full pinyin, initials, ID number, phone, misses) and prints p50/p95/max per kind of query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import time
from functools import cache


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiaolian.settings")
    import django

    django.setup()


@cache
def _keys(name: str) -> tuple[str, str, str]:
    from qiaolian.core.text import initials_key, pinyin_key, search_key

    return search_key(name)[:60], pinyin_key(name)[:200], initials_key(name)[:60]


def fill(persons: int, *, write) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from qiaolian.activities import services as activity_services
    from qiaolian.casework import services as case_services
    from qiaolian.demo.names import full_name
    from qiaolian.enterprises import services as enterprise_services
    from qiaolian.registry.models import Person
    from qiaolian.testing import build_jinshan

    rng = random.Random(2017)
    js = build_jinshan()
    towns = [js.zhujing, js.shihua, js.zhujing_village]
    t0 = time.perf_counter()
    batch: list[Person] = []
    for i in range(persons):
        male = rng.random() < 0.5
        name = full_name(rng, male=male, birth_year=rng.randint(1930, 2010))
        key, pinyin, initials = _keys(name)
        batch.append(
            Person(
                federation=towns[i % 3],
                name=name,
                name_key=key,
                name_pinyin=pinyin,
                name_initials=initials,
                category="relative",
                phone=f"+86139{i:08d}" if i % 1000 == 0 else None,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Person.objects.bulk_create(batch)
            batch = []
            if (i + 1) % 100_000 == 0:
                write(f"  {i + 1:,} persons, {time.perf_counter() - t0:.0f} s")
    if batch:
        Person.objects.bulk_create(batch)
    admin = js.user("admin")
    words = ["精密机械", "食品", "新材料", "纺织", "电子科技", "贸易", "生物医药", "农业发展"]
    for i in range(300):
        town = towns[i % 3]
        enterprise_services.enterprise_create(
            actor=admin,
            data={
                "federation": town,
                "name": f"上海{rng.choice(words)}{i}有限公司",
                "investor_type": "overseas",
                "industry": "heavy",
            },
        )
        case_services.case_open(
            actor=js.user("zhujing" if town != js.shihua else "shihua"),
            data={
                "type": "consultation",
                "federation": js.zhujing if town != js.shihua else js.shihua,
                "title": f"{rng.choice(['侨房', '出入境', '子女入学', '养老'])}政策咨询{i}",
                "description": "咨询",
                "channel": "visit",
                "received_on": dt.date(2024, 5, 1),
                "requester_name": "陈国华",
                "consultation_topic": "policy",
            },
        )
        start = timezone.make_aware(dt.datetime(2024, 3, 1, 9)) + dt.timedelta(days=i)
        activity_services.activity_create(
            actor=admin,
            data={
                "federation": town,
                "title": f"{rng.choice(['侨法宣传', '侨心向党', '新侨沙龙'])}活动{i}",
                "kind": "law",
                "project": "huiqiao",
                "mode": "offline",
                "place": "社区活动室",
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=2),
            },
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    write(f"filled in {time.perf_counter() - t0:.0f} s")


QUERIES = {
    "one Chinese character": ["张", "伟", "芳", "鑫", "瑾"],
    "two Chinese characters": ["张伟", "建国", "秀英", "美华", "子轩", "卫东", "欣怡", "无名"],
    "three Chinese characters": ["张建国", "陈美玲", "王秀英", "沈卫东", "顾子轩", "徐无名氏"],
    "traditional": ["陳美玲", "張建國", "顧子軒"],
    "full pinyin": ["zhangjianguo", "chenmeiling", "wangxiu", "shenweidong", "xyzxyz"],
    "initials": ["zjg", "cml", "wxy", "zw", "sw"],
    "ID number": ["31022819600301123x", "310228196003011234"],
    "phone": ["+86 139 0000 1000", "13900500000", "13912345678"],
    "titles": ["精密机械", "政策咨询", "侨法宣传", "qiaofa"],
}


def measure(*, repeats: int, write) -> dict:
    from qiaolian.accounts.models import User
    from qiaolian.search.selectors import search

    results = {}
    for username in ("staff", "zhujing"):
        user = User.objects.get(username=username)
        for label, queries in QUERIES.items():
            times = []
            for _ in range(repeats):
                for query in queries:
                    fresh = User.objects.get(pk=user.pk)  # a request's user: scope resolved anew
                    t = time.perf_counter()
                    search(user=fresh, query=query)
                    times.append((time.perf_counter() - t) * 1000)
            times.sort()
            row = {
                "p50": statistics.median(times),
                "p95": times[math.ceil(len(times) * 0.95) - 1],
                "max": times[-1],
            }
            results[(username, label)] = row
            write(
                f"{username:8} {label:26} p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  max {row['max']:6.1f} ms"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database", default="qiaolian_search_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    _setup()
    from qiaolian.bench.runner import use_database

    created = use_database(args.database, reuse=args.reuse, write=print)
    from qiaolian.registry.models import Person

    if created or not Person.objects.exists():
        fill(args.persons, write=print)
    measure(repeats=args.repeats, write=print)


if __name__ == "__main__":
    main()
