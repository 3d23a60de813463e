"""The tables pages' part of this app's permission matrix (merged by matrix.py).

The federation is a query parameter (?federation=); a foreign one is a 404, tested in
qiaolian/reports/tests/test_tables.py."""

from qiaolian.testing import Route

ROUTES: dict = {
    "reports:tables": Route("reports.view_indicators"),
    "reports:tables_export": Route("reports.view_indicators"),
}
API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    return {}
