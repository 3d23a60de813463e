"""This app's part of the permission matrices (qiaolian/core/tests/test_matrix.py and
test_api_matrix.py). A pair and a merge are "own" when both persons are in the federation."""

from qiaolian.linkage import services
from qiaolian.linkage.models import CandidatePair, LinkageRun
from qiaolian.registry.tests.factories import PersonFactory
from qiaolian.testing import Route

ROUTES = {
    "linkage:pair_list": Route("linkage.view_pair"),
    "linkage:pair_detail": Route("linkage.view_pair", "linkage_pair"),
    "linkage:pair_merge": Route("linkage.merge_person", "linkage_pair", "post"),
    "linkage:pair_distinct": Route("linkage.merge_person", "linkage_pair", "post"),
    "linkage:merge_list": Route("linkage.view_pair"),
    "linkage:merge_detail": Route("linkage.view_pair", "linkage_merge"),
    "linkage:merge_undo": Route("linkage.merge_person", "linkage_merge", "post"),
    "linkage:run_start": Route("linkage.run_linkage", None, "post"),
    "linkage:run_detail": Route("linkage.view_pair", "linkage_run"),
    "linkage:run_progress": Route("linkage.view_pair", "linkage_run"),
}

API_OPERATIONS: dict = {}


def records(js, federation, tag, admin) -> dict:
    a = PersonFactory(federation=federation, name=f"{tag}查重甲", id_number="")
    b = PersonFactory(federation=federation, name=f"{tag}查重甲", id_number="")
    pair = CandidatePair.objects.create(
        person_a=min(a, b, key=lambda p: p.pk),
        person_b=max(a, b, key=lambda p: p.pk),
        match_weight=12.5,
        match_probability=0.999,
        reasons=["name_exact", "birth_exact"],
    )
    survivor = PersonFactory(federation=federation, name=f"{tag}合并乙")
    merged = PersonFactory(federation=federation, name=f"{tag}合并乙", id_number="")
    merge = services.persons_merge(actor=admin, survivor=survivor, merged=merged)
    run = LinkageRun.objects.create(federation=federation, created_by=admin, status="done", total_persons=4)
    return {"linkage_pair": pair, "linkage_merge": merge, "linkage_run": run}
