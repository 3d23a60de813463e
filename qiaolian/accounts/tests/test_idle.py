"""Idle sign-out: a staff session ends after QIAOLIAN_IDLE_MINUTES without requests. Time
travel: the session's last-activity stamp is moved into the past."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse

from qiaolian.accounts.middleware import LAST_ACTIVITY_KEY
from qiaolian.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

MESSAGE = "长时间未操作，已自动退出，请重新登录"


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time() - minutes * 60)
    session.save()


def test_staff_session_ends_after_30_idle_minutes_with_a_message(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("core:home")).status_code == 200
    idle_for(client, 31)
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fregistry%2Fpersons%2F"
    page = client.get(response["Location"])
    assert MESSAGE in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor_name="zhujing").exists()
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:login"))


def test_requests_keep_the_session_alive(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    idle_for(client, 29)
    assert client.get(reverse("core:home")).status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5  # the stamp moved on
    idle_for(client, 29)
    assert client.get(reverse("core:home")).status_code == 200


def test_htmx_requests_get_hx_redirect_to_the_login_page(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    idle_for(client, 45)
    response = client.get(
        reverse("registry:person_list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/registry/persons/?q=chen"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("accounts:login") + "?next=%2Fregistry%2Fpersons%2F%3Fq%3Dchen"
    assert "_auth_user_id" not in client.session


@override_settings(QIAOLIAN_IDLE_MINUTES=5)
def test_the_limit_comes_from_the_setting(client, jinshan):
    client.force_login(jinshan.user("staff"))
    idle_for(client, 6)
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("accounts:login"))


def test_public_portal_users_are_not_signed_out(client, jinshan):
    client.force_login(jinshan.user("public"))
    idle_for(client, 120)
    assert client.get("/zh-hans/").status_code == 200
    assert "_auth_user_id" in client.session


def test_signing_in_starts_the_clock(client, jinshan):
    from qiaolian.testing import PASSWORD

    client.post(reverse("accounts:login"), {"username": "zhujing", "password": PASSWORD})
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5
