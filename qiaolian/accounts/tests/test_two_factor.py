"""Two-factor authentication (django-otp): the code step of signing in, recovery codes,
enrolment (enforced for administrators and auditors), turning it off, the administrator's reset,
the audit trail and the lock-out after wrong codes."""

import re
import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiaolian.accounts import two_factor
from qiaolian.accounts.views_two_factor import PENDING_KEY
from qiaolian.audit.models import Action, AuditEntry
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db

ENFORCED = override_settings(QIAOLIAN_2FA_ENFORCED_ROLES=["district_admin", "auditor"])


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.setup_device(user)
    codes = two_factor.two_factor_enrol(user=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def verify(client, code):
    return client.post(reverse("accounts:two_factor_verify"), {"code": code})


def two_factor_entries(kind):
    return AuditEntry.objects.filter(data__two_factor=kind)


def test_user_with_an_authenticator_is_signed_in_only_after_the_code(client, jinshan):
    user = jinshan.user("zhujing")
    device, _codes = enrol(user)
    response = login(client, "zhujing", next="/registry/persons/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor_verify")
    # not signed in yet: the staff site still sends the browser to the login page
    assert reverse("accounts:login") in client.get(reverse("core:home"))["Location"]
    assert not AuditEntry.objects.filter(action=Action.LOGIN, actor_name="zhujing").exists()

    page = client.get(reverse("accounts:two_factor_verify"))
    assert "两步验证" in page.content.decode() and "6 位验证码" in page.content.decode()

    response = verify(client, code_for(device, 1))
    assert response.status_code == 302 and response["Location"] == "/registry/persons/"
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor_name="zhujing").exists()


def test_a_recovery_code_signs_in_once_and_is_audited(client, jinshan):
    _device, codes = enrol(jinshan.user("zhujing"))
    assert len(codes) == 10 and len(set(codes)) == 10
    login(client, "zhujing")
    assert verify(client, codes[0].upper()).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    entry = two_factor_entries("recovery_code_used").get()
    assert entry.data["recovery_codes_left"] == 9 and entry.actor_name == "zhujing"

    other = Client()
    login(other, "zhujing")
    response = verify(other, codes[0])
    assert response.status_code == 200 and "验证码不正确或已使用" in response.content.decode()


def test_wrong_codes_are_audited_and_lock_the_account_out_like_wrong_passwords(client, jinshan, settings):
    _device, _codes = enrol(jinshan.user("zhujing"))
    login(client, "zhujing")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert verify(client, "000000").status_code == 200
    response = verify(client, "000000")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode() and "约 15 分钟后" in response.content.decode()
    failed = two_factor_entries("code_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert all(e.action == Action.LOGIN_FAILED for e in failed)
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, actor_name="zhujing").exists()
    # the half-signed-in session is gone, and the password alone no longer helps either
    assert PENDING_KEY not in client.session
    assert login(client, "zhujing").status_code == 429


def test_the_code_step_expires(client, jinshan):
    device, _codes = enrol(jinshan.user("zhujing"))
    login(client, "zhujing")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 10 * 60}
    session.save()
    response = verify(client, code_for(device, 1))
    assert response["Location"] == reverse("accounts:login")
    assert reverse("accounts:login") in client.get(reverse("core:home"))["Location"]


def test_users_without_an_authenticator_sign_in_with_the_password_alone(client, jinshan):
    assert login(client, "zhujing").status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@ENFORCED
def test_enforced_administrator_must_enrol_before_using_the_site(client, jinshan):
    assert login(client, "admin")["Location"].startswith(reverse("accounts:two_factor_setup"))
    held = client.get(reverse("registry:person_list"))
    assert held.status_code == 302 and held["Location"].startswith(reverse("accounts:two_factor_setup"))
    htmx = client.get(reverse("registry:person_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(reverse("accounts:two_factor_setup"))

    page = client.get(reverse("accounts:two_factor_setup"))
    body = page.content.decode()
    assert page.status_code == 200 and "设置两步验证" in body
    assert re.search(r'<img src="data:image/svg\+xml[^"]+"[^>]*data-totp-qr', body)
    device = TOTPDevice.objects.get(user=jinshan.user("admin"), confirmed=False)
    assert two_factor.secret_text(device) in body
    # no inline script: every <script> has a src, or is JSON data
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    device.throttle_reset()
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(device)})
    codes = re.findall(r'<code class="fs-3">([a-z2-7]{8})</code>', done.content.decode())
    assert len(codes) == 10 and "恢复码只显示这一次" in done.content.decode()
    assert set(StaticToken.objects.filter(device__user__username="admin").values_list("token", flat=True)) == set(codes)
    assert two_factor_entries("enrolled").get().actor_name == "admin"
    assert client.get(reverse("registry:person_list")).status_code == 200


@ENFORCED
def test_enforced_session_made_without_the_login_page_is_held_too(client, jinshan):
    client.force_login(jinshan.user("auditor"))
    assert client.get(reverse("audit:entry_list"))["Location"].startswith(reverse("accounts:two_factor_setup"))
    client.force_login(jinshan.user("zhujing"))  # not an enforced role
    assert client.get(reverse("core:home")).status_code == 200


def test_a_session_of_a_user_with_an_authenticator_must_be_verified(client, jinshan):
    device, _codes = enrol(jinshan.user("staff"))
    client.force_login(jinshan.user("staff"))
    response = client.get(reverse("registry:person_list"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert verify(client, code_for(device, 1)).status_code == 302
    assert client.get(reverse("registry:person_list")).status_code == 200


@override_settings(QIAOLIAN_2FA_ENFORCED_ROLES=["admin"])
def test_enforced_roles_accept_the_short_name_admin(jinshan):
    assert two_factor.is_enforced(jinshan.user("admin"))
    assert not two_factor.is_enforced(jinshan.user("auditor"))
    assert not two_factor.is_enforced(jinshan.user("public"))


def test_own_page_turns_two_factor_off_and_on_again(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "未启用" in page and reverse("accounts:two_factor_setup") in page
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="zhujing", confirmed=False)
    client.post(reverse("accounts:two_factor_setup"), {"code": code_for(device)})
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "已启用" in page and "剩余恢复码：10 个" in page

    response = client.post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="zhujing").exists()
    assert not StaticToken.objects.filter(device__user__username="zhujing").exists()
    assert two_factor_entries("disabled").get().actor_name == "zhujing"


@ENFORCED
def test_enforced_roles_cannot_turn_it_off_but_can_renew_recovery_codes(client, jinshan):
    admin = jinshan.user("admin")
    device, old_codes = enrol(admin)
    login(client, "admin")
    verify(client, code_for(device, 1))
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert reverse("accounts:two_factor_disable") not in page and "不能关闭" in page
    client.post(reverse("accounts:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()

    renewed = client.post(reverse("accounts:two_factor_recovery_codes")).content.decode()
    new_codes = re.findall(r'<code class="fs-3">([a-z2-7]{8})</code>', renewed)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert two_factor_entries("recovery_codes_regenerated").exists()
    other = Client()
    login(other, "admin")
    assert verify(other, new_codes[1]).status_code == 302
    third = Client()
    login(third, "admin")
    assert verify(third, old_codes[1]).status_code == 200  # refused


def test_administrator_resets_a_users_two_factor_from_the_account_page(client, jinshan):
    target = jinshan.user("zhujing")
    enrol(target)
    client.force_login(jinshan.user("admin"))
    url = reverse("accounts:user_two_factor_reset", args=[target.pk])
    page = client.get(reverse("accounts:user_detail", args=[target.pk])).content.decode()
    assert "已启用" in page and url in page

    response = client.post(url, follow=True)
    assert "已重置" in response.content.decode()
    assert not two_factor.has_two_factor(target)
    entry = two_factor_entries("reset_by_administrator").get()
    assert entry.actor_name == "admin" and entry.target_id == str(target.pk)
    # the user signs in with the password alone again
    assert login(Client(), "zhujing")["Location"] == reverse("core:home")


def test_only_account_managers_reset_two_factor(client, jinshan):
    target = jinshan.user("zhujing")
    enrol(target)
    client.force_login(jinshan.user("staff"))
    assert client.post(reverse("accounts:user_two_factor_reset", args=[target.pk])).status_code == 403
    assert two_factor.has_two_factor(target)
