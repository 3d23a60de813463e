"""Drop the ``varchar_pattern_ops`` twin index Django made on PostgreSQL for every search key and
blind index column (``core.fields.NoPatternIndexMixin`` says why none is needed). Databases
created from now on never get them; this removes them from existing ones. Nothing to do on SQLite."""

from django.db import migrations


def _columns(apps) -> list[tuple[str, str]]:
    from qiaolian.core.fields import NoPatternIndexMixin

    found = []
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if isinstance(field, NoPatternIndexMixin) and field.db_index:
                found.append((model._meta.db_table, field.column))
    return found


def drop_pattern_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in _columns(apps):
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
                "AND indexdef LIKE %s",
                [table, f"%({column} varchar_pattern_ops)"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("casework", "0002_case_account"),
        ("liaison", "0002_enrolment_account"),
        ("registry", "0003_import_duplicate_warnings"),
        ("enterprises", "0003_appeal_case"),
        ("portal", "0002_privacy_notice_1_0"),
        ("contests", "0001_initial"),
        ("activities", "0004_participant_key_one_index"),
    ]

    operations = [migrations.RunPython(drop_pattern_indexes, migrations.RunPython.noop, elidable=True)]
