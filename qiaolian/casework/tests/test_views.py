import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiaolian.casework import services
from qiaolian.casework.models import Case, CaseAttachment, CaseEvent, State
from qiaolian.casework.tests.factories import open_case
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_open_form_shows_the_fields_of_the_chosen_type(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    rights = client.get(reverse("casework:case_create"), {"type": "rights"}).content.decode()
    assert 'name="category"' in rights and 'name="appeal_topic"' not in rights
    assert "侨益维护的办理期限为受理后 30 个工作日" in rights
    aid = client.get(reverse("casework:case_create"), {"type": "aid_request"}).content.decode()
    assert 'name="hardship_type"' in aid and 'name="amount_requested"' in aid and 'name="category"' not in aid


def test_opening_through_the_page_keeps_input_on_error_and_saves_when_complete(client, jinshan):
    client.force_login(jinshan.user("zhujing"))
    person = PersonFactory(federation=jinshan.zhujing, name="陈国华")
    url = reverse("casework:case_create") + "?type=rights"
    data = {
        "federation": jinshan.zhujing.pk,
        "title": "归侨子女入学咨询转维权",
        "description": "孩子入学未享受归侨子女照顾政策。",
        "channel": "phone",
        "received_on": "2021-09-24",
        "person": person.pk,
        "requester_phone": "13811112222",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "侨益维护须填写“维权类别”" in body
    assert "归侨子女入学咨询转维权" in body and 'data-testid="picked-person"' in body  # nothing typed is lost
    assert not Case.objects.exists()
    response = client.post(url, {**data, "category": "education"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.person == person and case.requester_name == "陈国华" and case.category == "education"


def test_person_picker_finds_only_visible_persons(client, jinshan):
    PersonFactory(federation=jinshan.zhujing, name="陈国华")
    PersonFactory(federation=jinshan.shihua, name="陈国强")
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("casework:person_search"), {"person_q": "陈国"}).content.decode()
    assert "陈国华" in body and "陈国强" not in body


def test_case_page_offers_only_the_steps_of_the_current_state(client, jinshan):
    case = open_case(jinshan)
    client.force_login(jinshan.user("zhujing"))
    body = client.get(case.get_absolute_url()).content.decode()
    assert 'value="assigned"' in body and 'value="rejected"' in body
    assert 'value="resolved"' not in body and 'value="followed_up"' not in body
    assert "138****5678" in body and "13812345678" not in body
    assert "办理时间线" in body and "各状态用时" in body


def test_step_through_the_page_and_a_refused_step_changes_nothing(client, jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan)
    client.force_login(user)
    url = reverse("casework:case_transition", args=[case.pk])
    # a step the case cannot take from 受理
    response = client.post(url, {"to": "resolved", "step-resolved-outcome": "solved"}, follow=True)
    assert "不能改为“已办结”" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RECEIVED and CaseEvent.objects.filter(case=case).count() == 1
    # a step with a missing detail re-renders the form with the message
    response = client.post(url, {"to": "rejected", "step-rejected-reason": ""})
    assert response.status_code == 200 and "请填写不予受理的理由。" in response.content.decode()
    # a complete step
    response = client.post(url, {"to": "assigned", "step-assigned-assignee": user.pk, "step-assigned-note": "本人承办"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.ASSIGNED and case.assignee == user


def test_leader_gets_figures_but_no_case(client, jinshan):
    case = open_case(jinshan)
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("casework:stats")).status_code == 200
    assert client.get(reverse("casework:case_list")).status_code == 403
    assert client.get(case.get_absolute_url()).status_code == 403
    body = client.get(reverse("casework:stats")).content.decode()
    assert "陈国华" not in body and case.get_absolute_url() not in body


def test_list_filters_by_type_deadline_and_shows_overdue(client, jinshan):
    late = open_case(jinshan, type="consultation", title="侨务政策咨询", received_on=dt.date(2021, 9, 29))
    other = open_case(jinshan, title="房屋租赁纠纷", category="contract")
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("casework:case_list"), {"deadline": "overdue", "type": "consultation"}).content.decode()
    assert late.title in body and other.title not in body and "超期" in body
    rights = client.get(reverse("casework:rights_list")).content.decode()
    assert other.title in rights and late.title not in rights
    deadlines = client.get(reverse("casework:deadlines")).content.decode()
    assert late.title in deadlines


def test_notes_attachments_and_reveal_from_the_page(client, jinshan):
    case = open_case(jinshan)
    client.force_login(jinshan.user("zhujing"))
    response = client.post(
        reverse("casework:case_note", args=[case.pk]), {"body": "已约当事人面谈。", "is_visible_to_requester": "on"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("casework:case_attachment", args=[case.pk]),
        {"file": SimpleUploadedFile("拆迁协议.pdf", b"%PDF-1.4 test", "application/pdf")},
    )
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    download = client.get(reverse("casework:attachment_file", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    body = client.get(case.get_absolute_url()).content.decode()
    assert "已约当事人面谈。" in body and "当事人可见" in body and "拆迁协议.pdf" in body
    revealed = client.post(reverse("casework:case_reveal", args=[case.pk])).content.decode()
    assert "138 1234 5678" in revealed


def test_person_tab_lists_the_persons_cases(client, jinshan):
    person = PersonFactory(federation=jinshan.zhujing, name="陈国华")
    case = open_case(jinshan, person=person)
    client.force_login(jinshan.user("zhujing"))
    body = client.get(reverse("casework:person_cases", args=[person.pk])).content.decode()
    assert case.number in body
    detail = client.get(reverse("registry:person_detail", args=[person.pk]), {"tab": "cases"}).content.decode()
    assert "诉求与维权" in detail and reverse("casework:person_cases", args=[person.pk]) in detail


def test_closed_case_page_has_no_steps(client, jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan)
    services.case_transition(actor=user, case=case, to="rejected", reason="不属于涉侨事项。")
    client.force_login(user)
    body = client.get(case.get_absolute_url()).content.decode()
    assert 'name="to"' not in body and "本案件已结束" in body
