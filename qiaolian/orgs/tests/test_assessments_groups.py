"""Stations' standards checklist (侨之家规范化建设) and groups (文艺联盟, 青年委员会, 传帮带)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from qiaolian.orgs import services
from qiaolian.orgs.models import (
    AssessmentResult,
    ChecklistItem,
    Group,
    GroupKind,
    MentoringPair,
    PartnerSide,
    StationAssessment,
    StationKind,
)

pytestmark = pytest.mark.django_db

FIVE = ["organization", "team", "funding", "venue", "activities"]


@pytest.fixture
def home(jinshan):
    return services.station_create(
        actor=jinshan.user("admin"), federation=jinshan.zhujing_village, name="待泾村侨之家", kind=StationKind.HOME
    )


def _full(kind=StationKind.HOME, minus=0):
    return {item.code: (item.max_score - minus, "") for item in services.checklist_for(kind)}


def test_the_migration_seeds_the_five_standards_and_the_corner_and_board():
    codes = list(ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes == [*FIVE, "law_corner", "display_board"]
    assert sum(i.max_score for i in services.checklist_for(StationKind.HOME)) == 100
    assert "law_corner" not in [i.code for i in services.checklist_for(StationKind.NEW_OVERSEAS)]


@pytest.mark.parametrize(
    ("minus", "result"), [(0, AssessmentResult.MODEL), (4, AssessmentResult.PASSED), (8, AssessmentResult.RECTIFY)]
)
def test_assessment_totals_the_scores_and_derives_the_result(jinshan, home, minus, result):
    assessment = services.station_assessment_record(
        actor=jinshan.user("zhujing"),
        station=home,
        assessed_on=dt.date(2022, 12, 1),
        assessor="区侨联考评组",
        scores=_full(minus=minus),
    )
    assert assessment.max_score == 100
    assert assessment.total_score == 100 - 7 * minus
    assert assessment.result == result
    assert assessment.scores.count() == 7


def test_a_score_above_the_items_maximum_is_refused_naming_the_item(jinshan, home):
    scores = _full()
    scores["funding"] = (17, "")
    with pytest.raises(ValidationError) as caught:
        services.station_assessment_record(
            actor=jinshan.user("zhujing"), station=home, assessed_on=dt.date(2022, 12, 1), assessor="x", scores=scores
        )
    message = caught.value.message_dict["score_funding"][0]
    assert "有经费" in message and "0 到 16" in message
    del scores["funding"]
    scores["team"] = (-1, "")
    with pytest.raises(ValidationError) as caught:
        services.station_assessment_record(
            actor=jinshan.user("zhujing"), station=home, assessed_on=dt.date(2022, 12, 1), assessor="x", scores=scores
        )
    assert set(caught.value.message_dict) == {"score_funding", "score_team"}
    assert not StationAssessment.objects.exists()


def test_assessment_form_and_history_on_the_station_page(jinshan, home, client):
    client.force_login(jinshan.user("zhujing"))
    url = reverse("orgs:station_assessment_create", args=[home.pk])
    page = client.get(url).content.decode()
    assert "侨法宣传角" in page and "有活动" in page
    data = {"assessed_on": "2022-12-01", "assessor": "区侨联考评组", "notes": ""}
    data.update({f"score_{code}": str(score) for code, (score, _) in _full().items()})
    data["score_venue"] = "20"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "有阵地" in response.context["form"].errors["score_venue"][0]
    data["score_venue"] = "10"
    response = client.post(url, data)
    assert response.status_code == 302
    detail = client.get(reverse("orgs:station_detail", args=[home.pk])).content.decode()
    assert "94" in detail and "示范点" in detail and "2022年12月1日" in detail


def test_town_user_cannot_assess_or_see_assessments_of_another_town(jinshan, home, client):
    with pytest.raises(Http404):
        services.station_assessment_record(
            actor=jinshan.user("shihua"), station=home, assessed_on=dt.date(2022, 12, 1), assessor="x", scores=_full()
        )
    client.force_login(jinshan.user("shihua"))
    assert client.get(reverse("orgs:station_assessment_create", args=[home.pk])).status_code == 404
    assert client.get(reverse("orgs:station_detail", args=[home.pk])).status_code == 404
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("orgs:station_assessment_create", args=[home.pk])).status_code == 403


# Groups ----------------------------------------------------------------------------------------


@pytest.fixture
def partner(jinshan):
    return services.partner_create(
        actor=jinshan.user("admin"), name="平湖市侨联", region="浙江省平湖市", brand="金平果"
    )


@pytest.fixture
def mentoring(jinshan, partner):
    return services.group_create(
        actor=jinshan.user("zhujing"),
        federation=jinshan.zhujing,
        kind=GroupKind.MENTORING,
        name="金平果传帮带",
        partner=partner,
    )


def test_group_members_and_pairs_are_added_and_removed(jinshan, mentoring):
    user = jinshan.user("zhujing")
    member = services.group_member_add(actor=user, group=mentoring, name="王芳", role="联络人")
    pair = services.mentoring_pair_add(
        actor=user, group=mentoring, mentor_name="张伟", mentee_name="李娜", partner_side=PartnerSide.MENTEE
    )
    assert (str(pair), pair.partner_side) == ("张伟 → 李娜", "mentee")
    with pytest.raises(ValidationError) as caught:
        services.mentoring_pair_add(actor=user, group=mentoring, mentor_name="张伟")
    assert "mentee_name" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.group_member_add(actor=user, group=mentoring, name="", role="x")
    services.group_member_remove(actor=user, member=member)
    services.mentoring_pair_remove(actor=user, pair=pair)
    assert not mentoring.members.exists() and not MentoringPair.objects.exists()


def test_a_pair_from_the_partner_needs_a_group_with_a_partner(jinshan):
    group = services.group_create(
        actor=jinshan.user("zhujing"), federation=jinshan.zhujing, kind=GroupKind.YOUTH, name="青年委员会"
    )
    with pytest.raises(ValidationError) as caught:
        services.mentoring_pair_add(
            actor=jinshan.user("zhujing"), group=group, mentor_name="a", mentee_name="b", partner_side="mentor"
        )
    assert "partner_side" in caught.value.message_dict


def test_group_pages_create_edit_and_add_members(jinshan, partner, client):
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("orgs:group_create"),
        {"kind": "arts", "name": "朱泾侨界文艺队", "federation": jinshan.zhujing.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    group = Group.objects.get(name="朱泾侨界文艺队")
    response = client.post(
        reverse("orgs:group_edit", args=[group.pk]),
        {"kind": "arts", "name": "朱泾侨界文艺队", "federation": jinshan.zhujing.pk, "description": "合唱与书画"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.description == "合唱与书画" and not group.is_active
    client.post(reverse("orgs:group_member_add", args=[group.pk]), {"name": "王芳", "role": "队长"})
    client.post(
        reverse("orgs:mentoring_pair_add", args=[group.pk]),
        {"mentor_name": "张伟", "mentee_name": "李娜", "partner_side": "none"},
    )
    detail = client.get(reverse("orgs:group_detail", args=[group.pk])).content.decode()
    assert "王芳" in detail and "张伟" in detail
    listing = client.get(reverse("orgs:group_list"), {"kind": "arts"}).content.decode()
    assert "朱泾侨界文艺队" in listing
    assert "朱泾侨界文艺队" not in client.get(reverse("orgs:group_list"), {"kind": "youth"}).content.decode()
    member = group.members.get()
    assert client.post(reverse("orgs:group_member_remove", args=[member.pk])).status_code == 302
    assert not group.members.exists()


def test_town_user_cannot_see_or_change_another_towns_group(jinshan, mentoring, client):
    member = services.group_member_add(actor=jinshan.user("zhujing"), group=mentoring, name="王芳")
    pair = services.mentoring_pair_add(actor=jinshan.user("zhujing"), group=mentoring, mentor_name="a", mentee_name="b")
    with pytest.raises(Http404):
        services.group_update(actor=jinshan.user("shihua"), group=mentoring, name="x")
    with pytest.raises(PermissionDenied):
        services.group_update(actor=jinshan.user("leader"), group=mentoring, name="x")
    client.force_login(jinshan.user("shihua"))
    for name, pk in [
        ("orgs:group_detail", mentoring.pk),
        ("orgs:group_edit", mentoring.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404
    for name, pk in [
        ("orgs:group_member_add", mentoring.pk),
        ("orgs:mentoring_pair_add", mentoring.pk),
        ("orgs:group_member_remove", member.pk),
        ("orgs:mentoring_pair_remove", pair.pk),
    ]:
        assert client.post(reverse(name, args=[pk]), {"name": "x"}).status_code == 404
    assert "金平果传帮带" not in client.get(reverse("orgs:group_list")).content.decode()
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("orgs:group_detail", args=[mentoring.pk])).status_code == 200
    assert client.post(reverse("orgs:group_member_remove", args=[member.pk])).status_code == 403
