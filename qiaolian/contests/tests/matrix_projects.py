"""The entrepreneurship competition's part of the permission matrices (test_matrix.py and
test_api_matrix.py): its staff routes, its API operations and one record of each kind."""

from qiaolian.contests import services_projects
from qiaolian.testing import Route

ROUTES = {
    "contests:project_list": Route("contests.view_project"),
    "contests:project_create": Route("contests.change_project"),
    "contests:project_export": Route("contests.view_project"),
    "contests:project_detail": Route("contests.view_project", "competition_project"),
    "contests:project_edit": Route("contests.change_project", "competition_project"),
}

API_OPERATIONS = {
    ("get", "/competition-projects"): ("contests.view_project", None, None),
    ("get", "/competition-projects/stats"): ("contests.view_project", None, None),
    ("post", "/competition-projects"): ("contests.change_project", None, {}),
    ("get", "/competition-projects/{competition_project_id}"): (
        "contests.view_project",
        "competition_project",
        None,
    ),
}


def records(js, federation, tag, admin) -> dict:
    project = services_projects.project_create(
        actor=admin,
        data={
            "federation": federation,
            "year": 2021,
            "name": f"{tag}智能康养平台",
            "source_region": "overseas",
            "country": "US",
            "field": "ai",
            "stage": "startup",
            "referral_channel": "federation",
            "leader_name": f"{tag}张三",
            "leader_phone": f"+861390000{len(tag) + 10:04d}",
        },
        members=[{"name": f"{tag}张三", "role": "CEO", "nationality": "US", "is_leader": True}],
    )
    return {"competition_project": project}
