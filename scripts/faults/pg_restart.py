#!/usr/bin/env python3
"""Restart PostgreSQL under traffic and count what the users saw (docs/faults.md).

    .venv/bin/python scripts/faults/pg_restart.py [--db NAME] [--port 8791] [--before 5] [--after 20]

Creates a scratch database (dropped at the end unless --keep-db), migrates it, runs a real
``qiaolian serve`` (gunicorn + worker) on it, sends requests in a loop from two threads (/readyz and
a portal page that reads the database), runs ``pg_ctlcluster <version> main restart`` after
--before seconds, goes on for --after seconds, then prints the counts of 200 / 503 / other and the
time until the requests succeeded again. Needs root (pg_ctlcluster) and a local PostgreSQL whose
user ``postgres`` may connect without a password. It restarts the whole server: every other
client of it loses its connections for a few seconds."""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PATHS = ["/readyz", "/zh-hans/"]


def admin(sql: str) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


def get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return str(response.status)
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        return f"{error.code}" + ("" if error.code != 500 or "Traceback" not in body else " traceback")
    except Exception as error:  # refused, reset, timed out
        return f"error ({type(error).__name__})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="qiaolian_faults_restart")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--before", type=float, default=5, help="seconds of traffic before the restart")
    parser.add_argument("--after", type=float, default=20, help="seconds of traffic after the restart began")
    parser.add_argument("--keep-db", action="store_true", help="keep the scratch database at the end")
    parser.add_argument("--reuse-db", action="store_true", help="use the kept scratch database as it is")
    parser.add_argument(
        "--dry-run", action="store_true", help="terminate the scratch database's connections instead of a restart"
    )
    args = parser.parse_args()

    version = sorted(os.listdir("/etc/postgresql"), key=float)[-1]
    var = Path(tempfile.mkdtemp(prefix="qiaolian-faults-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "QIAOLIAN_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "qiaolian.settings",
        "GUNICORN_CMD_ARGS": "--timeout 30 --graceful-timeout 5",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    print(f"PostgreSQL {version}; scratch database {args.db}; files in {var}", flush=True)
    if not args.reuse_db:
        admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        locale = "ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        admin(f'CREATE DATABASE "{args.db}" TEMPLATE template0 {locale}')
        started = time.monotonic()
        subprocess.run([python, "-m", "qiaolian", "migrate"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"migrated in {time.monotonic() - started:.0f} s", flush=True)

    log = open(var / "serve.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    serve = subprocess.Popen(
        [python, "-m", "qiaolian", "serve", "--port", str(args.port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 120
        while get(base + "/readyz") != "200":
            if time.monotonic() > deadline or serve.poll() is not None:
                print((var / "serve.log").read_text(errors="replace")[-3000:])
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        for path in PATHS:  # warm up: the first request of each gunicorn worker imports a lot
            for _ in range(4):
                get(base + path)

        results: list[tuple[float, str, str]] = []
        stop = threading.Event()

        def traffic(path: str) -> None:
            while not stop.is_set():
                at = time.monotonic()
                results.append((at, path, get(base + path)))
                time.sleep(0.05)

        threads = [threading.Thread(target=traffic, args=(path,)) for path in PATHS]
        for thread in threads:
            thread.start()
        time.sleep(args.before)
        restart_at = time.monotonic()
        if args.dry_run:
            admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{args.db}'")
        else:
            subprocess.run(["pg_ctlcluster", version, "main", "restart"], check=True)
        restarted_at = time.monotonic()
        time.sleep(max(0, args.after - (restarted_at - restart_at)))
        stop.set()
        for thread in threads:
            thread.join()
        alive = serve.poll() is None
        worker_children = subprocess.run(
            ["pgrep", "-f", "-P", str(serve.pid), "qiaolian worker"], capture_output=True, text=True
        ).stdout.split()
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=40)
            except subprocess.TimeoutExpired:
                serve.kill()
        if not args.keep_db:
            admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')

    counts = collections.Counter(status for _at, _path, status in results)
    by_path = {path: collections.Counter(s for _a, p, s in results if p == path) for path in PATHS}
    failures = [at for at, _path, status in results if status != "200"]
    print()
    what = "terminating the connections (--dry-run)" if args.dry_run else f"pg_ctlcluster {version} main restart"
    print(f"{what} took {restarted_at - restart_at:.1f} s")
    print(f"requests: {len(results)} in {args.before + args.after:.0f} s")
    for status, count in sorted(counts.items()):
        print(f"  {status:<28} {count}")
    for path, path_counts in by_path.items():
        print(f"  {path:<12} " + ", ".join(f"{s}: {n}" for s, n in sorted(path_counts.items())))
    if failures:
        last = max(failures)
        recovered = min((at for at, _p, status in results if at > last and status == "200"), default=None)
        first = min(failures)
        print(f"failures from {first - restart_at:+.1f} s to {last - restart_at:+.1f} s after the restart began")
        if recovered is not None:
            print(f"time to recover (restart began → requests succeed again): {recovered - restart_at:.1f} s")
        else:
            print("did not recover")
    else:
        print("no request failed")
    print(f"qiaolian serve still running after the restart: {'yes' if alive else 'NO'}")
    print(f"its background worker still running: {'yes' if worker_children else 'NO'}")
    tracebacks = counts.get("500 traceback", 0)
    other = sum(n for s, n in counts.items() if s not in ("200", "503"))
    print(f"500 pages with a traceback: {tracebacks}; answers other than 200/503: {other}")
    for line in (var / "serve.log").read_text(errors="replace").splitlines():
        if "database unavailable" in line or "interrupted job" in line:
            print(f"  log: {line}")
    return 0 if alive and worker_children and other == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
