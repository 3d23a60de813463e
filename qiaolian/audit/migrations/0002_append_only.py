from django.db import migrations

TRIGGERS = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit log is append-only';
        END;
        $$ LANGUAGE plpgsql;
        """,
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();",
    ],
    "sqlite": [
        "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    ],
}
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;",
        "DROP FUNCTION IF EXISTS audit_entry_append_only();",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_entry_no_update;"],
}


def create_triggers(apps, schema_editor):
    for sql in TRIGGERS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
