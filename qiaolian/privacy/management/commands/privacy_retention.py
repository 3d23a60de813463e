"""Apply the retention rules (privacy/retention.py): ``manage.py privacy_retention [--dry-run]``.

Prints, per rule, how many records are due (dry run) or were processed. Each rule runs in its own
transaction and writes one audit entry; running it again processes nothing new."""

from django.core.management.base import BaseCommand, CommandError

from qiaolian.privacy.retention import RULES_BY_KEY
from qiaolian.privacy.services import retention_run


class Command(BaseCommand):
    help = "Delete or anonymize records past their retention period (保存期限)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count what is due")
        parser.add_argument("--rule", action="append", dest="rules", help="run only this rule (repeatable)")

    def handle(self, *args, dry_run=False, rules=None, **options):
        unknown = sorted(set(rules or []) - set(RULES_BY_KEY))
        if unknown:
            raise CommandError(f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(RULES_BY_KEY)}")
        for outcome in retention_run(dry_run=dry_run, only=rules):
            rule = outcome.rule
            if dry_run:
                line = f"{rule.key}: {outcome.due} would be processed ({rule.action}, {rule.days} days)"
            else:
                line = f"{rule.key}: {outcome.processed} processed ({rule.action}, {rule.days} days)"
                if outcome.skipped:
                    line += f", {outcome.skipped} skipped"
            self.stdout.write(line)
