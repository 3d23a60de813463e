"""Concurrent clients against a real server: the bench's throughput measurements.

A gunicorn server is started on a free loopback port with the bench database (the same WSGI
application and settings as production, ``--workers`` sync processes), and ``clients`` threads
each send requests one after another over a kept-alive connection for ``seconds``. The result is
the latency distribution over every request, the throughput (requests per second over the run),
the count of failed requests (any status but 200, or a broken connection) and the peak resident
memory of each server process (``VmHWM``). The baseline is the same load on ``/healthz``, a view
that does nothing, so the figures show what the page itself costs above Django's own overhead on
the same server.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections

WORKERS = max(2, 2 * (os.cpu_count() or 1))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connections["default"].settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_kb(self) -> dict[str, int]:
        """VmHWM of the master and of each worker process, in KB."""
        found = {}
        for name, pid in [("master", self.process.pid)] + [
            (f"worker {i + 1}", p) for i, p in enumerate(self.worker_pids())
        ]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), None)
            if line:
                found[name] = int(line.split()[1])
        return found


def _answers(port: int) -> bool:
    """Whether every worker has loaded the application: /healthz answers on a few connections."""
    try:
        for _ in range(WORKERS):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/healthz")
            if connection.getresponse().status != 200:
                return False
            connection.close()
    except (OSError, http.client.HTTPException):
        return False
    return True


@contextmanager
def server(*, workers: int = WORKERS):
    """gunicorn serving the bench database on a free loopback port, stopped on exit."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("GUNICORN_CMD_ARGS", None)
    command = [
        sys.executable, "-m", "gunicorn", "qiaolian.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
        "--log-level", "warning", "--preload",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            if _answers(port):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 120 s")
            time.sleep(0.2)
        yield Server(f"127.0.0.1:{port}", process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class LoadResult:
    times: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.times) + self.errors

    @property
    def rps(self) -> float:
        return round(len(self.times) / self.seconds, 1) if self.seconds else 0.0


def load(address: str, path: str, *, clients: int, seconds: float, headers: dict[str, str] | None = None) -> LoadResult:
    """``clients`` threads GET ``path`` back to back for ``seconds``; every latency is kept."""
    host, port = address.rsplit(":", 1)
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Event()
    stop_at: list[float] = []

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        times, errors, first_error = [], 0, ""
        start.wait()
        while time.perf_counter() < stop_at[0]:
            t = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if not ok and not first_error:
                    first_error = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as error:
                ok = False
                first_error = first_error or f"{type(error).__name__}: {error}"
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
            if ok:
                times.append(time.perf_counter() - t)
            else:
                errors += 1
        connection.close()
        with lock:
            result.times.extend(times)
            result.errors += errors
            result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at.append(began + seconds)
    start.set()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def session_cookie(username: str) -> str:
    """A signed-in session for ``username`` in the bench database, as a Cookie header value."""
    from django.test import Client

    from qiaolian.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
