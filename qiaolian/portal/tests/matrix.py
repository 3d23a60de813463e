"""The portal's staff pages in the permission matrices: content (matrix_content) and account
review (matrix_review). The public pages are tested as a portal user in portal/tests."""

from qiaolian.portal.tests import matrix_content, matrix_review

NAMESPACE = "portal_staff"
ROUTES = {**matrix_content.ROUTES, **matrix_review.ROUTES}
API_OPERATIONS = {**matrix_content.API_OPERATIONS, **matrix_review.API_OPERATIONS}


def records(js, federation, tag, admin) -> dict:
    return {**matrix_content.records(js, federation, tag, admin), **matrix_review.records(js, federation, tag, admin)}
