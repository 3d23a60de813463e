"""This app's part of the permission matrix (qiaolian/core/tests/test_matrix.py): the export and
erasure pages name a registry person (the matrix's "person" record); the retention page is the
district administrator's."""

from qiaolian.testing import Route

ROUTES = {
    "privacy:retention": Route("privacy.view_retention"),
    "privacy:person_export": Route("privacy.handle_request", "person"),
    "privacy:person_erase": Route("privacy.handle_request", "person"),
}

API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    return {}
