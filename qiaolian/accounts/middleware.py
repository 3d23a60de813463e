"""Session hardening for the staff site: sign out after a period without requests, and hold a
session at the two-factor step until it is verified (or enrolled, for enforced roles)."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from qiaolian.accounts.models import STAFF_ROLES

LAST_ACTIVITY_KEY = "qiaolian_last_activity"
TWO_FACTOR_KEY = "qiaolian_2fa_device"  # whether the signed-in user had a confirmed device at login
# The last-activity stamp is written at most this often (a session write on every request is
# a database write on every request).
TOUCH_SECONDS = 60


def is_staff_session(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "role", None) in STAFF_ROLES)


def redirect_to(request, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (which would swap the target page into the
    element otherwise): those get an ``HX-Redirect`` header."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("请先在网页上完成登录验证。")}, status=401)
    return HttpResponseRedirect(url)


def _next_of(request) -> str:
    if getattr(request, "htmx", False) and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    if request.method == "GET":
        return request.get_full_path()
    # a form posted without htmx: back to the page the form was on
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return ""


def url_with_next(name: str, request) -> str:
    url = reverse(name)
    target = _next_of(request)
    return f"{url}?{urlencode({'next': target})}" if target else url


def mark_activity(request, now: float | None = None) -> None:
    request.session[LAST_ACTIVITY_KEY] = int(now if now is not None else time.time())


class IdleTimeoutMiddleware:
    """Signs a staff session out after ``QIAOLIAN_IDLE_MINUTES`` without requests; the next
    request goes to the login page with a message (htmx requests get ``HX-Redirect``). Public
    (portal) users are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_staff_session(request):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            limit = settings.QIAOLIAN_IDLE_MINUTES * 60
            if last is not None and limit > 0 and now - last > limit:
                target = _next_of(request)
                logout(request)
                messages.warning(request, _("长时间未操作，已自动退出，请重新登录"))
                url = reverse(settings.LOGIN_URL)
                if target:
                    url = f"{url}?{urlencode({'next': target})}"
                return redirect_to(request, url)
            if last is None or now - last >= TOUCH_SECONDS:
                mark_activity(request, now)
        return self.get_response(request)


def _exempt_paths() -> tuple[str, ...]:
    return (
        reverse("accounts:two_factor_verify"),
        reverse("accounts:two_factor_setup"),
        reverse("accounts:logout"),
        settings.STATIC_URL,
        "/i18n/",
        "/jsi18n/",
        "/health",
        "/ready",
    )


class TwoFactorMiddleware:
    """A staff session whose user has an authenticator must be verified with it (the login view
    asks for the code before signing in; a session made another way, e.g. by an administrator's
    tool, is sent to the code page); an enforced role without one is sent to set one up. Portal
    pages and the API's bearer tokens are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_staff_session(request) and not self._exempt(request):
            response = self._gate(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path_info
        prefix = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        if prefix in settings.PORTAL_LANGUAGES:
            return True
        if path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer "):
            return True
        return path.startswith(_exempt_paths())

    @staticmethod
    def _gate(request):
        from qiaolian.accounts import two_factor

        user = request.user
        enforced = two_factor.is_enforced(user)
        if TWO_FACTOR_KEY not in request.session:
            request.session[TWO_FACTOR_KEY] = two_factor.has_two_factor(user)
        if not (enforced or request.session[TWO_FACTOR_KEY]):
            return None
        if user.is_verified():
            return None
        if request.session[TWO_FACTOR_KEY] or two_factor.has_two_factor(user):
            request.session[TWO_FACTOR_KEY] = True
            return redirect_to(request, url_with_next("accounts:two_factor_verify", request))
        return redirect_to(request, url_with_next("accounts:two_factor_setup", request))
