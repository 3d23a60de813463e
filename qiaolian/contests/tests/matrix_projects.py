ROUTES: dict = {}
API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    return {}
