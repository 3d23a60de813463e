import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_staff_site_is_chinese_whatever_the_browser_asks(client, jinshan):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "工作人员登录" in response.content.decode()


def test_the_language_switch_is_kept(client, jinshan):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "en"
