"""The "my" pages of a signed-in portal user. Thin: parse a form, call a service of ``mine``,
render. Every record is fetched through ``mine``'s selectors, which filter on the account, so
another account's record is a 404 whatever id is put in the URL."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qiaolian.activities.views import qr_svg
from qiaolian.core.views import apply_validation_error
from qiaolian.portal import mine
from qiaolian.portal.forms_my import DeletionForm, EnrolmentForm, ProfileChangeForm, RequestForm
from qiaolian.portal.models import ReviewStatus


def portal_login_url() -> str:
    try:
        return reverse("portal:login")
    except NoReverseMatch:
        return reverse(settings.LOGIN_URL) if ":" in settings.LOGIN_URL else settings.LOGIN_URL


def portal_login_required(view):
    """Signed-in portal users only: anyone else goes to the portal's login (staff, who have
    no portal account, are refused)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), portal_login_url())
        if not mine.is_portal_user(user):
            raise PermissionDenied("portal accounts only")
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("my_section", template.rsplit("/", 1)[-1].removesuffix(".html"))
    context.setdefault("entries_url", _optional_url("portal:my_entries"))
    return render(request, template, context, status=status)


@portal_login_required
def my_home(request):
    user = request.user
    profile = mine.profile_for(user)
    return _render(
        request,
        "portal/my/home.html",
        {
            "profile": profile,
            "counts": mine.home_counts(user=user),
            "recent_cases": mine.my_cases(user=user)[:3],
            "upcoming": mine.my_registrations(user=user).filter(activity__starts_at__gte=timezone.now())[:3],
            "pending_deletion": mine.pending_deletion(user=user),
        },
    )


def _optional_url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@portal_login_required
@require_http_methods(["GET", "POST"])
def my_profile(request):
    user = request.user
    profile = mine.profile_for(user)
    initial = {
        "display_name": user.display_name,
        "email": user.email,
        "birth_date": profile.birth_date,
        "country": profile.country.code if profile.country else "",
        "city": profile.city,
    }
    form = ProfileChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            mine.profile_change_request(user=user, data=form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("修改申请已提交，工作人员审核通过后生效。"))
            return redirect("portal:my_profile")
    changes = [(c, mine.profile_change_display(c.changes)) for c in mine.my_profile_changes(user=user)[:20]]
    return _render(
        request,
        "portal/my/profile.html",
        {
            "profile": profile,
            "form": form,
            "changes": changes,
            "pending": any(c.status == ReviewStatus.PENDING for c, _rows in changes),
        },
        status=422 if form.errors else 200,
    )


@portal_login_required
def my_registrations(request):
    user = request.user
    return _render(
        request,
        "portal/my/registrations.html",
        {
            "registrations": mine.my_registrations(user=user),
            "open_activities": mine.open_activities().exclude(registrations__account=user)[:20],
        },
    )


@portal_login_required
def my_ticket(request, pk: int):
    registration = mine.my_registration_get(user=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("activities:checkin_code", args=[registration.code]))
    return _render(
        request,
        "portal/my/ticket.html",
        {
            "registration": registration,
            "activity": registration.activity,
            "qr": mark_safe(qr_svg(url)),  # SVG made by segno from our own URL
            "my_section": "registrations",
        },
    )


@portal_login_required
@require_http_methods(["GET", "POST"])
def activity_register(request, activity_pk: int):
    activity = get_object_or_404(mine.open_activities(), pk=activity_pk)
    error = ""
    if request.method == "POST":
        try:
            registration = mine.registration_self_add(user=request.user, activity=activity)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("报名成功。请在活动现场出示签到码。"))
            return redirect("portal:my_ticket", pk=registration.pk)
    profile = mine.profile_for(request.user)
    return _render(
        request,
        "portal/my/register.html",
        {"activity": activity, "profile": profile, "error": error, "my_section": "registrations"},
        status=422 if error else 200,
    )


@portal_login_required
def my_camps(request):
    user = request.user
    return _render(
        request,
        "portal/my/camps.html",
        {"enrolments": mine.my_enrolments(user=user), "open_camps": mine.open_camps()[:20]},
    )


@portal_login_required
def my_camp(request, pk: int):
    enrolment = mine.my_enrolment_get(user=request.user, pk=pk)
    return _render(
        request, "portal/my/camp.html", {"enrolment": enrolment, "camp": enrolment.camp, "my_section": "camps"}
    )


@portal_login_required
@require_http_methods(["GET", "POST"])
def camp_enrol(request, camp_pk: int):
    camp = get_object_or_404(mine.open_camps(), pk=camp_pk)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = mine.enrolment_self_add(user=request.user, camp=camp, data=form.service_data())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("报名已提交，侨联审核后会通知录取结果。"))
            return redirect("portal:my_camp", pk=enrolment.pk)
    return _render(
        request,
        "portal/my/enrol.html",
        {"camp": camp, "form": form, "my_section": "camps"},
        status=422 if form.errors else 200,
    )


@portal_login_required
def my_requests(request):
    cases = [(case, mine.CASE_STATE_TEXT.get(case.state, "")) for case in mine.my_cases(user=request.user)]
    return _render(request, "portal/my/requests.html", {"cases": cases})


@portal_login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    form = RequestForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = mine.request_submit(
                user=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                topic=form.topic(),
                phone=data.get("phone", ""),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("已提交，受理编号 %(number)s。您可以在这里查看办理进度和答复。") % {"number": case.number}
            )
            return redirect("portal:my_request_detail", pk=case.pk)
    return _render(
        request,
        "portal/my/request_form.html",
        {"form": form, "my_section": "requests"},
        status=422 if form.errors else 200,
    )


@portal_login_required
def my_request_detail(request, pk: int):
    case = mine.my_case_get(user=request.user, pk=pk)
    return _render(
        request,
        "portal/my/request_detail.html",
        {
            "case": case,
            "status_text": mine.CASE_STATE_TEXT.get(case.state, case.get_state_display()),
            "notes": mine.case_visible_notes(case=case),
            "reply": mine.case_reply(case),
            "my_section": "requests",
        },
    )


@portal_login_required
def my_data(request):
    return _render(request, "portal/my/data.html", {"summary": mine.home_counts(user=request.user)})


@portal_login_required
@require_http_methods(["POST"])
def my_data_download(request, fmt: str):
    """The download is a POST (it writes an audit entry); the account is the signed-in one,
    whatever else the request carries."""
    content = mine.my_data_export(user=request.user, fmt=fmt)
    day = timezone.localdate().isoformat()
    if fmt == "json":
        response = HttpResponse(content, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@portal_login_required
@require_http_methods(["GET", "POST"])
def my_delete(request):
    user = request.user
    pending = mine.pending_deletion(user=user)
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mine.deletion_request(user=user, password=form.cleaned_data["password"], detail=form.cleaned_data["detail"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("注销申请已提交。工作人员办理前，您的账号仍可正常使用。"))
            return redirect("portal:my_delete")
    return _render(
        request,
        "portal/my/delete.html",
        {"form": form, "pending": pending, "requests": mine.my_data_requests(user=user)},
        status=422 if form.errors else 200,
    )
