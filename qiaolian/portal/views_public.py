"""The portal's public pages: no login needed, nothing shown that is not published."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from qiaolian.activities.models import Activity
from qiaolian.contests.models import Contest, ContestStatus, Entry, EntryFile
from qiaolian.core.downloads import IMAGE_TYPES, MEDIA_TYPES, serve_upload
from qiaolian.liaison.models import Camp
from qiaolian.portal import selectors
from qiaolian.portal.models import News

PAGE_SIZE = 12


def _page(request, qs, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _url_or_blank(name: str, *args) -> str:
    """A link to a page another part of the portal provides, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _get(getter, model, **kwargs):
    try:
        return getter(**kwargs)
    except model.DoesNotExist:
        raise Http404 from None


@require_GET
def home(request):
    gallery = list(selectors.gallery_entries()[:8])
    return render(
        request,
        "portal/home.html",
        {
            "news": list(selectors.news_published()[:5]),
            "activities": list(selectors.activities_upcoming()[:6]),
            "camps": list(selectors.camps_open()[:3]),
            "contests": list(selectors.contests_open()[:3]),
            "gallery": gallery,
        },
    )


@require_GET
def activity_list(request):
    past = request.GET.get("when") == "past"
    qs = selectors.activities_past() if past else selectors.activities_upcoming()
    return render(request, "portal/public/activity_list.html", {"page": _page(request, qs), "past": past})


@require_GET
def activity_detail(request, pk: int):
    activity = _get(selectors.activity_get, Activity, pk=pk)
    return render(request, "portal/public/activity_detail.html", {"activity": activity})


@require_GET
def news_list(request):
    return render(request, "portal/public/news_list.html", {"page": _page(request, selectors.news_published())})


@require_GET
def news_detail(request, pk: int):
    news = _get(selectors.news_get, News, pk=pk)
    return render(request, "portal/public/news_detail.html", {"news": news})


@require_GET
def camp_list(request):
    return render(request, "portal/public/camp_list.html", {"page": _page(request, selectors.camps_open())})


@require_GET
def camp_detail(request, pk: int):
    camp = _get(selectors.camp_get, Camp, pk=pk)
    return render(
        request,
        "portal/public/camp_detail.html",
        {"camp": camp, "enrol_url": _url_or_blank("portal:camp_enrol", camp.pk)},
    )


@require_GET
def contest_list(request):
    return render(request, "portal/public/contest_list.html", {"page": _page(request, selectors.contests_public())})


@require_GET
def contest_detail(request, pk: int):
    contest = _get(selectors.contest_get, Contest, pk=pk)
    is_open = contest.status == ContestStatus.OPEN
    return render(
        request,
        "portal/public/contest_detail.html",
        {
            "contest": contest,
            "categories": list(contest.categories.all()),
            "is_open": is_open,
            "submit_url": _url_or_blank("portal:entry_create", contest.pk) if is_open else "",
            "has_gallery": contest.status == ContestStatus.FINAL,
        },
    )


@require_GET
def gallery(request):
    contest_id = request.GET.get("contest")
    contest_id = int(contest_id) if contest_id and contest_id.isdigit() else None
    return render(
        request,
        "portal/public/gallery.html",
        {
            "page": _page(request, selectors.gallery_entries(contest_id=contest_id), size=24),
            "contests": list(selectors.gallery_contests()),
            "contest_id": contest_id,
        },
    )


@require_GET
def gallery_detail(request, pk: int):
    entry = _get(selectors.gallery_entry_get, Entry, pk=pk)
    return render(request, "portal/public/gallery_detail.html", {"entry": entry, "files": list(entry.files.all())})


@require_GET
def gallery_file(request, pk: int, variant: str):
    """The published copy of an awarded work (``web`` or ``thumbnail``); originals are never
    served here."""
    file = _get(selectors.gallery_file_get, EntryFile, pk=pk, variant=variant)
    return serve_upload(
        getattr(file, variant), inline_types=IMAGE_TYPES | MEDIA_TYPES, cache_control="public, max-age=86400"
    )


@require_GET
def privacy_notice(request):
    from qiaolian.portal.services import current_notice
    from qiaolian.portal.views_account import notice_text

    notice = current_notice()
    return render(request, "portal/public/privacy.html", {"notice": notice, "notice_text": notice_text(notice)})
