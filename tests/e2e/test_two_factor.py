"""Two-factor authentication in the browser: an administrator (a role that must use it) enrols
with an authenticator app, signs out, signs in with password + code, and once with a recovery
code. The phone is played by django-otp's TOTP computed from the secret shown on the page."""

import base64
import time

from django_otp.oath import TOTP
from playwright.sync_api import expect

from qiaolian.audit.models import AuditEntry
from qiaolian.testing import PASSWORD


def phone_code(secret_text: str, steps_ahead: int = 0) -> str:
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def sign_out(page):
    page.locator('form[action="/accounts/logout/"] button').first.evaluate("b => b.form.requestSubmit()")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def test_admin_enrols_then_signs_in_with_a_code_and_with_a_recovery_code(
    jinshan, login, live_server, page, results_dir, settings
):
    settings.QIAOLIAN_2FA_ENFORCED_ROLES = ["district_admin", "auditor"]

    # Password accepted: the role must use two-factor authentication, so set-up comes first.
    login("admin")
    expect(page.get_by_role("heading", name="设置两步验证")).to_be_visible()
    expect(page.get_by_text("您的角色必须启用两步验证")).to_be_visible()
    qr = page.locator("img[data-totp-qr]")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI renders under the CSP
    secret = page.locator("[data-totp-secret]").inner_text()
    page.screenshot(path=str(results_dir / "two-factor-setup.png"), full_page=True)

    # Other pages wait until it is done.
    page.goto(f"{live_server.url}/registry/persons/")
    expect(page.get_by_role("heading", name="设置两步验证")).to_be_visible()

    page.get_by_label("6 位验证码").fill(phone_code(secret))
    page.get_by_role("button", name="确认启用").click()
    expect(page.get_by_text("两步验证已启用")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(results_dir / "two-factor-recovery-codes.png"), full_page=True)
    page.get_by_role("link", name="我已保存恢复码，继续").click()
    expect(page.get_by_role("link", name="侨情人员")).to_be_visible()  # on to where the sign-in was going
    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_text("剩余恢复码：10 个")).to_be_visible()

    # Signing in again: password, then the code from the phone.
    sign_out(page)
    login("admin")
    expect(page.get_by_role("heading", name="两步验证")).to_be_visible()
    page.screenshot(path=str(results_dir / "two-factor-verify.png"), full_page=True)
    page.get_by_label("验证码").fill(phone_code(secret, steps_ahead=1))  # the enrolment used this period's
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("link", name="侨情人员")).to_be_visible()
    assert page.url.rstrip("/") == live_server.url

    # A wrong code is refused with a message.
    sign_out(page)
    login("admin")
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码不正确或已使用")).to_be_visible()

    # The phone is not at hand: a recovery code, once.
    page.get_by_label("验证码").fill(codes[3])
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("link", name="侨情人员")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/two-factor/")
    expect(page.get_by_text("剩余恢复码：9 个")).to_be_visible()

    sign_out(page)
    login("admin", PASSWORD)
    page.get_by_label("验证码").fill(codes[3])
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("验证码不正确或已使用")).to_be_visible()

    kinds = set(AuditEntry.objects.filter(actor_name="admin").values_list("data__two_factor", flat=True))
    assert {"enrolled", "recovery_code_used", "code_failed"} <= kinds
