"""The bench run: a separate database, generated data, measurements, results as JSON and Markdown.

The bench never touches the application's own database: it creates (or, with ``reuse``, keeps)
a database of its own on the same PostgreSQL server, points Django's default connection at it
for the rest of the process, migrates it, generates into it unless it already holds a
generation, measures, and writes the results.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

from qiaolian.bench import measure, summary
from qiaolian.bench.generate import Generator, last_generation

RESULTS_VERSION = 1


class BenchError(Exception):
    pass


@dataclass
class Options:
    persons: int = 1_000_000
    participations: float = 5.0
    database: str = "qiaolian_bench"
    keep: bool = False
    reuse: bool = False
    only: list[str] | None = None
    output: Path | None = None
    summary: Path | None = None
    seed: int = 2017
    demo_scale: float = 0.03
    requests: int = 30
    repeats: int = 3
    import_rows: int = 100_000  # rows of the spreadsheet the import measurements read
    extra: dict = field(default_factory=dict)


# The database ---------------------------------------------------------------------------------


def _admin_connection():
    import psycopg

    s = connections["default"].settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or "postgres",
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )


def use_database(name: str, *, reuse: bool, write: Callable[[str], None]) -> bool:
    """Point the default connection at the bench database, creating it unless ``reuse`` finds it;
    True when it was (re)created. The database named by DATABASE_URL is never dropped."""
    if connection.vendor != "postgresql":
        raise BenchError("qiaolian bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    own = connections["default"].settings_dict["NAME"]
    if name == own and not reuse:
        raise BenchError(f"{name!r} is the application's own database (DATABASE_URL): choose another --database")
    with _admin_connection() as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        created = False
        if exists and not reuse:
            write(f"dropping the old bench database {name}")
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            write(f"creating the bench database {name}")
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')
            created = True
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    from django.core.management import call_command

    write("migrating …")
    call_command("migrate", interactive=False, verbosity=0)
    return created


def drop_database(name: str, write: Callable[[str], None]) -> None:
    connections["default"].close()
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    write(f"dropped the bench database {name}")


# Facts about the machine ----------------------------------------------------------------------


def machine() -> dict:
    facts: dict = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kb = int(next(line for line in meminfo.splitlines() if line.startswith("MemTotal")).split()[1])
        facts["ram_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        facts["ram_gb"] = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        facts["cpu"] = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line)
    except (OSError, StopIteration):
        facts["cpu"] = platform.processor()
    import django

    facts["django"] = django.get_version()
    with connection.cursor() as cursor:
        for name in (
            "server_version",
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_parallel_workers_per_gather",
        ):
            cursor.execute(f"SHOW {name}")
            facts[f"postgresql_{name}" if name != "server_version" else "postgresql"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        facts["database_size_mb"] = round(cursor.fetchone()[0] / 1024 / 1024)
    return facts


# The run ----------------------------------------------------------------------------------------


def run(options: Options, *, write: Callable[[str], None] | None = None) -> dict:
    write = write or (lambda s: None)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    created = use_database(options.database, reuse=options.reuse, write=write)
    generation = None if created else last_generation()
    if generation is None:
        write(f"generating {options.persons:,} persons, {options.participations:g} participations each …")
        Generator(
            persons=options.persons,
            participations=options.participations,
            seed=options.seed,
            demo_scale=options.demo_scale,
            write=write,
        ).run()
        from qiaolian.search.keys import title_keys_rebuild

        title_keys_rebuild()  # COPY bypasses the signals that keep case and activity titles searchable
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # visibility map for index-only scans, fresh statistics
        write(f"VACUUM (ANALYZE) {time.perf_counter() - t:.1f} s")
        generation = last_generation()
        generation["reused"] = False
    else:
        generation["reused"] = True
        write(f"reusing the generation of {generation['generated_at']} ({generation['persons']:,} persons)")
    ctx = measure.Context(requests=options.requests, repeats=options.repeats, import_rows=options.import_rows)
    results = measure.run_measurements(only=options.only, ctx=ctx, write=write)
    document = build_document(options, generation, results, started=started, seconds=time.perf_counter() - t0)
    if options.output:
        write_json(document, options.output)
        write(f"results: {options.output}")
    if options.summary:
        shown = options.output
        if shown is not None and shown.is_relative_to(options.summary.parent.parent):
            shown = shown.relative_to(options.summary.parent.parent)  # docs/performance.md → repo-relative
        summary.write_summary(options.summary, document, results_path=shown)
        write(f"summary: {options.summary}")
    if not options.keep:
        drop_database(options.database, write)
    return document


def build_document(options: Options, generation: dict, results: list, *, started, seconds: float) -> dict:
    targets = [
        {
            "measurement": r.name,
            "title": r.title,
            "target": r.target["label"],
            "metric": r.target["metric"],
            "limit": r.target["limit"],
            "value": measure.metric_value(r, r.target["metric"]) if r.status == "ok" else None,
            "status": r.status,
            "passed": r.passed,
        }
        for r in results
        if r.target
    ]
    persons = generation.get("parameters", {}).get("persons", options.persons)
    return {
        "version": RESULTS_VERSION,
        "suite": "reports",
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": machine(),
        "parameters": {
            "persons": persons,
            "participations": generation.get("parameters", {}).get("participations", options.participations),
            "database": options.database,
            "seed": generation.get("parameters", {}).get("seed", options.seed),
            "demo_scale": generation.get("parameters", {}).get("demo_scale", options.demo_scale),
            "requests": options.requests,
            "repeats": options.repeats,
            "import_rows": options.import_rows,
            "settings": settings.SETTINGS_MODULE,
        },
        "generation": generation,
        "row_counts": generation.get("counts", {}),
        "measurements": [r.as_dict() for r in results],
        "targets": targets,
    }


def write_json(document: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
