"""A full disk while a file is uploaded: the user reads "服务器存储空间不足，文件未保存，请联系管理员"
(507, not a traceback), no record is created and no file, whole or partial, is left behind.

The mocked tests make the storage's write fail with ENOSPC; the last tests fill a real 1 MB tmpfs
(root only: skipped where ``mount`` is not allowed)."""

from __future__ import annotations

import errno
import io
import os
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from qiaolian.activities.models import Photo
from qiaolian.activities.tests.test_activities import make_activity
from qiaolian.contests.models import CategoryKind, Entry, Upload
from qiaolian.contests.tests.test_media import SAMPLE_MP4, category, open_contest, portal_user
from qiaolian.registry.models import ImportBatch
from qiaolian.registry.tests.test_import import HEADERS, person_row

MESSAGE = "服务器存储空间不足，文件未保存，请联系管理员"

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    """Files on disk (the storage of production), in a folder of the test's own."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "qiaolian.core.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(root)
    settings.QIAOLIAN_UPLOAD_DIR = str(tmp_path / "uploads")
    return root


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def assert_disk_full_page(response, status: int = 507) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert MESSAGE in body and "Traceback" not in body


def persons_csv(count: int = 3) -> bytes:
    lines = [",".join(HEADERS)]
    for i in range(count):
        row = person_row(i, 所属侨联="朱泾镇侨联")
        lines.append(",".join(str(row.get(h, "")) for h in HEADERS))
    return "\r\n".join(lines).encode("utf-8")


def jpeg(size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, format="JPEG")
    return buffer.getvalue()


def staff_client(jinshan) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(jinshan.user("zhujing"))
    return client


# The storage's save fails (mocked) ---------------------------------------------------------------


def test_import_upload_on_a_full_disk_says_so_and_stores_nothing(jinshan, media):
    client = staff_client(jinshan)
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=disk_full):
        response = client.post(reverse("registry:import_list"), {"file": SimpleUploadedFile("名单.csv", persons_csv())})
    assert_disk_full_page(response)
    assert not ImportBatch.objects.exists()
    assert files_under(media) == []


def test_activity_photo_upload_on_a_full_disk_says_so_and_stores_nothing(jinshan, media):
    activity = make_activity(jinshan, user="zhujing")
    client = staff_client(jinshan)
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=disk_full):
        response = client.post(
            reverse("activities:activity_step", args=[activity.pk, "photo"]),
            {"image": SimpleUploadedFile("合影.jpg", jpeg(), content_type="image/jpeg"), "caption": "合影"},
        )
    assert_disk_full_page(response)
    assert not Photo.objects.exists()
    assert files_under(media) == []


def test_a_write_that_fails_half_way_leaves_no_half_file(media):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    class HalfWritten(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"x" * 1000
            disk_full()

    with pytest.raises(OSError) as error:
        default_storage.save("imports/half.csv", HalfWritten(b"", name="half.csv"))
    assert error.value.errno == errno.ENOSPC
    assert files_under(media) == []


@pytest.fixture
def video_upload(jinshan, media):
    """A portal author with a chunked video upload started: (client, the upload's JSON)."""
    contest = open_contest(jinshan.district)
    video = category(contest, CategoryKind.VIDEO)
    client = Client(raise_request_exception=False)
    client.force_login(portal_user())
    response = client.post(
        reverse("portal:upload_start"), {"filename": "home.mp4", "size": len(SAMPLE_MP4), "category": video.pk}
    )
    assert response.status_code == 201
    return client, response.json(), contest, video


def post_chunk(client, started, data: bytes, offset: int):
    return client.post(
        started["chunk_url"], data, content_type="application/octet-stream", HTTP_X_UPLOAD_OFFSET=str(offset)
    )


def test_chunked_video_upload_on_a_full_disk_keeps_only_what_was_received(video_upload, settings):
    client, started, _contest, _video = video_upload
    half = len(SAMPLE_MP4) // 2
    assert post_chunk(client, started, SAMPLE_MP4[:half], 0).status_code == 200
    with mock.patch("qiaolian.contests.submission.os.fsync", side_effect=disk_full):  # the data hit the disk…
        response = post_chunk(client, started, SAMPLE_MP4[half:], half)
    assert response.status_code == 507 and MESSAGE in response.json()["error"]
    upload = Upload.objects.get(pk=started["id"])
    assert upload.received == half and upload.completed_at is None
    [part] = files_under(Path(settings.QIAOLIAN_UPLOAD_DIR))
    assert part.read_bytes() == SAMPLE_MP4[:half]  # …and was taken back: the client resumes from here
    assert post_chunk(client, started, SAMPLE_MP4[half:], half).json()["complete"] is True


def test_submitting_the_video_on_a_full_disk_creates_no_entry_and_no_file(video_upload, media):
    client, started, contest, video = video_upload
    assert post_chunk(client, started, SAMPLE_MP4, 0).json()["complete"] is True
    data = {
        "category": video.pk,
        "title": "金山嘴渔村晨光",
        "description": "清晨的渔村",
        "taken_on": "2022-05-01",
        "taken_place": "金山嘴",
        "originality_declared": "on",
        "upload_ids": started["id"],
    }
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=disk_full):
        response = client.post(reverse("portal:entry_create", args=[contest.pk]), data)
    assert_disk_full_page(response)
    assert not Entry.objects.exists()
    assert files_under(media) == []


# A real full disk (a 1 MB tmpfs) -----------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path, settings):
    point = tmp_path / "tiny"
    point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_really_full_disk_on_import_upload_and_chunked_upload(jinshan, tiny_disk, settings):
    (tiny_disk / "media").mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "qiaolian.core.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tiny_disk / "media")
    settings.QIAOLIAN_UPLOAD_DIR = str(tiny_disk / "uploads")
    settings.QIAOLIAN_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    (tiny_disk / "filler").write_bytes(b"\0" * 700 * 1024)  # the disk is 70 % full

    big = persons_csv(4000)  # ~0.8 MB: does not fit in what is left
    assert len(big) > 400 * 1024
    response = staff_client(jinshan).post(
        reverse("registry:import_list"), {"file": SimpleUploadedFile("名单.csv", big)}
    )
    assert_disk_full_page(response)
    assert not ImportBatch.objects.exists()
    assert files_under(tiny_disk / "media") == []

    contest = open_contest(jinshan.district)
    video = category(contest, CategoryKind.VIDEO)
    video.max_file_mb = 5
    video.save()
    client = Client(raise_request_exception=False)
    client.force_login(portal_user())
    size = 1024 * 1024
    started = client.post(
        reverse("portal:upload_start"), {"filename": "big.mp4", "size": size, "category": video.pk}
    ).json()
    offset, response = 0, None
    while offset < size:
        response = post_chunk(client, started, b"v" * (256 * 1024), offset)
        if response.status_code != 200:
            break
        offset += 256 * 1024
    assert response is not None and response.status_code == 507 and MESSAGE in response.json()["error"]
    upload = Upload.objects.get(pk=started["id"])
    assert upload.received == offset < size
    [part] = files_under(tiny_disk / "uploads")
    assert part.stat().st_size == offset  # no partial chunk
