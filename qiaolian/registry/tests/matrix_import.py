"""The import routes added after the foundation (column mapping, roll-back) in the permission
matrix; their record, ``import_batch``, is made by qiaolian/core/tests/test_matrix.py."""

from qiaolian.testing import Route

ROUTES = {
    "registry:import_mapping": Route("registry.import_person", "import_batch", "post"),
    "registry:import_rollback": Route("registry.import_person", "import_batch", "post"),
}


def records(js, federation, tag, admin) -> dict:
    return {}
