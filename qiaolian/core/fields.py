"""Field types shared by the apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from qiaolian.core.text import PREFIX_END


class NoPatternIndexMixin:
    """An indexed text column compared exactly or by range, never with LIKE: one index only.

    On PostgreSQL Django gives every indexed ``varchar`` column a second index with
    ``varchar_pattern_ops``, for ``LIKE 'x%'`` outside the C locale. Search keys are compared
    byte-wise (collation "C": the plain index serves a prefix range) and blind indexes only for
    equality, so the second index doubled their write cost and size for nothing (about 500 MB on
    a million persons). Django adds it only to a type spelled "varchar"; the same type spelled
    "character varying" gets the one index it needs."""

    def db_type(self, connection):
        spelled = super().db_type(connection)
        if connection.vendor == "postgresql" and spelled and spelled.startswith("varchar"):
            return "character varying" + spelled[len("varchar") :]
        return spelled


class SearchKeyField(NoPatternIndexMixin, models.CharField):
    """A normalized search column compared byte-wise (collation "C" on PostgreSQL, BINARY on
    SQLite), so a prefix search is an index range scan on both databases."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class ExactKeyField(NoPatternIndexMixin, models.CharField):
    """An indexed text key looked up only by equality (e.g. a registration's participant key)."""


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` starts with ``prefix``, as a range an index can serve."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + PREFIX_END})


def import_batch_field() -> models.ForeignKey:
    """The import batch a record came in with (``registry.ImportBatch``), so that the batch can
    be rolled back as a whole; empty for records entered by hand. One definition for every
    model an import kind writes (``core.importkinds``)."""
    from django.utils.translation import gettext_lazy

    return models.ForeignKey(
        "registry.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("导入批次"),
    )
