"""``qiaolian backup [PATH] [--keep N]``: the database, every media file and a manifest (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiaolian.core import backup


class Command(BaseCommand):
    help = (
        "Write a backup: the database (pg_dump custom format, or a SQLite copy), every media file and "
        "manifest.json with checksums, row counts and key fingerprints; never the keys. PATH ending in "
        ".tar/.tar.gz/.tgz is an archive, an existing directory gets a new qiaolian-YYYYMMDD-HHMMSS.tar "
        "inside it, any other PATH becomes a backup directory. Default: var/backups/qiaolian-….tar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="where to write the backup (see above)")
        parser.add_argument(
            "--keep", type=int, metavar="N", help="afterwards delete all but the newest N qiaolian-* backups there"
        )

    def handle(self, *args, path: str | None, keep: int | None, **options) -> None:
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1")
        if path is None:
            target = backup.default_backup_path()
        elif Path(path).is_dir():
            target = backup.default_backup_path(Path(path))
        else:
            target = Path(path)
        try:
            result = backup.backup_create(path=target)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"Backup written to {result.path}: {manifest['database']['engine']} database, "
            f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
            f"{manifest['media']['files']} media files ({manifest['media']['bytes']} bytes)"
        )
        if keep is not None:
            for old in backup.prune_backups(result.path.parent, keep=keep):
                self.stdout.write(f"  removed old backup {old}")
