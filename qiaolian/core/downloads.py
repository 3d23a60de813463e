"""Serving files that users uploaded, so that none of them can run as part of the site.

An uploaded file is only ever served by a view after the permission check (never as a public
media URL), and always through ``serve_upload``:

- its type is decided from the stored bytes (``sniff_content_type``), never from the name the
  uploader gave it or from the type their browser claimed: ``photo.jpg`` that holds HTML is not
  an image;
- only the types in ``INLINE_TYPES`` (raster images, PDF, the audio and video formats the
  contests accept) are shown in the browser; everything else, whatever its name
  (``.html``, ``.svg``, ``.xml``, ``.js``), goes out as ``application/octet-stream`` with
  ``Content-Disposition: attachment``;
- every response says ``X-Content-Type-Options: nosniff`` (the browser keeps the type it is
  given) and ``Content-Security-Policy: default-src 'none'; sandbox`` (should a file still be
  opened as a page, it runs no script, loads nothing and has an opaque origin, so it cannot
  reach the site's cookies or pages).

SVG is deliberately not an image here: it is XML that can carry script.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable

from django.http import FileResponse, Http404

OCTET_STREAM = "application/octet-stream"
FILE_CSP = "default-src 'none'; sandbox"

# Types a browser may show in place. Everything not listed is a download.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/heic"})
MEDIA_TYPES = frozenset(
    {"video/mp4", "video/quicktime", "video/webm", "audio/mpeg", "audio/mp4", "audio/wav", "audio/ogg"}
)
INLINE_TYPES = IMAGE_TYPES | MEDIA_TYPES | {"application/pdf"}

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
SNIFF_BYTES = 64


def sniff_content_type(head: bytes) -> str:
    """The type of a file judged by its first bytes, for the formats in ``INLINE_TYPES``;
    ``application/octet-stream`` for anything else (HTML, SVG, XML, scripts, office files,
    archives, text)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\0\0\0\0":
        return "image/bmp"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return OCTET_STREAM


def is_dangerous_claim(content_type: str) -> bool:
    """Whether a claimed type (recorded at upload, or guessed from the file's name) is one a
    browser would run: HTML, SVG, XML, script, any text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return (
        kind.startswith("text/")
        or kind.endswith(("/xml", "+xml", "/xhtml", "javascript", "ecmascript"))
        or kind in ("application/xhtml", "application/x-shockwave-flash", "application/json")
    )


def decide_content_type(sniffed: str, *, claimed: str = "", filename: str = "") -> str:
    """The type a file is served as: what its bytes are, unless it (or its name) claims to be
    something a browser would run, then bytes only."""
    guessed = mimetypes.guess_type(filename)[0] if filename else ""
    if is_dangerous_claim(claimed) or is_dangerous_claim(guessed or ""):
        return OCTET_STREAM
    return sniffed


def read_content_type(handle) -> str:
    """``sniff_content_type`` of an open file, which is left at its start."""
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    return sniff_content_type(head or b"")


def protect_file_response(response, *, inline: bool):
    """The headers every served upload carries (also the partial responses of a video served
    in ranges): nosniff, the sandboxing CSP, and inline or attachment."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    if inline:
        response["Content-Disposition"] = "inline"
    elif not response.get("Content-Disposition", "").startswith("attachment"):
        response["Content-Disposition"] = "attachment"
    return response


def serve_upload(
    field_file,
    *,
    filename: str = "",
    as_attachment: bool = False,
    inline_types: Iterable[str] = INLINE_TYPES,
    claimed_type: str = "",
    cache_control: str = "private, max-age=3600",
) -> FileResponse:
    """A stored upload (a ``FieldFile``) as a response; 404 when there is none.

    Shown in place only when its real type is in ``inline_types`` and ``as_attachment`` is not
    asked for; otherwise a download named ``filename`` (default: the stored name), typed as what
    it really is when that is a known safe type, else ``application/octet-stream``.
    ``claimed_type`` (the type recorded at upload) and the names only ever make it stricter."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = filename or str(field_file.name or "").rsplit("/", 1)[-1] or "download"
    content_type = decide_content_type(read_content_type(handle), claimed=claimed_type, filename=name)
    if content_type != OCTET_STREAM and is_dangerous_claim(mimetypes.guess_type(field_file.name)[0] or ""):
        content_type = OCTET_STREAM
    inline = not as_attachment and content_type in frozenset(inline_types)
    if inline:
        response = FileResponse(handle, content_type=content_type)
    else:
        response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
    response["Cache-Control"] = cache_control
    return protect_file_response(response, inline=inline)
