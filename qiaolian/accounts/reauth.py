"""Re-authentication ("sudo mode") before exporting personal data or revealing a protected field.

A session counts as recently confirmed for ``QIAOLIAN_REAUTH_MINUTES`` after signing in or after
the user confirmed their password (and two-factor code, if they have an authenticator) on
``/accounts/confirm/``. Views that export or reveal personal data add
:class:`RecentAuthRequiredMixin` after ``StaffMixin`` in their bases, so the permission check and
the record lookup (403/404) come first.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings

REAUTH_KEY = "qiaolian_reauth_at"


def mark_recently_confirmed(session, now: float | None = None) -> None:
    session[REAUTH_KEY] = int(now if now is not None else time.time())


def is_recently_confirmed(request) -> bool:
    confirmed_at = request.session.get(REAUTH_KEY)
    if confirmed_at is None:
        return False
    return time.time() - confirmed_at <= settings.QIAOLIAN_REAUTH_MINUTES * 60


def reauth_redirect(request):
    """To the confirmation page, coming back to the page the user was on (htmx: HX-Redirect)."""
    from qiaolian.accounts.middleware import redirect_to, url_with_next

    return redirect_to(request, url_with_next("accounts:confirm", request))


class RecentAuthRequiredMixin:
    """Signed-in users whose last confirmation is older than ``QIAOLIAN_REAUTH_MINUTES`` are sent
    to the confirmation page first. Anonymous users pass on to the login redirect of the view."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_recently_confirmed(request):
            return reauth_redirect(request)
        return super().dispatch(request, *args, **kwargs)


def recent_auth_required(view):
    """The same for function views."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not is_recently_confirmed(request):
            return reauth_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped
