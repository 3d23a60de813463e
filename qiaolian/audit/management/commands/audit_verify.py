"""Check the audit log's hash chain from the first entry to the head."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qiaolian.audit.models import AuditEntry
from qiaolian.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain: prints 'OK: N entries', or the first broken entry and exits 1."

    def handle(self, *args, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(f"OK: {report.checked} entries")
            return
        lines = [f"BROKEN at entry #{report.first_broken_seq}: {report.reason}"]
        entry = AuditEntry.objects.filter(seq=report.first_broken_seq).first()
        if entry is not None:
            lines.append(f"  {entry.at:%Y-%m-%d %H:%M:%S%z} {entry}")
        lines.append(f"  {report.checked} entries before it are intact")
        raise CommandError("\n".join(lines), returncode=1)
