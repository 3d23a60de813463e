"""Lock-out with back-off: each lock-out of a user name within 24 hours doubles the cool-off
(15 min, 30, 60 … 24 h), and the locked-out page says when to try again."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiaolian.accounts import lockout
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def lock(client, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, username, "wrong-password").status_code == 200
    return login(client, username, "wrong-password")


def travel(minutes: float) -> None:
    """Move every recorded failure ``minutes`` into the past (as if that much time went by)."""
    delta = dt.timedelta(minutes=minutes)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)
    AccessAttemptExpiration.objects.update(expires_at=F("expires_at") - delta)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - delta)


def test_cool_off_doubles_per_lockout_up_to_a_day():
    minutes = [lockout.cool_off_for_lockouts(n).total_seconds() / 60 for n in (0, 1, 2, 3, 4)]
    assert minutes == [15, 15, 30, 60, 120]
    assert lockout.cool_off_for_lockouts(12) == dt.timedelta(hours=24)


def test_lockouts_are_runs_of_locked_failures_within_24_hours(jinshan):
    now = timezone.now()

    def failure(minutes_ago, locked):
        row = AccessFailureLog.objects.create(
            username="shihua", ip_address="127.0.0.1", user_agent="", http_accept="", path_info="/", locked_out=locked
        )
        # attempt_time is auto_now_add
        AccessFailureLog.objects.filter(pk=row.pk).update(attempt_time=now - dt.timedelta(minutes=minutes_ago))

    for minutes_ago, locked in [(1600, True), (300, False), (299, True), (298, True), (100, False), (99, True)]:
        failure(minutes_ago, locked)
    assert lockout.lockouts_within_window("shihua", now) == 2  # the one 26 hours ago has dropped out
    assert lockout.lockouts_within_window("zhujing", now) == 0


def test_first_lockout_lasts_15_minutes_and_the_page_says_until_when(client, jinshan, settings):
    response = lock(client, "shihua", settings)
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定" in page
    assert "约 15 分钟后" in page
    assert login(client, "shihua").status_code == 429  # the right password does not help now

    travel(16)
    assert login(client, "shihua").status_code == 302


def test_second_lockout_within_a_day_lasts_twice_as_long(client, jinshan, settings):
    assert lock(client, "shihua", settings).status_code == 429
    travel(16)  # the first lock-out is over

    response = lock(client, "shihua", settings)
    assert response.status_code == 429
    assert "约 30 分钟后" in response.content.decode()

    travel(20)  # a first lock-out would be over by now; the second is not
    assert login(Client(), "shihua").status_code == 429
    travel(31)
    assert login(Client(), "shihua").status_code == 302


def test_third_lockout_lasts_an_hour_and_the_administrator_sees_it(client, jinshan, settings):
    for _ in range(2):
        lock(client, "shihua", settings)
        travel(16 * 4)
    response = lock(client, "shihua", settings)
    assert "约 60 分钟后" in response.content.decode()
    expiry = AccessAttemptExpiration.objects.get(access_attempt__username="shihua").expires_at
    assert dt.timedelta(minutes=59) < expiry - timezone.now() <= dt.timedelta(minutes=60)

    travel(40)  # past the base cool-off, still locked: the accounts page still says so
    admin = Client()
    admin.force_login(jinshan.user("admin"))
    detail = admin.get(reverse("accounts:user_detail", args=[jinshan.user("shihua").pk]))
    assert detail.context["failures"].is_locked_out


def test_lockouts_older_than_a_day_do_not_count(client, jinshan, settings):
    lock(client, "shihua", settings)
    travel(25 * 60)
    response = lock(client, "shihua", settings)
    assert "约 15 分钟后" in response.content.decode()
