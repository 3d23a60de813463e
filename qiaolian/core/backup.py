"""Backups of a whole installation and their restore (``qiaolian backup`` / ``qiaolian restore``).

A backup is one directory or one ``.tar`` (``.tar.gz``) archive holding::

    database.dump        PostgreSQL: pg_dump's custom format     } one of the two
    database.sqlite3     SQLite: a copy made with the online backup API }
    media/<name>         every file of the default storage (local disk or S3), under its storage name
    manifest.json        when, which version, which engine, the applied migrations, every file with
                         its size and SHA-256, the number of rows of every table, and fingerprints
                         of the keys

Never in it: the keys themselves (``QIAOLIAN_FIELD_KEYS``, ``QIAOLIAN_BLIND_INDEX_KEY``,
``SECRET_KEY``, ``var/secrets/``). A key's fingerprint is the first 16 hex digits of the SHA-256
of the key as configured (``printf %s "$KEY" | sha256sum | cut -c1-16``): enough to tell whether
the keys of the installation a backup is restored into are the ones its data was written with,
and nothing towards the key itself.

The database is copied first and the media files after it: a file is written to storage before
the row that names it is committed, so every file the copied rows name is still there when the
files are copied (a file uploaded meanwhile may come along without its row; that is harmless).

Restore checks before it writes anything: every checksum, the keys' fingerprints, that the target
database is empty and that no media file would be overwritten (both unless ``force``). After it
has written, it checks the audit log's hash chain and compares every table's row count with the
manifest. See docs/deploy.md ("Backups") and docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.db import connection, connections, transaction

import qiaolian

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
NAME_PREFIX = "qiaolian-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# Keys ----------------------------------------------------------------------------------------


def key_fingerprint(key: str) -> str:
    """First 16 hex digits of the SHA-256 of ``key``: identifies a key, reveals nothing of it."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def key_fingerprints() -> dict[str, Any]:
    return {
        "field_keys": [key_fingerprint(k) for k in settings.QIAOLIAN_FIELD_KEYS],
        "blind_index_key": key_fingerprint(settings.QIAOLIAN_BLIND_INDEX_KEY),
        "secret_key": key_fingerprint(settings.SECRET_KEY),
    }


def _secret_values() -> list[str]:
    """Every secret that must never be written into a backup."""
    values = [*settings.QIAOLIAN_FIELD_KEYS, settings.QIAOLIAN_BLIND_INDEX_KEY, settings.SECRET_KEY]
    secrets_dir = Path(settings.VAR_DIR) / "secrets"
    if secrets_dir.is_dir():
        for path in secrets_dir.iterdir():
            if path.is_file():
                values.append(path.read_text(errors="replace").strip())
    return [v for v in values if v and len(v) >= 16]


def key_check(saved: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Compare the manifest's key fingerprints with this installation's: (problems, warnings).
    A problem means data from the backup would be unreadable or unsearchable here."""
    current = key_fingerprints()
    problems, warnings = [], []
    missing = [fp for fp in saved.get("field_keys", []) if fp not in current["field_keys"]]
    if missing:
        problems.append(
            "QIAOLIAN_FIELD_KEYS differ from the keys the backup was made with: the ID numbers, phone "
            "numbers and addresses in it could not be decrypted. Backup's keys: "
            f"{', '.join(saved['field_keys'])}; this installation's: {', '.join(current['field_keys'])}."
        )
    if saved.get("blind_index_key") != current["blind_index_key"]:
        problems.append(
            "QIAOLIAN_BLIND_INDEX_KEY differs from the backup's (fingerprint "
            f"{saved.get('blind_index_key')}, here {current['blind_index_key']}): exact search by ID "
            "number or phone would find nothing."
        )
    if saved.get("secret_key") != current["secret_key"]:
        warnings.append(
            "SECRET_KEY differs from the backup's: everyone logs in again and password-reset links "
            "sent before the backup stop working (the data is not affected)."
        )
    return problems, warnings


# What the database holds ---------------------------------------------------------------------


def engine_name(conn=connection) -> str:
    return conn.vendor  # "postgresql" or "sqlite"


def table_counts(conn=connection) -> dict[str, int]:
    """Rows in every table of the database (Django's, the search indexes', everything)."""
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(conn=connection) -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(conn)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def database_is_empty(conn=connection) -> tuple[bool, list[str]]:
    with conn.cursor() as cursor:
        tables = sorted(conn.introspection.table_names(cursor))
    return not tables, tables


# Media ---------------------------------------------------------------------------------------


def media_names(storage: Storage | None = None) -> list[str]:
    """Every file in the storage, walked with the storage API (so S3 works like a local disk)."""
    storage = storage or default_storage
    excluded = _excluded_paths()
    found: list[str] = []

    def walk(prefix: str) -> None:
        try:
            dirs, files = storage.listdir(prefix)
        except FileNotFoundError:
            return
        for name in files:
            full = posixpath.join(prefix, name) if prefix else name
            if not _is_excluded(storage, full, excluded):
                found.append(full)
        for name in dirs:
            walk(posixpath.join(prefix, name) if prefix else name)

    walk("")
    return sorted(found)


def _excluded_paths() -> list[Path]:
    """Local places never copied even if the media root happens to contain them: the secrets
    and the SQLite database (with its -wal and -shm files)."""
    paths = [Path(settings.VAR_DIR) / "secrets"]
    name = str(settings.DATABASES["default"].get("NAME") or "")
    if connection.vendor == "sqlite" and name and name != ":memory:" and not name.startswith("file:"):
        paths += [Path(name + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    return [p.resolve() for p in paths]


def _is_excluded(storage: Storage, name: str, excluded: list[Path]) -> bool:
    try:
        local = Path(storage.path(name)).resolve()
    except NotImplementedError:  # not on the local disk (S3, in memory)
        return False
    return any(local == p or local.is_relative_to(p) for p in excluded)


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


# Writing -------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """Reads through to ``raw`` and keeps the SHA-256 and size of what went by."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _DirWriter:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(mode=0o700, parents=True)

    def add(self, arcname: str, source: IO[bytes], size: int) -> tuple[int, str]:
        target = self.root / arcname
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        reader = _Hashing(source)
        with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            shutil.copyfileobj(reader, out, CHUNK)
        return reader.size, reader.sha.hexdigest()

    def close(self) -> None:
        pass


class _TarWriter:
    def __init__(self, path: Path):
        mode = "w:gz" if path.name.endswith((".tar.gz", ".tgz")) else "w"
        # closed in close(); the archive is readable only by its owner
        self.handle = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")  # noqa: SIM115
        self.tar = tarfile.open(fileobj=self.handle, mode=mode, format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def add(self, arcname: str, source: IO[bytes], size: int) -> tuple[int, str]:
        info = tarfile.TarInfo(arcname)
        info.size = size
        info.mode = 0o600
        info.mtime = int(dt.datetime.now().timestamp())
        reader = _Hashing(source)
        self.tar.addfile(info, reader)  # raises when the source is shorter than it said
        return reader.size, reader.sha.hexdigest()

    def close(self) -> None:
        self.tar.close()
        self.handle.close()


def _dump_database(target: Path) -> dict[str, Any]:
    """Copy the default database into ``target``; return what the manifest says about it, with
    the row counts and applied migrations of exactly that copy (not of the live database, which
    may have changed meanwhile)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # a consistent copy while others write
            counts, migrations = _sqlite_counts(destination), _sqlite_migrations(destination)
        finally:
            destination.close()
        return {
            "engine": "sqlite",
            "file": SQLITE_FILE,
            "server_version": sqlite3.sqlite_version,
            "tables": counts,
            "migrations": migrations,
        }
    if connection.vendor == "postgresql":
        server = connection.pg_version // 10000
        tool, version = _pg_tool("pg_dump")
        if version < server:
            raise BackupError(
                f"pg_dump {version} cannot dump a PostgreSQL {server} server: install the PostgreSQL "
                f"{server} client tools (Debian: postgresql-client-{server}) and put them first on PATH."
            )
        # pg_dump and the counts read one snapshot: the manifest describes exactly the dump
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run_pg([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], "pg_dump")
            counts, migrations = table_counts(), applied_migrations()
        return {
            "engine": "postgresql",
            "file": PG_FILE,
            "server_version": connection.pg_version,
            "dump_tool": f"pg_dump {version}",
            "tables": counts,
            "migrations": migrations,
        }
    raise BackupError(f"backups of a {connection.vendor} database are not supported")


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    """Rows of every table, listed as Django's SQLite introspection lists them (table_counts)."""
    names = [
        row[0]
        for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")
    ]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in sorted(names)}


def _sqlite_migrations(db: sqlite3.Connection) -> list[str]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations").fetchall()
    except sqlite3.OperationalError:  # no such table: never migrated
        return []
    return sorted(f"{app}.{name}" for app, name in rows)


def _pg_tool(name: str) -> tuple[str, int]:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client tools (postgresql-client).")
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if not match:
        raise BackupError(f"cannot tell the version of {tool} from {output!r}")
    return tool, int(match.group(1))


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    options = db.get("OPTIONS", {})
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run_pg(command: list[str], what: str) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit code {result.returncode}):\n{result.stderr.strip()}")


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def default_backup_path(directory: Path | None = None) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return (directory or Path(settings.VAR_DIR) / "backups") / f"{NAME_PREFIX}{stamp}.tar"


def backup_create(*, path: Path, storage: Storage | None = None) -> BackupResult:
    """Write a backup to ``path`` (a .tar/.tar.gz/.tgz archive, otherwise a directory)."""
    storage = storage or default_storage
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new name (backups are never overwritten)")
    is_archive = path.name.endswith(ARCHIVE_SUFFIXES)
    partial = path.with_name(path.name + ".partial")
    if partial.exists():
        raise BackupError(f"{partial} is left from an interrupted backup: remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = _TarWriter(partial) if is_archive else _DirWriter(partial)
    files: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="qiaolian-backup-") as scratch:
            dump = Path(scratch) / "database"
            database = _dump_database(dump)
            counts, migrations = database.pop("tables"), database.pop("migrations")
            _scan_for_secrets(dump, database["file"])
            with open(dump, "rb") as handle:
                size, sha = writer.add(database["file"], handle, dump.stat().st_size)
            files.append({"path": database["file"], "size": size, "sha256": sha})
        media_bytes = 0
        for name in media_names(storage):
            with storage.open(name, "rb") as handle:
                size, sha = writer.add(f"{MEDIA_DIR}/{name}", handle, storage.size(name))
            files.append({"path": f"{MEDIA_DIR}/{name}", "size": size, "sha256": sha})
            media_bytes += size
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "qiaolian_version": qiaolian.__version__,
            "host": socket.gethostname(),
            "database": database,
            "media": {
                "storage": _storage_class(storage),
                "files": len(files) - 1,
                "bytes": media_bytes,
            },
            "migrations": migrations,
            "tables": counts,
            "keys": key_fingerprints(),
            "files": files,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        _refuse_secrets(data, MANIFEST)
        writer.add(MANIFEST, io.BytesIO(data), len(data))
        writer.close()
    except BaseException:
        with suppress(Exception):  # the first error is the one to report
            writer.close()
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)
        raise
    partial.rename(path)
    return BackupResult(path=path, manifest=manifest)


def _storage_class(storage: Storage) -> str:
    if storage is default_storage:
        storage = storages["default"]
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def _refuse_secrets(data: bytes, what: str) -> None:
    for secret in _secret_values():
        if secret.encode() in data:
            raise BackupError(f"{what} would contain a key: the backup was stopped")


def _scan_for_secrets(path: Path, what: str) -> None:
    """Refuse a database copy that holds a key (a bug somewhere: keys live outside the database).
    PostgreSQL's custom format is compressed, so this catches plain copies (SQLite) only."""
    secrets_ = [s.encode() for s in _secret_values()]
    overlap = max((len(s) for s in secrets_), default=1) - 1
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            if any(s in window for s in secrets_):
                raise BackupError(f"{what} would contain a key: the backup was stopped")
            tail = window[-overlap:] if overlap else b""


def prune_backups(directory: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups named ``qiaolian-*`` in ``directory``."""
    found = sorted(
        (p for p in directory.iterdir() if p.name.startswith(NAME_PREFIX) and not p.name.endswith(".partial")),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = []
    for old in found[keep:]:
        if old.is_dir():
            if not (old / MANIFEST).exists():
                continue  # not one of ours
            shutil.rmtree(old)
        elif old.name.endswith(ARCHIVE_SUFFIXES):
            old.unlink()
        else:
            continue
        removed.append(old)
    return removed


# Reading -------------------------------------------------------------------------------------


class _Reader:
    """A backup directory or archive, read in the order it was written."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            raise BackupError(f"{path} does not exist")
        self.is_archive = self.path.is_file()
        if self.is_archive and not tarfile.is_tarfile(self.path):
            raise BackupError(f"{path} is not a tar archive (damaged or not a backup)")

    def manifest(self) -> dict[str, Any]:
        try:
            if self.is_archive:
                with tarfile.open(self.path, "r:*") as tar:
                    try:
                        handle = tar.extractfile(MANIFEST)
                    except KeyError:
                        handle = None
                    if handle is None:
                        raise BackupError(f"{self.path} has no {MANIFEST}: not a Qiaolian backup, or cut short")
                    data = handle.read()
            else:
                target = self.path / MANIFEST
                if not target.is_file():
                    raise BackupError(f"{self.path} has no {MANIFEST}: not a Qiaolian backup, or cut short")
                data = target.read_bytes()
            manifest = json.loads(data)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{self.path} cannot be read ({exc}): the archive is damaged") from exc
        except json.JSONDecodeError as exc:
            raise BackupError(f"{MANIFEST} in {self.path} is damaged ({exc})") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{self.path} is a backup of format {manifest.get('format')}, this version reads {FORMAT}"
            )
        return manifest

    @contextmanager
    def members(self) -> Iterator[Iterator[tuple[str, IO[bytes]]]]:
        """(name, readable) for every file, manifest included."""
        if self.is_archive:
            with tarfile.open(self.path, "r:*") as tar:

                def walk():
                    for member in tar:
                        if member.isdir():
                            continue
                        if not member.isfile():
                            raise BackupError(f"{member.name} in {self.path} is not a regular file")
                        yield member.name, tar.extractfile(member)

                yield walk()
        else:

            def walk():
                for path in sorted(self.path.rglob("*")):
                    if path.is_symlink():
                        raise BackupError(f"{path} is a symbolic link: refused")
                    if path.is_file():
                        with open(path, "rb") as handle:
                            yield path.relative_to(self.path).as_posix(), handle

            yield walk()


def backup_verify(path: Path) -> dict[str, Any]:
    """Check every file against the manifest; return the manifest, or raise naming the first bad file."""
    reader = _Reader(path)
    manifest = reader.manifest()
    expected = {f["path"]: f for f in manifest["files"]}
    for name in expected:
        is_database = name == manifest["database"]["file"] and name in (SQLITE_FILE, PG_FILE)
        if not _safe_name(name) or not (is_database or name.startswith(f"{MEDIA_DIR}/")):
            raise BackupError(f"the manifest of {path} names an unsafe path {name!r}: refused")
    seen = set()
    try:
        with reader.members() as members:
            for name, handle in members:
                if name == MANIFEST:
                    continue
                if name not in expected:
                    raise BackupError(f"{name} in {path} is not in the manifest: the backup was altered")
                sha, size = hashlib.sha256(), 0
                while chunk := handle.read(CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                want = expected[name]
                if size != want["size"] or sha.hexdigest() != want["sha256"]:
                    raise BackupError(
                        f"{name} in {path} is damaged: its checksum does not match the manifest "
                        f"(expected {want['size']} bytes, SHA-256 {want['sha256'][:16]}…; found {size} bytes, "
                        f"{sha.hexdigest()[:16]}…). Use another backup."
                    )
                seen.add(name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} cannot be read ({exc}): the archive is damaged") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{missing[0]} is missing from {path} ({len(missing)} file(s) missing): use another backup")
    return manifest


# Restoring -----------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def backup_restore(
    *,
    path: Path,
    force: bool = False,
    ignore_keys: bool = False,
    storage: Storage | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> RestoreReport:
    """Restore the database and the media files of the backup at ``path`` into this installation."""
    storage = storage or default_storage
    manifest = backup_verify(path)
    report = RestoreReport(manifest=manifest)
    say(f"checksums OK: {len(manifest['files'])} files")

    problems, warnings = key_check(manifest.get("keys", {}))
    report.warnings += warnings
    if problems and not ignore_keys:
        raise BackupError(
            "\n".join(problems) + "\nConfigure the keys the backup was made with (compare the fingerprints), or pass "
            "--ignore-key-mismatch to restore anyway."
        )
    report.warnings += problems

    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(f"the backup holds a {engine} database, but DATABASE_URL names a {connection.vendor} one")
    empty, tables = database_is_empty()
    if not empty and not force:
        raise BackupError(
            f"the database is not empty ({len(tables)} tables, e.g. {', '.join(tables[:3])}): restoring "
            "would replace it. Restore into a new, empty database, or pass --force to replace this one."
        )
    media = [f for f in manifest["files"] if f["path"].startswith(f"{MEDIA_DIR}/")]
    present = [f["path"][len(MEDIA_DIR) + 1 :] for f in media if storage.exists(f["path"][len(MEDIA_DIR) + 1 :])]
    if present and not force:
        raise BackupError(
            f"{len(present)} media file(s) of the backup already exist in the storage (e.g. {present[0]}): "
            "pass --force to overwrite them."
        )

    reader = _Reader(Path(path))
    _restore_database(reader, manifest, replace=not empty)
    say(f"database restored ({engine})")
    written = _restore_media(reader, manifest, storage)
    say(f"media restored: {written} of {len(media)} files written")

    connections.close_all()
    from qiaolian.audit.services import audit_verify

    chain = audit_verify()
    if chain.ok:
        report.lines.append(f"audit chain OK: {chain.checked} entries")
    else:
        report.problems.append(f"audit chain BROKEN at entry #{chain.first_broken_seq}: {chain.reason}")
    now = table_counts()
    differ = [
        f"{table}: {count} in the backup, {now.get(table, 'no table')} now"
        for table, count in manifest["tables"].items()
        if now.get(table) != count
    ]
    if differ:
        report.problems.append("row counts differ from the manifest:\n  " + "\n  ".join(differ))
    else:
        report.lines.append(f"row counts match the manifest: {len(now)} tables, {sum(now.values())} rows")
    report.warnings += _migration_notes(manifest)
    return report


def _restore_database(reader: _Reader, manifest: dict[str, Any], *, replace: bool) -> None:
    name = manifest["database"]["file"]
    want = next(f for f in manifest["files"] if f["path"] == name)
    with tempfile.TemporaryDirectory(prefix="qiaolian-restore-") as scratch:
        dump = Path(scratch) / name
        with reader.members() as members:
            for member, handle in members:
                if member == name:
                    source = _Hashing(handle)
                    with open(dump, "wb") as out:
                        shutil.copyfileobj(source, out, CHUNK)
                    if source.sha.hexdigest() != want["sha256"]:
                        raise BackupError(f"{name} changed while it was being restored: nothing was restored")
                    break
        connections.close_all()
        if manifest["database"]["engine"] == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump, replace=replace)
    connections.close_all()


def _restore_sqlite(dump: Path) -> None:
    target = str(settings.DATABASES["default"]["NAME"])
    if target == ":memory:" or target.startswith("file:"):
        raise BackupError("restore needs a database file: DATABASE_URL names an in-memory SQLite database")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(dump: Path, *, replace: bool) -> None:
    tool, _version = _pg_tool("pg_restore")
    command = [tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if replace:
        command += ["--clean", "--if-exists"]
    command += [f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)]
    _run_pg(command, "pg_restore")


def _restore_media(reader: _Reader, manifest: dict[str, Any], storage: Storage) -> int:
    expected = {f["path"]: f for f in manifest["files"] if f["path"].startswith(f"{MEDIA_DIR}/")}
    written = 0
    with reader.members() as members:
        for member, handle in members:
            want = expected.get(member)
            if want is None:
                continue
            name = member[len(MEDIA_DIR) + 1 :]
            if storage.exists(name):
                with storage.open(name, "rb") as existing:
                    if _sha256(existing) == want["sha256"]:
                        continue
                storage.delete(name)
            source = _Hashing(handle)
            saved = storage.save(name, File(source, name=name))
            if saved != name:
                storage.delete(saved)
                raise BackupError(f"the storage saved {name} as {saved}: restore stopped")
            if source.sha.hexdigest() != want["sha256"]:
                storage.delete(saved)
                raise BackupError(f"{member} changed while it was being restored: restore stopped")
            written += 1
    return written


def _sha256(handle: IO[bytes]) -> str:
    sha = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        sha.update(chunk)
    return sha.hexdigest()


def _migration_notes(manifest: dict[str, Any]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    saved = set(manifest.get("migrations", []))
    notes = []
    unknown = sorted(saved - known)
    if unknown:
        notes.append(
            f"the backup has {len(unknown)} migration(s) this version does not know (e.g. {unknown[0]}): "
            "it was made by a newer version of Qiaolian; install that version."
        )
    pending = sorted(known - saved)
    if pending:
        notes.append(f"{len(pending)} migration(s) are not applied yet (e.g. {pending[0]}): run `qiaolian migrate`.")
    return notes
