"""The bench's concurrent-clients measurement against a real gunicorn server of the test database
(PostgreSQL: the server is another process, so the data must be committed). No timing is asserted."""

from __future__ import annotations

import pytest
from django.db import connection

from qiaolian.bench import load

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the server connects to PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_clients_reach_a_served_page_as_a_signed_in_user(jinshan):
    cookie = load.session_cookie(jinshan.user("admin").username)
    with load.server(workers=2) as server:
        health = load.load(server.url, "/healthz", clients=3, seconds=1)
        page = load.load(server.url, "/", clients=2, seconds=1, headers={"Cookie": cookie})
        anonymous = load.load(server.url, "/", clients=1, seconds=0.5)
        memory = server.peak_rss_kb()
    assert health.requests > 0 and health.errors == 0 and health.rps > 0
    assert len(health.times) == health.requests
    assert page.errors == 0 and page.times, page.first_error  # the signed-in home page answers 200
    assert anonymous.errors == anonymous.requests > 0 and anonymous.first_error == "HTTP 302"  # to the login page
    assert memory["master"] > 0 and any(name.startswith("worker") for name in memory)
