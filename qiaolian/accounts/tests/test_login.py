import pytest
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_staff_user_logs_in_and_sees_home(client, jinshan):
    response = login(client, "zhujing")
    assert response.status_code == 302
    page = client.get(reverse("core:home"))
    assert page.status_code == 200
    assert "朱泾镇侨联" in page.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor_name="zhujing").exists()


def test_passwords_are_hashed_with_argon2(jinshan):
    assert jinshan.user("admin").password.startswith("argon2")


def test_wrong_password_is_refused_with_message_and_audited(client, jinshan):
    response = login(client, "zhujing", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED, actor_name="zhujing").exists()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, jinshan, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "shihua", "wrong-password")
    response = login(client, "shihua")
    assert response.status_code == 429
    assert client.get(reverse("core:home")).status_code == 302


def test_public_user_cannot_use_staff_site(client, jinshan):
    response = login(client, "public")
    assert response.status_code == 200
    assert "公众账号请从侨联门户网站登录" in response.content.decode()


def test_anonymous_user_is_sent_to_login(client, jinshan):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_password_change_and_logout(client, jinshan):
    login(client, "staff")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-much-better-passphrase-9",
            "new_password2": "A-much-better-passphrase-9",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE, actor_name="staff").exists()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302
    assert login(client, "staff", "A-much-better-passphrase-9").status_code == 302
