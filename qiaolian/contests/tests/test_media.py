"""Contest files are checked by content: real images and MP4 videos within the category's rules
are accepted; a renamed program, an image bomb, a file over the limit, a text file named .mp4 and
a video over the duration are refused with a message naming the file and nothing stored. The web
copies carry no location."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qiaolian.accounts.models import Role, User
from qiaolian.contests import media
from qiaolian.contests.models import (
    Category,
    CategoryKind,
    Contest,
    ContestStatus,
    Entry,
    EntryFile,
    FileKind,
    Processing,
)
from qiaolian.contests.submission import entry_submit
from qiaolian.portal.models import PortalProfile

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
SAMPLE_MP4 = (FILES / "sample.mp4").read_bytes()
GPS = {1: "N", 2: (30.0, 44.0, 12.5), 3: "E", 4: (121.0, 20.0, 30.0), 5: 0, 6: 4.0}


# Builders shared by the contest and portal tests ------------------------------------------------


def portal_user(username: str = "author", **extra) -> User:
    user = User.objects.create_user(
        username=username, password="Test-password-2026", role=Role.PUBLIC, display_name=extra.pop("name", "李华")
    )
    PortalProfile.objects.create(user=user, phone=extra.pop("phone", "13800138000"), country="US")
    return user


def open_contest(federation, **extra) -> Contest:
    now = timezone.now()
    contest = Contest.objects.create(
        federation=federation,
        title=extra.pop("title", "充满阳光摄影、微视频大赛"),
        year=extra.pop("year", 2022),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        status=extra.pop("status", ContestStatus.OPEN),
        **extra,
    )
    Category.objects.create(
        contest=contest, name="摄影（单幅）", kind=CategoryKind.PHOTO_SINGLE, order=1, min_long_side=400, max_file_mb=2
    )
    Category.objects.create(
        contest=contest, name="摄影（组照）", kind=CategoryKind.PHOTO_SET, order=2, min_files=2, max_files=4
    )
    Category.objects.create(
        contest=contest, name="微视频", kind=CategoryKind.VIDEO, order=3, max_file_mb=5, max_duration_seconds=10
    )
    return contest


def category(contest: Contest, kind: str) -> Category:
    return contest.categories.get(kind=kind)


def jpeg_bytes(size=(1200, 800), *, gps: bool = True, orientation: int | None = None) -> bytes:
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R5"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[media.GPS_IFD] = GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def png_bytes(size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def heic_bytes(size=(1000, 750)) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", size, (10, 120, 200))).save(buffer, quality=60)
    return buffer.getvalue()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid 1-bit PNG header declaring ``width``×``height`` pixels, with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + bytes((width + 7) // 8)
    body = zlib.compress(row * 64, 9)  # rows are identical; a few suffice to look real
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def entry_data(**extra) -> dict:
    return {"title": "金山嘴渔村晨光", "originality_declared": True, **extra}


def storage_names() -> set[str]:
    dirs, files = default_storage.listdir("contests") if default_storage.exists("contests") else ([], [])
    names = set(files)
    for folder in dirs:
        names |= {f"{folder}/{name}" for name in default_storage.listdir(f"contests/{folder}")[1]}
    return names


@pytest.fixture(autouse=True)
def fresh_storage(settings, tmp_path):
    """An empty in-memory media storage and upload folder for each test."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.QIAOLIAN_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def contest(jinshan):
    return open_contest(jinshan.district)


@pytest.fixture
def author(db):
    return portal_user()


# Accepted files ------------------------------------------------------------------------------


def test_jpeg_with_gps_is_accepted_and_its_web_copy_has_no_location(
    contest, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author,
            contest=contest,
            category=category(contest, CategoryKind.PHOTO_SINGLE),
            data=entry_data(),
            files=[upload("IMG_0001.JPG", jpeg_bytes(), "image/jpeg")],
        )
    entry_file = EntryFile.objects.get(entry=entry)
    assert (entry_file.kind, entry_file.content_type) == (FileKind.IMAGE, "image/jpeg")
    assert (entry_file.width, entry_file.height) == (1200, 800)
    assert entry_file.had_location is True
    assert entry_file.processing == Processing.READY
    assert entry_file.original.name.endswith(".jpg")
    # The original keeps its EXIF (never served); the web copy and thumbnail keep none.
    with entry_file.original.open("rb") as handle:
        assert Image.open(handle).getexif().get_ifd(media.GPS_IFD)
    for copy, longest in ((entry_file.web, 1200), (entry_file.thumbnail, 480)):
        with copy.open("rb") as handle:
            image = Image.open(handle)
            assert image.format == "JPEG"
            assert max(image.size) == longest
            exif = image.getexif()
            assert not exif.get_ifd(media.GPS_IFD)
            assert len(exif) == 0
            assert "exif" not in image.info


def test_web_copy_applies_orientation_and_is_at_most_2048_pixels(contest, author, django_capture_on_commit_callbacks):
    cat = category(contest, CategoryKind.PHOTO_SINGLE)
    cat.max_file_mb = 10
    cat.save()
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author,
            contest=contest,
            category=cat,
            data=entry_data(),
            files=[upload("tall.jpg", jpeg_bytes((3000, 2000), gps=False, orientation=6))],
        )
    entry_file = entry.files.get()
    assert (entry_file.width, entry_file.height) == (2000, 3000)  # rotated a quarter turn
    assert entry_file.had_location is False
    with entry_file.web.open("rb") as handle:
        assert Image.open(handle).size == (1365, 2048)


def test_png_is_accepted_and_transparency_flattened(contest, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author,
            contest=contest,
            category=category(contest, CategoryKind.PHOTO_SINGLE),
            data=entry_data(),
            files=[upload("poster.png", png_bytes(), "image/png")],
        )
    entry_file = entry.files.get()
    assert (entry_file.content_type, entry_file.width, entry_file.height) == ("image/png", 900, 600)
    with entry_file.web.open("rb") as handle:
        assert Image.open(handle).mode == "RGB"


def test_heic_is_accepted_by_content_even_when_named_jpg(contest, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author,
            contest=contest,
            category=category(contest, CategoryKind.PHOTO_SINGLE),
            data=entry_data(),
            files=[upload("iphone.jpg", heic_bytes(), "image/jpeg")],
        )
    entry_file = entry.files.get()
    assert entry_file.content_type == "image/heic"
    assert entry_file.original.name.endswith(".heic")
    assert (entry_file.width, entry_file.height) == (1000, 750)
    assert entry_file.processing == Processing.READY
    with entry_file.web.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


def test_mp4_is_accepted_with_duration_and_web_copy_without_metadata(
    contest, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author,
            contest=contest,
            category=category(contest, CategoryKind.VIDEO),
            data=entry_data(),
            files=[upload("clip.mp4", SAMPLE_MP4, "video/mp4")],
        )
    entry_file = entry.files.get()
    assert (entry_file.kind, entry_file.content_type) == (FileKind.VIDEO, "video/mp4")
    assert entry_file.duration_seconds == Decimal("3.00")
    assert (entry_file.width, entry_file.height) == (320, 240)
    assert entry_file.processing == Processing.READY
    with entry_file.web.open("rb") as handle:
        web = handle.read()
    assert len(web) == len(SAMPLE_MP4)
    assert b"udta" in SAMPLE_MP4 and b"udta" not in web  # the metadata box became a free box
    assert media.inspect_upload(upload("web.mp4", web), category=category(contest, CategoryKind.VIDEO)).duration == 3
    with entry_file.thumbnail.open("rb") as handle:
        assert Image.open(handle).format == "JPEG"


def test_video_location_is_detected_and_removed_from_web_copy(contest, author, django_capture_on_commit_callbacks):
    # The sample ends with its movie box: append a udta box with an ©xyz location inside it.
    moov_at = SAMPLE_MP4.rindex(b"moov") - 4
    xyz = b"\xa9xyz" + struct.pack(">HH", 18, 0) + b"+30.7333+121.3417/"
    xyz_box = struct.pack(">I", 4 + len(xyz)) + xyz
    udta = struct.pack(">I", 8 + len(xyz_box)) + b"udta" + xyz_box
    moov_size = struct.unpack(">I", SAMPLE_MP4[moov_at : moov_at + 4])[0]
    located = SAMPLE_MP4[:moov_at] + struct.pack(">I", moov_size + len(udta)) + SAMPLE_MP4[moov_at + 4 :] + udta
    video = category(contest, CategoryKind.VIDEO)
    assert media.inspect_upload(upload("trip.mp4", located), category=video).had_location is True
    with django_capture_on_commit_callbacks(execute=True):
        entry = entry_submit(
            account=author, contest=contest, category=video, data=entry_data(), files=[upload("trip.mp4", located)]
        )
    entry_file = entry.files.get()
    assert entry_file.had_location is True
    with entry_file.web.open("rb") as handle:
        web = handle.read()
    assert b"+30.7333+121.3417" not in web and b"\xa9xyz" not in web
    assert media.inspect_upload(upload("web.mp4", web), category=video).had_location is False


# Refused files -------------------------------------------------------------------------------


def _refused(contest, author, cat_kind, file) -> str:
    before = (Entry.objects.count(), EntryFile.objects.count())
    with pytest.raises(ValidationError) as caught:
        entry_submit(
            account=author, contest=contest, category=category(contest, cat_kind), data=entry_data(), files=[file]
        )
    assert (Entry.objects.count(), EntryFile.objects.count()) == before
    assert storage_names() == set()
    return " ".join(caught.value.message_dict["files"])


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x00" * 4000,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(4000) + b"PE\x00\x00",
        b"<!doctype html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
    ],
    ids=["elf", "pe", "html", "svg", "pdf"],
)
def test_renamed_executable_or_document_is_refused(contest, author, data):
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("photo.jpg", data, "image/jpeg"))
    assert "photo.jpg" in message
    assert "不是 JPEG、PNG 或 HEIC 格式的图片" in message


def test_image_bomb_is_refused_before_decoding(contest, author):
    bomb = png_bomb()
    assert len(bomb) < 200_000  # tiny on disk, 900 megapixels when decoded
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("bomb.png", bomb, "image/png"))
    assert "bomb.png" in message and "图片像素过大，疑似异常文件" in message


def test_image_just_over_the_pixel_limit_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("wide.png", png_bomb(8000, 5001)))
    assert "图片像素过大" in message


def test_file_over_the_size_limit_is_refused(contest, author):
    cat = category(contest, CategoryKind.PHOTO_SINGLE)
    cat.max_file_mb = 1
    cat.save()
    data = jpeg_bytes() + bytes(1_500_000)  # a real JPEG padded to 1.5 MB
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("big.jpg", data))
    assert "big.jpg" in message and "超过本组别单个文件上限 1 MB" in message


def test_text_file_named_mp4_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.VIDEO, upload("clip.mp4", b"just some words\n" * 200))
    assert "clip.mp4" in message and "文件不是有效的 MP4 视频" in message


def test_executable_named_mp4_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.VIDEO, upload("clip.mp4", b"MZ\x90\x00" + bytes(5000)))
    assert "文件不是有效的 MP4 视频" in message


def test_image_in_video_category_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.VIDEO, upload("clip.mp4", jpeg_bytes()))
    assert "文件不是有效的 MP4 视频" in message


def test_mp4_without_video_track_is_refused(contest, author):
    audio_only = SAMPLE_MP4.replace(b"vide", b"soun")
    message = _refused(contest, author, CategoryKind.VIDEO, upload("voice.mp4", audio_only))
    assert "文件不是有效的 MP4 视频" in message


def test_truncated_mp4_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.VIDEO, upload("cut.mp4", SAMPLE_MP4[:4000]))
    assert "文件不是有效的 MP4 视频" in message


def test_mp4_longer_than_the_limit_is_refused(contest, author):
    video = category(contest, CategoryKind.VIDEO)
    video.max_duration_seconds = 2
    video.save()
    message = _refused(contest, author, CategoryKind.VIDEO, upload("long.mp4", SAMPLE_MP4, "video/mp4"))
    assert "long.mp4" in message and "超过本组别上限 2 秒" in message


def test_image_smaller_than_the_long_side_rule_is_refused(contest, author):
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("small.jpg", jpeg_bytes((300, 200))))
    assert "small.jpg" in message and "至少 400 像素" in message


def test_truncated_jpeg_is_refused(contest, author):
    """Even after WeasyPrint (imported for certificates) has made Pillow lenient process-wide."""
    import weasyprint.images  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = jpeg_bytes()
    message = _refused(contest, author, CategoryKind.PHOTO_SINGLE, upload("cut.jpg", data[: len(data) // 2]))
    assert "cut.jpg" in message


def test_one_bad_file_refuses_the_whole_set(contest, author):
    files = [upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes()), upload("evil.jpg", b"\x7fELF" + bytes(99))]
    before = Entry.objects.count()
    with pytest.raises(ValidationError) as caught:
        entry_submit(
            account=author,
            contest=contest,
            category=category(contest, CategoryKind.PHOTO_SET),
            data=entry_data(),
            files=files,
        )
    assert "evil.jpg" in " ".join(caught.value.message_dict["files"])
    assert Entry.objects.count() == before and EntryFile.objects.count() == 0
    assert storage_names() == set()


def test_video_poster_shows_play_symbol_and_duration():
    image = Image.open(io.BytesIO(media.video_poster(Decimal("75"))))
    assert image.size == (480, 270)
    assert image.getpixel((240, 135)) != image.getpixel((5, 5))  # the play symbol is drawn


def test_unreadable_original_is_recorded_as_failed_processing(contest, author, django_capture_on_commit_callbacks):
    entry = entry_submit(
        account=author,
        contest=contest,
        category=category(contest, CategoryKind.PHOTO_SINGLE),
        data=entry_data(),
        files=[upload("a.jpg", jpeg_bytes())],
    )
    entry_file = entry.files.get()
    name = entry_file.original.name
    default_storage.delete(name)
    default_storage.save(name, io.BytesIO(b"garbage"))
    media.make_derivatives(entry_file)
    entry_file.refresh_from_db()
    assert entry_file.processing == Processing.FAILED
    assert entry_file.processing_error.startswith("无法生成展示文件")
    assert not entry_file.web.name and not entry_file.thumbnail.name
