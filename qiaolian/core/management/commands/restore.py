"""``qiaolian restore PATH [--force] [--ignore-key-mismatch]`` (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qiaolian.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `qiaolian backup` into the database of DATABASE_URL and the media "
        "storage: checks every checksum and the keys' fingerprints first, refuses a non-empty database "
        "unless --force, then verifies the audit chain and the row counts. Exit 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup: a .tar/.tar.gz archive or a backup directory")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that is not empty and overwrite media files"
        )
        parser.add_argument(
            "--ignore-key-mismatch",
            action="store_true",
            help="restore even though the configured keys are not the backup's (data may be unreadable)",
        )
        parser.add_argument("--check", action="store_true", help="only verify the backup's checksums; write nothing")

    def handle(self, *args, path: str, force: bool, ignore_key_mismatch: bool, check: bool, **options) -> None:
        try:
            if check:
                manifest = backup.backup_verify(Path(path))
                self.stdout.write(
                    f"OK: {len(manifest['files'])} files match the manifest "
                    f"(made {manifest['created_at']} by Qiaolian {manifest['qiaolian_version']})"
                )
                problems, warnings = backup.key_check(manifest.get("keys", {}))
                for line in problems + warnings:
                    self.stderr.write(f"warning: {line}")
                return
            report = backup.backup_restore(
                path=Path(path), force=force, ignore_keys=ignore_key_mismatch, say=self.stdout.write
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines:
            self.stdout.write(line)
        for line in report.warnings:
            self.stderr.write(f"warning: {line}")
        if not report.ok:
            raise CommandError("restore finished with problems:\n" + "\n".join(report.problems), returncode=1)
        self.stdout.write(self.style.SUCCESS(f"Restored {path} (made {report.manifest['created_at']})."))
