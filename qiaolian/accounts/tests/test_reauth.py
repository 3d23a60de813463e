"""Re-authentication ("sudo mode"): exports and reveals of personal data ask for the password
(and code) again once the last confirmation is older than QIAOLIAN_REAUTH_MINUTES."""

import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qiaolian.accounts.reauth import REAUTH_KEY, RecentAuthRequiredMixin
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.tests.test_matrix import ROLES, ROUTES, _records, _url
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db

CONFIRM = reverse("accounts:confirm")
# The views that export personal data or reveal a protected field (issue 8).
GUARDED_VIEWS = {
    "PersonExportView",
    "PersonRevealView",
    "EnterpriseExportView",
    "EnterpriseRevealView",
    "CaseRevealView",
    "SheetView",
    "ContestExportView",
    "EntryExportView",
    "ProjectExportView",
}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), getattr(p.callback, "view_class", None)


def guarded_routes() -> dict[str, str]:
    return {
        name: cls.__name__
        for name, cls in _walk(get_resolver().url_patterns)
        if cls is not None and issubclass(cls, RecentAuthRequiredMixin) and not name.startswith("accounts:")
    }


def make_stale(client) -> None:
    session = client.session
    session[REAUTH_KEY] = int(time.time()) - 11 * 60
    session.save()


def test_every_export_and_reveal_view_asks_for_recent_authentication():
    found = set(guarded_routes().values())
    assert found >= GUARDED_VIEWS, f"without RecentAuthRequiredMixin: {sorted(GUARDED_VIEWS - found)}"


def test_stale_session_is_sent_to_the_confirm_page_on_every_guarded_route(jinshan):
    records = _records(jinshan, jinshan.zhujing, "朱泾")
    failures = []
    for name in sorted(guarded_routes()):
        route = ROUTES[name]
        user = next(
            u
            for u in (jinshan.user(r) for r in ROLES)
            if u.has_perm("accounts.use_staff_site")
            and u.has_perm(route.perm)
            and scope_for(u).allows(jinshan.zhujing.pk)
        )
        client = Client()
        client.force_login(user)
        make_stale(client)
        url = _url(name, route, records)
        response = getattr(client, route.method)(url)
        expected = CONFIRM + (f"?next={quote(url, safe='')}" if route.method == "get" else "")
        if response.status_code != 302 or response["Location"] != expected:
            failures.append(f"{name} as {user.username}: {response.status_code} {response.get('Location')}")
        if route.method == "post":
            htmx = client.post(
                url, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/some/page/?tab=2"}
            )
            if htmx.get("HX-Redirect") != CONFIRM + "?next=%2Fsome%2Fpage%2F%3Ftab%3D2":
                failures.append(f"{name} (htmx): {htmx.status_code} {htmx.get('HX-Redirect')}")
        mark = AuditEntry.objects.filter(action__in=[Action.EXPORT, Action.REVEAL], actor=user)
        if mark.exists():
            failures.append(f"{name}: exported or revealed before confirmation")
    assert not failures, "\n".join(failures)


def test_signing_in_counts_as_a_confirmation(client, jinshan):
    client.post(reverse("accounts:login"), {"username": "zhujing", "password": PASSWORD})
    assert client.get(reverse("registry:person_export")).status_code == 200


def test_confirming_the_password_lets_the_export_through_and_is_audited(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    make_stale(client)
    export = reverse("registry:person_export") + "?q=chen"
    response = client.get(export)
    assert response["Location"] == CONFIRM + "?next=" + quote(export, safe="")

    page = client.get(response["Location"])
    assert page.status_code == 200 and "确认身份" in page.content.decode()
    assert 'name="code"' not in page.content.decode()  # no authenticator, no code

    wrong = client.post(CONFIRM, {"password": "not-it", "next": export})
    assert wrong.status_code == 200 and "密码不正确" in wrong.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, actor_name="zhujing").exists()
    assert client.get(export).status_code == 302

    done = client.post(CONFIRM, {"password": PASSWORD, "next": export})
    assert done["Location"] == export
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor_name="zhujing", data__reauth=True).exists()
    assert client.get(export).status_code == 200


def test_confirm_page_does_not_redirect_off_site(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    done = client.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
    assert done["Location"] == reverse("core:home")


def test_users_with_an_authenticator_confirm_with_a_code_too(client, jinshan):
    from qiaolian.accounts.tests.test_two_factor import code_for, enrol, login, verify

    device, _codes = enrol(jinshan.user("zhujing"))
    login(client, "zhujing")
    verify(client, code_for(device, 1))
    make_stale(client)
    page = client.get(CONFIRM).content.decode()
    assert 'name="code"' in page
    refused = client.post(CONFIRM, {"password": PASSWORD, "code": "000000"})
    assert "验证码不正确" in refused.content.decode()
    assert AuditEntry.objects.filter(data__two_factor="code_failed").exists()
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(CONFIRM, {"password": PASSWORD, "code": code_for(device, 1)}).status_code == 302
    assert client.get(reverse("registry:person_export")).status_code == 200


def test_wrong_passwords_on_the_confirm_page_lock_out_and_sign_out(client, jinshan, settings):
    client.force_login(jinshan.user("zhujing"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(CONFIRM, {"password": "wrong"})
    response = client.post(CONFIRM, {"password": "wrong"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
