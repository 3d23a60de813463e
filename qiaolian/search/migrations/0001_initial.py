"""The title keys of cases and activities, and the search indexes of each database
(see ``qiaolian/search/indexes.py``): pg_trgm and one-/two-character GIN indexes on
PostgreSQL, FTS5 trigram tables kept by triggers on SQLite."""

from django.db import migrations, models

import qiaolian.core.fields


def fill_title_keys(apps, schema_editor):
    from qiaolian.search.keys import title_keys

    title_key = apps.get_model("search", "TitleKey")
    alias = schema_editor.connection.alias
    for kind, app_label, model_name in (("case", "casework", "Case"), ("activity", "activities", "Activity")):
        model = apps.get_model(app_label, model_name)
        rows = [
            title_key(kind=kind, object_id=pk, **title_keys(title))
            for pk, title in model.objects.using(alias).values_list("pk", "title").iterator()
        ]
        title_key.objects.using(alias).bulk_create(rows, batch_size=2000)


def create_indexes(apps, schema_editor):
    from qiaolian.search.indexes import ensure_indexes

    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        ensure_indexes(schema_editor.connection.alias)


def drop_indexes(apps, schema_editor):
    from qiaolian.search.indexes import drop_indexes

    drop_indexes(schema_editor.connection.alias)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0002_import_mapping"),
        ("enterprises", "0003_appeal_case"),
        ("casework", "0002_case_account"),
        ("activities", "0003_registration_account"),
    ]

    operations = [
        migrations.CreateModel(
            name="TitleKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(choices=[("case", "诉求案件"), ("activity", "活动")], max_length=16, verbose_name="类别"),
                ),
                ("object_id", models.PositiveBigIntegerField(verbose_name="记录编号")),
                ("key", qiaolian.core.fields.SearchKeyField(blank=True, db_index=True, editable=False, max_length=200)),
                (
                    "pinyin",
                    qiaolian.core.fields.SearchKeyField(blank=True, db_index=True, editable=False, max_length=600),
                ),
                (
                    "initials",
                    qiaolian.core.fields.SearchKeyField(blank=True, db_index=True, editable=False, max_length=200),
                ),
            ],
            options={
                "verbose_name": "标题检索键",
                "verbose_name_plural": "标题检索键",
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_titlekey_unique")],
            },
        ),
        migrations.RunPython(fill_title_keys, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
