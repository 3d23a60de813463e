"""Acceptance: a portal user reaches only their own data. User A tries every page that names a
record by id with user B's ids (ticket, registration, camp application, request, contest entry
and its file) and gets 404 each time; B's data appears nowhere on A's pages or in A's download,
whatever A puts in the query string."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qiaolian.casework import services as case_services
from qiaolian.contests.models import Category, Contest, Entry, EntryFile
from qiaolian.portal import mine
from qiaolian.portal.tests.matrix_review import make_portal_user, open_activity, open_camp
from qiaolian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _entry(js, contest, category, user, n: int) -> tuple[Entry, EntryFile]:
    entry = Entry.objects.create(
        contest=contest,
        category=category,
        code=f"T2026-{n:04d}",
        account=user,
        author_name=user.display_name,
        title=f"{user.display_name}的作品",
        submitted_at=timezone.now(),
    )
    entry_file = EntryFile.objects.create(
        entry=entry,
        kind="image",
        original=ContentFile(b"\xff\xd8original", name=f"o{n}.jpg"),
        content_type="image/jpeg",
        size=10,
        sha256=f"{n:064d}",
        web=ContentFile(b"\xff\xd8web", name=f"w{n}.jpg"),
        thumbnail=ContentFile(b"\xff\xd8thumb", name=f"t{n}.jpg"),
        processing="done",
    )
    return entry, entry_file


def _records(js, user, contest, category, n: int) -> dict:
    """Everything a portal user can have, made through the portal's own services."""
    today = timezone.localdate()
    registration = mine.registration_self_add(user=user, activity=open_activity(js, title=f"活动{n}"))
    enrolment = mine.enrolment_self_add(
        user=user,
        camp=open_camp(js, title=f"营会{n}"),
        data={
            "name": user.display_name,
            "birth_date": today.replace(year=today.year - 16),
            "country": "CA",
            "passport_number": f"G{n}7654321",
        },
    )
    case = mine.request_submit(
        user=user,
        kind="rights",
        title=f"{user.display_name}的申请",
        description=f"{user.display_name}的诉求内容",
        topic="property",
    )
    case_services.note_add(
        actor=js.user("zhujing"), case=case, body=f"给{user.display_name}的答复", is_visible_to_requester=True
    )
    mine.profile_change_request(user=user, data={"display_name": user.display_name, "city": f"{user.display_name}城"})
    entry, entry_file = _entry(js, contest, category, user, n)
    return {
        "registration": registration,
        "enrolment": enrolment,
        "case": case,
        "entry": entry,
        "entry_file": entry_file,
    }


@pytest.fixture
def two_users(jinshan):
    a = make_portal_user("alice", jinshan.zhujing, display_name="甲用户", phone="+8613911110001")
    b = make_portal_user("bob", jinshan.zhujing, display_name="乙用户", phone="+8613922220002")
    contest = Contest.objects.create(
        federation=jinshan.district,
        title="“充满阳光”摄影大赛",
        year=2026,
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() + dt.timedelta(days=10),
        status="open",
    )
    category = Category.objects.create(contest=contest, name="摄影（单幅）", kind="photo_single")
    return {
        "a": a,
        "b": b,
        "a_records": _records(jinshan, a, contest, category, 1),
        "b_records": _records(jinshan, b, contest, category, 2),
    }


def _record_urls(records: dict) -> dict[str, str]:
    urls = {
        "ticket": reverse("portal:my_ticket", args=[records["registration"].pk]),
        "camp enrolment": reverse("portal:my_camp", args=[records["enrolment"].pk]),
        "request": reverse("portal:my_request_detail", args=[records["case"].pk]),
    }
    try:
        urls["entry"] = reverse("portal:my_entry_detail", args=[records["entry"].pk])
        urls["entry file (web)"] = reverse("portal:my_entry_file", args=[records["entry_file"].pk, "web"])
        urls["entry file (thumbnail)"] = reverse("portal:my_entry_file", args=[records["entry_file"].pk, "thumbnail"])
    except NoReverseMatch:  # the contest entry pages are not mounted
        pass
    return urls


def test_a_user_opens_each_of_their_own_records(client, two_users):
    client.force_login(two_users["a"])
    urls = _record_urls(two_users["a_records"])
    assert {"entry", "entry file (web)"} <= set(urls), "the portal's contest entry pages must be checked too"
    for label, url in urls.items():
        assert client.get(url).status_code == 200, label


def test_every_record_of_another_user_is_404_by_id(client, two_users):
    client.force_login(two_users["a"])
    failures = []
    for label, url in _record_urls(two_users["b_records"]).items():
        status = client.get(url).status_code
        if status != 404:
            failures.append(f"{label} {url}: {status}")
    assert not failures, "\n".join(failures)


def test_another_users_data_is_absent_from_my_pages(client, two_users):
    client.force_login(two_users["a"])
    b_records = two_users["b_records"]
    pages = [
        "portal:my_home",
        "portal:my_profile",
        "portal:my_registrations",
        "portal:my_camps",
        "portal:my_requests",
        "portal:my_data",
        "portal:my_delete",
    ]
    try:
        reverse("portal:my_entries")
        pages.append("portal:my_entries")
    except NoReverseMatch:
        pass
    foreign = ["乙用户", b_records["registration"].code, b_records["case"].number, "T2026-0002", "2222"]
    for name in pages:
        body = client.get(reverse(name), {"user": two_users["b"].pk, "account": two_users["b"].pk}).content.decode()
        leaked = [value for value in foreign if value in body]
        assert not leaked, f"{name} shows {leaked}"
    assert "甲用户" in client.get(reverse("portal:my_requests")).content.decode()


def test_my_download_holds_only_my_data_whatever_the_request_names(client, two_users):
    client.force_login(two_users["a"])
    b = two_users["b"]
    b_records = two_users["b_records"]
    response = client.post(
        reverse("portal:my_data_download", args=["json"]) + f"?user={b.pk}&account={b.pk}",
        {"user": b.pk, "account": b.pk, "pk": b.pk},
    )
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)
    assert data["account"]["username"] == "alice"
    assert [r["code"] for r in data["registrations"]] == [two_users["a_records"]["registration"].code]
    assert [e["code"] for e in data["contest_entries"]] == ["T2026-0001"]
    assert [c["notes"][0]["text"] for c in data["requests"]] == ["给甲用户的答复"]
    for value in ("乙用户", "bob", b_records["registration"].code, b_records["case"].number, "T2026-0002", "2222"):
        assert value not in text, value
    assert "7654321" not in text  # even my own passport number is masked
    workbook = client.post(reverse("portal:my_data_download", args=["xlsx"]), {"user": b.pk})
    cells = {
        str(c.value)
        for sheet in openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    }
    assert not any("乙用户" in v or b_records["registration"].code in v for v in cells)


def test_another_users_records_cannot_be_changed_or_taken_over(client, two_users, jinshan):
    client.force_login(two_users["a"])
    b_records = two_users["b_records"]
    try:
        withdraw = reverse("portal:my_entry_withdraw", args=[b_records["entry"].pk])
    except NoReverseMatch:
        withdraw = None
    if withdraw:
        assert client.post(withdraw).status_code == 404
        b_records["entry"].refresh_from_db()
        assert b_records["entry"].status == "submitted"
    # my deletion request does not touch B, and B's password does not confirm mine
    refused = client.post(reverse("portal:my_delete"), {"password": "wrong-" + PASSWORD, "confirm": "on"})
    assert refused.status_code == 422
    assert not two_users["b"].data_requests.exists()
