"""Reads of the linkage, limited to what the user may see (a pair or a merge needs both persons)."""

from __future__ import annotations

from django.db.models import QuerySet

from qiaolian.linkage.models import CandidatePair, LinkageRun, Merge, PairStatus


def pair_list(*, user, status: str = PairStatus.PENDING, min_probability: float | None = None) -> QuerySet:
    qs = CandidatePair.objects.visible_to(user).select_related(
        "person_a__federation", "person_b__federation", "person_a__household", "person_b__household"
    )
    if status:
        qs = qs.filter(status=status)
    if min_probability is not None:
        qs = qs.filter(match_probability__gte=min_probability)
    return qs


def run_list(*, user) -> QuerySet:
    return LinkageRun.objects.visible_to(user).select_related("federation", "created_by")


def merge_list(*, user) -> QuerySet:
    return Merge.objects.visible_to(user).select_related(
        "survivor__federation", "merged__federation", "created_by", "undone_by"
    )
