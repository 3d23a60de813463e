"""Contest files checked by what they contain, never by their name or the browser's content type,
and the copies the public sees.

``inspect_upload`` accepts real JPEG, PNG and HEIC/HEIF images (opened with Pillow and
pillow-heif, limited to ``MAX_IMAGE_PIXELS`` so that a decompression bomb is refused before it is
decoded) and MP4 videos (ISO base media: an ``ftyp`` box with an MP4 brand, a movie header with
the duration and a track whose handler is ``vide``), within the category's size, duration and
image-size rules. Anything else (a program renamed ``photo.jpg``, HTML, SVG, PDF, a text file
named ``clip.mp4``) is refused with a message naming the file.

``make_derivatives`` runs in the background (contests/tasks.py). For an image it writes a web copy
(long side at most 2048 px, orientation applied, colours converted to sRGB, and no metadata at all:
EXIF with its GPS position, XMP and maker notes are not carried over) and a thumbnail. For a video
there is no transcoder on this system, so the web copy is the uploaded MP4 itself, copied byte for
byte except that its metadata boxes (``udta`` and ``meta`` inside the movie, where phones and
cameras keep the ©xyz / ISO 6709 location, the device and the owner's name) are turned into
``free`` boxes of the same length, so that no offset in the file moves and the video plays as
before; the thumbnail is a neutral poster drawn with Pillow (a play symbol and the duration).
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageDraw, ImageFile, ImageFont, ImageOps, UnidentifiedImageError

from qiaolian.contests.models import Category, EntryFile, FileKind, Processing

pillow_heif.register_heif_opener()
logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000  # 40 megapixels: more than any phone or consumer camera makes
WEB_LONG_SIDE = 2048
THUMBNAIL_LONG_SIDE = 480
MAX_MOOV_BYTES = 64 * 1024 * 1024  # the movie's index; a real one is a few megabytes at most
MAX_BOXES = 20_000
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"mmp4",
    b"dash",
}
SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "video/mp4": ".mp4"}
GPS_IFD = 0x8825
READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class MediaInfo:
    """What ``inspect_upload`` found in a file that it accepted."""

    kind: str  # FileKind
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration: Decimal | None = None
    had_location: bool = False

    @property
    def suffix(self) -> str:
        return SUFFIX[self.content_type]


def display_name(file: Any) -> str:
    """The name of ``file`` (a file object or a name) without folders, shortened, as messages
    show it."""
    name = (
        str((file if isinstance(file, str) else getattr(file, "name", "")) or "").replace("\\", "/").rsplit("/", 1)[-1]
    )
    return (name or _("未命名文件"))[:80]


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_file")


def _size_of(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    return int(size)


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while block := file.read(READ_BLOCK):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def inspect_upload(file: Any, *, category: Category) -> MediaInfo:
    """Check ``file`` (an uploaded file or any binary file object with a name) against the rules
    of ``category`` and return what it is. Raises ``ValidationError`` with a message naming the
    file when it is refused; nothing is written anywhere."""
    name = display_name(file)
    size = _size_of(file)
    if size == 0:
        raise _refuse(_("「%(name)s」是空文件。") % {"name": name})
    limit = category.max_file_mb * 1024 * 1024
    if size > limit:
        raise _refuse(
            _("「%(name)s」大小为 %(size)s MB，超过本组别单个文件上限 %(limit)s MB。")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": category.max_file_mb}
        )
    if category.is_video:
        info = _inspect_mp4(file, name=name, size=size, category=category)
    else:
        info = _inspect_image(file, name=name, size=size, category=category)
    file.seek(0)
    return info


# Images ----------------------------------------------------------------------------------------


_STRICT_LOADING = threading.Lock()


@contextmanager
def _strict_loading():
    """Load images strictly, whatever the process-wide Pillow setting says: WeasyPrint turns on
    ``ImageFile.LOAD_TRUNCATED_IMAGES`` when it is imported (for its PDFs), which would let a
    truncated upload through, its missing half filled in grey."""
    with _STRICT_LOADING:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(file: IO[bytes]) -> Image.Image:
    file.seek(0)
    image = Image.open(file, formats=list(IMAGE_FORMATS))
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")
    return image


def _inspect_image(file: IO[bytes], *, name: str, size: int, category: Category) -> MediaInfo:
    not_image = _("「%(name)s」不是 JPEG、PNG 或 HEIC 格式的图片，未保存。") % {"name": name}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _open_image(file) as image:
                image_format = image.format
                image.verify()
            with _open_image(file) as image, _strict_loading():
                image.load()
                had_location = _has_gps(image)
                oriented = ImageOps.exif_transpose(image) if _orientation(image) in (5, 6, 7, 8) else image
                width, height = oriented.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("「%(name)s」：图片像素过大，疑似异常文件。") % {"name": name}) from None
    except UnidentifiedImageError:
        raise _refuse(not_image) from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, MemoryError):
        raise _refuse(_("「%(name)s」图片已损坏或不完整，无法读取。") % {"name": name}) from None
    if image_format not in IMAGE_FORMATS:
        raise _refuse(not_image)
    if max(width, height) < category.min_long_side:
        raise _refuse(
            _("「%(name)s」长边只有 %(side)s 像素，本组别要求至少 %(min)s 像素。")
            % {"name": name, "side": max(width, height), "min": category.min_long_side}
        )
    return MediaInfo(
        kind=FileKind.IMAGE,
        content_type=IMAGE_FORMATS[image_format],
        size=size,
        sha256=_sha256(file),
        width=width,
        height=height,
        had_location=had_location,
    )


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except (TypeError, ValueError):
        return 1


def _has_gps(image: Image.Image) -> bool:
    try:
        return bool(image.getexif().get_ifd(GPS_IFD))
    except Exception:  # a broken EXIF block is not a reason to refuse the photo
        return False


# Videos ----------------------------------------------------------------------------------------


class _NotMp4(Exception):
    pass


@dataclass
class _Box:
    kind: bytes
    start: int  # offset of the box header in the file
    header: int  # header length (8, or 16 with a 64-bit size)
    size: int

    @property
    def payload_start(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size


def _boxes(data: bytes | IO[bytes], start: int, end: int) -> list[_Box]:
    """The boxes between ``start`` and ``end`` of ``data`` (bytes, or a file read by seeking)."""
    boxes: list[_Box] = []
    position = start
    while position < end:
        if end - position < 8:
            raise _NotMp4("trailing bytes")
        head = _read_at(data, position, 16 if end - position >= 16 else 8)
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:
            if len(head) < 16:
                raise _NotMp4("short large size")
            size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise _NotMp4("box outside its parent")
        boxes.append(_Box(kind, position, header, size))
        if len(boxes) > MAX_BOXES:
            raise _NotMp4("too many boxes")
        position += size
    return boxes


def _read_at(data: bytes | IO[bytes], offset: int, length: int) -> bytes:
    if isinstance(data, bytes | bytearray):
        return bytes(data[offset : offset + length])
    data.seek(offset)
    return data.read(length)


def _child(data: bytes, box: _Box, kind: bytes) -> _Box | None:
    return next((b for b in _boxes(data, box.payload_start, box.end) if b.kind == kind), None)


@dataclass
class _Movie:
    duration: Decimal
    width: int | None
    height: int | None
    moov: _Box
    metadata: list[_Box]  # udta/meta boxes inside the movie, offsets relative to the file
    had_location: bool


def _parse_mp4(file: IO[bytes], size: int) -> _Movie:
    top = _boxes(file, 0, size)
    if not top or top[0].kind != b"ftyp" or top[0].size < 16:
        raise _NotMp4("no ftyp")
    ftyp = _read_at(file, top[0].payload_start, min(top[0].size - top[0].header, 256))
    brands = {ftyp[0:4]} | {ftyp[i : i + 4] for i in range(8, len(ftyp) - 3, 4)}
    if not brands & MP4_BRANDS:
        raise _NotMp4("not an MP4 brand")
    moov = next((b for b in top if b.kind == b"moov"), None)
    if moov is None or not any(b.kind in (b"mdat", b"moof") for b in top):
        raise _NotMp4("no movie or no media data")
    if moov.size > MAX_MOOV_BYTES:
        raise _NotMp4("movie index too large")
    # Work on the movie box alone, read into memory, with offsets relative to it.
    data = _read_at(file, moov.start, moov.size)
    local = _Box(b"moov", 0, moov.header, moov.size)
    mvhd = _child(data, local, b"mvhd")
    if mvhd is None:
        raise _NotMp4("no movie header")
    duration = _mvhd_duration(data, mvhd)
    if not duration:
        mvex = _child(data, local, b"mvex")
        mehd = _child(data, mvex, b"mehd") if mvex else None
        timescale = _mvhd_timescale(data, mvhd)
        if mehd is not None and timescale:
            version = data[mehd.payload_start]
            raw = data[mehd.payload_start + 4 : mehd.payload_start + (12 if version == 1 else 8)]
            duration = Decimal(int.from_bytes(raw, "big")) / Decimal(timescale)
    width = height = None
    has_video = False
    metadata: list[_Box] = []
    for box in _boxes(data, local.payload_start, local.end):
        if box.kind in (b"udta", b"meta"):
            metadata.append(box)
        if box.kind != b"trak":
            continue
        for part in _boxes(data, box.payload_start, box.end):
            if part.kind in (b"udta", b"meta"):
                metadata.append(part)
        mdia = _child(data, box, b"mdia")
        hdlr = _child(data, mdia, b"hdlr") if mdia else None
        if hdlr is None or data[hdlr.payload_start + 8 : hdlr.payload_start + 12] != b"vide":
            continue
        has_video = True
        tkhd = _child(data, box, b"tkhd")
        if tkhd is not None and tkhd.size - tkhd.header >= 84:
            w, h = struct.unpack(">II", data[tkhd.end - 8 : tkhd.end])
            width, height = w >> 16, h >> 16
    if not has_video:
        raise _NotMp4("no video track")
    if not duration or duration <= 0:
        raise _NotMp4("no duration")
    located = any(
        marker in data[b.start : b.end] for b in metadata for marker in (b"\xa9xyz", b"loci", b"location.ISO6709")
    )
    absolute = [_Box(b.kind, moov.start + b.start, b.header, b.size) for b in metadata]
    return _Movie(duration.quantize(Decimal("0.01"), ROUND_HALF_UP), width, height, moov, absolute, located)


def _mvhd_timescale(data: bytes, mvhd: _Box) -> int:
    p = mvhd.payload_start
    offset = 20 if data[p] == 1 else 12
    return struct.unpack(">I", data[p + offset : p + offset + 4])[0]


def _mvhd_duration(data: bytes, mvhd: _Box) -> Decimal | None:
    p = mvhd.payload_start
    if data[p] == 1:
        timescale, duration = struct.unpack(">IQ", data[p + 20 : p + 32])
    else:
        timescale, duration = struct.unpack(">II", data[p + 12 : p + 20])
    if not timescale or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return Decimal(duration) / Decimal(timescale)


def _inspect_mp4(file: IO[bytes], *, name: str, size: int, category: Category) -> MediaInfo:
    try:
        movie = _parse_mp4(file, size)
    except (_NotMp4, struct.error, IndexError, OSError):
        raise _refuse(_("「%(name)s」：文件不是有效的 MP4 视频，未保存。") % {"name": name}) from None
    limit = category.max_duration_seconds
    if limit and movie.duration > limit:
        raise _refuse(
            _("「%(name)s」时长 %(duration)s 秒，超过本组别上限 %(limit)s 秒。")
            % {"name": name, "duration": movie.duration.normalize(), "limit": limit}
        )
    return MediaInfo(
        kind=FileKind.VIDEO,
        content_type="video/mp4",
        size=size,
        sha256=_sha256(file),
        width=movie.width,
        height=movie.height,
        duration=movie.duration,
        had_location=movie.had_location,
    )


# Derivatives -----------------------------------------------------------------------------------


def _srgb(image: Image.Image) -> Image.Image:
    """The image in plain RGB (sRGB when it carried a colour profile), alpha flattened on white."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, TypeError):
            pass
    return image


def _clean_jpeg(image: Image.Image, long_side: int, quality: int) -> bytes:
    """A new JPEG from the pixels only: a fresh image carries no EXIF, XMP, ICC or comment."""
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", copy.size)
    clean.paste(copy)
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _image_derivatives(entry_file: EntryFile) -> None:
    with entry_file.original.open("rb") as handle, _open_image(handle) as image:
        entry_file.had_location = entry_file.had_location or _has_gps(image)
        image.load()
        oriented = _srgb(ImageOps.exif_transpose(image))
    entry_file.width, entry_file.height = oriented.size
    entry_file.web.save("web.jpg", ContentFile(_clean_jpeg(oriented, WEB_LONG_SIDE, 85)), save=False)
    entry_file.thumbnail.save("thumb.jpg", ContentFile(_clean_jpeg(oriented, THUMBNAIL_LONG_SIDE, 80)), save=False)


def video_poster(duration: Decimal | None, *, width: int = THUMBNAIL_LONG_SIDE, height: int = 270) -> bytes:
    """A neutral poster for a video: a dark frame with a play symbol and the duration (m:ss)."""
    image = Image.new("RGB", (width, height), (38, 50, 56))
    draw = ImageDraw.Draw(image)
    cx, cy, r = width // 2, height // 2, min(width, height) // 5
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(236, 239, 241), width=4)
    draw.polygon([(cx - r // 3, cy - r // 2), (cx - r // 3, cy + r // 2), (cx + r // 2, cy)], fill=(236, 239, 241))
    if duration is not None:
        seconds = int(Decimal(duration).to_integral_value(ROUND_HALF_UP))
        label = f"{seconds // 60}:{seconds % 60:02d}"
        try:
            font: Any = ImageFont.load_default(size=22)
        except (TypeError, OSError):
            font = ImageFont.load_default()
        box = draw.textbbox((0, 0), label, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        x, y = width - tw - 16, height - th - 16
        draw.rectangle((x - 6, y - 4, x + tw + 6, y + th + 8), fill=(0, 0, 0))
        draw.text((x, y - box[1] + 2), label, fill=(255, 255, 255), font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class _PatchedReader(io.RawIOBase):
    """Reads ``source`` with the given byte ranges replaced (same length, so offsets stay)."""

    def __init__(self, source: IO[bytes], patches: list[tuple[int, bytes]]):
        self.source = source
        self.patches = sorted(patches)
        self.position = 0
        source.seek(0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        if not data:
            return 0
        block = bytearray(data)
        for start, replacement in self.patches:
            lo, hi = max(start, self.position), min(start + len(replacement), self.position + len(block))
            if lo < hi:
                block[lo - self.position : hi - self.position] = replacement[lo - start : hi - start]
        buffer[: len(block)] = block
        self.position += len(block)
        return len(block)


def _video_derivatives(entry_file: EntryFile) -> None:
    with entry_file.original.open("rb") as handle:
        size = _size_of(entry_file.original)
        movie = _parse_mp4(handle, size)
        entry_file.had_location = entry_file.had_location or movie.had_location
        # Each metadata box becomes a ``free`` box of the same size, its contents zeroed.
        patches = []
        for box in movie.metadata:
            header = struct.pack(">I4s", box.size, b"free") if box.header == 8 else _large_free_header(box.size)
            patches.append((box.start, header + bytes(box.size - box.header)))
        reader = io.BufferedReader(_PatchedReader(handle, patches), buffer_size=READ_BLOCK)
        entry_file.web.save("web.mp4", File(reader), save=False)
    entry_file.thumbnail.save("thumb.jpg", ContentFile(video_poster(entry_file.duration_seconds)), save=False)


def _large_free_header(size: int) -> bytes:
    return struct.pack(">I4sQ", 1, b"free", size)


def make_derivatives(entry_file: EntryFile) -> EntryFile:
    """Make the web copy and the thumbnail of ``entry_file`` and record the outcome on it
    (``processing`` ready, or failed with ``processing_error``)."""
    for field in (entry_file.web, entry_file.thumbnail):
        if field.name:
            field.delete(save=False)
    try:
        if entry_file.kind == FileKind.VIDEO:
            _video_derivatives(entry_file)
        else:
            _image_derivatives(entry_file)
    except Exception as error:  # recorded on the file for staff to see; the job itself succeeds
        logger.warning("entry file %s: derivatives failed: %r", entry_file.pk, error)
        entry_file.processing = Processing.FAILED
        entry_file.processing_error = (_("无法生成展示文件：%(error)s") % {"error": error})[:200]
    else:
        entry_file.processing = Processing.READY
        entry_file.processing_error = ""
    entry_file.save(
        update_fields=[
            "web",
            "thumbnail",
            "had_location",
            "width",
            "height",
            "processing",
            "processing_error",
        ]
    )
    return entry_file
