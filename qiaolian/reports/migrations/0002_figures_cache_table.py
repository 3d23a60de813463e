"""The table of the "figures" cache (settings.CACHES), when that cache is kept in the database:
made with the schema, so every way of migrating (qiaolian migrate, manage.py migrate, tests) has it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
