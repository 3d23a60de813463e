"""PDF documents from Django templates (WeasyPrint), and the download response for them.

WeasyPrint needs pango at import time, so it is imported only when a PDF is made: the site
starts (and every other page works) on a machine without it. Templates should name the CJK
fonts with fallbacks, e.g. ``font-family: "Noto Serif CJK SC", "Source Han Serif SC",
"Songti SC", "SimSun", serif`` (Debian: fonts-noto-cjk).

Resources are resolved without the network: a URL under ``STATIC_URL`` is read from the static
files (the finders in development, ``STATIC_ROOT`` after collectstatic), ``data:`` URLs are
decoded, and anything else is refused, so that rendering can neither call back into this
server (a deadlock under a single worker) nor fetch from elsewhere.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

PDF_CONTENT_TYPE = "application/pdf"
# What the base URL is when there is no request (a job, a command, a test): only its path matters.
DEFAULT_BASE_URL = "http://localhost/"

# Characters that are not allowed (or are a nuisance) in a file name on some system.
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def render_pdf(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """Render ``template_name`` with ``context`` (and the request's context processors, if a
    request is given) and return the PDF. The document's title is the HTML ``<title>``."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, request=request)


def html_to_pdf(html: str, *, request: HttpRequest | None = None) -> bytes:
    """Convert an HTML string to PDF; relative URLs resolve against the site's root."""
    from weasyprint import HTML  # lazily: needs pango

    base_url = request.build_absolute_uri("/") if request is not None else DEFAULT_BASE_URL
    return HTML(string=html, base_url=base_url, url_fetcher=_static_url_fetcher()).write_pdf()


def _static_url_fetcher() -> URLFetcher:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_file(url)
            if path is None:
                raise ValueError(f"not a static file: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticURLFetcher()


def _static_file(url: str) -> Path | None:
    """The local file behind a URL under STATIC_URL, or None."""
    prefix = urlsplit(settings.STATIC_URL).path
    path = unquote(urlsplit(url).path)
    if not prefix or not path.startswith(prefix):
        return None
    relative = path.removeprefix(prefix)
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """A download of ``data`` named ``filename`` (Chinese welcome): an ASCII ``filename`` for old
    clients and the real name as RFC 5987 UTF-8 ``filename*``. Not cached: such documents carry
    personal data."""
    name = _UNSAFE_IN_FILENAME.sub("_", filename).strip(" .") or "document.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "private, no-store"
    return response


def _ascii_fallback(name: str) -> str:
    """Latin letters without accents, everything else (Chinese) dropped: 结营证书-Chen.pdf → Chen.pdf."""
    stem, dot, ext = name.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._ -]+", "", ascii_stem)
    ascii_stem = re.sub(r"[\s_-]{2,}", "-", ascii_stem).strip(" ._-")
    return f"{ascii_stem or 'document'}{dot}{ext}"
