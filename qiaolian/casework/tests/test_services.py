import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qiaolian.audit.models import AuditEntry
from qiaolian.casework import selectors, services
from qiaolian.casework.models import Case, CaseEvent, CaseNote, State
from qiaolian.casework.tests.factories import open_case
from qiaolian.enterprises.models import Enterprise
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = dt.date


def audit_count() -> int:
    return AuditEntry.objects.count()


def walk(case, user, *steps):
    for to, details in steps:
        case = services.case_transition(actor=user, case=case, to=to, **details)
    return case


# Opening ------------------------------------------------------------------------------------


def test_opening_numbers_the_case_sets_its_deadline_and_starts_the_timeline(jinshan):
    case = open_case(jinshan, received_on=D(2021, 9, 24))
    assert case.number == "QY2021-0001"
    assert case.state == State.RECEIVED and case.federation == jinshan.zhujing
    # 30 working days from 24 September 2021: 26 Sep (Sunday, worked) to 30 Sep are 5, then
    # 8 and 9 Oct (Saturday, worked) after the holiday week, and 23 more Monday-to-Friday days
    assert case.due_on == D(2021, 11, 10)
    assert not case.due_on_is_estimate
    event = CaseEvent.objects.get(case=case)
    assert (event.from_state, event.to_state, event.occurred_on) == ("", State.RECEIVED, D(2021, 9, 24))
    assert event.actor == jinshan.user("zhujing")
    assert str(case.requester_phone) == "138****5678"
    entry = AuditEntry.objects.filter(target_type="casework.case").latest("seq")
    assert entry.action == "create" and "13812345678" not in str(entry.data)
    assert open_case(jinshan).number == "QY2021-0002"
    assert open_case(jinshan, type="consultation").number == "ZX2021-0001"
    assert open_case(jinshan, received_on=D(2022, 1, 4)).number == "QY2022-0001"


def test_consultation_deadline_counts_the_make_up_saturday_after_national_day(jinshan):
    # 5 working days from 29 September 2021: 30 Sep, 8 Oct, 9 Oct (Saturday, worked), 11, 12 Oct
    case = open_case(jinshan, type="consultation", received_on=D(2021, 9, 29))
    assert case.due_on == D(2021, 10, 12)


def test_consultation_deadline_across_spring_festival_2022(jinshan):
    # 27 January 2022: 28 Jan, 29 and 30 Jan (weekend, worked), then the holiday to 6 February
    case = open_case(jinshan, type="consultation", received_on=D(2022, 1, 27))
    assert case.due_on == D(2022, 2, 8)


def test_deadline_in_a_year_without_official_data_is_an_estimate(jinshan, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: D(2026, 12, 30))
    case = open_case(jinshan, type="consultation", received_on=D(2026, 12, 30))
    assert case.due_on == D(2027, 1, 6)  # Monday to Friday in 2027
    assert case.due_on_is_estimate


def test_each_type_requires_its_own_fields_and_refuses_the_others(jinshan):
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, category="")
    assert error.value.message_dict["category"] == ["侨益维护须填写“维权类别”。"]
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, appeal_topic="finance")
    assert "不适用于侨益维护" in error.value.message_dict["appeal_topic"][0]
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, type="enterprise_appeal")
    assert "enterprise" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, type="aid_request", hardship_type="")
    assert "hardship_type" in error.value.message_dict
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_enterprise_appeal_names_an_enterprise_of_the_jurisdiction(jinshan):
    own = Enterprise.objects.create(
        federation=jinshan.zhujing, name="上海金侨精密机械有限公司", investor_type="overseas", industry="heavy",
        contact_name="林志远",
    )  # fmt: skip
    foreign = Enterprise.objects.create(
        federation=jinshan.shihua, name="石化侨资新材料公司", investor_type="overseas", industry="heavy"
    )
    case = open_case(jinshan, type="enterprise_appeal", enterprise=own, requester_name="", channel="enterprise_visit")
    assert case.number.startswith("SQ") and case.requester_name == "林志远"
    assert case.due_on == D(2021, 10, 20)  # 15 working days, the holiday week not counted
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, type="enterprise_appeal", enterprise=foreign)
    assert "不在您的管辖范围内" in error.value.message_dict["enterprise"][0]


def test_requester_is_named_or_taken_from_the_linked_person(jinshan):
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, requester_name="")
    assert "requester_name" in error.value.message_dict
    person = PersonFactory(federation=jinshan.zhujing, name="李秀英")
    case = open_case(jinshan, requester_name="", person=person)
    assert case.requester_name == "李秀英"
    assert list(selectors.person_cases(user=jinshan.user("zhujing"), person_id=person.pk)) == [case]


def test_a_person_of_another_town_cannot_be_linked(jinshan):
    other = PersonFactory(federation=jinshan.shihua)
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, person=other)
    assert "不在您的管辖范围内" in error.value.message_dict["person"][0]
    assert not Case.objects.exists()


def test_bad_phone_and_future_date_are_refused_with_the_field_named(jinshan):
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, requester_phone="12345")
    assert "requester_phone" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, received_on=dt.date.today() + dt.timedelta(days=3))
    assert error.value.message_dict["received_on"] == ["日期不能晚于今天。"]


def test_town_user_cannot_open_a_case_for_another_town_and_leader_cannot_open_at_all(jinshan):
    with pytest.raises(ValidationError) as error:
        open_case(jinshan, federation=jinshan.shihua)
    assert "federation" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        open_case(jinshan, user="leader", federation=jinshan.district)


def test_correcting_a_case_keeps_type_deadline_and_stored_phone(jinshan):
    case = open_case(jinshan)
    due = case.due_on
    services.case_update(
        actor=jinshan.user("zhujing"),
        case=case,
        data={"title": "归侨老宅拆迁补偿标准争议", "requester_phone": "", "opposing_party": "朱泾镇房屋征收事务所"},
    )
    case.refresh_from_db()
    assert case.title == "归侨老宅拆迁补偿标准争议" and case.opposing_party == "朱泾镇房屋征收事务所"
    assert case.requester_phone == "+8613812345678" and case.due_on == due
    with pytest.raises(ValidationError) as error:
        services.case_update(actor=jinshan.user("zhujing"), case=case, data={"received_on": D(2021, 1, 1)})
    assert "received_on" in error.value.message_dict


# The workflow -------------------------------------------------------------------------------


def test_rights_case_from_received_to_followed_up_writes_timeline_and_audit(jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan, received_on=D(2021, 9, 24))
    before = audit_count()
    case = walk(
        case,
        user,
        ("assigned", {"assignee": user, "note": "由朱卫东承办", "on": D(2021, 9, 26)}),
        ("in_progress", {"on": D(2021, 9, 27)}),
        ("referred", {"department": "区住房保障房屋管理局", "on": D(2021, 9, 28)}),
        ("in_progress", {"reply": "已按侨房政策重新核算补偿。", "on": D(2021, 10, 9)}),
        ("resolved", {"outcome": "solved", "resolution": "补偿款已补足，当事人签收。", "on": D(2021, 10, 11)}),
        ("followed_up", {"satisfaction": "satisfied", "note": "电话回访，表示满意。", "on": D(2021, 10, 15)}),
    )
    assert case.state == State.FOLLOWED_UP
    assert case.assignee == user and case.referred_to == "区住房保障房屋管理局"
    assert case.reply == "已按侨房政策重新核算补偿。" and case.replied_on == D(2021, 10, 9)
    assert case.outcome == "solved" and case.closed_on == D(2021, 10, 11) and case.satisfaction == "satisfied"
    # 24 Sep → 11 Oct 2021: 26, 27, 28, 29, 30 Sep, 8, 9 (Saturday, worked), 11 Oct
    assert case.days_to_close == 8
    events = list(selectors.case_events(user=user, case=case))
    assert [(e.from_state, e.to_state) for e in events] == [
        ("", "received"),
        ("received", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "referred"),
        ("referred", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "followed_up"),
    ]
    assert events[3].department == "区住房保障房屋管理局" and events[4].reply.startswith("已按侨房政策")
    assert audit_count() - before == 6
    spells = {s.state: s for s in selectors.time_in_states(case, events, today=D(2022, 1, 1))}
    assert spells["received"].working_days == 1  # 24 → 26 September (Sunday, worked)
    assert spells["in_progress"].times == 2
    assert spells["in_progress"].working_days == 1 + 1  # 27→28 Sep and 9→11 Oct
    assert spells["referred"].working_days == 4  # 29, 30 Sep, 8, 9 Oct
    assert spells["resolved"].working_days == 4
    assert "followed_up" not in spells


def test_illegal_transition_is_refused_with_a_message_and_leaves_no_trace(jinshan):
    case = open_case(jinshan)
    before = audit_count()
    with pytest.raises(ValidationError) as error:
        services.case_transition(
            actor=jinshan.user("zhujing"), case=case, to="resolved", outcome="solved", resolution="已解决"
        )
    message = error.value.messages[0]
    assert "当前为“已受理”，不能改为“已办结”" in message and "当前可以：分派、不予受理" in message
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.closed_on is None
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert audit_count() == before


def test_a_step_without_its_details_writes_nothing(jinshan):
    case = open_case(jinshan)
    before = audit_count()
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=jinshan.user("zhujing"), case=case, to="rejected")
    assert error.value.message_dict["reason"] == ["请填写不予受理的理由。"]
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=jinshan.user("zhujing"), case=case, to="assigned")
    assert "assignee" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=jinshan.user("zhujing"), case=case, to="rejected", reason="x", department="y")
    assert "department" in error.value.message_dict
    case.refresh_from_db()
    assert case.state == State.RECEIVED and audit_count() == before


def test_rejection_closes_the_case_and_nothing_follows(jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan, received_on=D(2021, 9, 24))
    case = services.case_transition(actor=user, case=case, to="rejected", reason="不属于涉侨事项。", on=D(2021, 9, 27))
    assert case.state == State.REJECTED and case.closed_on == D(2021, 9, 27) and case.days_to_close == 2
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=user, case=case, to="assigned", assignee=user)
    assert "该案件已结束" in error.value.messages[0]


def test_a_step_cannot_be_dated_before_the_previous_one_or_in_the_future(jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan, received_on=D(2021, 9, 24))
    case = services.case_transition(actor=user, case=case, to="assigned", assignee=user, on=D(2021, 9, 28))
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=user, case=case, to="in_progress", on=D(2021, 9, 27))
    assert "不能早于上一步办理日期（2021-09-28）" in error.value.message_dict["on"][0]
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=user, case=case, to="in_progress", on=dt.date.today() + dt.timedelta(days=1))
    assert "on" in error.value.message_dict


def test_town_hands_a_case_to_the_district_and_both_see_it(jinshan):
    zhujing, shihua, staff = jinshan.user("zhujing"), jinshan.user("shihua"), jinshan.user("staff")
    case = open_case(jinshan)
    case = services.case_transition(actor=zhujing, case=case, to="assigned", handling_federation=jinshan.district)
    assert case.handling_federation == jinshan.district
    case = services.case_transition(actor=staff, case=case, to="assigned", assignee=staff)
    assert case.assignee == staff and case.handling_federation == jinshan.district
    assert selectors.case_get(user=zhujing, pk=case.pk) == case
    assert selectors.case_get(user=staff, pk=case.pk) == case
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user=shihua, pk=case.pk)
    with pytest.raises(Http404):
        services.case_transition(actor=shihua, case=case, to="in_progress")


def test_town_cannot_hand_a_case_to_another_town_nor_assign_someone_who_cannot_see_it(jinshan):
    zhujing = jinshan.user("zhujing")
    case = open_case(jinshan)
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=zhujing, case=case, to="assigned", handling_federation=jinshan.shihua)
    assert "handling_federation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=zhujing, case=case, to="assigned", assignee=jinshan.user("shihua"))
    assert "看不到本案件" in error.value.message_dict["assignee"][0]
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=zhujing, case=case, to="assigned", assignee=jinshan.user("leader"))
    assert "不是办理案件的工作人员" in error.value.message_dict["assignee"][0]


def test_district_assigning_its_case_to_a_town_officer_hands_it_to_that_town(jinshan):
    staff, zhujing, shihua = jinshan.user("staff"), jinshan.user("zhujing"), jinshan.user("shihua")
    case = open_case(jinshan, user="staff")
    assert not selectors.case_list(user=zhujing).filter(pk=case.pk).exists()
    case = services.case_transition(actor=staff, case=case, to="assigned", assignee=zhujing)
    assert case.handling_federation == jinshan.zhujing
    assert selectors.case_list(user=zhujing).filter(pk=case.pk).exists()
    assert not selectors.case_list(user=shihua).filter(pk=case.pk).exists()


def test_roles_without_the_right_cannot_take_steps(jinshan):
    case = open_case(jinshan)
    for role in ("leader", "station", "auditor"):
        with pytest.raises(PermissionDenied):
            services.case_transition(actor=jinshan.user(role), case=case, to="rejected", reason="x")


# Deadlines and lists ------------------------------------------------------------------------


def test_overdue_and_due_soon_lists(jinshan):
    user = jinshan.user("zhujing")
    late = open_case(jinshan, type="consultation", received_on=D(2021, 9, 29))  # due 12 Oct 2021
    soon = open_case(jinshan, type="consultation", received_on=D(2021, 10, 8))  # due 15 Oct 2021
    later = open_case(jinshan, received_on=D(2021, 10, 8))  # due in November
    done = open_case(jinshan, type="consultation", received_on=D(2021, 9, 27))
    walk(
        done,
        user,
        ("assigned", {"assignee": user, "on": D(2021, 9, 27)}),
        ("in_progress", {"on": D(2021, 9, 27)}),
        ("resolved", {"outcome": "answered", "resolution": "已解答", "on": D(2021, 9, 28)}),
    )
    today = D(2021, 10, 13)
    assert list(selectors.overdue_cases(user=user, today=today)) == [late]
    assert list(selectors.due_soon_cases(user=user, today=today)) == [soon]
    status = selectors.deadline_status(late, today=today)
    assert status.is_overdue and status.working_days_over == 1
    assert selectors.deadline_status(later, today=today).working_days_left > 3
    assert list(selectors.awaiting_follow_up(user=user)) == [done]
    totals = selectors.case_totals(user=user, today=today)
    assert (totals.cases, totals.open, totals.overdue, totals.resolved) == (4, 3, 1, 1)
    assert totals.average_days_to_close == 1.0


def test_counts_by_year_and_state(jinshan):
    user = jinshan.user("zhujing")
    open_case(jinshan, received_on=D(2021, 3, 1))
    case = open_case(jinshan, received_on=D(2022, 3, 1))
    walk(
        case,
        user,
        ("assigned", {"assignee": user, "on": D(2022, 3, 2)}),
        ("in_progress", {"on": D(2022, 3, 2)}),
        ("resolved", {"outcome": "mediated", "resolution": "调解成功", "on": D(2022, 3, 8)}),
    )
    rows = {
        (r.year, r.type): r for r in selectors.case_counts_by_year(user=jinshan.user("leader"), today=D(2022, 12, 31))
    }
    assert rows[(2021, "rights")].received == 1 and rows[(2021, "rights")].overdue_now == 1
    assert rows[(2022, "rights")].resolved == 1 and rows[(2022, "rights")].average_days_to_close == 5
    assert selectors.case_counts_by_state(user=jinshan.user("leader")) == {
        ("rights", "received"): 1,
        ("rights", "resolved"): 1,
    }
    assert selectors.case_counts_by_state(user=jinshan.user("shihua")) == {}


def test_search_by_number_phone_and_words(jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan, requester_phone="13987654321")
    other = open_case(jinshan, title="子女入学咨询", category="education")
    assert list(selectors.case_list(user=user, filters=selectors.CaseFilters(query=case.number))) == [case]
    assert list(selectors.case_list(user=user, filters=selectors.CaseFilters(query="139 8765 4321"))) == [case]
    assert list(selectors.case_list(user=user, filters=selectors.CaseFilters(query="入学"))) == [other]
    topic = selectors.CaseFilters(topic="category:education")
    assert list(selectors.case_list(user=user, filters=topic)) == [other]


# Notes, attachments, reveal -----------------------------------------------------------------


def test_notes_are_internal_unless_flagged_for_the_requester(jinshan):
    user = jinshan.user("zhujing")
    case = open_case(jinshan)
    internal = services.note_add(actor=user, case=case, body="当事人情绪激动，注意沟通方式。")
    public = services.note_add(actor=user, case=case, body="材料已收齐，正在办理。", is_visible_to_requester=True)
    assert not internal.is_visible_to_requester and public.is_visible_to_requester
    with pytest.raises(ValidationError) as error:
        services.note_add(actor=user, case=case, body="  ")
    assert "body" in error.value.message_dict
    assert CaseNote.objects.filter(case=case).count() == 2


def test_revealing_the_requester_phone_is_audited(jinshan):
    case = open_case(jinshan)
    before = audit_count()
    assert services.case_reveal_phone(actor=jinshan.user("zhujing"), case=case) == "138 1234 5678"
    entry = AuditEntry.objects.latest("seq")
    assert audit_count() == before + 1 and entry.action == "reveal" and entry.data == {"field": "requester_phone"}
    with pytest.raises(Http404):
        services.case_reveal_phone(actor=jinshan.user("shihua"), case=case)


def test_a_portal_request_cannot_choose_what_staff_decide(jinshan):
    """The portal's way in takes the request's own fields only: the channel, the receiving
    federation, the day and the state are set for it."""
    from qiaolian.casework.services import case_open_from_portal
    from qiaolian.portal.tests.matrix_review import make_portal_user

    account = make_portal_user("portal-case", federation=jinshan.zhujing)
    data = {"type": "consultation", "title": "政策咨询", "description": "归侨退休待遇", "consultation_topic": "policy"}
    for extra in ({"channel": "visit"}, {"federation": jinshan.shihua}, {"received_on": dt.date(2020, 1, 1)}):
        with pytest.raises(ValidationError):
            case_open_from_portal(
                account=account, federation=jinshan.zhujing, data={**data, "requester_name": "王", **extra}
            )
    case = case_open_from_portal(account=account, federation=jinshan.zhujing, data={**data, "requester_name": "王"})
    assert (case.channel, case.federation, case.account, case.state) == ("online", jinshan.zhujing, account, "received")
    assert case.number.startswith("ZX")
