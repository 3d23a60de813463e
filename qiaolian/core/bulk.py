"""Inserting many rows at once when their primary keys are not needed afterwards.

``copy_insert`` writes model instances with PostgreSQL ``COPY … FROM STDIN``: the values are
the very ones ``bulk_create`` would send (each field's ``pre_save`` and ``get_db_prep_save``:
encryption, blind indexes, JSON, defaults), without building one INSERT statement with tens of
thousands of parameters. On another database, or when ids are wanted, it is ``bulk_create``.
"""

from __future__ import annotations

from django.db import connections, models, router


def copy_insert(model: type[models.Model], objs: list[models.Model], *, batch_size: int = 1000) -> int:
    """Insert ``objs`` (new instances of ``model``); their primary keys are not set on PostgreSQL.
    The caller holds the transaction."""
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs, batch_size=batch_size)
        return len(objs)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="copy_insert")
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])
            obj._state.adding = False
            obj._state.db = connection.alias
    return len(objs)
