import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiaolian.audit.models import AuditEntry
from qiaolian.liaison import selectors, services
from qiaolian.liaison.models import Attendance, Camp, Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

START = dt.date(2019, 7, 10)


def make_camp(js, *, user="staff", federation=None, **extra):
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "title": "“寻根中国·相约上海”海外华裔青少年夏令营",
        "mode": "offline",
        "organizer": "市侨联",
        "starts_on": START,
        "ends_on": dt.date(2019, 7, 20),
        "capacity": 2,
        **extra,
    }
    return services.camp_create(actor=actor, data=data)


def enrol(js, camp, *, user="staff", **extra):
    data = {
        "name": "陈思远",
        "foreign_name": "Ethan Chen",
        "sex": "M",
        "birth_date": dt.date(2004, 5, 1),
        "country": "US",
        "passport_number": "E98765432",
        "status": "applied",
        **extra,
    }
    return services.enrolment_add(actor=js.user(user), camp=camp, data=data)


def test_enrolment_and_attendance_are_audited_and_counted_by_country(jinshan):
    camp = make_camp(jinshan, capacity=5)
    session = services.session_add(
        actor=jinshan.user("staff"), camp=camp, date=dt.date(2019, 7, 11), topic="参观中共一大会址"
    )
    a = enrol(jinshan, camp, status="admitted")
    b = enrol(
        jinshan,
        camp,
        name="林可欣",
        birth_date=dt.date(2006, 8, 8),
        country="CA",
        guardian_consent=True,
        guardian_name="林母",
    )
    services.enrolment_set_status(actor=jinshan.user("staff"), enrolment=b, status="admitted")
    services.attendance_record(actor=jinshan.user("staff"), camp=camp, present={(session.pk, a.pk), (session.pk, b.pk)})
    assert Attendance.objects.count() == 2
    services.attendance_record(actor=jinshan.user("staff"), camp=camp, present={(session.pk, a.pk)})
    assert Attendance.objects.count() == 1
    rows = {r["country"]: r for r in selectors.camp_counts_by_country(user=jinshan.user("staff"), camp=camp)}
    assert rows["US"]["enrolled"] == 1 and rows["CA"]["admitted"] == 1
    assert AuditEntry.objects.filter(target_type="liaison.enrolment").count() == 3
    assert str(a.passport_number) != "E98765432" and a.passport_number.reveal() == "E98765432"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"birth_date": dt.date(2009, 1, 1)}, "birth_date"),  # 10 at the start
        ({"birth_date": dt.date(1999, 1, 1)}, "birth_date"),  # 20 at the start
        ({"birth_date": dt.date(2006, 1, 1), "guardian_name": "陈父"}, "guardian_consent"),  # 13, no consent
    ],
)
def test_bad_enrolments_are_refused_naming_the_field_and_write_nothing(jinshan, extra, field):
    camp = make_camp(jinshan)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        enrol(jinshan, camp, **extra)
    assert field in error.value.error_dict
    assert Enrolment.objects.count() == 0 and AuditEntry.objects.count() == before


def test_age_limits_are_taken_at_the_camps_start_date(jinshan):
    camp = make_camp(jinshan)
    enrol(jinshan, camp, birth_date=dt.date(2000, 7, 11))  # 18 the day before the start, 19 after it
    with pytest.raises(ValidationError) as error:
        enrol(jinshan, camp, name="王一", birth_date=dt.date(2000, 7, 10))  # turns 19 on the start day
    assert "19" in error.value.message_dict["birth_date"][0]


def test_duplicate_enrolment_is_refused(jinshan):
    camp = make_camp(jinshan)
    enrol(jinshan, camp)
    with pytest.raises(ValidationError) as error:
        enrol(jinshan, camp)
    assert "birth_date" in error.value.error_dict
    assert Enrolment.objects.count() == 1


def test_admitting_beyond_capacity_is_refused(jinshan):
    camp = make_camp(jinshan, capacity=1)
    enrol(jinshan, camp, status="admitted")
    other = enrol(jinshan, camp, name="林可欣", status="waitlisted")
    with pytest.raises(ValidationError) as error:
        services.enrolment_set_status(actor=jinshan.user("staff"), enrolment=other, status="admitted")
    assert "status" in error.value.error_dict
    with pytest.raises(ValidationError):
        enrol(jinshan, camp, name="张三", status="admitted")
    other.refresh_from_db()
    assert other.status == EnrolmentStatus.WAITLISTED and Enrolment.objects.count() == 2


def test_camp_end_before_start_is_refused(jinshan):
    with pytest.raises(ValidationError) as error:
        make_camp(jinshan, ends_on=dt.date(2019, 7, 1))
    assert "ends_on" in error.value.error_dict
    assert Camp.objects.count() == 0


def test_attendance_cannot_name_another_camps_enrolment(jinshan):
    camp, other = make_camp(jinshan), make_camp(jinshan, title="另一营")
    session = services.session_add(actor=jinshan.user("staff"), camp=camp, date=START, topic="开营")
    stranger = enrol(jinshan, other)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=jinshan.user("staff"), camp=camp, present={(session.pk, stranger.pk)})
    assert Attendance.objects.count() == 0


# Pages ----------------------------------------------------------------------------------------


def test_enrolment_page_shows_the_message_on_the_field_and_writes_nothing(client, jinshan):
    camp = make_camp(jinshan)
    client.force_login(jinshan.user("staff"))
    url = reverse("liaison:enrolment_create", args=[camp.pk])
    data = {"name": "陈小明", "sex": "M", "birth_date": "2007-01-01", "country": "AU", "status": "applied"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "guardian_consent" in errors and "第三十一条" in errors["guardian_consent"][0]
    response = client.post(url, {**data, "birth_date": "2010-01-01"})
    assert "birth_date" in response.context["form"].errors
    assert Enrolment.objects.count() == 0
    response = client.post(
        url, {**data, "guardian_consent": "on", "guardian_name": "陈父", "passport_number": "pa 1234567"}
    )
    assert response.status_code == 302
    page = client.get(reverse("liaison:camp_detail", args=[camp.pk])).content.decode()
    assert "陈小明" in page and "PA1234567" not in page and "澳大利亚" in page


def test_camp_edit_page_refuses_an_end_before_the_start(client, jinshan):
    camp = make_camp(jinshan)
    client.force_login(jinshan.user("staff"))
    response = client.post(
        reverse("liaison:camp_edit", args=[camp.pk]),
        {
            "federation": camp.federation_id,
            "title": camp.title,
            "mode": "offline",
            "starts_on": "2019-07-10",
            "ends_on": "2019-07-01",
            "capacity": 2,
            "min_age": 12,
            "max_age": 18,
        },
    )
    assert response.status_code == 200 and "ends_on" in response.context["form"].errors
    camp.refresh_from_db()
    assert camp.ends_on == dt.date(2019, 7, 20)


def test_status_change_and_attendance_through_the_pages(client, jinshan):
    camp = make_camp(jinshan, capacity=1)
    session = services.session_add(actor=jinshan.user("staff"), camp=camp, date=START, topic="开营仪式")
    a = enrol(jinshan, camp)
    b = enrol(jinshan, camp, name="林可欣")
    client.force_login(jinshan.user("staff"))
    client.post(reverse("liaison:enrolment_status", args=[a.pk]), {"status": "admitted"})
    response = client.post(reverse("liaison:enrolment_status", args=[b.pk]), {"status": "admitted"}, follow=True)
    assert "录取名额已满" in response.content.decode()
    b.refresh_from_db()
    assert b.status == "applied"
    client.post(reverse("liaison:camp_action", args=[camp.pk, "attendance"]), {"present": [f"{session.pk}-{a.pk}"]})
    assert selectors.camp_attendance(user=jinshan.user("staff"), camp=camp) == {(session.pk, a.pk)}


def test_another_towns_camp_is_not_found(client, jinshan):
    camp = make_camp(jinshan, user="shihua")
    enrolment = enrol(jinshan, camp, user="shihua")
    client.force_login(jinshan.user("zhujing"))
    assert client.get(reverse("liaison:camp_detail", args=[camp.pk])).status_code == 404
    assert client.get(reverse("liaison:enrolment_create", args=[camp.pk])).status_code == 404
    assert (
        client.post(reverse("liaison:enrolment_status", args=[enrolment.pk]), {"status": "admitted"}).status_code == 404
    )
    assert camp.title not in client.get(reverse("liaison:camp_list")).content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"


def test_api_lists_enrolments_with_masked_passport(client, jinshan):
    camp = make_camp(jinshan)
    enrol(jinshan, camp)
    client.force_login(jinshan.user("staff"))
    body = client.get(f"/api/v1/camps/{camp.pk}/enrolments").json()
    assert body["count"] == 1 and body["items"][0]["passport_number"] != "E98765432"
    detail = client.get(f"/api/v1/camps/{camp.pk}").json()
    assert detail["by_country"][0]["country"] == "US"


def test_audit_keeps_the_passport_masked(jinshan):
    camp = make_camp(jinshan)
    enrolment = enrol(jinshan, camp)
    entry = AuditEntry.objects.get(target_type="liaison.enrolment", target_id=str(enrolment.pk))
    assert "E98765432" not in str(entry.data)


def test_capacity_cannot_drop_below_the_admitted(jinshan):
    camp = make_camp(jinshan, capacity=2)
    enrol(jinshan, camp, status="admitted")
    enrol(jinshan, camp, name="林可欣", status="admitted")
    with pytest.raises(ValidationError) as error:
        services.camp_update(actor=jinshan.user("staff"), camp=camp, data={"capacity": 1})
    assert "capacity" in error.value.error_dict
    camp.refresh_from_db()
    assert camp.capacity == 2


def test_session_outside_the_camp_dates_is_refused(jinshan):
    camp = make_camp(jinshan)
    with pytest.raises(ValidationError) as error:
        services.session_add(actor=jinshan.user("staff"), camp=camp, date=dt.date(2019, 8, 1), topic="参观")
    assert "date" in error.value.error_dict


def test_leader_reads_camps_but_cannot_change_them(client, jinshan):
    camp = make_camp(jinshan)
    client.force_login(jinshan.user("leader"))
    assert client.get(reverse("liaison:camp_detail", args=[camp.pk])).status_code == 200
    assert client.get(reverse("liaison:enrolment_create", args=[camp.pk])).status_code == 403
    assert client.post(reverse("liaison:camp_action", args=[camp.pk, "attendance"])).status_code == 403
