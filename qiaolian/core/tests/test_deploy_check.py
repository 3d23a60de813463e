"""Production settings pass ``manage.py check --deploy`` with no warning, and a response in
production-like settings carries the security headers and secure cookies (OWASP ASVS V3.4,
V14.4)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

ROOT = settings.BASE_DIR


def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QIAOLIAN_", "SECURE_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "qiaolian.settings",
            "QIAOLIAN_ENV": "production",
            "QIAOLIAN_VAR_DIR": str(tmp_path / "var"),
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "QIAOLIAN_FIELD_KEYS": Fernet.generate_key().decode(),
            "QIAOLIAN_BLIND_INDEX_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "qiaolian.example.cn",
            "DEBUG": "false",
        }
    )
    return env


def test_check_deploy_reports_no_issue_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


PRODUCTION_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "QIAOLIAN_PERMISSIONS_POLICY",
]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The security settings as production computes them (in a fresh process)."""
    tmp_path = tmp_path_factory.mktemp("production")
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k, None) for k in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_production_settings_are_the_secure_ones(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


@pytest.mark.django_db
def test_a_page_in_production_settings_sends_the_security_headers_and_secure_cookies(client, production):
    with override_settings(**production, ALLOWED_HOSTS=["testserver"]):
        insecure = client.get(reverse("accounts:login"))
        assert insecure.status_code == 301 and insecure["Location"].startswith("https://")

        response = client.get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
    permissions = response["Permissions-Policy"]
    assert "camera=(self)" in permissions  # the check-in desk scans QR codes with the camera
    assert "microphone=()" in permissions and "geolocation=()" in permissions
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_the_session_cookie_is_secure_and_http_only_in_production(client, jinshan, production):
    from qiaolian.testing import PASSWORD

    with override_settings(**production, ALLOWED_HOSTS=["testserver"]):
        client.get(reverse("accounts:login"), secure=True)
        response = client.post(
            reverse("accounts:login"),
            {"username": jinshan.user("staff").username, "password": PASSWORD},
            secure=True,
        )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
