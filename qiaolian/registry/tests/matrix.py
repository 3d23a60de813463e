"""The registry's later routes in the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py); the foundation's registry routes are listed there directly.

Each part (``matrix_<part>.py`` beside this file) has ``ROUTES``, optionally ``API_OPERATIONS``, and
``records(js, federation, tag, admin)`` returning {kind: record} for its kinds."""

from importlib import import_module

PARTS = []
for _name in ("matrix_import",):
    try:
        PARTS.append(import_module(f"qiaolian.registry.tests.{_name}"))
    except ModuleNotFoundError:
        continue

ROUTES = {}
API_OPERATIONS = {}
for _part in PARTS:
    ROUTES.update(_part.ROUTES)
    API_OPERATIONS.update(getattr(_part, "API_OPERATIONS", {}))


def records(js, federation, tag, admin) -> dict:
    found = {}
    for part in PARTS:
        found.update(part.records(js, federation, tag, admin))
    return found
