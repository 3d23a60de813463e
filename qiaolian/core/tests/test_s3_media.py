"""Media in an S3-compatible bucket (MEDIA_STORAGE=s3), against moto's S3 server on 127.0.0.1.

The settings block is evaluated with the variables an operator sets; a photo goes through the
real upload view into the bucket, comes back through its permission-checked download view and is
deleted; and a whole installation whose media live in a bucket is backed up and restored into
another bucket by `qiaolian backup`/`qiaolian restore` in their own processes.
"""

from __future__ import annotations

import importlib.util
import io
import secrets
import shutil

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from qiaolian.activities import services as activities
from qiaolian.activities.models import Photo
from qiaolian.core.tests.test_backup import clone_migrated_sqlite, inspect, installation_env, new_keys, qiaolian, seed

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

S3_BACKEND = "storages.backends.s3.S3Storage"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


@pytest.fixture(scope="module")
def migrated_copy(django_db_setup, django_db_blocker, tmp_path_factory):
    """The migrated test database as a file, copied before any test opens its transaction (a copy
    taken inside one would wait for that transaction's lock for ever)."""
    if connection.vendor != "sqlite":
        pytest.skip("the bucket round trip runs on SQLite (test_backup.py has the PostgreSQL one)")
    target = tmp_path_factory.mktemp("s3-source") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        clone_migrated_sqlite(target)
    return target


@pytest.fixture
def new_bucket(s3_endpoint):
    def make() -> str:
        name = f"qiaolian-media-{secrets.token_hex(4)}"
        s3_client(s3_endpoint).create_bucket(Bucket=name)
        return name

    return make


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_S3_REGION_NAME": "us-east-1",
    }


def settings_module_with(monkeypatch, tmp_path, env: dict[str, str]):
    """qiaolian/settings.py evaluated afresh under ``env`` (the running settings stay as they are)."""
    for key in ("MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("QIAOLIAN_VAR_DIR", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("qiaolian_settings_under_test", settings.PACKAGE_DIR / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def objects_in(endpoint: str, bucket: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def test_media_storage_s3_selects_a_private_bucket_with_signed_urls_only(monkeypatch, tmp_path):
    module = settings_module_with(monkeypatch, tmp_path, s3_env("http://127.0.0.1:9000", "qiaolian-media"))

    media = module.STORAGES["default"]
    assert media["BACKEND"] == S3_BACKEND
    options = media["OPTIONS"]
    assert options["bucket_name"] == "qiaolian-media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True  # no URL without a signature
    assert options["file_overwrite"] is False
    assert options["addressing_style"] == "path"


def test_media_storage_defaults_to_the_local_disk_and_refuses_unknown_values(monkeypatch, tmp_path):
    module = settings_module_with(monkeypatch, tmp_path, {})
    assert module.STORAGES["default"]["BACKEND"].endswith(".FileSystemStorage")  # Django's or core/storage.py's

    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE"):
        settings_module_with(monkeypatch, tmp_path, {"MEDIA_STORAGE": "ftp"})
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        settings_module_with(monkeypatch, tmp_path, {"MEDIA_STORAGE": "s3"})


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("活动合影.png", buffer.getvalue(), content_type="image/png")


def test_activity_photo_is_uploaded_to_served_from_and_deleted_in_the_bucket(
    jinshan, client, s3_endpoint, new_bucket, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    bucket = new_bucket()
    module = settings_module_with(monkeypatch, tmp_path, s3_env(s3_endpoint, bucket))
    staff = jinshan.user("staff")
    client.force_login(staff)
    with override_settings(STORAGES=module.STORAGES):
        activity = activities.activity_create(
            actor=staff,
            data={
                "federation": jinshan.zhujing,
                "title": "侨法宣传进社区",
                "kind": "law",
                "project": "huiqiao",
                "mode": "offline",
                "place": "朱泾镇社区文化活动中心",
                "starts_at": activity_time(9),
                "ends_at": activity_time(11),
            },
        )
        upload = client.post(
            reverse("activities:activity_step", args=[activity.pk, "photo"]), {"image": _png(), "caption": "合影"}
        )
        assert upload.status_code == 302
        photo = Photo.objects.get(activity=activity)
        stored = objects_in(s3_endpoint, bucket)
        assert list(stored) == [photo.image.name]  # in the bucket, under the name the row keeps

        response = client.get(reverse("activities:photo_file", args=[photo.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == stored[photo.image.name]
        assert "X-Amz-Signature=" in photo.image.url or "Signature=" in photo.image.url  # never a bare URL

        client.force_login(jinshan.user("shihua"))  # another town: the same view says no
        assert client.get(reverse("activities:photo_file", args=[photo.pk])).status_code == 404
        client.force_login(staff)

        with django_capture_on_commit_callbacks(execute=True):
            removed = client.post(reverse("activities:photo_remove", args=[photo.pk]))
        assert removed.status_code == 302
        assert objects_in(s3_endpoint, bucket) == {}


def activity_time(hour: int):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime(2021, 3, 12, hour))


@pytest.mark.django_db  # sets up the test database that is copied
def test_backup_and_restore_move_media_from_one_bucket_to_another(s3_endpoint, new_bucket, migrated_copy, tmp_path):
    source_bucket, target_bucket = new_bucket(), new_bucket()
    (tmp_path / "source").mkdir()
    (tmp_path / "target").mkdir()
    shutil.copy(migrated_copy, tmp_path / "source" / "qiaolian.sqlite3")
    keys = new_keys()
    source = installation_env(
        tmp_path / "source",
        database_url=f"sqlite:///{tmp_path / 'source' / 'qiaolian.sqlite3'}",
        keys=keys,
        **s3_env(s3_endpoint, source_bucket),
    )
    target = installation_env(
        tmp_path / "target",
        database_url=f"sqlite:///{tmp_path / 'target' / 'restored.sqlite3'}",
        keys=keys,
        **s3_env(s3_endpoint, target_bucket),
    )
    seeded = seed(source, tmp_path)
    in_source = objects_in(s3_endpoint, source_bucket)
    assert len(in_source) == 2  # the photo and the attachment went to the bucket, not the disk
    assert not (tmp_path / "source" / "media").exists()
    archive = tmp_path / "s3.tar"
    qiaolian("backup", str(archive), env=source)

    result = qiaolian("restore", str(archive), env=target)

    assert "media restored: 2 of 2 files written" in result.stdout
    assert objects_in(s3_endpoint, target_bucket) == in_source
    after = inspect(target, seeded["person"], tmp_path)
    assert set(after["media"]) == set(in_source)
    assert after["id_number"] == seeded["id_number"]
    assert after["audit"][0] is True


def test_no_code_reads_a_media_file_by_local_path():
    """S3 has no local path: media are read with storage.open / FieldFile.open, never `.path`."""
    import re
    from pathlib import Path

    package = Path(settings.PACKAGE_DIR)
    fields = r"(?:file|image|photo|signature|original|web|thumbnail|rejects_file|attachment|document)"
    pattern = re.compile(rf"\.{fields}\.path\b|default_storage\.path\(|storage\.path\(|\.temporary_file_path\(")
    offenders = []
    for path in package.rglob("*.py"):
        if "tests" in path.parts or path.name == "backup.py":  # backup.py uses storage.path only to skip local secrets
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert offenders == []
