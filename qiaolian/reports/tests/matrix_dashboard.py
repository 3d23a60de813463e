"""The dashboard pages' part of this app's permission matrix (merged by matrix.py)."""

ROUTES: dict = {}
API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    return {}
