"""This app's part of the permission matrix (qiaolian/core/tests/test_matrix.py). The opinion is
written by the CPPCC member account, who sees only their own reports."""

import datetime as dt

from django.core.files.base import ContentFile

from qiaolian.advocacy import services
from qiaolian.testing import Route

ROUTES = {
    "advocacy:opinion_list": Route("advocacy.view_opinion"),
    "advocacy:opinion_create": Route("advocacy.change_opinion"),
    "advocacy:opinion_detail": Route("advocacy.view_opinion", "opinion"),
    "advocacy:opinion_edit": Route("advocacy.change_opinion", "opinion"),
    "advocacy:opinion_action": Route("advocacy.change_opinion", "opinion", "post", ("review",)),
    "advocacy:research_list": Route("advocacy.view_research"),
    "advocacy:research_create": Route("advocacy.change_research"),
    "advocacy:research_detail": Route("advocacy.view_research", "research"),
    "advocacy:research_edit": Route("advocacy.change_research", "research"),
    "advocacy:research_file": Route("advocacy.view_research", "research"),
}

API_OPERATIONS = {
    ("get", "/opinions"): ("advocacy.view_opinion", None, None),
    ("get", "/opinions/{opinion_id}"): ("advocacy.view_opinion", "opinion", None),
    ("get", "/research"): ("advocacy.view_research", None, None),
    ("get", "/research/{research_id}"): ("advocacy.view_research", "research", None),
}


def records(js, federation, tag, admin) -> dict:
    opinion = services.opinion_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}社情民意",
            "category": "other",
            "body": "……",
            "author_name": "委员",
            "author_kind": "cppcc_member",
            "author_user": js.user("cppcc"),
        },
    )
    research = services.research_create(
        actor=admin,
        data={
            "federation": federation,
            "title": f"{tag}调研",
            "authors": "课题组",
            "completed_on": dt.date(2021, 1, 1),
            "abstract": "……",
            "file": ContentFile(b"%PDF-1.4 matrix", name="study.pdf"),
        },
    )
    return {"opinion": opinion, "research": research}
