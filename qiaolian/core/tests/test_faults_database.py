"""The database going away under traffic (a PostgreSQL restart): requests during the outage get a
clean 503 page ("数据库暂时不可用，请稍后重试", Retry-After), never a traceback, and the requests
after it succeed with no one doing anything (CONN_HEALTH_CHECKS reconnects).

The outage is made without stopping the shared server: every other connection to the test
database is terminated (pg_terminate_backend) and new ones refused (ALLOW_CONNECTIONS false), as
during a restart, then allowed again. ``scripts/faults/pg_restart.sh`` restarts a real server."""

from __future__ import annotations

import threading
import time
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection, connections
from django.test import Client

from qiaolian.testing import build_jinshan


def test_a_database_error_anywhere_in_the_request_is_a_503_page_not_a_traceback(jinshan):
    client = Client(raise_request_exception=False)
    client.force_login(jinshan.user("zhujing"))
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "数据库暂时不可用，请稍后重试" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_the_api_gets_the_503_as_json(jinshan):
    client = Client(raise_request_exception=False)
    client.force_login(jinshan.user("zhujing"))
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json() == {"detail": "数据库暂时不可用，请稍后重试。"}


class Outage:
    """Cut the test database off as a restart does, from a connection to another database."""

    def __init__(self):
        db = connection.settings_dict
        self.name = db["NAME"]
        self.admin = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def begin(self) -> None:
        name = psycopg.sql.Identifier(self.name)
        self.admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.name],
        )
        # pg_terminate_backend only signals: until the backends are gone, a request that has just
        # started may still be answered by its old connection (a 200 "during" the outage)
        deadline = time.monotonic() + 30
        while self.admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name]).fetchone()[0]:
            assert time.monotonic() < deadline, "the test database's connections did not end"
            time.sleep(0.01)

    def end(self) -> None:
        name = psycopg.sql.Identifier(self.name)
        self.admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))

    def close(self) -> None:
        self.end()
        self.admin.close()


@pytest.fixture
def outage():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    cut = Outage()
    yield cut
    cut.close()
    connections.close_all()  # this thread's connection was cut too: the flush after the test reconnects


def wait_until(condition, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_during_a_database_outage_get_503_and_succeed_again_afterwards(outage):
    js = build_jinshan()
    user = js.user("zhujing")
    page = "/orgs/federations/"
    done: list[tuple[float, float, int, str]] = []  # (started, finished, status, body) of each request
    stop = threading.Event()

    def traffic() -> None:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            while not stop.is_set():
                # what the web server's request_started signal does (the test client skips it):
                # a connection that failed is closed, a kept one is health-checked at first use
                close_old_connections()
                started = time.monotonic()
                response = client.get(page)
                body = response.content.decode(errors="replace")
                done.append((started, time.monotonic(), response.status_code, body))
        finally:
            connections.close_all()

    def answered_since(moment: float) -> list[tuple[float, float, int, str]]:
        return [r for r in list(done) if r[0] > moment]

    thread = threading.Thread(target=traffic)
    thread.start()
    try:
        wait_until(lambda: len(done) >= 2)
        outage.begin()  # returns once no connection to the test database is left
        began = time.monotonic()
        wait_until(lambda: len(answered_since(began)) >= 3)  # requests made while the database is away
        ended = time.monotonic()
        outage.end()
        wait_until(lambda: len(answered_since(ended)) >= 3)
    finally:
        stop.set()
        thread.join(timeout=60)
        outage.end()

    timeline = [(round(start - began, 2), status) for start, _end, status, _body in done]
    assert {status for _s, _e, status, _b in done} <= {200, 503}, timeline
    during = [(status, body) for start, end, status, body in done if start > began and end < ended]
    assert during and all(status == 503 for status, _body in during), timeline
    assert all("数据库暂时不可用，请稍后重试" in body and "Traceback" not in body for _status, body in during)
    after = [status for start, _end, status, _body in done if start > ended]
    assert after and set(after) == {200}, timeline
    # and in this thread too, without anyone reconnecting by hand
    close_old_connections()
    client = Client()
    client.force_login(user)
    assert client.get(page).status_code == 200
