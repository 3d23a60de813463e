"""Visits (走访调研) and the appeals raised at them, each handled as a case of the case engine."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.audit.models import Action, AuditEntry
from qiaolian.enterprises import cases, selectors, services
from qiaolian.enterprises.models import Appeal, AppealTopic, Visit
from qiaolian.enterprises.tests.factories import appeal, make_enterprise, make_visit

pytestmark = pytest.mark.django_db


def test_each_appeal_opens_an_enterprise_appeal_case_in_the_same_visit(jinshan):
    from qiaolian.casework.models import Case

    enterprise = make_enterprise(jinshan, user="zhujing", contact_name="陈经理")
    visit = make_visit(
        jinshan,
        enterprise,
        user="zhujing",
        appeals=[appeal(), appeal("talent", "技术骨干落户", "两名新加坡籍工程师子女入学")],
    )
    appeals = list(Appeal.objects.filter(visit=visit).select_related("case").order_by("id"))
    assert [a.topic for a in appeals] == ["finance", "talent"]
    for row in appeals:
        case = row.case
        assert case.type == "enterprise_appeal" and case.enterprise == enterprise
        assert case.federation == jinshan.zhujing and case.received_on == visit.visited_on
        assert case.appeal_topic == row.topic and case.title == row.title
        assert case.channel == cases.appeal_channel() and case.requester_name == "陈经理"
        assert case.state == "received"
    assert Case.objects.count() == 2
    audited = AuditEntry.objects.filter(action=Action.CREATE, target_type="enterprises.appeal")
    assert audited.count() == 2 and all("case" in e.data["after"] for e in audited)


def test_appeal_topics_are_the_case_engines():
    from qiaolian.casework.models import AppealTopic as CaseAppealTopic

    assert set(AppealTopic.values) <= set(CaseAppealTopic.values)


def test_a_bad_appeal_writes_neither_the_visit_nor_any_appeal_or_case(jinshan):
    enterprise = make_enterprise(jinshan)
    with pytest.raises(ValidationError) as error:
        make_visit(jinshan, enterprise, appeals=[appeal(), appeal(title="  ")])
    assert "第2条诉求" in error.value.message_dict["appeals"][0]
    assert Visit.objects.count() == 0 and Appeal.objects.count() == 0
    from qiaolian.casework.models import Case

    assert Case.objects.count() == 0


def test_visit_needs_a_date_not_in_the_future_notes_and_visitors(jinshan):
    enterprise = make_enterprise(jinshan, established_on=dt.date(2015, 3, 1))
    for extra, field in (
        ({"visited_on": dt.date(2999, 1, 1)}, "visited_on"),
        ({"visited_on": dt.date(2014, 1, 1)}, "visited_on"),
        ({"notes": " "}, "notes"),
        ({"visitors": [], "visitor_names": ""}, "visitors"),
    ):
        with pytest.raises(ValidationError) as error:
            make_visit(jinshan, enterprise, **extra)
        assert field in error.value.error_dict
    visit = make_visit(jinshan, enterprise, visitors=[], visitor_names="区工商联 张明")
    assert visit.visitor_names == "区工商联 张明"


def test_visitors_come_from_the_users_own_and_higher_federations(jinshan):
    zhujing = jinshan.user("zhujing")
    choices = set(selectors.visitor_choices(user=zhujing))
    assert {jinshan.user("zhujing"), jinshan.user("staff"), jinshan.user("admin"), jinshan.user("station")} <= choices
    assert jinshan.user("shihua") not in choices and jinshan.user("auditor") not in choices
    enterprise = make_enterprise(jinshan, user="zhujing")
    with pytest.raises(ValidationError) as error:
        make_visit(jinshan, enterprise, user="zhujing", visitors=[jinshan.user("shihua")])
    assert "visitors" in error.value.error_dict


def test_the_visit_date_stays_once_appeals_were_raised(jinshan):
    staff = jinshan.user("staff")
    enterprise = make_enterprise(jinshan)
    plain = make_visit(jinshan, enterprise)
    services.visit_update(actor=staff, visit=plain, data={"visited_on": dt.date(2021, 6, 9)})
    with_appeal = make_visit(jinshan, enterprise, appeals=[appeal()])
    with pytest.raises(ValidationError) as error:
        services.visit_update(actor=staff, visit=with_appeal, data={"visited_on": dt.date(2021, 6, 9)})
    assert "visited_on" in error.value.error_dict
    services.visit_update(actor=staff, visit=with_appeal, data={"notes": "补充：企业用工紧张"})
    with_appeal.refresh_from_db()
    assert with_appeal.notes == "补充：企业用工紧张"


def test_changing_only_the_visitors_is_audited(jinshan):
    staff = jinshan.user("staff")
    visit = make_visit(jinshan, make_enterprise(jinshan))
    services.visit_update(actor=staff, visit=visit, data={"visitors": [staff, jinshan.user("admin")]})
    entry = AuditEntry.objects.filter(action=Action.CHANGE, target_type="enterprises.visit").get()
    assert len(entry.data["changes"]["visitors"]["after"]) == 2


def test_town_user_cannot_record_a_visit_to_another_towns_enterprise(client, jinshan):
    foreign = make_enterprise(jinshan, user="shihua")
    visit = make_visit(jinshan, foreign, user="shihua", appeals=[appeal()])
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("enterprises:visit_create", args=[foreign.pk])).status_code == 404
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert client.post(reverse("enterprises:appeal_add", args=[visit.pk]), appeal()).status_code == 404
    assert selectors.visit_list(user=jinshan.user("zhujing")).count() == 0
    assert str(foreign) not in client.get(reverse("enterprises:visit_list")).content.decode()


def test_resolved_counts_follow_the_case_state(jinshan):
    from qiaolian.casework.services import case_transition

    staff = jinshan.user("staff")
    enterprise = make_enterprise(jinshan)
    visit = make_visit(jinshan, enterprise, appeals=[appeal(), appeal("land", "扩建厂房用地", "需新增用地20亩")])
    first, second = Appeal.objects.filter(visit=visit).order_by("id")
    on = dt.date(2021, 6, 10)
    case = case_transition(actor=staff, case=first.case, to="assigned", assignee=staff, on=on)
    case = case_transition(actor=staff, case=case, to="in_progress", on=on)
    case_transition(actor=staff, case=case, to="resolved", outcome="solved", resolution="已协调银行续贷", on=on)
    case_transition(actor=staff, case=second.case, to="rejected", reason="不属于侨联职责范围", on=on)
    assert selectors.appeals_by_year(user=staff)[2021]["raised"] == 2
    assert selectors.appeals_by_year(user=staff)[2021]["resolved"] == 1
    topics = {t["topic"]: t for t in selectors.appeals_by_topic(user=staff)}
    assert topics["finance"]["resolved"] == 1 and topics["land"]["resolved"] == 0


def test_visit_page_records_a_visit_with_appeals_and_keeps_input_on_error(client, jinshan):
    enterprise = make_enterprise(jinshan, user="zhujing")
    zhujing = jinshan.user("zhujing")
    client.force_login(zhujing)
    url = reverse("enterprises:visit_create", args=[enterprise.pk])
    form = {
        "visited_on": "2022-03-15",
        "visitors": [zhujing.pk],
        "notes": "企业反映疫情期间物流受阻",
        "appeals-TOTAL_FORMS": "2",
        "appeals-INITIAL_FORMS": "0",
        "appeals-MIN_NUM_FORMS": "0",
        "appeals-MAX_NUM_FORMS": "20",
        "appeals-0-topic": "market",
        "appeals-0-title": "",
        "appeals-0-description": "希望协调物流通行证",
        "appeals-1-topic": "",
        "appeals-1-title": "",
        "appeals-1-description": "",
    }
    bad = client.post(url, form)
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "请填写诉求事由。" in body and "企业反映疫情期间物流受阻" in body and "希望协调物流通行证" in body
    assert Visit.objects.count() == 0
    form["appeals-0-title"] = "物流通行证"
    response = client.post(url, form)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert list(visit.visitors.all()) == [zhujing]
    assert [a.title for a in visit.appeals.all()] == ["物流通行证"]
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "物流通行证" in page
    if cases.case_open_function() is not None:
        assert visit.appeals.get().case.number in page
    added = client.post(reverse("enterprises:appeal_add", args=[visit.pk]), appeal("policy", "稳岗补贴", "申请兑现"))
    assert added.status_code == 302 and visit.appeals.count() == 2
