"""Indexes that serve the person list's other two orders, "最近录入" (``-created_at, -id``) and
"最近更新" (``-updated_at, -id``), read backwards, so their pages stop after a page of rows instead of
sorting every person. The default order (``name_pinyin, id``) has its indexes in the model.

Plain SQL (the same on PostgreSQL and SQLite) rather than ``Meta.indexes``: the indexes serve
queries only, no model field or constraint changes.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_import_kind"),
    ]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX IF NOT EXISTS "person_created_idx" ON "registry_person" ("created_at", "id")',
            reverse_sql='DROP INDEX IF EXISTS "person_created_idx"',
        ),
        migrations.RunSQL(
            sql='CREATE INDEX IF NOT EXISTS "person_updated_idx" ON "registry_person" ("updated_at", "id")',
            reverse_sql='DROP INDEX IF EXISTS "person_updated_idx"',
        ),
    ]
