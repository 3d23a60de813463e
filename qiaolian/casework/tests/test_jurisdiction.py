"""The jurisdiction rule for records several federations share (``jurisdiction_path`` as a
tuple), in the style of qiaolian/core/tests/test_jurisdiction.py: own, foreign and shared."""

import pytest

from qiaolian.casework import services
from qiaolian.casework.models import Case, CaseEvent, CaseNote
from qiaolian.casework.tests.factories import open_case

pytestmark = pytest.mark.django_db


def visible(model, user) -> set[int]:
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_case_is_visible_through_receiving_or_handling_federation(jinshan):
    own = open_case(jinshan, user="zhujing", title="朱泾自办")
    foreign = open_case(jinshan, user="shihua", title="石化自办")
    shared = open_case(jinshan, user="zhujing", title="朱泾移交区侨联")
    services.case_transition(
        actor=jinshan.user("zhujing"), case=shared, to="assigned", handling_federation=jinshan.district
    )
    handed_down = open_case(jinshan, user="staff", title="区侨联交朱泾办理")
    services.case_transition(
        actor=jinshan.user("staff"), case=handed_down, to="assigned", handling_federation=jinshan.zhujing_village
    )
    district_only = open_case(jinshan, user="staff", title="区侨联自办")

    assert visible(Case, jinshan.user("zhujing")) == {own.pk, shared.pk, handed_down.pk}
    assert visible(Case, jinshan.user("shihua")) == {foreign.pk}
    assert visible(Case, jinshan.user("staff")) == {own.pk, foreign.pk, shared.pk, handed_down.pk, district_only.pk}
    assert visible(Case, jinshan.user("public")) == set()
    # the parts of a case follow the case
    services.note_add(actor=jinshan.user("staff"), case=shared, body="区侨联已接手。")
    assert {n.case_id for n in CaseNote.objects.visible_to(jinshan.user("zhujing"))} == {shared.pk}
    assert not CaseNote.objects.visible_to(jinshan.user("shihua")).exists()
    assert {e.case_id for e in CaseEvent.objects.visible_to(jinshan.user("shihua"))} == {foreign.pk}


def test_a_case_seen_through_both_federations_appears_once(jinshan):
    case = open_case(jinshan, user="zhujing")
    services.case_transition(
        actor=jinshan.user("zhujing"), case=case, to="assigned", handling_federation=jinshan.zhujing_village
    )
    assert Case.objects.visible_to(jinshan.user("zhujing")).filter(pk=case.pk).count() == 1
