"""This app's part of the permission matrices: contests (matrix_contests) and the
entrepreneurship competition (matrix_projects)."""

from qiaolian.contests.tests import matrix_contests, matrix_projects

ROUTES = {**matrix_contests.ROUTES, **matrix_projects.ROUTES}
API_OPERATIONS = {**matrix_contests.API_OPERATIONS, **matrix_projects.API_OPERATIONS}


def records(js, federation, tag, admin) -> dict:
    return {
        **matrix_contests.records(js, federation, tag, admin),
        **matrix_projects.records(js, federation, tag, admin),
    }
