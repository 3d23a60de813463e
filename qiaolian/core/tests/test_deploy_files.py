"""The deployment files (deploy/) and docs/deploy.md cannot drift from the settings.

Every variable in deploy/env.example is read by qiaolian/settings.py (apart from the block the
compose containers read), every variable settings.py reads is documented in docs/deploy.md, the
required ones are in the example, the compose file names its services, nginx never serves media,
and the systemd units run the commands the guide says.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SETTINGS = ROOT / "qiaolian" / "settings.py"
GUIDE = ROOT / "docs" / "deploy.md"
REQUIRED = {
    "QIAOLIAN_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "QIAOLIAN_FIELD_KEYS",
    "QIAOLIAN_BLIND_INDEX_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
}
COMPOSE_ONLY_MARKER = "# --- compose only"


def settings_variables() -> set[str]:
    """Names settings.py reads: env.str("X" …), env.list("X" …), env("X"), os.environ.get("X") …"""
    text = SETTINGS.read_text()
    pattern = r"(?:\benv(?:\.[a-z_]+)?\(|os\.environ\.get\(|os\.getenv\(|os\.environ\[)\s*[\"']([A-Z][A-Z0-9_]+)[\"']"
    return set(re.findall(pattern, text))


def example_variables() -> tuple[dict[str, str], set[str]]:
    """(Qiaolian's variables → value, the compose containers' variables), commented ones included."""
    ours: dict[str, str] = {}
    containers: set[str] = set()
    target = ours
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line.startswith(COMPOSE_ONLY_MARKER):
            target = containers
            continue
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            if target is ours:
                ours[match.group(1)] = match.group(2)
            else:
                containers.add(match.group(1))
    return ours, containers


def test_every_variable_of_the_example_is_read_by_the_settings():
    ours, containers = example_variables()
    read = settings_variables()
    assert len(read) > 30  # the pattern still finds them
    assert sorted(set(ours) - read) == []
    assert containers & read == set()  # the compose-only block holds no setting


def test_the_required_variables_are_in_the_example_with_placeholders_not_secrets():
    ours, _ = example_variables()
    assert set(ours) >= REQUIRED
    assert settings_variables() >= REQUIRED
    for name in ("SECRET_KEY", "QIAOLIAN_FIELD_KEYS", "QIAOLIAN_BLIND_INDEX_KEY", "AWS_SECRET_ACCESS_KEY"):
        assert re.fullmatch(r"<[a-z0-9-]+>", ours[name]), f"{name} must be a <placeholder> in env.example"
    assert "<db-password>" in ours["DATABASE_URL"]
    assert ours["QIAOLIAN_ENV"] == "production"


def test_every_variable_the_settings_read_is_documented_in_the_deploy_guide():
    guide = GUIDE.read_text()
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in guide)
    assert missing == [], f"add these to docs/deploy.md ('Environment variables'): {missing}"


def test_the_compose_file_runs_web_worker_postgres_nginx_and_an_s3_store():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "postgres", "nginx", "minio", "migrate"} <= set(services)
    assert services["worker"]["command"] == ["qiaolian", "worker"]
    assert "gunicorn" in services["web"]["command"]
    assert "ports" not in services["web"] and "ports" not in services["postgres"]  # only nginx is published
    assert services["web"]["env_file"] == "./env"  # the filled-in copy of env.example, never committed
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    mounts = " ".join(services["nginx"]["volumes"])
    assert "./nginx.conf:" in mounts
    build = compose["x-app"]["build"]
    assert ((DEPLOY / build["context"]).resolve() / build["dockerfile"]).is_file()


def test_nginx_passes_the_proxy_headers_and_never_serves_media():
    conf = (DEPLOY / "nginx.conf").read_text()
    active = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in active
    assert "proxy_set_header Host $host;" in active
    assert "listen 443 ssl" in active and "ssl_certificate " in active
    assert "/media" not in active  # uploaded files only through the app's permission checks
    size = re.search(r"client_max_body_size (\d+)m;", active)
    from django.conf import settings

    assert size and int(size.group(1)) * 1024 * 1024 > settings.QIAOLIAN_IMPORT_MAX_BYTES


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string((DEPLOY / "systemd" / name).read_text().replace("\\\n", " "))
    return parser


def test_the_systemd_units_run_web_worker_backup_and_retention():
    web, worker = _unit("qiaolian-web.service"), _unit("qiaolian-worker.service")
    assert "gunicorn qiaolian.wsgi:application" in web["Service"]["ExecStart"]
    assert "--bind 127.0.0.1:8000" in web["Service"]["ExecStart"]
    assert worker["Service"]["ExecStart"].endswith("qiaolian worker")
    backup = _unit("qiaolian-backup.service")
    assert "qiaolian backup " in backup["Service"]["ExecStart"] and "--keep" in backup["Service"]["ExecStart"]
    retention = _unit("qiaolian-retention.service")
    assert retention["Service"]["ExecStart"].endswith("qiaolian manage privacy_retention")
    for name in ("backup", "retention"):
        timer = _unit(f"qiaolian-{name}.timer")
        assert timer["Timer"]["Unit"] == f"qiaolian-{name}.service"
        assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    from django.core.management import get_commands

    assert {"backup", "restore", "privacy_retention"} <= set(get_commands())
    for unit in (web, worker, backup, retention):
        assert unit["Service"]["EnvironmentFile"] == "/etc/qiaolian/env"
        assert unit["Service"]["User"] == "qiaolian"


def test_the_guide_is_linked_from_operations_and_the_readme():
    assert "deploy.md" in (ROOT / "docs" / "operations.md").read_text()
    assert "docs/deploy.md" in (ROOT / "README.md").read_text()
