"""The entrepreneurship competition's part of the permission matrices (test_matrix.py and
test_api_matrix.py): its staff routes, its API operations and one record of each kind."""

import types

from django.core.files.uploadedfile import SimpleUploadedFile

from qiaolian.contests import project_import, services_projects
from qiaolian.testing import Route

ROUTES = {
    "contests:project_list": Route("contests.view_project"),
    "contests:project_create": Route("contests.change_project"),
    "contests:project_export": Route("contests.view_project"),
    "contests:project_detail": Route("contests.view_project", "competition_project"),
    "contests:project_edit": Route("contests.change_project", "competition_project"),
    "contests:project_import": Route("contests.import_project"),
    "contests:project_import_preview": Route("contests.import_project", "competition_project_import"),
    "contests:project_import_rejects": Route("contests.import_project", "competition_project_import_done"),
    "contests:project_import_confirm": Route("contests.import_project", "competition_project_import", "post"),
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

CSV_HEADER = "年度,项目名称,负责人,来源地区,国家,阶段,电话\n"


def _csv(tag: str, n: int) -> SimpleUploadedFile:
    rows = (
        CSV_HEADER
        + f"2021,{tag}导入项目{n},王{tag},海外,美国,初创,13812345678\n2021,{tag}坏行{n},李{tag},海外,,初创,\n"
    )
    return SimpleUploadedFile(f"{tag}{n}.csv", rows.encode("utf-8"), content_type="text/csv")


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
    pending = project_import.import_upload(actor=admin, upload=_csv(tag, 1), federation=federation)
    done = project_import.import_upload(actor=admin, upload=_csv(tag, 2), federation=federation)
    project_import.import_commit(actor=admin, upload=done)
    return {
        "competition_project": project,
        "competition_project_import": types.SimpleNamespace(pk=pending.token),
        "competition_project_import_done": types.SimpleNamespace(pk=done.token),
    }
