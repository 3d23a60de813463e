"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py). Search names no record in its URLs: every staff role may open it, and
what each role finds is decided per kind by the selectors (tested in test_search.py)."""

from qiaolian.testing import Route

ROUTES = {
    "search:results": Route("accounts.use_staff_site"),
    "search:suggest": Route("accounts.use_staff_site"),
}


# Without ``q`` the operation answers 422 with a message for ``q``.
API_OPERATIONS = {("get", "/search"): ("accounts.use_staff_site", None, None)}


def records(js, federation, tag, admin) -> dict:
    return {}
