"""Error pages: plain, in the page's language, no traceback, no script (they must work under the
site's CSP and without a database for the 500 page)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import permission_denied, server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "返回首页" in html
    assert "<script" not in html and "javascript:" not in html


def test_the_403_page_says_who_to_ask():
    request = RequestFactory().get("/")
    response = permission_denied(request, exception=None)
    assert response.status_code == 403
    assert "请联系区侨联管理员" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and "Traceback" not in html


def test_a_nul_character_in_a_query_is_refused_before_the_database(client):
    assert client.get("/api/v1/persons?q=%00x").status_code == 422
    assert client.get("/accounts/login/?next=%00").status_code == 400
