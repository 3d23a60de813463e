"""Portal accounts: sign-up with consent, verification codes, login and its limits, password
reset, re-consent after a new privacy notice, the language kept per user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone, translation

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import AuditEntry
from qiaolian.portal import senders, services
from qiaolian.portal.models import Consent, PortalProfile, PrivacyNotice, VerificationCode
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Jinshan-harbour-2026"


@pytest.fixture(autouse=True)
def _outbox():
    senders.OUTBOX.clear()
    yield
    senders.OUTBOX.clear()


def url(name: str, *args, language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def signup_data(**overrides) -> dict:
    notice = services.current_notice()
    data = {
        "contact": "lin.hui@example.com",
        "display_name": "林慧",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "birth_date": "",
        "country": "AU",
        "city": "悉尼",
        "federation": "",
        "accept_privacy": "on",
        "notice_version": notice.version,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def last_code() -> str:
    return senders.OUTBOX[-1]["code"]


def sign_up(client, language: str = "zh-hans", **overrides):
    return client.post(url("portal:signup", language=language), signup_data(**overrides))


def login(client, contact="lin.hui@example.com", password=GOOD_PASSWORD, language="zh-hans", **extra):
    return client.post(url("portal:login", language=language), {"contact": contact, "password": password, **extra})


# Sign-up, verification, login ---------------------------------------------------------------


def test_sign_up_with_email_verify_and_log_in(client, jinshan):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == url("portal:verify")
    user = User.objects.get(email="lin.hui@example.com")
    assert user.role == Role.PUBLIC and not user.is_active
    assert senders.OUTBOX[-1]["to"] == "lin.hui@example.com" and len(last_code()) == 6
    # only the code's hash is kept
    stored = VerificationCode.objects.get(user=user)
    assert last_code() not in stored.digest and stored.expires_at > timezone.now() + dt.timedelta(minutes=14)
    # not verified yet: login sends the user to the verification page
    response = login(client)
    assert response.status_code == 302 and response["Location"] == url("portal:verify")
    assert "_auth_user_id" not in client.session
    response = client.post(url("portal:verify"), {"code": last_code()})
    assert response.status_code == 302 and response["Location"] == url("portal:login")
    user.refresh_from_db()
    assert user.is_active and user.portal_profile.contact_verified_at is not None
    response = login(client)
    assert response.status_code == 302 and response["Location"] in (url("portal:home"), "/zh-hans/my/")
    assert client.session["_auth_user_id"] == str(user.pk)
    actions = list(
        AuditEntry.objects.filter(target_type="accounts.user", target_id=str(user.pk)).values_list("action", flat=True)
    )
    assert {"create", "change", "login"} <= set(actions)
    signup_entry = AuditEntry.objects.get(target_id=str(user.pk), action="create")
    assert signup_entry.data["notice"] == "1.0" and "lin.hui" not in str(signup_entry.data)


def test_consent_row_has_notice_version_time_and_address(client, jinshan):
    before = timezone.now()
    client.post(url("portal:signup"), signup_data(), REMOTE_ADDR="203.0.113.7")
    user = User.objects.get(email="lin.hui@example.com")
    consent = Consent.objects.get(user=user)
    assert consent.purpose == "privacy" and consent.notice.version == "1.0"
    assert consent.given_at >= before and consent.given_by == "林慧" and not consent.separate
    assert consent.ip_address == "203.0.113.7"


def test_privacy_box_is_required_and_never_pre_ticked(client, jinshan):
    page = client.get(url("portal:signup")).content.decode()
    box = page.split('name="accept_privacy"')[1].split(">")[0]
    assert "checked" not in box
    response = sign_up(client, accept_privacy=None)
    assert response.status_code == 200 and "请阅读并同意隐私政策" in response.content.decode()
    assert not User.objects.filter(email="lin.hui@example.com").exists()


def test_sign_up_page_shows_the_notice_in_the_readers_language(client, jinshan):
    assert "Privacy Notice of the Jinshan" in client.get(url("portal:signup", language="en")).content.decode()
    assert "隱私政策" in client.get(url("portal:signup", language="zh-hant")).content.decode()


def test_sign_up_with_a_chinese_mobile_number_and_an_overseas_one(client, jinshan):
    sign_up(client, contact="139 1234 5678")
    profile = PortalProfile.objects.get(user__display_name="林慧")
    assert profile.phone.reveal() == "+8613912345678" and profile.user.email == ""
    assert senders.OUTBOX[-1] == {**senders.OUTBOX[-1], "channel": "sms", "to": "+8613912345678"}
    client.post(url("portal:verify"), {"code": last_code()})
    assert login(client, contact="13912345678").status_code == 302
    client.logout()
    sign_up(client, contact="+61 412 345 678", display_name="Mia Chen")
    assert PortalProfile.objects.get(user__display_name="Mia Chen").phone.reveal() == "+61412345678"
    # the same number cannot be registered twice
    response = sign_up(client, contact="+8613912345678", display_name="x")
    assert response.status_code == 200 and "已注册" in response.content.decode()


def test_weak_password_and_mismatch_are_refused(client, jinshan):
    response = sign_up(client, password1="12345678", password2="12345678")
    assert response.status_code == 200 and not User.objects.filter(email="lin.hui@example.com").exists()
    response = sign_up(client, password2="something-else-2026")
    assert "两次输入的密码不一致" in response.content.decode()


def test_wrong_code_counts_attempts_and_five_exhaust_it(client, jinshan):
    sign_up(client)
    good = last_code()
    wrong = "000000" if good != "000000" else "111111"
    response = client.post(url("portal:verify"), {"code": wrong})
    assert "验证码不正确，还可尝试 4 次" in response.content.decode()
    for _ in range(4):
        response = client.post(url("portal:verify"), {"code": wrong})
    assert "错误次数过多" in response.content.decode()
    # even the right code no longer works
    response = client.post(url("portal:verify"), {"code": good})
    assert "错误次数过多" in response.content.decode()
    assert not User.objects.get(email="lin.hui@example.com").is_active


def test_expired_code_is_refused_and_a_new_one_can_be_sent_after_a_minute(client, jinshan):
    sign_up(client)
    user = User.objects.get(email="lin.hui@example.com")
    old = last_code()
    # resend is throttled for a minute
    client.post(url("portal:verify_resend"))
    assert len(senders.OUTBOX) == 1
    VerificationCode.objects.filter(user=user).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1), created_at=timezone.now() - dt.timedelta(minutes=16)
    )
    response = client.post(url("portal:verify"), {"code": old})
    assert "验证码已过期" in response.content.decode()
    client.post(url("portal:verify_resend"))
    assert len(senders.OUTBOX) == 2
    new = last_code()
    if new != old:  # the old code is replaced by the new one
        assert "验证码" in client.post(url("portal:verify"), {"code": old}).content.decode()
    client.post(url("portal:verify"), {"code": new})
    user.refresh_from_db()
    assert user.is_active


def test_minor_without_guardian_consent_is_refused_and_nothing_is_stored(client, jinshan):
    birth = (timezone.localdate() - dt.timedelta(days=365 * 10)).isoformat()
    users, consents = User.objects.count(), Consent.objects.count()
    response = sign_up(
        client, birth_date=birth, guardian_name="林国强", guardian_relation="父亲", guardian_contact="13800001111"
    )
    assert response.status_code == 200
    assert "须由监护人单独同意" in response.content.decode()
    assert User.objects.count() == users and Consent.objects.count() == consents and not senders.OUTBOX
    # the service refuses it too, whatever the form does
    with pytest.raises(Exception) as error:
        services.account_signup(
            data=services.SignupData(
                contact="kid@example.com",
                password=GOOD_PASSWORD,
                display_name="小林",
                accept_privacy=True,
                notice_version="1.0",
                birth_date=timezone.localdate() - dt.timedelta(days=365 * 10),
            )
        )
    assert "guardian_consent" in error.value.message_dict
    assert User.objects.count() == users


def test_minor_with_guardian_consent_stores_separate_consents_given_by_the_guardian(client, jinshan):
    birth = (timezone.localdate() - dt.timedelta(days=365 * 10)).isoformat()
    response = sign_up(
        client,
        birth_date=birth,
        guardian_name="林国强",
        guardian_relation="父亲",
        guardian_contact="13800001111",
        guardian_consent="on",
    )
    assert response.status_code == 302
    user = User.objects.get(email="lin.hui@example.com")
    rows = {c.purpose: c for c in Consent.objects.filter(user=user)}
    assert set(rows) == {"privacy", "guardian", "sensitive"}
    assert rows["guardian"].separate and rows["sensitive"].separate
    assert all(r.given_by == "林国强" and r.notice.version == "1.0" for r in rows.values())
    assert str(user.portal_profile.guardian_contact) != "13800001111"  # shown masked


def test_adult_birth_date_needs_no_guardian(client, jinshan):
    response = sign_up(client, birth_date="1990-05-01")
    assert response.status_code == 302
    assert list(Consent.objects.filter(user__email="lin.hui@example.com").values_list("purpose", flat=True)) == [
        "privacy"
    ]


def _verified(client, **overrides) -> User:
    sign_up(client, **overrides)
    client.post(url("portal:verify"), {"code": last_code()})
    return User.objects.get(display_name=overrides.get("display_name", "林慧"))


def test_login_goes_to_the_users_saved_language(client, jinshan):
    client.post(url("portal:signup", language="en"), signup_data())
    client.post(url("portal:verify", language="en"), {"code": last_code()})
    user = User.objects.get(email="lin.hui@example.com")
    assert user.portal_profile.language == "en"
    response = login(client, language="zh-hans")
    assert response["Location"].startswith("/en/")
    client.logout()
    PortalProfile.objects.filter(user=user).update(language="zh-hant")
    response = login(client, language="en", next=url("portal:news_list", language="en"))
    assert response["Location"] == "/zh-hant/news/"


def test_wrong_password_is_refused_and_axes_locks_out(client, jinshan):
    _verified(client)
    for _ in range(5):
        response = login(client, password="not-the-password")
        assert "_auth_user_id" not in client.session
    response = login(client)  # right password, but locked out now
    assert "_auth_user_id" not in client.session
    assert response.status_code == 429 and "锁定" in response.content.decode()


def test_portal_lockout_page_is_the_portals_own(client, jinshan, settings):
    settings.AXES_LOCKOUT_CALLABLE = "qiaolian.portal.views_account.lockout_response"
    _verified(client)
    for _ in range(6):
        response = login(client, password="not-the-password", language="en")
    assert response.status_code == 429
    body = response.content.decode()
    assert '<html lang="en">' in body and url("portal:password_reset", language="en") in body
    # the staff site keeps its page
    for _ in range(6):
        response = client.post(reverse("accounts:login"), {"username": "zhujing", "password": "wrong"})
    assert response.status_code == 429 and reverse("accounts:login") in response.content.decode()


def test_staff_account_cannot_log_in_on_the_portal(client, jinshan):
    staff = jinshan.user("zhujing")
    staff.email = "zhujing@jinshan.example"
    staff.save()
    response = login(client, contact="zhujing@jinshan.example", password=PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "工作人员账号请从侨联工作平台登录" in response.content.decode()


def test_portal_account_is_refused_by_the_staff_site(client, jinshan):
    user = _verified(client)
    login(client)
    assert client.get(reverse("core:home")).status_code == 403
    assert client.get(reverse("registry:person_list")).status_code == 403
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": GOOD_PASSWORD})
    assert "_auth_user_id" not in client.session and response.status_code == 200


def test_logout_needs_post_and_ends_the_session(client, jinshan):
    _verified(client)
    login(client)
    assert client.get(url("portal:logout")).status_code == 405
    response = client.post(url("portal:logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


# Password reset ---------------------------------------------------------------------------


def test_password_reset_by_code(client, jinshan):
    user = _verified(client)
    senders.OUTBOX.clear()
    response = client.post(url("portal:password_reset"), {"contact": "LIN.HUI@example.com"})
    assert response["Location"] == url("portal:password_reset_confirm")
    assert senders.OUTBOX[-1]["purpose"] == "reset"
    new_password = "Another-harbour-2027"
    response = client.post(
        url("portal:password_reset_confirm"),
        {"code": last_code(), "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert AuditEntry.objects.filter(target_id=str(user.pk), action="password_change").exists()


def test_password_reset_for_unknown_contact_says_the_same_and_sends_nothing(client, jinshan):
    response = client.post(url("portal:password_reset"), {"contact": "nobody@example.com"})
    assert response.status_code == 302 and not senders.OUTBOX
    response = client.post(
        url("portal:password_reset_confirm"),
        {"code": "123456", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.status_code == 200 and "验证码无效" in response.content.decode()


# Re-consent -------------------------------------------------------------------------------


def test_new_notice_asks_for_consent_again_at_next_login(client, jinshan):
    user = _verified(client)
    old = Consent.objects.get(user=user)
    PrivacyNotice.objects.create(
        version="1.1",
        text="新版隐私政策正文",
        text_en="New notice",
        published_at=timezone.now() - dt.timedelta(minutes=1),
    )
    response = login(client)
    assert response["Location"].startswith(url("portal:consent"))
    page = client.get(response["Location"]).content.decode()
    assert "新版隐私政策正文" in page
    response = client.post(response["Location"], {"notice_version": "1.1"})
    assert response.status_code == 200 and not Consent.objects.filter(user=user, notice__version="1.1").exists()
    response = client.post(url("portal:consent"), {"notice_version": "1.1", "accept_privacy": "on"})
    assert response.status_code == 302
    renewed = Consent.objects.get(user=user, notice__version="1.1")
    assert renewed.given_at >= old.given_at
    old.refresh_from_db()
    assert old.notice.version == "1.0"  # the earlier consent keeps its version
    client.logout()
    assert not login(client)["Location"].startswith(url("portal:consent"))


# Senders ----------------------------------------------------------------------------------


def test_email_sender_sends_through_django_mail(client, jinshan, settings):
    settings.QIAOLIAN_CODE_SENDER = "qiaolian.portal.senders.EmailSender"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sign_up(client, language="en")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lin.hui@example.com"]
    assert "verification code" in mail.outbox[0].body.lower() or "验证码" in mail.outbox[0].body


def test_sms_without_a_gateway_is_a_clear_configuration_error(client, jinshan, settings):
    settings.QIAOLIAN_CODE_SENDER = "qiaolian.portal.senders.EmailSender"
    with pytest.raises(ImproperlyConfigured, match="QIAOLIAN_SMS_GATEWAY"):
        senders.SmsSender()
    users = User.objects.count()
    response = sign_up(client, contact="13912345678")
    assert response.status_code == 200 and "验证码发送失败" in response.content.decode()
    assert User.objects.count() == users


SENT: list = []


def fake_gateway(phone: str, text: str) -> None:
    SENT.append((phone, text))


def test_sms_sender_uses_the_configured_gateway(client, jinshan, settings):
    settings.QIAOLIAN_CODE_SENDER = "qiaolian.portal.senders.SmsSender"
    settings.QIAOLIAN_SMS_GATEWAY = "qiaolian.portal.tests.test_account.fake_gateway"
    SENT.clear()
    sign_up(client, contact="13912345678")
    assert SENT and SENT[0][0] == "+8613912345678" and "15" in SENT[0][1]
