"""Logins, failed logins and logouts go to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.request_context import client_ip


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=Action.LOGIN, target=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, target=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        actor_name=username,
        action=Action.LOGIN_FAILED,
        data={"username": username},
        ip=client_ip(request) if request else None,
    )


@receiver(user_locked_out)
def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(
        actor=None,
        actor_name=str(username or "")[:150],
        action=Action.LOCKED_OUT,
        data={"username": username or ""},
        ip=ip_address,
    )
