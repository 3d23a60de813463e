"""Import throughput on the bench registry: a spreadsheet of new persons through the whole
validation path of the registry import, against PostgreSQL ``COPY`` of the same rows.

The file is written once per run (``Context.import_rows`` rows, default: as many as the bench has
persons) in the import template's columns, with what an office's file holds: names, sex, birth
dates, valid resident ID numbers not in the registry, mobile phones, addresses, categories and
towns by name. Each measurement runs in a child process (fork), so that its memory peak is its
own (``ru_maxrss`` of the child), and inside a transaction that is rolled back, so that the
registry the other measurements read is left as it was:

- ``import_copy``: the floor: ``COPY`` of the CSV into a table of text columns;
- ``import_csv`` / ``import_xlsx``: ``importing.commit_rows``, the import's commit: the file
  read, every row normalized and validated through ``PersonForm``, ID numbers and entry-time
  candidates looked up in the registry a chunk at a time, and each chunk's valid persons
  inserted with ``persons_bulk_create`` (encryption, blind index, search keys) as it is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from qiaolian.bench.measure import Context, NotAvailable, Result, isolated

HEADERS = ("姓名", "性别", "出生日期", "证件号码", "身份类别", "所属侨联", "手机", "住址", "归来国家/地区")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉梅海燕晓东文斌"
CATEGORIES = ("侨眷", "归侨", "港澳同胞眷属", "留学人员家属", "华侨")
COUNTRIES = ("美国", "日本", "新加坡", "澳大利亚", "加拿大", "马来西亚", "")
AREA = "110101"  # 北京东城: no bench person was born there, so every ID number is new


def _resident_id(birth: dt.date, serial: int) -> str:
    from stdnum.cn import ric

    body = f"{AREA}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the digit from a full-length number


def rows(count: int, towns: list[str], *, seed: int = 2017) -> Iterator[tuple[str, ...]]:
    """``count`` rows of new persons; ID numbers are distinct (birth date × serial)."""
    rng = random.Random(seed)
    first = dt.date(1930, 1, 1)
    for i in range(count):
        birth = first + dt.timedelta(days=i % 29_000)
        serial = i // 29_000
        male = serial % 2 == 1
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        category = rng.choice(CATEGORIES)
        country = rng.choice(COUNTRIES[:-1] if category == "归侨" else COUNTRIES)  # 归侨: where from
        yield (
            name,
            "男" if male else "女",
            birth.isoformat() if i % 3 else f"{birth.year}.{birth.month}.{birth.day}",
            _resident_id(birth, serial),
            category,
            towns[i % len(towns)],
            f"139{rng.randrange(10**8):08d}",
            f"金山区朱泾镇东林街{rng.randint(1, 999)}号",
            country,
        )


def _towns() -> list[str]:
    from qiaolian.orgs.models import Federation

    names = list(
        Federation.objects.filter(parent__parent__isnull=True, parent__isnull=False, is_active=True)
        .order_by("pk")
        .values_list("name", flat=True)
    )
    if not names:
        raise NotAvailable("no towns")
    return names


def files(ctx: Context) -> dict[str, Path]:
    """The CSV and the .xlsx of ``ctx.import_rows`` rows, written once per run."""
    if "import_files" in ctx.shared:
        return ctx.shared["import_files"]
    import xlsxwriter

    count = ctx.import_rows
    towns = _towns()
    folder = Path(tempfile.mkdtemp(prefix="qiaolian-bench-import-"))
    csv_path, xlsx_path = folder / "persons.csv", folder / "persons.xlsx"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows(count, towns))
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("人员")
    sheet.write_row(0, 0, HEADERS)
    for n, row in enumerate(rows(count, towns), start=1):
        sheet.write_row(n, 0, row)
    book.close()
    ctx.shared["import_files"] = {"csv": csv_path, "xlsx": xlsx_path}
    return ctx.shared["import_files"]


def _rolled_back(work: Callable[[], dict]) -> dict:
    from django.db import transaction

    with transaction.atomic():
        out = work()
        transaction.set_rollback(True)
    return out


def _fill(result: Result, out: dict, rows_count: int) -> None:
    seconds = out["seconds"]
    result.samples = 1
    result.p50_ms = result.p95_ms = result.max_ms = result.mean_ms = round(seconds * 1000, 1)
    result.maxrss_kb = out["maxrss_kb"]
    result.extra.update({k: v for k, v in out.items() if k not in ("seconds", "maxrss_kb")})
    result.extra["rows"] = rows_count
    result.extra["rows_per_second"] = round(rows_count / seconds) if seconds else None


def measure_copy(ctx: Context, result: Result) -> None:
    """``COPY`` of the CSV into a table of text columns: the floor of getting rows in."""
    path = files(ctx)["csv"]

    def work() -> dict:
        from django.db import connection

        columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE bench_import_copy ({columns})")
            sql = "COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.copy(sql) as copy, path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
        return {"seconds": time.perf_counter() - started}

    _fill(result, isolated(ctx, lambda: _rolled_back(work)), ctx.import_rows)


def import_measurement(kind: str) -> Callable[[Context, Result], None]:
    """The registry import of the ``kind`` ("csv" or "xlsx") file: checked and committed."""

    def run(ctx: Context, result: Result) -> None:
        path = files(ctx)[kind]

        def work() -> dict:
            from qiaolian.accounts.models import User
            from qiaolian.registry import importing

            actor = User.objects.get(username="admin")
            started = time.perf_counter()
            table = importing.read_table(path.read_bytes(), path.name)
            outcome, imported = importing.commit_rows(table=table, actor=actor)  # as the commit does
            return {
                "seconds": time.perf_counter() - started,
                "valid": outcome.valid,
                "invalid": outcome.invalid,
                "duplicates": outcome.duplicates,
                "warned": outcome.warned,
                "imported": imported,
                "file_mb": round(path.stat().st_size / 2**20, 1),
                "first_issues": [
                    f"{number}: {issue.column} {issue.reason}" for (_s, number), issue in outcome.first_issues(5)
                ],
            }

        _fill(result, isolated(ctx, lambda: _rolled_back(work)), ctx.import_rows)

    return run
