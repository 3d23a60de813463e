"""`qiaolian backup` and `qiaolian restore` (qiaolian/core/backup.py), run as an operator runs them.

An installation is built in its own database file (a copy of the migrated test database, so no
second `migrate`), with its own keys, a person whose ID number is encrypted, an activity photo
and attachment on disk and their audit entries. `qiaolian backup` and `qiaolian restore` then run
as separate processes under the production settings module, the restore into a new, empty
database and an empty media directory; a third process reads the restored installation back.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from qiaolian.core import backup

QIAOLIAN = Path(sys.executable).with_name("qiaolian")
PYTHON = sys.executable
TIMEOUT = 600

# Builds a small installation through the services (so every write has its audit entry) and
# prints what the restored copy must show.
SEED = """
import datetime as dt, io, json
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image
from qiaolian.activities import services as activities
from qiaolian.registry.services import person_create
from qiaolian.registry.tests.factories import resident_id
from qiaolian.testing import build_jinshan

from django.core.management import call_command

call_command("createcachetable", verbosity=0)  # as `qiaolian migrate` does (not in the test database)
with transaction.atomic():
    js = build_jinshan()
    staff = js.user("staff")
    born = dt.date(1962, 5, 4)
    person = person_create(actor=staff, data={
        "federation": js.zhujing, "name": "陈美玲", "sex": "F", "birth_date": born, "id_type": "resident_id",
        "id_number": resident_id(born, male=False), "category": "relative", "phone": "+8613800001234",
        "address": "上海市金山区朱泾镇人民路1号"})
    start = timezone.make_aware(dt.datetime(2021, 3, 12, 9))
    activity = activities.activity_create(actor=staff, data={
        "federation": js.district, "title": "侨法宣传进社区", "kind": "law", "project": "huiqiao",
        "mode": "offline", "place": "朱泾镇社区文化活动中心", "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2)})
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(png, format="PNG")
    activities.photo_add(actor=staff, activity=activity, caption="合影",
                         image=SimpleUploadedFile("合影.png", png.getvalue(), "image/png"))
    activities.attachment_add(actor=staff, activity=activity, title="签到表",
                              file=ContentFile("签到表\\n".encode() * 200, name="签到表.txt"))
print(json.dumps({"person": person.pk, "id_number": person.id_number.reveal()}))
"""

# Reads an installation back: every table's rows, every media file's checksum, one protected
# value decrypted with the configured keys, and the audit chain.
INSPECT = """
import hashlib, json, sys
import django
django.setup()
from django.core.files.storage import default_storage
from qiaolian.audit.services import audit_verify
from qiaolian.core.backup import media_names, table_counts
from qiaolian.registry.models import Person

media = {}
for name in media_names():
    with default_storage.open(name, "rb") as handle:
        media[name] = hashlib.sha256(handle.read()).hexdigest()
chain = audit_verify()
person = Person.objects.filter(pk=int(sys.argv[1])).first()
print(json.dumps({
    "tables": table_counts(),
    "media": media,
    "id_number": person.id_number.reveal() if person else None,
    "audit": [chain.ok, chain.checked],
}))
"""


def installation_env(var_dir: Path, *, database_url: str, keys: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of one installation under the production settings module."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "DJANGO_", "QIAOLIAN_", "PG")) and k not in {"DATABASE_URL", "MEDIA_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qiaolian.settings",
        QIAOLIAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(var_dir / "media"),
        QIAOLIAN_FIELD_KEYS=keys["field"],
        QIAOLIAN_BLIND_INDEX_KEY=keys["blind"],
        SECRET_KEY=keys["secret"],
        MEDIA_STORAGE="filesystem",
    )
    env.update(extra)
    return env


def new_keys() -> dict[str, str]:
    return {
        "field": Fernet.generate_key().decode(),
        "blind": secrets.token_urlsafe(48),
        "secret": secrets.token_urlsafe(48),
    }


def run(command: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT, cwd=env["QIAOLIAN_VAR_DIR"]
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def qiaolian(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    command = [str(QIAOLIAN)] if QIAOLIAN.exists() else [PYTHON, "-m", "qiaolian"]
    return run([*command, *args], env, check=check)


def python_script(script: str, *args: str, env: dict[str, str], where: Path) -> dict:
    path = where / "script.py"
    path.write_text(script)
    result = run([PYTHON, str(path), *args], env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def seed(env: dict[str, str], where: Path) -> dict:
    return python_script(SEED, env=env, where=where)


def inspect(env: dict[str, str], person: int, where: Path) -> dict:
    return python_script(INSPECT, str(person), env=env, where=where)


def clone_migrated_sqlite(target: Path) -> None:
    """Copy the migrated (and otherwise empty) test database to a file of its own. pytest-django
    sets the test database up only when a selected test is marked django_db: those that use this
    are, and it refuses anything but the in-memory test database."""
    name = str(connection.settings_dict["NAME"])
    if not connection.creation.is_in_memory_db(name):
        pytest.fail(f"the test database is not set up (connection names {name}): mark the test django_db")
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    """An installation on SQLite with data, media and audit entries, and its backup as a .tar."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (the PostgreSQL one is test_postgresql_backup_…)")
    root = tmp_path_factory.mktemp("backup")
    source = root / "source"
    source.mkdir()
    with django_db_blocker.unblock():
        clone_migrated_sqlite(source / "qiaolian.sqlite3")
    keys = new_keys()
    env = installation_env(source, database_url=f"sqlite:///{source / 'qiaolian.sqlite3'}", keys=keys)
    seeded = seed(env, root)
    before = inspect(env, seeded["person"], root)
    archive = root / "qiaolian-test.tar"
    out = qiaolian("backup", str(archive), env=env)
    assert f"Backup written to {archive}" in out.stdout
    return {
        "root": root,
        "source": source,
        "keys": keys,
        "env": env,
        "seeded": seeded,
        "before": before,
        "archive": archive,
    }


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile(backup.MANIFEST))


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_restore_into_an_empty_database_brings_back_every_row_file_key_and_audit_entry(made):
    target = made["root"] / "target"
    target.mkdir()
    env = installation_env(target, database_url=f"sqlite:///{target / 'restored.sqlite3'}", keys=made["keys"])

    result = qiaolian("restore", str(made["archive"]), env=env)

    assert "checksums OK" in result.stdout
    assert f"audit chain OK: {made['before']['audit'][1]} entries" in result.stdout
    assert "row counts match the manifest" in result.stdout
    after = inspect(env, made["seeded"]["person"], made["root"])
    before = made["before"]
    assert after["tables"] == before["tables"]  # every table, row for row
    assert sum(after["tables"].values()) > 0 and after["tables"]["registry_person"] == 1
    assert after["media"] == before["media"]  # every file, byte for byte
    assert len(after["media"]) == 2 and any(name.endswith(".jpg") for name in after["media"])
    assert after["id_number"] == made["seeded"]["id_number"]  # decrypts with the same keys
    assert after["audit"] == [True, before["audit"][1]] and before["audit"][1] >= 6


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_manifest_lists_files_with_checksums_counts_migrations_and_key_fingerprints(made):
    manifest = manifest_of(made["archive"])

    assert manifest["database"]["engine"] == "sqlite"
    assert manifest["qiaolian_version"]
    assert manifest["created_at"]
    assert manifest["tables"] == made["before"]["tables"]
    assert "audit.0001_initial" in manifest["migrations"]
    paths = {f["path"] for f in manifest["files"]}
    assert backup.SQLITE_FILE in paths
    assert paths - {backup.SQLITE_FILE} == {f"media/{name}" for name in made["before"]["media"]}
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])
    keys = made["keys"]
    assert manifest["keys"] == {
        "field_keys": [backup.key_fingerprint(keys["field"])],
        "blind_index_key": backup.key_fingerprint(keys["blind"]),
        "secret_key": backup.key_fingerprint(keys["secret"]),
    }


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_backup_contains_no_key_material(made):
    data = made["archive"].read_bytes()
    with tarfile.open(made["archive"]) as tar:
        names = tar.getnames()
        database = tar.extractfile(backup.SQLITE_FILE).read()

    for key in made["keys"].values():
        assert key.encode() not in data
        assert key.encode() not in database
    assert not any("secrets" in name for name in names)


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_media_inside_the_var_directory_leaves_out_the_secrets_and_the_database(tmp_path, db):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "field-key").write_text(Fernet.generate_key().decode())
    storage = FileSystemStorage(location=tmp_path)
    storage.save("activities/photos/2021/a.jpg", ContentFile(b"jpeg"))
    databases = {"default": {**connection.settings_dict}}
    if connection.vendor == "sqlite":  # the database file too, when it is one
        (tmp_path / "qiaolian.sqlite3").write_bytes(b"SQLite format 3\x00")
        (tmp_path / "qiaolian.sqlite3-wal").write_bytes(b"")
        databases["default"]["NAME"] = str(tmp_path / "qiaolian.sqlite3")

    with override_settings(VAR_DIR=tmp_path, DATABASES=databases):
        names = backup.media_names(storage)

    assert names == ["activities/photos/2021/a.jpg"]


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_restore_refuses_a_tampered_file_and_names_it(made):
    damaged = made["root"] / "damaged"
    with tarfile.open(made["archive"]) as tar:
        tar.extractall(damaged, filter="data")  # the directory form of the same backup
    photo = next(name for name in made["before"]["media"] if name.endswith(".jpg"))
    with open(damaged / "media" / photo, "r+b") as handle:
        handle.seek(20)
        handle.write(b"\x00\x01")
    target = made["root"] / "target-damaged"
    target.mkdir()
    env = installation_env(target, database_url=f"sqlite:///{target / 'restored.sqlite3'}", keys=made["keys"])

    result = qiaolian("restore", str(damaged), env=env, check=False)

    assert result.returncode == 1
    assert f"media/{photo}" in result.stderr and "damaged" in result.stderr
    assert not (target / "restored.sqlite3").exists()  # nothing was written
    assert not (target / "media").exists()


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_a_damaged_archive_is_refused_before_anything_is_written(made, tmp_path):
    data = bytearray(made["archive"].read_bytes())
    manifest = manifest_of(made["archive"])
    attachment = next(f["path"] for f in manifest["files"] if f["path"].endswith(".txt"))
    at = data.index("签到表\n".encode() * 10)  # the attachment's bytes inside the archive
    data[at + 3] ^= 0xFF
    broken = tmp_path / "broken.tar"
    broken.write_bytes(bytes(data))

    with pytest.raises(backup.BackupError, match="damaged") as error:
        backup.backup_verify(broken)
    assert attachment in str(error.value)


@pytest.mark.django_db  # sets up the test database that `made` copies
def test_restore_check_only_verifies(made, capsys):
    call_command("restore", str(made["archive"]), "--check")
    assert "OK: 3 files match the manifest" in capsys.readouterr().out


def _same_keys(keys):
    return override_settings(
        QIAOLIAN_FIELD_KEYS=[keys["field"]], QIAOLIAN_BLIND_INDEX_KEY=keys["blind"], SECRET_KEY=keys["secret"]
    )


def test_restore_refuses_a_database_that_is_not_empty_without_force(made, db):
    tables_before = backup.table_counts()
    with _same_keys(made["keys"]), pytest.raises(CommandError, match="--force") as error:
        call_command("restore", str(made["archive"]))
    assert "not empty" in str(error.value)
    assert backup.table_counts() == tables_before


def test_restore_refuses_keys_other_than_the_backups(made, db):
    other = {**made["keys"], "field": Fernet.generate_key().decode()}
    with _same_keys(other), pytest.raises(CommandError, match="QIAOLIAN_FIELD_KEYS") as error:
        call_command("restore", str(made["archive"]))
    assert "could not be decrypted" in str(error.value)
    assert "--ignore-key-mismatch" in str(error.value)


def test_key_check_accepts_a_rotated_key_list_that_still_holds_the_backups_key(settings):
    old = Fernet.generate_key().decode()
    settings.QIAOLIAN_FIELD_KEYS = [old]
    saved = backup.key_fingerprints()
    settings.QIAOLIAN_FIELD_KEYS = [Fernet.generate_key().decode(), old]  # rotated: new key first
    problems, warnings = backup.key_check(saved)
    assert problems == [] and warnings == []
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789"
    problems, warnings = backup.key_check(saved)
    assert problems == [] and "SECRET_KEY" in warnings[0]


def test_prune_keeps_the_newest_backups_only(tmp_path):
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (tmp_path / f"qiaolian-{stamp}.tar").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not a backup")

    removed = backup.prune_backups(tmp_path, keep=2)

    assert [p.name for p in removed] == ["qiaolian-20260101-000000.tar"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "qiaolian-20260102-000000.tar",
        "qiaolian-20260103-000000.tar",
    ]


# PostgreSQL ----------------------------------------------------------------------------------


def _admin_connect(settings_dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )


def _url(settings_dict, name: str) -> str:
    auth = settings_dict["USER"] or "postgres"
    if settings_dict["PASSWORD"]:
        auth += f":{settings_dict['PASSWORD']}"
    return f"postgres://{auth}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
def test_postgresql_backup_restores_into_a_fresh_database(django_db_setup, django_db_blocker, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    suffix = secrets.token_hex(4)
    source_db, target_db = f"qiaolian_backup_src_{suffix}", f"qiaolian_backup_dst_{suffix}"
    settings_dict = connection.settings_dict
    with django_db_blocker.unblock():
        test_db = settings_dict["NAME"]
        connection.close()
    admin = _admin_connect(settings_dict)
    try:
        # the source: a copy of the migrated test database; the target: a new, empty database
        admin.execute(f'CREATE DATABASE "{source_db}" TEMPLATE "{test_db}"')
        admin.execute(
            f"CREATE DATABASE \"{target_db}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
        keys = new_keys()
        (tmp_path / "source").mkdir()
        (tmp_path / "target").mkdir()
        source = installation_env(tmp_path / "source", database_url=_url(settings_dict, source_db), keys=keys)
        target = installation_env(tmp_path / "target", database_url=_url(settings_dict, target_db), keys=keys)
        seeded = seed(source, tmp_path)
        before = inspect(source, seeded["person"], tmp_path)
        archive = tmp_path / "pg.tar.gz"
        qiaolian("backup", str(archive), env=source)
        assert manifest_of(archive)["database"]["engine"] == "postgresql"

        result = qiaolian("restore", str(archive), env=target)

        assert "row counts match the manifest" in result.stdout
        after = inspect(target, seeded["person"], tmp_path)
        assert after["tables"] == before["tables"]
        assert after["media"] == before["media"] and len(after["media"]) == 2
        assert after["id_number"] == seeded["id_number"]
        assert after["audit"] == [True, before["audit"][1]]
        refused = qiaolian("restore", str(archive), env=target, check=False)
        assert refused.returncode == 1 and "--force" in refused.stderr
    finally:
        for name in (source_db, target_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
