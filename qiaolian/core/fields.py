"""Field types shared by the apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from qiaolian.core.text import PREFIX_END


class SearchKeyField(models.CharField):
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


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` starts with ``prefix``, as a range an index can serve."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + PREFIX_END})
