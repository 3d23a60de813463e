"""Signing in starts the clocks of the session: last activity (idle sign-out) and the last
confirmation (re-authentication), and notes whether the user has an authenticator."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from qiaolian.accounts.models import STAFF_ROLES


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    from qiaolian.accounts import two_factor
    from qiaolian.accounts.middleware import TWO_FACTOR_KEY, mark_activity
    from qiaolian.accounts.reauth import mark_recently_confirmed

    session = getattr(request, "session", None) if request is not None else None
    if session is None or getattr(user, "role", None) not in STAFF_ROLES:
        return
    mark_activity(request)
    mark_recently_confirmed(session)
    session[TWO_FACTOR_KEY] = two_factor.has_two_factor(user)
