"""``manage.py search_rebuild``: write every search key and index again.

Rebuilds the title keys of cases and activities from their titles, creates any missing search
index (PostgreSQL) or FTS table and trigger (SQLite) and refills the SQLite FTS tables from
their source tables. Safe to run at any time; run it after loading data by a path that bypasses
the services (raw SQL, ``loaddata``, a restore of a partial dump)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from qiaolian.search.indexes import ensure_indexes
from qiaolian.search.keys import title_keys_rebuild


class Command(BaseCommand):
    help = "重建全局检索的标题检索键和索引（SQLite 的 FTS5 表、PostgreSQL 的 pg_trgm 索引）。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, **options):
        with transaction.atomic(using=database):
            counts = title_keys_rebuild(using=database)
            done = ensure_indexes(database, refill=True)
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {n}")
        for name in done:
            self.stdout.write(f"index: {name}")
        self.stdout.write(self.style.SUCCESS("search_rebuild: done"))
