"""Login lock-out with back-off (django-axes).

The cool-off after a lock-out doubles with each lock-out of the same user name within the last
24 hours: 15 minutes, 30, 60, … up to 24 hours (``QIAOLIAN_LOCKOUT_BASE_MINUTES``,
``QIAOLIAN_LOCKOUT_MAX_HOURS``). Lock-outs are counted from django-axes' failure log
(``AXES_ENABLE_ACCESS_FAILURE_LOG``): a run of failures recorded while locked out is one
lock-out. ``AXES_COOLOFF_TIME`` points at :func:`cool_off`; because axes computes an attempt's
expiry before it knows the attempt locks the account, :func:`_on_locked_out` extends the expiry
of the attempt record when a lock-out starts (``AXES_USE_ATTEMPT_EXPIRATION``: records are
cleaned by their own expiry, not by the cool-off of whoever happens to fail next).
"""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

WINDOW = timedelta(hours=24)


def base_cool_off() -> timedelta:
    return timedelta(minutes=getattr(settings, "QIAOLIAN_LOCKOUT_BASE_MINUTES", 15))


def max_cool_off() -> timedelta:
    return timedelta(hours=getattr(settings, "QIAOLIAN_LOCKOUT_MAX_HOURS", 24))


def cool_off_for_lockouts(n: int) -> timedelta:
    """15 min × 2^(n-1), capped: the cool-off of the n-th lock-out within 24 hours."""
    return min(base_cool_off() * (2 ** max(n - 1, 0)), max_cool_off())


def _failure_log(username: str, now) -> list[bool]:
    rows = AccessFailureLog.objects.filter(username=username, attempt_time__gte=now - WINDOW)
    return list(rows.order_by("attempt_time", "id").values_list("locked_out", flat=True))


def lockouts_within_window(username: str, now=None) -> int:
    """Lock-outs of ``username`` in the last 24 hours: runs of consecutive locked-out failures."""
    flags = _failure_log(username, now or timezone.now())
    return sum(1 for i, locked in enumerate(flags) if locked and (i == 0 or not flags[i - 1]))


def cool_off_for_username(username: str | None) -> timedelta:
    if not username:
        return base_cool_off()
    return cool_off_for_lockouts(lockouts_within_window(username))


def _request_username(request) -> str | None:
    """The user name a login request is about: set by the two-factor step and re-authentication
    (``qiaolian_login_username``), else axes' credentials, else the login form's field."""
    if request is None:
        return None
    name = getattr(request, "qiaolian_login_username", None)
    if name:
        return name
    credentials = getattr(request, "axes_credentials", None) or {}
    name = credentials.get(settings.AXES_USERNAME_FORM_FIELD) if isinstance(credentials, dict) else None
    if name:
        return name
    if request.method == "POST":
        return request.POST.get(settings.AXES_USERNAME_FORM_FIELD) or None
    return None


def cool_off(request=None) -> timedelta:
    """``AXES_COOLOFF_TIME``: the cool-off for the user name of ``request`` (the base one when the
    request names nobody, e.g. the portal's contact-based login)."""
    return cool_off_for_username(_request_username(request))


@receiver(user_locked_out)
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """A lock-out starts or goes on: the attempt record must last as long as the lock-out (the
    failure that locks is not yet in the failure log when axes sets the expiry)."""
    if not username:
        return
    flags = _failure_log(username, timezone.now())
    ongoing = bool(flags) and flags[-1]
    n = lockouts_within_window(username) + (0 if ongoing else 1)
    length = cool_off_for_lockouts(n)
    start = getattr(request, "axes_attempt_time", None) or timezone.now()
    until = start + length
    if request is not None:
        request.qiaolian_locked_until = until
    for attempt in AccessAttempt.objects.filter(username=username, ip_address=ip_address):
        expiration, created = AccessAttemptExpiration.objects.get_or_create(
            access_attempt=attempt, defaults={"expires_at": until}
        )
        if not created and expiration.expires_at < until:
            expiration.expires_at = until
            expiration.save(update_fields=["expires_at"])


def locked_until(request, credentials=None):
    """When the user name of a locked-out request may try again (None when unknown)."""
    until = getattr(request, "qiaolian_locked_until", None)
    if until is not None:
        return until
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) if credentials else None
    username = username or _request_username(request)
    if not username:
        return None
    last = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    if last is None:
        return None
    return last.attempt_time + cool_off_for_username(username)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the portal's own page for portal logins; for the staff site a
    page that says when the user may try again."""
    prefix = request.path_info.split("/", 2)[1] if request.path_info.count("/") >= 2 else ""
    if prefix in settings.PORTAL_LANGUAGES:
        from qiaolian.portal.views_account import lockout_response as portal_lockout_response

        return portal_lockout_response(request, original_response, credentials)
    until = locked_until(request, credentials)
    minutes = None
    if until is not None:
        minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    context = {"locked_until": until, "minutes_left": minutes}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
