"""Portal pages for contest entries: the submission form, the chunked upload endpoints that
static/portal/upload.js calls for large videos, and the author's own entries with their files.

Every read filters on the signed-in account first: another user's entry, file or upload does not
exist here (404). Originals are never served; the owner sees the web copy and the thumbnail,
sent with ``X-Content-Type-Options: nosniff`` and the content type the server decided.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from qiaolian.contests import submission
from qiaolian.contests.models import Contest, EntryFile
from qiaolian.core.downloads import IMAGE_TYPES, MEDIA_TYPES, protect_file_response, read_content_type
from qiaolian.core.storage import DISK_FULL_MESSAGE, is_disk_full
from qiaolian.portal import selectors
from qiaolian.portal.forms_entries import EntryForm

CHUNK_BYTES = 2 * 1024 * 1024
CHUNK_THRESHOLD_BYTES = 8 * 1024 * 1024
FILE_VARIANTS = ("web", "thumbnail")


def login_url() -> str:
    try:
        return reverse("portal:login")
    except NoReverseMatch:
        from django.conf import settings

        return reverse(settings.LOGIN_URL) if ":" in settings.LOGIN_URL else settings.LOGIN_URL


class PortalLoginRequired(View):
    """Signed-in users only; others go to the portal's login page and come back."""

    json = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if self.json:
                return JsonResponse({"error": _("请先登录。")}, status=401)
            return HttpResponseRedirect(f"{login_url()}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _json_error(error: ValidationError, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages), **extra}, status=status)


# Submission ----------------------------------------------------------------------------------


class EntryCreateView(PortalLoginRequired):
    template_name = "portal/entries/entry_form.html"

    def _contest(self, pk: int) -> Contest:
        return get_object_or_404(selectors.contests_public(), pk=pk)

    def _render(self, request, contest: Contest, form: EntryForm | None, status: int = 200):
        categories = selectors.public_contest_categories(contest)
        context = {
            "contest": contest,
            "form": form,
            "categories": categories,
            "collecting": submission.contest_is_collecting(contest),
            "used": submission.author_entry_count(account=request.user, contest=contest),
            "chunk_bytes": CHUNK_BYTES,
            "chunk_threshold": CHUNK_THRESHOLD_BYTES,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, contest_pk: int):
        contest = self._contest(contest_pk)
        return self._render(request, contest, EntryForm(contest=contest))

    def post(self, request, contest_pk: int):
        contest = self._contest(contest_pk)
        form = EntryForm(request.POST, request.FILES, contest=contest)
        if form.is_valid():
            try:
                entry = submission.entry_submit(
                    account=request.user,
                    contest=contest,
                    category=form.cleaned_data["category"],
                    data=form.entry_data(),
                    files=form.cleaned_data["files"],
                    uploads=form.cleaned_data["upload_ids"],
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request, _("作品「%(title)s」已提交，编号 %(code)s。") % {"title": entry.title, "code": entry.code}
                )
                return HttpResponseRedirect(reverse("portal:my_entry_detail", args=[entry.pk]))
        return self._render(request, contest, form, status=400)


# Chunked uploads -----------------------------------------------------------------------------


def _upload_json(upload) -> dict:
    return {
        "id": str(upload.pk),
        "size": upload.size,
        "received": upload.received,
        "complete": upload.completed_at is not None,
        "chunk_url": reverse("portal:upload_chunk", args=[upload.pk]),
        "status_url": reverse("portal:upload_status", args=[upload.pk]),
    }


@method_decorator(never_cache, name="dispatch")
class UploadStartView(PortalLoginRequired):
    json = True

    def post(self, request):
        try:
            size = int(request.POST.get("size", ""))
            category_pk = int(request.POST.get("category", ""))
        except ValueError:
            return JsonResponse({"error": _("请先选择参赛组别。")}, status=400)
        category = selectors.public_category(category_pk)
        if category is None:
            raise Http404("not found")
        try:
            upload = submission.upload_start(
                account=request.user, filename=request.POST.get("filename", ""), size=size, category=category
            )
        except ValidationError as error:
            return _json_error(error)
        return JsonResponse(_upload_json(upload), status=201)


@method_decorator(never_cache, name="dispatch")
class UploadChunkView(PortalLoginRequired):
    """POST the raw bytes of one chunk; ``X-Upload-Offset`` (or ``?offset=``) says where it goes.
    A wrong offset answers 409 with ``received``, the offset to resume from."""

    json = True

    def post(self, request, pk):
        try:
            offset = int(request.headers.get("X-Upload-Offset") or request.GET.get("offset", ""))
        except ValueError:
            return JsonResponse({"error": _("缺少分片位置。")}, status=400)
        try:
            upload = submission.upload_append(account=request.user, upload=pk, offset=offset, chunk=request.body)
        except submission.UploadOffsetError as error:
            return _json_error(error, status=409, received=error.expected)
        except ValidationError as error:
            return _json_error(error)
        except OSError as error:
            if not is_disk_full(error):
                raise
            return JsonResponse({"error": str(DISK_FULL_MESSAGE)}, status=507)
        return JsonResponse(_upload_json(upload))


@method_decorator(never_cache, name="dispatch")
class UploadStatusView(PortalLoginRequired):
    json = True

    def get(self, request, pk):
        return JsonResponse(_upload_json(submission.upload_status(account=request.user, upload=pk)))


# My entries ----------------------------------------------------------------------------------


class MyEntryListView(PortalLoginRequired):
    def get(self, request):
        return render(request, "portal/entries/my_entries.html", {"entries": selectors.my_entries(request.user)})


class MyEntryDetailView(PortalLoginRequired):
    def get(self, request, pk: int):
        entry = get_object_or_404(selectors.my_entries(request.user), pk=pk)
        context = {
            "entry": entry,
            "files": entry.files.all(),
            "can_withdraw": entry.status == "submitted" and submission.contest_is_collecting(entry.contest),
        }
        return render(request, "portal/entries/my_entry_detail.html", context)


class MyEntryWithdrawView(PortalLoginRequired):
    def post(self, request, pk: int):
        entry = get_object_or_404(selectors.my_entries(request.user), pk=pk)
        try:
            submission.entry_withdraw(account=request.user, entry=entry)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("作品已撤回。"))
        return HttpResponseRedirect(reverse("portal:my_entry_detail", args=[entry.pk]))


class MyEntryFileView(PortalLoginRequired):
    """The web copy or thumbnail of one of the user's own files; never the original."""

    def get(self, request, pk: int, variant: str):
        entry_file = get_object_or_404(selectors.my_entry_files(request.user), pk=pk)
        return serve_entry_file(request, entry_file, variant)


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def serve_entry_file(request, entry_file: EntryFile, variant: str) -> HttpResponse:
    """Send the ``web`` copy or the ``thumbnail`` of ``entry_file`` (never the original) with the
    content type decided here, ``nosniff`` and a sandboxing CSP; single byte ranges are honoured
    so that browsers (Safari in particular) can play and seek videos. The caller has already
    decided that the user may see this file (the gallery can reuse this for awarded works)."""
    if variant not in FILE_VARIANTS:
        raise Http404("not found")
    stored = getattr(entry_file, variant)
    if not stored.name:
        raise Http404("not ready")
    try:
        size = stored.size
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("missing") from None
    content_type = read_content_type(handle)  # by content (core.downloads); unknown: a download
    inline = content_type in IMAGE_TYPES | MEDIA_TYPES
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:
            start, end = max(size - int(last), 0), size - 1
        if start > end or start >= size:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(_read_range(handle, end - start + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return protect_file_response(response, inline=inline)


def _read_range(handle, remaining: int):
    try:
        while remaining > 0:
            block = handle.read(min(remaining, 256 * 1024))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()
