"""The portal's entry pages through the test client: the form end to end (multipart), chunked
upload endpoints, and "my entries", where another user's entry, file or upload is 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from qiaolian.contests.models import CategoryKind, ContestStatus, Entry, EntryStatus
from qiaolian.contests.tests.test_media import (
    SAMPLE_MP4,
    category,
    fresh_storage,  # noqa: F401 - autouse fixture
    jpeg_bytes,
    open_contest,
    portal_user,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest(jinshan):
    return open_contest(jinshan.district)


@pytest.fixture
def author(client):
    user = portal_user()
    client.force_login(user)
    return user


def form_data(contest, **extra):
    return {
        "category": category(contest, CategoryKind.PHOTO_SINGLE).pk,
        "title": "金山嘴渔村晨光",
        "description": "清晨的渔村",
        "taken_on": "2022-05-01",
        "taken_place": "金山嘴",
        "originality_declared": "on",
        **extra,
    }


def test_anonymous_visitor_is_sent_to_login(client, contest):
    url = reverse("portal:entry_create", args=[contest.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"] and "next=" in response["Location"]
    assert client.get(reverse("portal:my_entries")).status_code == 302
    assert client.post(reverse("portal:upload_start"), {"size": 1}).status_code == 401


def test_form_shows_categories_with_declarations_not_ticked(client, contest, author):
    response = client.get(reverse("portal:entry_create", args=[contest.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "摄影（组照）" in page and "微视频" in page
    assert 'name="originality_declared"' in page and "checked" not in page
    assert "multiple" in page and "data-chunked-upload" in page and "portal/upload.js" in page
    assert "<script>" not in page.split("</head>")[1]  # no inline scripts in the body


def test_form_submits_entry_end_to_end(client, contest, author, django_capture_on_commit_callbacks):
    photo = upload("IMG_1.jpg", jpeg_bytes(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:entry_create", args=[contest.pk]), {**form_data(contest), "files": [photo]}
        )
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:my_entry_detail", args=[entry.pk])
    assert (entry.account, entry.title, entry.code) == (author, "金山嘴渔村晨光", "2022-A-0001")
    assert entry.files.get().processing == "ready"
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    page = detail.content.decode()
    entry_file = entry.files.get()
    assert reverse("portal:my_entry_file", args=[entry_file.pk, "thumbnail"]) in page
    assert "2022-A-0001" in page and "展示文件已去除" in page


def test_form_errors_are_shown_next_to_fields_and_input_kept(client, contest, author):
    response = client.post(
        reverse("portal:entry_create", args=[contest.pk]),
        {**form_data(contest, originality_declared=""), "files": [upload("photo.jpg", b"\x7fELF" + bytes(200))]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请确认作品为本人原创" in page
    assert 'value="金山嘴渔村晨光"' in page and 'value="金山嘴"' in page
    assert Entry.objects.count() == 0
    response = client.post(
        reverse("portal:entry_create", args=[contest.pk]),
        {**form_data(contest), "files": [upload("photo.jpg", b"\x7fELF" + bytes(200))]},
    )
    assert response.status_code == 400
    assert "「photo.jpg」不是 JPEG、PNG 或 HEIC 格式的图片" in response.content.decode()
    assert Entry.objects.count() == 0


def test_closed_contest_shows_no_form(client, contest, author):
    contest.status = ContestStatus.JUDGING
    contest.save()
    response = client.get(reverse("portal:entry_create", args=[contest.pk]))
    assert response.status_code == 200
    assert (
        "不在征集期内" in response.content.decode() and '<form method="post" enctype' not in response.content.decode()
    )
    response = client.post(
        reverse("portal:entry_create", args=[contest.pk]),
        {**form_data(contest), "files": [upload("a.jpg", jpeg_bytes())]},
    )
    assert response.status_code == 400 and Entry.objects.count() == 0


def test_draft_contest_is_404(client, contest, author):
    contest.status = ContestStatus.DRAFT
    contest.save()
    assert client.get(reverse("portal:entry_create", args=[contest.pk])).status_code == 404


def test_chunked_upload_endpoints_then_submit(client, contest, author, django_capture_on_commit_callbacks):
    video = category(contest, CategoryKind.VIDEO)
    response = client.post(
        reverse("portal:upload_start"), {"filename": "home.mp4", "size": len(SAMPLE_MP4), "category": video.pk}
    )
    assert response.status_code == 201
    started = response.json()
    half = len(SAMPLE_MP4) // 2
    first = client.post(
        started["chunk_url"], SAMPLE_MP4[:half], content_type="application/octet-stream", HTTP_X_UPLOAD_OFFSET="0"
    )
    assert first.status_code == 200 and first.json()["received"] == half
    wrong = client.post(
        started["chunk_url"], SAMPLE_MP4[:half], content_type="application/octet-stream", HTTP_X_UPLOAD_OFFSET="0"
    )
    assert wrong.status_code == 409 and wrong.json()["received"] == half
    assert client.get(started["status_url"]).json()["received"] == half
    rest = client.post(
        started["chunk_url"], SAMPLE_MP4[half:], content_type="application/octet-stream", HTTP_X_UPLOAD_OFFSET=str(half)
    )
    assert rest.json()["complete"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:entry_create", args=[contest.pk]),
            {**form_data(contest, category=video.pk), "upload_ids": started["id"]},
        )
    assert response.status_code == 302
    entry = Entry.objects.get()
    entry_file = entry.files.get()
    assert (entry.code, entry_file.kind, entry_file.original_name) == ("2022-C-0001", "video", "home.mp4")
    web = client.get(reverse("portal:my_entry_file", args=[entry_file.pk, "web"]))
    assert web.status_code == 200 and web["Content-Type"] == "video/mp4"
    assert len(b"".join(web.streaming_content)) == len(SAMPLE_MP4)
    assert web["Accept-Ranges"] == "bytes" and web["X-Content-Type-Options"] == "nosniff"
    part = client.get(reverse("portal:my_entry_file", args=[entry_file.pk, "web"]), HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 4-11/{len(SAMPLE_MP4)}"
    assert b"".join(part.streaming_content) == b"ftypisom"
    beyond = client.get(reverse("portal:my_entry_file", args=[entry_file.pk, "web"]), HTTP_RANGE="bytes=999999-")
    assert beyond.status_code == 416


def test_upload_start_refuses_a_file_over_the_limit(client, contest, author):
    video = category(contest, CategoryKind.VIDEO)
    response = client.post(
        reverse("portal:upload_start"), {"filename": "big.mp4", "size": 6 * 1024 * 1024, "category": video.pk}
    )
    assert response.status_code == 400 and "5 MB" in response.json()["error"]


def test_my_entries_lists_only_own_entries_and_others_are_404(
    client, contest, author, django_capture_on_commit_callbacks
):
    other = portal_user("other")
    with django_capture_on_commit_callbacks(execute=True):
        for user, title in ((author, "我的作品"), (other, "别人的作品")):
            own_client = Client()
            own_client.force_login(user)
            own_client.post(
                reverse("portal:entry_create", args=[contest.pk]),
                {**form_data(contest, title=title), "files": [upload("a.jpg", jpeg_bytes())]},
            )
    client.force_login(author)
    mine, theirs = Entry.objects.get(account=author), Entry.objects.get(account=other)
    page = client.get(reverse("portal:my_entries")).content.decode()
    assert "我的作品" in page and "别人的作品" not in page
    their_file = theirs.files.get()
    assert client.get(reverse("portal:my_entry_detail", args=[theirs.pk])).status_code == 404
    for variant in ("web", "thumbnail", "original"):
        assert client.get(reverse("portal:my_entry_file", args=[their_file.pk, variant])).status_code == 404
    assert client.post(reverse("portal:my_entry_withdraw", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EntryStatus.SUBMITTED
    # Own files: the web copy and thumbnail, never the original.
    my_file = mine.files.get()
    web = client.get(reverse("portal:my_entry_file", args=[my_file.pk, "web"]))
    assert web.status_code == 200
    assert web["Content-Type"] == "image/jpeg" and web["X-Content-Type-Options"] == "nosniff"
    body = b"".join(web.streaming_content)
    from io import BytesIO

    assert not Image.open(BytesIO(body)).getexif().get_ifd(0x8825)
    assert client.get(reverse("portal:my_entry_file", args=[my_file.pk, "original"])).status_code == 404


def test_another_users_upload_is_404(client, contest, author):
    video = category(contest, CategoryKind.VIDEO)
    started = client.post(
        reverse("portal:upload_start"), {"filename": "a.mp4", "size": len(SAMPLE_MP4), "category": video.pk}
    ).json()
    client.force_login(portal_user("other"))
    assert client.get(started["status_url"]).status_code == 404
    response = client.post(
        started["chunk_url"], SAMPLE_MP4, content_type="application/octet-stream", HTTP_X_UPLOAD_OFFSET="0"
    )
    assert response.status_code == 404


def test_author_withdraws_own_entry(client, contest, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:entry_create", args=[contest.pk]),
            {**form_data(contest), "files": [upload("a.jpg", jpeg_bytes())]},
        )
    entry = Entry.objects.get()
    assert "撤回作品" in client.get(reverse("portal:my_entry_detail", args=[entry.pk])).content.decode()
    response = client.post(reverse("portal:my_entry_withdraw", args=[entry.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN


def test_pages_render_in_english_and_traditional(client, contest, author):
    from django.utils import translation

    for language in ("en", "zh-hant"):
        with translation.override(language):
            url = reverse("portal:entry_create", args=[contest.pk])
        assert url.startswith(f"/{language}/")
        assert client.get(url).status_code == 200
