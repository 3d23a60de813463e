import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qiaolian.activities import selectors, services
from qiaolian.activities.models import Activity, Brand, Photo, Registration, SessionAttendance, Status
from qiaolian.audit.models import AuditEntry
from qiaolian.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


def make_activity(js, *, user="staff", federation=None, **extra) -> Activity:
    actor = js.user(user)
    data = {
        "federation": federation or actor.federation,
        "title": "侨法宣传进社区",
        "kind": "law",
        "project": "huiqiao",
        "mode": "offline",
        "place": "朱泾镇社区文化活动中心",
        "starts_at": at("2021-03-12", 9),
        "ends_at": at("2021-03-12", 11),
        **extra,
    }
    return services.activity_create(actor=actor, data=data)


def law_month(js, year=2021):
    return services.campaign_create(
        actor=js.user("staff"),
        data={
            "federation": js.district,
            "title": f"{year}年侨法宣传月",
            "brand": Brand.objects.get(name="侨法宣传月"),
            "project": "huiqiao",
            "starts_on": dt.date(year, 3, 1),
            "ends_on": dt.date(year, 3, 31),
        },
    )


def png(name="photo.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# Rules --------------------------------------------------------------------------------------


def test_end_before_start_is_refused_with_a_message_and_nothing_written(jinshan):
    with pytest.raises(ValidationError) as error:
        make_activity(jinshan, ends_at=at("2021-03-12", 8))
    assert "结束时间不能早于开始时间" in str(error.value.message_dict["ends_at"])
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.filter(target_type="activities.activity").exists()


def test_offline_needs_a_place_and_online_needs_a_platform(jinshan):
    with pytest.raises(ValidationError) as error:
        make_activity(jinshan, place="")
    assert "place" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_activity(jinshan, mode="online", place="")
    assert "online_platform" in error.value.message_dict
    assert make_activity(jinshan, mode="online", place="", online_platform="微信视频号").pk


def test_activity_in_a_campaign_must_fall_within_it_and_takes_its_brand(jinshan):
    campaign = law_month(jinshan)
    with pytest.raises(ValidationError) as error:
        make_activity(jinshan, campaign=campaign, starts_at=at("2021-04-02"), ends_at=at("2021-04-02", 11))
    assert "不在“2021年侨法宣传月”的起止日期内" in error.value.message_dict["campaign"][0]
    # a town files its event under the district's campaign
    activity = make_activity(jinshan, user="zhujing", campaign=campaign)
    assert activity.brand.name == "侨法宣传月"
    assert activity.federation == jinshan.zhujing


def test_co_organizers_are_set_and_audited(jinshan):
    activity = make_activity(jinshan, co_federations=[jinshan.zhujing, jinshan.shihua])
    assert set(activity.co_federations.all()) == {jinshan.zhujing, jinshan.shihua}
    entry = AuditEntry.objects.filter(target_type="activities.activity", action="change").latest("seq")
    assert "co_federations" in entry.data["changes"]


def test_registration_rules_duplicate_capacity_and_out_of_scope(jinshan):
    activity = make_activity(jinshan, user="zhujing", capacity=2)
    person = PersonFactory(federation=jinshan.zhujing)
    staff = jinshan.user("zhujing")
    first = services.registration_add(actor=staff, activity=activity, person=person)
    assert first.participant_key == f"p{person.pk}" and len(first.code) == services.CODE_LENGTH
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=staff, activity=activity, person=person, role="volunteer")
    assert "已登记参加本活动" in error.value.message_dict["person"][0]
    services.registration_add(actor=staff, activity=activity, name="张干部", organization="朱泾镇侨联")
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=staff, activity=activity, name="李嘉宾")
    assert "名额已满（2 人）" in error.value.messages[0]
    assert Registration.objects.filter(activity=activity).count() == 2
    # a person of another town is not in this user's registry
    other = PersonFactory(federation=jinshan.shihua)
    roomy = make_activity(jinshan, user="zhujing")
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=staff, activity=roomy, person=other)
    assert "person" in error.value.message_dict


def test_check_in_by_code_rejects_another_activitys_code_and_repeats(jinshan):
    staff = jinshan.user("zhujing")
    a = make_activity(jinshan, user="zhujing", title="甲活动")
    b = make_activity(jinshan, user="zhujing", title="乙活动")
    ra = services.registration_add(actor=staff, activity=a, name="王一")
    rb = services.registration_add(actor=staff, activity=b, name="王二")
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=staff, activity=a, code=rb.code)
    assert "属于另一项活动“乙活动”" in error.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=staff, activity=a, code="ZZZZ9999")
    assert "不存在" in error.value.message_dict["code"][0]
    done = services.check_in(actor=staff, activity=a, code=f" {ra.code.lower()} ")
    assert done.checked_in_at and done.checked_in_by == staff
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=staff, activity=a, code=ra.code)
    assert "无需重复签到" in error.value.message_dict["code"][0]
    rb.refresh_from_db()
    assert rb.checked_in_at is None


def test_another_towns_code_does_not_reveal_its_title(jinshan):
    theirs = make_activity(jinshan, user="shihua", title="石化内部活动")
    code = services.registration_add(actor=jinshan.user("shihua"), activity=theirs, name="赵三").code
    ours = make_activity(jinshan, user="zhujing")
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=jinshan.user("zhujing"), activity=ours, code=code)
    assert "石化内部活动" not in error.value.message_dict["code"][0]


def test_workflow_report_needs_a_summary_and_closed_activities_take_no_people(jinshan):
    staff = jinshan.user("staff")
    activity = make_activity(jinshan)
    with pytest.raises(ValidationError):
        services.activity_transition(actor=staff, activity=activity, to=Status.REPORTED)
    services.activity_transition(actor=staff, activity=activity, to=Status.HELD)
    with pytest.raises(ValidationError) as error:
        services.activity_report(actor=staff, activity=activity, data={"summary": "  "})
    assert "summary" in error.value.message_dict
    services.activity_report(
        actor=staff, activity=activity, data={"summary": "发放宣传资料300份。", "audience": 120, "online_views": 800}
    )
    activity.refresh_from_db()
    assert activity.status == Status.REPORTED and activity.reach == 920
    services.activity_transition(actor=staff, activity=activity, to=Status.ARCHIVED)
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=staff, activity=activity, name="迟到者")
    assert "不能再登记或签到" in error.value.messages[0]


def test_future_activity_cannot_be_marked_held(jinshan):
    start = timezone.now() + dt.timedelta(days=3)
    activity = make_activity(jinshan, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        services.activity_transition(actor=jinshan.user("staff"), activity=activity, to=Status.HELD)
    assert "尚未开始" in error.value.messages[0]


def test_training_sessions_and_attendance(jinshan):
    staff = jinshan.user("staff")
    training = make_activity(
        jinshan, title="2021年基层侨务干部培训班", kind="training", project="qiangji", ends_at=at("2021-03-13", 17)
    )
    s1 = services.session_add(actor=staff, activity=training, starts_at=at("2021-03-12", 9), topic="侨务政策解读")
    s2 = services.session_add(actor=staff, activity=training, starts_at=at("2021-03-13", 9), topic="侨情调查实务")
    with pytest.raises(ValidationError) as error:
        services.session_add(actor=staff, activity=training, starts_at=at("2021-03-20", 9), topic="越界")
    assert "starts_at" in error.value.message_dict
    r1 = services.registration_add(
        actor=staff, activity=training, name="钱一", organization="朱泾镇侨联", role="trainee"
    )
    r2 = services.registration_add(
        actor=staff, activity=training, name="孙二", organization="石化街道侨联", role="trainee"
    )
    result = services.attendance_record(
        actor=staff, activity=training, present={(s1.pk, r1.pk), (s1.pk, r2.pk), (s2.pk, r1.pk)}
    )
    assert result == {"added": 3, "removed": 0}
    assert services.attendance_record(actor=staff, activity=training, present={(s1.pk, r1.pk)}) == {
        "added": 0,
        "removed": 2,
    }
    other = make_activity(jinshan, title="别的活动")
    stray = services.registration_add(actor=staff, activity=other, name="周三")
    with pytest.raises(ValidationError):
        services.attendance_record(actor=staff, activity=training, present={(s1.pk, stray.pk)})
    assert SessionAttendance.objects.count() == 1


def test_photo_must_be_an_image_and_large_ones_are_shrunk(jinshan):
    staff = jinshan.user("staff")
    activity = make_activity(jinshan)
    with pytest.raises(ValidationError) as error:
        services.photo_add(
            actor=staff, activity=activity, image=SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
        )
    assert "不是可识别的图片" in error.value.message_dict["image"][0]
    photo = services.photo_add(actor=staff, activity=activity, image=png("big.png", (3000, 1500)), caption="合影")
    with photo.image.open("rb") as handle:
        assert max(Image.open(handle).size) == services.MAX_PHOTO_SIDE
    assert Photo.objects.count() == 1


# Counting -----------------------------------------------------------------------------------


def test_tally_counts_distinct_participants_per_group_like_sql(jinshan):
    staff = jinshan.user("staff")
    person = PersonFactory(federation=jinshan.zhujing)
    a = make_activity(jinshan, title="讲座一", kind="lecture", project="ningxin")
    b = make_activity(jinshan, title="讲座二", kind="lecture", project="ningxin", starts_at=at("2022-05-01"),
                      ends_at=at("2022-05-01", 11))  # fmt: skip
    c = make_activity(jinshan, title="走访", kind="visit", project="huiqiao", audience=30)
    cancelled = make_activity(jinshan, title="取消了", kind="visit", project="huiqiao")
    for activity in (a, b, c):
        services.registration_add(actor=staff, activity=activity, person=person)
    services.registration_add(actor=staff, activity=a, name="嘉宾", organization="市侨联")
    services.registration_add(actor=staff, activity=cancelled, name="不计")
    services.activity_transition(actor=staff, activity=cancelled, to=Status.CANCELLED)

    by_project = {t.key: t for t in selectors.activity_tally(user=staff, by="project")}
    assert (by_project["ningxin"].activities, by_project["ningxin"].participants) == (2, 2)
    assert (by_project["huiqiao"].activities, by_project["huiqiao"].participants) == (1, 1)
    assert by_project["huiqiao"].audience == 30
    by_year = {t.key: t for t in selectors.activity_tally(user=staff, by="year")}
    assert (by_year[2021].activities, by_year[2021].participants, by_year[2021].registrations) == (2, 2, 3)
    totals = selectors.activity_totals(user=staff)
    assert (totals.activities, totals.participants, totals.registrations) == (3, 2, 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.project, COUNT(DISTINCT a.id), COUNT(DISTINCT r.participant_key) "
            "FROM activities_activity a LEFT JOIN activities_registration r ON r.activity_id = a.id "
            "WHERE a.status <> 'cancelled' GROUP BY a.project"
        )
        sql = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    assert sql == {key: (t.activities, t.participants) for key, t in by_project.items()}


def test_tally_is_limited_to_the_users_jurisdiction(jinshan):
    make_activity(jinshan, user="zhujing")
    make_activity(jinshan, user="shihua")
    assert selectors.activity_totals(user=jinshan.user("zhujing")).activities == 1
    assert selectors.activity_totals(user=jinshan.user("staff")).activities == 2
    assert selectors.activity_totals(user=jinshan.user("cppcc")).activities == 0


# Pages --------------------------------------------------------------------------------------


def test_create_page_saves_and_shows_field_errors(jinshan, client):
    client.force_login(jinshan.user("zhujing"))
    url = reverse("activities:activity_create")
    page = client.get(url)
    assert page.status_code == 200 and "新建活动" in page.content.decode()
    bad = client.post(
        url,
        {
            "federation": jinshan.zhujing.pk,
            "title": "联谊会",
            "kind": "gathering",
            "project": "ningxin",
            "mode": "offline",
            "place": "朱泾镇",
            "starts_at": "2021-05-01T14:00",
            "ends_at": "2021-05-01T10:00",
        },
    )
    assert bad.status_code == 200
    assert "结束时间不能早于开始时间" in bad.content.decode()
    assert 'value="联谊会"' in bad.content.decode()  # nothing typed is lost
    good = client.post(
        url,
        {
            "federation": jinshan.zhujing.pk,
            "title": "联谊会",
            "kind": "gathering",
            "project": "ningxin",
            "mode": "offline",
            "place": "朱泾镇",
            "starts_at": "2021-05-01T14:00",
            "ends_at": "2021-05-01T16:00",
            "co_federations": [jinshan.shihua.pk],
        },
    )
    activity = Activity.objects.get()
    assert good.status_code == 302 and good["Location"] == activity.get_absolute_url()
    assert list(activity.co_federations.all()) == [jinshan.shihua]


def test_list_filters_and_calendar(jinshan, client):
    campaign = law_month(jinshan)
    make_activity(jinshan, title="侨法咨询台", campaign=campaign)
    make_activity(jinshan, title="同舟讲坛第一讲", kind="lecture", project="ningxin", starts_at=at("2021-06-01"),
                  ends_at=at("2021-06-01", 11))  # fmt: skip
    client.force_login(jinshan.user("staff"))
    url = reverse("activities:activity_list")
    body = client.get(url, {"project": "ningxin"}).content.decode()
    assert "同舟讲坛第一讲" in body and "侨法咨询台" not in body
    body = client.get(url, {"campaign": campaign.pk}).content.decode()
    assert "侨法咨询台" in body and "同舟讲坛第一讲" not in body
    body = client.get(url, {"date_from": "2021-05-01", "date_to": "2021-04-01"}).content.decode()
    assert "结束日期不能早于开始日期" in body
    body = client.get(reverse("activities:calendar"), {"month": "2021-03"}).content.decode()
    assert "侨法咨询台" in body and "同舟讲坛第一讲" not in body
    body = client.get(reverse("activities:calendar"), {"month": "2021-06"}).content.decode()
    assert "同舟讲坛第一讲" in body


def test_register_from_registry_ticket_and_check_in_pages(jinshan, client):
    activity = make_activity(jinshan, user="zhujing")
    person = PersonFactory(federation=jinshan.zhujing, name="黄小明")
    client.force_login(jinshan.user("zhujing"))
    results = client.get(reverse("activities:person_search", args=[activity.pk]), {"q": "黄小明"})
    assert "黄小明" in results.content.decode()
    pick = reverse("activities:activity_step", args=[activity.pk, "pick"])
    client.post(pick, {"person": person.pk, "role": "performer"})
    registration = Registration.objects.get(activity=activity)
    assert registration.role == "performer"
    again = client.post(pick, {"person": person.pk, "role": "participant"}, follow=True)
    assert "请勿重复登记" in again.content.decode()
    ticket = client.get(reverse("activities:registration_ticket", args=[registration.pk])).content.decode()
    assert "<svg" in ticket and registration.code in ticket
    # the station volunteer runs the desk
    client.force_login(jinshan.user("station"))
    desk = reverse("activities:checkin", args=[activity.pk])
    wrong = client.post(desk, {"code": "AAAA3333"})
    assert wrong.status_code == 422 and "不存在" in wrong.content.decode()
    ok = client.post(desk, {"code": registration.code})
    assert ok.status_code == 200 and "签到成功" in ok.content.decode()
    # the QR code leads to a one-tap confirmation
    scanned = reverse("activities:checkin_code", args=[registration.code])
    assert "已于" in client.get(scanned).content.decode()


def test_summary_photo_and_attachment_from_the_page(jinshan, client):
    activity = make_activity(jinshan)
    client.force_login(jinshan.user("staff"))
    step = lambda name: reverse("activities:activity_step", args=[activity.pk, name])  # noqa: E731
    empty = client.post(step("report"), {"summary": ""})
    assert "请填写活动总结" in empty.content.decode()
    client.post(step("report"), {"summary": "活动圆满完成。", "audience": "80"})
    client.post(step("photo"), {"image": png(), "caption": "现场"})
    bad = client.post(step("photo"), {"image": SimpleUploadedFile("a.jpg", b"xx", "image/jpeg")})
    assert "不是可识别的图片" in bad.content.decode()
    client.post(step("attachment"), {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4", "application/pdf")})
    activity.refresh_from_db()
    assert activity.status == Status.REPORTED and activity.audience == 80
    photo = activity.photos.get()
    assert client.get(reverse("activities:photo_file", args=[photo.pk])).status_code == 200
    attachment = activity.attachments.get()
    assert attachment.title == "签到表.pdf"
    body = client.get(activity.get_absolute_url(), {"tab": "media"}).content.decode()
    assert "现场" in body and "签到表.pdf" in body


def test_person_page_shows_participation_history(jinshan, client):
    person = PersonFactory(federation=jinshan.zhujing)
    activity = make_activity(jinshan, title="侨界联谊会")
    services.registration_add(actor=jinshan.user("staff"), activity=activity, person=person, role="speaker")
    client.force_login(jinshan.user("zhujing"))
    tab = client.get(reverse("registry:person_detail", args=[person.pk]), {"tab": "activities"})
    assert reverse("activities:person_participation", args=[person.pk]) in tab.content.decode()
    # taking part belongs to the person's record: the town sees the district's activity, unlinked
    fragment = client.get(reverse("activities:person_participation", args=[person.pk])).content.decode()
    assert "侨界联谊会" in fragment and activity.get_absolute_url() not in fragment
    # a person of another town is not theirs to look at
    client.force_login(jinshan.user("shihua"))
    assert client.get(reverse("activities:person_participation", args=[person.pk])).status_code == 404
    client.force_login(jinshan.user("staff"))
    fragment = client.get(reverse("activities:person_participation", args=[person.pk])).content.decode()
    assert "侨界联谊会" in fragment and "主讲/发言" in fragment


def test_stats_and_campaign_pages(jinshan, client):
    campaign = law_month(jinshan)
    make_activity(jinshan, user="zhujing", campaign=campaign, audience=50)
    client.force_login(jinshan.user("staff"))
    stats = client.get(reverse("activities:stats"), {"by": "project"}).content.decode()
    assert "惠侨工程" in stats and "2021" in stats
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "朱泾镇" in detail and "50" in detail
    client.force_login(jinshan.user("zhujing"))
    assert client.get(campaign.get_absolute_url()).status_code == 200  # the district's campaign frames theirs
    assert client.get(reverse("activities:campaign_edit", args=[campaign.pk])).status_code == 404


def test_closed_activity_takes_no_sessions_and_deceased_persons_are_not_registered(jinshan):
    staff = jinshan.user("staff")
    activity = make_activity(jinshan, kind="training", project="qiangji")
    dead = PersonFactory(federation=jinshan.zhujing, living_status="deceased")
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=staff, activity=activity, person=dead)
    assert "已故" in error.value.message_dict["person"][0]
    services.activity_transition(actor=staff, activity=activity, to=Status.CANCELLED)
    activity.refresh_from_db()
    with pytest.raises(ValidationError):
        services.session_add(actor=staff, activity=activity, starts_at=at("2021-03-12", 10), topic="取消后")


def test_paper_sign_in_sheet_keeps_the_real_check_in_time(jinshan):
    staff = jinshan.user("staff")
    activity = make_activity(jinshan)
    registration = services.registration_add(actor=staff, activity=activity, name="纸质签到")
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=staff, activity=activity, code=registration.code, at=at("2021-04-01", 9))
    assert "at" in error.value.message_dict
    done = services.check_in(actor=staff, activity=activity, code=registration.code, at=at("2021-03-12", 9))
    assert done.checked_in_at == at("2021-03-12", 9)


def test_list_rows_count_registered_and_checked_in_per_activity(jinshan, client):
    staff = jinshan.user("zhujing")
    busy = make_activity(jinshan, user="zhujing", title="甲活动")
    empty = make_activity(
        jinshan, user="zhujing", title="乙活动", starts_at=at("2021-03-13"), ends_at=at("2021-03-13", 11)
    )
    codes = [services.registration_add(actor=staff, activity=busy, name=name).code for name in ("王一", "王二", "王三")]
    for code in codes[:2]:
        services.check_in(actor=staff, activity=busy, code=code)
    rows = {a.pk: a for a in selectors.with_counts(selectors.activity_list(user=staff))}
    assert (rows[busy.pk].registered, rows[busy.pk].present) == (3, 2)
    assert (rows[empty.pk].registered, rows[empty.pk].present) == (0, 0)
    client.force_login(staff)
    page = client.get(reverse("activities:activity_list")).content.decode()
    assert "3/2" in page and "0/0" in page
