"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from qiaolian.casework import services
from qiaolian.testing import Route

ROUTES = {
    "casework:case_list": Route("casework.view_case"),
    "casework:rights_list": Route("casework.view_case"),
    "casework:appeal_list": Route("casework.view_case"),
    "casework:case_create": Route("casework.open_case"),
    "casework:person_search": Route("casework.open_case"),
    "casework:deadlines": Route("casework.view_case"),
    "casework:stats": Route("casework.view_stats"),
    "casework:case_detail": Route("casework.view_case", "case"),
    "casework:case_edit": Route("casework.change_case", "case"),
    "casework:case_transition": Route("casework.change_case", "case", "post"),
    "casework:case_note": Route("casework.change_case", "case", "post"),
    "casework:case_attachment": Route("casework.change_case", "case", "post"),
    "casework:case_reveal": Route("casework.reveal_case", "case", "post"),
    "casework:attachment_file": Route("casework.view_case", "case_attachment"),
    "casework:person_cases": Route("casework.view_case", "person"),
}

API_OPERATIONS = {
    ("get", "/cases"): ("casework.view_case", None, None),
    ("get", "/cases/stats"): ("casework.view_stats", None, None),
    ("post", "/cases"): ("casework.open_case", None, {}),
    ("get", "/cases/{case_id}"): ("casework.view_case", "case", None),
    ("post", "/cases/{case_id}/transitions"): ("casework.change_case", "case", {}),
    ("post", "/cases/{case_id}/notes"): ("casework.change_case", "case", {}),
}


def records(js, federation, tag, admin) -> dict:
    case = services.case_open(
        actor=admin,
        data={
            "type": "rights",
            "federation": federation,
            "title": f"{tag}归侨房屋拆迁补偿争议",
            "description": "当事人反映老宅拆迁补偿未按侨房政策计算。",
            "channel": "visit",
            "received_on": dt.date(2021, 9, 27),
            "requester_name": f"{tag}当事人",
            "requester_phone": "+8613900001111" if tag == "朱泾" else "+8613900002222",
            "category": "property",
        },
    )
    attachment = services.attachment_add(
        actor=admin, case=case, file=SimpleUploadedFile("材料.pdf", b"%PDF-1.4", "application/pdf")
    )
    return {"case": case, "case_attachment": attachment}
