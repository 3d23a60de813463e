"""Merging moves every record to the survivor, unmerging puts every one back; both are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from qiaolian.activities import services as activity_services
from qiaolian.activities.models import Registration
from qiaolian.aid import services as aid_services
from qiaolian.aid.models import Nomination
from qiaolian.aid.tests.factories import needy, winter
from qiaolian.audit.models import AuditEntry
from qiaolian.casework.models import Case
from qiaolian.casework.tests.factories import open_case
from qiaolian.linkage import services
from qiaolian.linkage.models import CandidatePair, LinkageRun, PairStatus, RunStatus
from qiaolian.registry.models import OverseasTie, Person
from qiaolian.registry.tests.factories import HouseholdFactory, OverseasTieFactory, PersonFactory
from qiaolian.reports.tests.factories import activity


@pytest.fixture
def two(jinshan):
    fed = jinshan.zhujing
    survivor = needy(fed, "张阿婆", born=1938, phone="")
    household = HouseholdFactory(federation=fed)
    merged = needy(
        fed, "張阿婆", born=1938, id_number="", phone="+8613700000009", household=household, household_relation="head"
    )
    return survivor, merged


def _links(survivor, merged, jinshan):
    staff = jinshan.user("staff")
    both = activity(jinshan, jinshan.zhujing, "迎春茶话会", dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC))
    only_merged = activity(jinshan, jinshan.zhujing, "法律讲座", dt.datetime(2026, 2, 20, 9, tzinfo=dt.UTC))
    reg_s = activity_services.registration_add(actor=staff, activity=both, person=survivor)
    reg_clash = activity_services.registration_add(actor=staff, activity=both, person=merged)
    reg_move = activity_services.registration_add(actor=staff, activity=only_merged, person=merged)
    nomination = aid_services.nomination_create(actor=jinshan.user("zhujing"), campaign=winter(jinshan), person=merged)
    case = open_case(jinshan, person=merged)
    tie = OverseasTieFactory(person=merged, country="CA")
    relative = OverseasTieFactory(person=PersonFactory(federation=jinshan.zhujing), relative_person=merged)
    return {
        "reg_s": reg_s,
        "reg_clash": reg_clash,
        "reg_move": reg_move,
        "nomination": nomination,
        "case": case,
        "tie": tie,
        "relative": relative,
    }


def test_merge_moves_every_link_and_unmerge_restores_it(jinshan, two):
    survivor, merged = two
    links = _links(survivor, merged, jinshan)
    clash_data = Registration.objects.filter(pk=links["reg_clash"].pk).values().get()
    actor = jinshan.user("zhujing")

    merge = services.persons_merge(actor=actor, survivor=survivor, merged=merged)

    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert merged.is_archived
    assert Registration.objects.get(pk=links["reg_move"].pk).person_id == survivor.pk
    assert Registration.objects.get(pk=links["reg_move"].pk).participant_key == f"p{survivor.pk}"
    assert not Registration.objects.filter(pk=links["reg_clash"].pk).exists()  # survivor's row kept
    assert Registration.objects.get(pk=links["reg_s"].pk).person_id == survivor.pk
    assert Nomination.objects.get(pk=links["nomination"].pk).person_id == survivor.pk
    assert Case.objects.get(pk=links["case"].pk).person_id == survivor.pk
    assert OverseasTie.objects.get(pk=links["tie"].pk).person_id == survivor.pk
    assert OverseasTie.objects.get(pk=links["relative"].pk).relative_person_id == survivor.pk
    # the survivor had no phone and no household: taken from the merged person, hashes too
    assert survivor.household_id == merged.household_id and survivor.household_relation == "head"
    assert survivor.phone == "+8613700000009" and survivor.phone_hash == merged.phone_hash
    assert merge.links.count() == 6

    services.persons_unmerge(actor=actor, merge=merge)

    merged.refresh_from_db()
    survivor.refresh_from_db()
    assert not merged.is_archived
    assert survivor.household_id is None and survivor.household_relation == "" and not survivor.phone
    assert survivor.phone_hash is None
    assert Registration.objects.get(pk=links["reg_move"].pk).person_id == merged.pk
    assert Registration.objects.get(pk=links["reg_move"].pk).participant_key == f"p{merged.pk}"
    assert Registration.objects.filter(pk=links["reg_clash"].pk).values().get() == clash_data
    assert Registration.objects.get(pk=links["reg_s"].pk).person_id == survivor.pk
    assert Nomination.objects.get(pk=links["nomination"].pk).person_id == merged.pk
    assert Case.objects.get(pk=links["case"].pk).person_id == merged.pk
    assert OverseasTie.objects.get(pk=links["tie"].pk).person_id == merged.pk
    assert OverseasTie.objects.get(pk=links["relative"].pk).relative_person_id == merged.pk
    merge.refresh_from_db()
    assert merge.is_undone

    ops = list(
        AuditEntry.objects.filter(target_type="registry.person", target_id=str(survivor.pk)).values_list(
            "data__operation", flat=True
        )
    )
    assert "merge" in ops and "unmerge" in ops


def test_merge_moves_the_id_number_and_unmerge_gives_it_back(jinshan):
    fed = jinshan.zhujing
    survivor = PersonFactory(federation=fed, name="李秀英", id_number="")
    merged = PersonFactory(federation=fed, name="李秀英")
    id_hash = merged.id_number_hash
    merge = services.persons_merge(actor=jinshan.user("zhujing"), survivor=survivor, merged=merged)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert survivor.id_number_hash == id_hash and merged.id_number_hash is None
    services.persons_unmerge(actor=jinshan.user("zhujing"), merge=merge)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert survivor.id_number_hash is None and merged.id_number_hash == id_hash
    assert merged.id_number == Person.objects.get(pk=merged.pk).id_number


def test_town_user_cannot_merge_across_towns(jinshan):
    here = PersonFactory(federation=jinshan.zhujing, name="王强")
    there = PersonFactory(federation=jinshan.shihua, name="王强")
    with pytest.raises(Http404):
        services.persons_merge(actor=jinshan.user("zhujing"), survivor=here, merged=there)
    assert not Person.objects.get(pk=there.pk).is_archived
    merge = services.persons_merge(actor=jinshan.user("staff"), survivor=here, merged=there)
    with pytest.raises(Http404):
        services.persons_unmerge(actor=jinshan.user("zhujing"), merge=merge)


def test_station_manager_cannot_merge(jinshan):
    a = PersonFactory(federation=jinshan.zhujing)
    b = PersonFactory(federation=jinshan.zhujing)
    with pytest.raises(PermissionDenied):
        services.persons_merge(actor=jinshan.user("station"), survivor=a, merged=b)


def test_run_finds_pairs_and_marking_distinct_keeps_them_decided(jinshan, django_capture_on_commit_callbacks):
    fed = jinshan.zhujing
    a = PersonFactory(federation=fed, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F")
    b = PersonFactory(federation=fed, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F", id_number="")
    PersonFactory(federation=jinshan.shihua, name="黄丽娟", birth_date=dt.date(1948, 4, 9), sex="F", id_number="")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.linkage_run(actor=jinshan.user("zhujing"))
    run = LinkageRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.DONE and run.total_persons == 2 and run.pairs_new == 1
    pair = CandidatePair.objects.get()
    assert (pair.person_a_id, pair.person_b_id) == (a.pk, b.pk)
    services.pair_mark_distinct(actor=jinshan.user("zhujing"), pair=pair)
    with django_capture_on_commit_callbacks(execute=True):
        services.linkage_run(actor=jinshan.user("staff"))
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISTINCT
    # the district run also pairs the person of the other town, whom the town user cannot see
    assert CandidatePair.objects.count() == 3
    from qiaolian.linkage.selectors import pair_list

    assert pair_list(user=jinshan.user("zhujing"), status="").count() == 1
    assert pair_list(user=jinshan.user("shihua"), status="").count() == 0
    assert pair_list(user=jinshan.user("staff"), status="").count() == 3
