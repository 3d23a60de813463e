"""Create an API token for a user and print it (the only time the token is shown)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qiaolian.accounts.models import User
from qiaolian.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME and print it; it is not stored and cannot be shown again."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="what the token is for (shown in the token list)")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}", returncode=2)
        if not user.is_active:
            raise CommandError(f"user {username!r} is deactivated", returncode=2)
        _token, plain = api_token_create(actor=None, user=user, name=name)
        self.stdout.write(plain)
