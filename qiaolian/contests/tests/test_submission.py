"""Submitting entries from the portal (contests.submission): the contest must be collecting, the
author within the limit, the files within the count, the declarations made; codes are numbered
per year and category; chunked uploads resume after a broken connection."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from qiaolian.audit.models import AuditEntry
from qiaolian.contests import submission
from qiaolian.contests.models import CategoryKind, ContestStatus, Entry, EntryFile, EntryStatus, Upload
from qiaolian.contests.tests.test_media import (
    SAMPLE_MP4,
    category,
    entry_data,
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
def author(db):
    return portal_user()


def submit(contest, author, kind=CategoryKind.PHOTO_SINGLE, files=None, **data):
    return submission.entry_submit(
        account=author,
        contest=contest,
        category=category(contest, kind),
        data=entry_data(**data),
        files=files if files is not None else [upload("a.jpg", jpeg_bytes(gps=False))],
    )


def test_entry_gets_author_fields_from_the_profile_and_is_audited(contest, author):
    entry = submit(contest, author, description="海边", taken_place="金山嘴", taken_on=dt.date(2022, 5, 1))
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.author_name == "李华"
    assert entry.author_country == "US"
    assert entry.author_phone.reveal() == "13800138000"
    assert entry.author_phone_hash == author.portal_profile.phone_hash
    assert (entry.taken_place, entry.taken_on) == ("金山嘴", dt.date(2022, 5, 1))
    audit = AuditEntry.objects.get(target_type="contests.entry", target_id=str(entry.pk))
    assert audit.actor == author and audit.data["code"] == entry.code
    assert "13800138000" not in str(audit.data)


def test_entry_code_is_year_category_letter_and_sequence(contest, author):
    other = portal_user("other")
    first = submit(contest, author)
    second = submit(contest, other)
    video = submit(contest, author, CategoryKind.VIDEO, files=[upload("v.mp4", SAMPLE_MP4)])
    assert (first.code, second.code, video.code) == ("2022-A-0001", "2022-A-0002", "2022-C-0001")
    assert all(re.fullmatch(r"\d{4}-[A-Z]-\d{4}", e.code) for e in (first, second, video))


def test_contest_not_open_is_refused(contest, author):
    for status in (ContestStatus.ANNOUNCED, ContestStatus.SCREENING, ContestStatus.FINAL):
        contest.status = status
        contest.save()
        with pytest.raises(ValidationError, match="不在征集期内"):
            submit(contest, author)
    contest.status = ContestStatus.OPEN
    contest.closes_at = timezone.now() - dt.timedelta(minutes=1)
    contest.save()
    with pytest.raises(ValidationError, match="不在征集期内"):
        submit(contest, author)
    contest.opens_at = timezone.now() + dt.timedelta(days=1)
    contest.closes_at = timezone.now() + dt.timedelta(days=2)
    contest.save()
    with pytest.raises(ValidationError, match="不在征集期内"):
        submit(contest, author)
    assert Entry.objects.count() == 0


def test_category_of_another_contest_is_refused(jinshan, contest, author):
    other = open_contest(jinshan.district, title="另一个大赛")
    with pytest.raises(ValidationError) as caught:
        submission.entry_submit(
            account=author,
            contest=contest,
            category=category(other, CategoryKind.PHOTO_SINGLE),
            data=entry_data(),
            files=[upload("a.jpg", jpeg_bytes())],
        )
    assert "category" in caught.value.message_dict


def test_staff_account_cannot_submit_from_the_portal(jinshan, contest):
    with pytest.raises(ValidationError, match="门户账号"):
        submit(contest, jinshan.user("staff"))


def test_per_author_limit_counts_entries_not_withdrawn(contest, author):
    contest.max_entries_per_author = 2
    contest.save()
    first = submit(contest, author)
    submit(contest, author)
    with pytest.raises(ValidationError, match="最多投稿 2 件"):
        submit(contest, author)
    submission.entry_withdraw(account=author, entry=first)
    assert submit(contest, author).pk
    assert submit(contest, portal_user("other")).pk  # another author has their own limit


def test_file_count_must_be_within_the_category_rule(contest, author):
    with pytest.raises(ValidationError) as caught:
        submit(contest, author, CategoryKind.PHOTO_SET, files=[upload("1.jpg", jpeg_bytes())])
    assert "2 至 4 个文件" in caught.value.message_dict["files"][0]
    with pytest.raises(ValidationError):
        submit(contest, author, files=[])
    with pytest.raises(ValidationError):
        submit(contest, author, files=[upload("1.jpg", jpeg_bytes()), upload("2.jpg", jpeg_bytes())])
    entry = submit(contest, author, CategoryKind.PHOTO_SET, files=[upload(f"{i}.jpg", jpeg_bytes()) for i in range(3)])
    assert [f.original_name for f in entry.files.all()] == ["0.jpg", "1.jpg", "2.jpg"]


def test_originality_declaration_is_required(contest, author):
    with pytest.raises(ValidationError) as caught:
        submit(contest, author, originality_declared=False)
    assert "originality_declared" in caught.value.message_dict
    assert Entry.objects.count() == 0


def test_portrait_consent_is_required_when_the_work_shows_people(contest, author):
    with pytest.raises(ValidationError) as caught:
        submit(contest, author, has_portraits=True)
    assert "portrait_consent" in caught.value.message_dict
    entry = submit(contest, author, has_portraits=True, portrait_consent=True)
    assert entry.portrait_consent is True


def test_withdraw_only_own_entry_while_collecting(contest, author):
    entry = submit(contest, author)
    with pytest.raises(Http404):
        submission.entry_withdraw(account=portal_user("other"), entry=entry)
    contest.status = ContestStatus.SCREENING
    contest.save()
    with pytest.raises(ValidationError):
        submission.entry_withdraw(account=author, entry=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


# Chunked uploads -----------------------------------------------------------------------------


def _chunks(data: bytes, count: int) -> list[tuple[int, bytes]]:
    step = -(-len(data) // count)
    return [(offset, data[offset : offset + step]) for offset in range(0, len(data), step)]


def test_chunked_upload_resumes_after_a_broken_connection(contest, author, django_capture_on_commit_callbacks):
    video = category(contest, CategoryKind.VIDEO)
    started = submission.upload_start(
        account=author, filename="C:\\Videos\\家乡.mp4", size=len(SAMPLE_MP4), category=video
    )
    assert started.filename == "家乡.mp4" and started.received == 0
    chunks = _chunks(SAMPLE_MP4, 3)
    assert len(chunks) == 3
    submission.upload_append(account=author, upload=started.pk, offset=chunks[0][0], chunk=chunks[0][1])
    # The connection breaks halfway through the second chunk: the client never hears back, and
    # the server holds only the first chunk. It asks where to resume, then goes on.
    status = submission.upload_status(account=author, upload=started.pk)
    assert status.received == len(chunks[0][1])
    with pytest.raises(submission.UploadOffsetError) as caught:  # it retries the third chunk first
        submission.upload_append(account=author, upload=started.pk, offset=chunks[2][0], chunk=chunks[2][1])
    assert caught.value.expected == status.received
    for offset, chunk in chunks[1:]:
        done = submission.upload_append(account=author, upload=started.pk, offset=offset, chunk=chunk)
    assert done.received == len(SAMPLE_MP4) and done.completed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        entry = submission.entry_submit(
            account=author, contest=contest, category=video, data=entry_data(), uploads=[started.pk]
        )
    entry_file = entry.files.get()
    with entry_file.original.open("rb") as handle:
        assert handle.read() == SAMPLE_MP4
    assert entry_file.original_name == "家乡.mp4" and entry_file.processing == "ready"
    assert not Upload.objects.filter(pk=started.pk).exists()  # removed once the entry is committed
    assert list(submission.upload_dir().iterdir()) == []


def test_chunk_repeated_after_lost_reply_is_refused_with_the_offset_to_resume(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    started = submission.upload_start(account=author, filename="a.mp4", size=len(SAMPLE_MP4), category=video)
    first = SAMPLE_MP4[:1000]
    submission.upload_append(account=author, upload=started, offset=0, chunk=first)
    with pytest.raises(submission.UploadOffsetError) as caught:
        submission.upload_append(account=author, upload=started, offset=0, chunk=first)
    assert caught.value.expected == 1000
    with pytest.raises(ValidationError, match="超过了声明的文件大小"):
        submission.upload_append(account=author, upload=started, offset=1000, chunk=SAMPLE_MP4[1000:] + b"extra")


def test_upload_over_the_limit_is_refused_at_start(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    with pytest.raises(ValidationError, match="超过本组别单个文件上限 5 MB"):
        submission.upload_start(account=author, filename="big.mp4", size=5 * 1024 * 1024 + 1, category=video)
    assert Upload.objects.count() == 0


def test_unfinished_upload_cannot_be_submitted(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    started = submission.upload_start(account=author, filename="a.mp4", size=len(SAMPLE_MP4), category=video)
    submission.upload_append(account=author, upload=started, offset=0, chunk=SAMPLE_MP4[:100])
    with pytest.raises(ValidationError, match="尚未上传完成"):
        submission.entry_submit(account=author, contest=contest, category=video, data=entry_data(), uploads=[started])
    assert EntryFile.objects.count() == 0


def test_another_accounts_upload_does_not_exist(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    started = submission.upload_start(account=author, filename="a.mp4", size=len(SAMPLE_MP4), category=video)
    other = portal_user("other")
    with pytest.raises(Http404):
        submission.upload_append(account=other, upload=started.pk, offset=0, chunk=b"x")
    with pytest.raises(Http404):
        submission.upload_status(account=other, upload=started.pk)
    submission.upload_append(account=author, upload=started, offset=0, chunk=SAMPLE_MP4)
    with pytest.raises(ValidationError, match="不存在或已过期"):
        submission.entry_submit(account=other, contest=contest, category=video, data=entry_data(), uploads=[started.pk])


def test_chunked_upload_content_is_checked_like_any_file(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    text = b"not a video at all\n" * 100
    started = submission.upload_start(account=author, filename="fake.mp4", size=len(text), category=video)
    submission.upload_append(account=author, upload=started, offset=0, chunk=text)
    with pytest.raises(ValidationError, match=r"fake\.mp4.*文件不是有效的 MP4 视频"):
        submission.entry_submit(account=author, contest=contest, category=video, data=entry_data(), uploads=[started])
    assert Entry.objects.count() == 0
    assert Upload.objects.filter(pk=started.pk).exists()  # kept until it expires


def test_expired_uploads_are_removed_with_their_files(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    old = submission.upload_start(account=author, filename="old.mp4", size=100, category=video)
    fresh = submission.upload_start(account=author, filename="new.mp4", size=100, category=video)
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    from qiaolian.contests.tasks import uploads_cleanup_expired_task

    assert uploads_cleanup_expired_task.enqueue().return_value == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert [p.name for p in submission.upload_dir().iterdir()] == [fresh.path]


def test_starting_an_upload_sweeps_expired_ones(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    old = submission.upload_start(account=author, filename="old.mp4", size=100, category=video)
    Upload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    fresh = submission.upload_start(account=author, filename="new.mp4", size=100, category=video)
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert [p.name for p in submission.upload_dir().iterdir()] == [fresh.path]
