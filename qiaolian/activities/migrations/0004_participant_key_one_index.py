"""participant_key is looked up only by equality: one index, no varchar_pattern_ops twin
(``core.fields.ExactKeyField``). The column itself is unchanged, so only the state moves here; the
twin index is dropped on PostgreSQL by search 0002 (on SQLite there is none, and an AlterField
would copy the whole table for nothing)."""

import qiaolian.core.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_registration_account"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="registration",
                    name="participant_key",
                    field=qiaolian.core.fields.ExactKeyField(db_index=True, editable=False, max_length=200),
                ),
            ],
        ),
    ]
