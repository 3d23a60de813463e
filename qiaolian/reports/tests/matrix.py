"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py).

An indicator is not a record: its pages name the federation in the path
(/reports/indicators/<federation>/<code>/), so the matrix's record kind is that federation
("report_federation"). The API takes the federation as a query parameter; the matrix substitutes
``{indicator_id}`` with the code followed by ``?federation=<id>`` (kind "indicator"), so "own",
"foreign" and "absent" hold there too."""

import types

from qiaolian.reports.tests import matrix_dashboard, matrix_review, matrix_tables
from qiaolian.testing import Route

PARTS = (matrix_dashboard, matrix_review, matrix_tables)

CODE = "persons.by_category"

ROUTES = {
    "reports:indicator_list": Route("reports.view_indicators"),
    "reports:indicator_detail": Route("reports.view_indicators", "report_federation", "get", (CODE,)),
    "reports:indicator_export": Route("reports.view_indicators", "report_federation", "get", (CODE,)),
}
for _part in PARTS:
    ROUTES.update(_part.ROUTES)

API_OPERATIONS = {
    ("get", "/indicators"): ("reports.view_indicators", None, None),
    ("get", "/indicators/{indicator_id}"): ("reports.view_indicators", "indicator", None),
}
for _part in PARTS:
    API_OPERATIONS.update(_part.API_OPERATIONS)


def records(js, federation, tag, admin) -> dict:
    found = {}
    for part in PARTS:
        found.update(part.records(js, federation, tag, admin))
    return found | {
        "report_federation": federation,
        "indicator": types.SimpleNamespace(pk=f"{CODE}?federation={federation.pk}&from=2018-01-01&to=2030-12-31"),
    }
