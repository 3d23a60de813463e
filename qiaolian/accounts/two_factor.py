"""Two-factor authentication for staff (django-otp): a TOTP authenticator app plus ten one-time
recovery codes (otp_static). Every change and every failed or recovery code is audited.

Enforcement: the roles in ``settings.QIAOLIAN_2FA_ENFORCED_ROLES`` (district administrators and
auditors by default) must enrol before they can use the staff site; everyone else may.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiaolian.accounts.models import STAFF_ROLES, Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.permissions import require_in_scope, require_perm

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"
# Short names that deployments may write in QIAOLIAN_2FA_ENFORCED_ROLES.
ROLE_ALIASES = {"admin": Role.DISTRICT_ADMIN.value}


def enforced_roles() -> frozenset[str]:
    names = getattr(settings, "QIAOLIAN_2FA_ENFORCED_ROLES", ()) or ()
    if isinstance(names, str):
        names = names.split(",")
    return frozenset(ROLE_ALIASES.get(n.strip(), n.strip()) for n in names if n and n.strip())


def is_enforced(user) -> bool:
    """Whether ``user`` must use two-factor authentication to work on the staff site."""
    return bool(user and user.is_authenticated and user.role in STAFF_ROLES and user.role in enforced_roles())


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def has_two_factor(user) -> bool:
    if not (user and getattr(user, "pk", None)):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Enrolment -------------------------------------------------------------------------------------


def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling (one is kept until it is confirmed, so reloading
    the page does not change the secret)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URI (no script, CSP-friendly)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


@transaction.atomic
def two_factor_enrol(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app. On success the device is the user's only
    authenticator, ten fresh recovery codes are made (returned, shown once) and the enrolment is
    audited; a wrong code returns None."""
    code = normalize_code(code)
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not is_totp_code(code) or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action=Action.CHANGE, target=user, data={"two_factor": "enrolled"})
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not has_two_factor(user):
        raise ValidationError(_("尚未启用两步验证。"))
    codes = _recovery_codes_replace(user)
    audit_record(actor=user, action=Action.CHANGE, target=user, data={"two_factor": "recovery_codes_regenerated"})
    return codes


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """A user turns their own two-factor authentication off (not allowed for enforced roles)."""
    if is_enforced(user):
        raise ValidationError(_("您的角色必须使用两步验证，不能关闭。"))
    if not _devices_delete(user):
        raise ValidationError(_("尚未启用两步验证。"))
    audit_record(actor=user, action=Action.CHANGE, target=user, data={"two_factor": "disabled"})


@transaction.atomic
def two_factor_reset(*, actor, user: User) -> bool:
    """An administrator (accounts.manage_users) removes a user's authenticator and recovery codes,
    e.g. after a lost phone; the user enrols again at the next sign-in (if enforced) or when they
    choose. Returns whether there was anything to remove; a reset of nothing is not recorded."""
    require_perm(actor, "accounts.manage_users")
    require_in_scope(actor, user.federation_id)
    removed = _devices_delete(user)
    if removed:
        audit_record(actor=actor, action=Action.CHANGE, target=user, data={"two_factor": "reset_by_administrator"})
    return bool(removed)


def _devices_delete(user: User) -> int:
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    static, _detail = StaticDevice.objects.filter(user=user).delete()
    return removed + static


# Verification ----------------------------------------------------------------------------------


def two_factor_verify(*, user: User, code: str):
    """The device that accepts ``code`` (a 6-digit TOTP code or a recovery code), or None. Uses of
    recovery codes and wrong codes are audited; the caller counts failures toward the lock-out."""
    code = normalize_code(code)
    device = None
    with transaction.atomic():
        if is_totp_code(code):
            candidate = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if candidate is not None and candidate.verify_token(code):
                device = candidate
        elif code:
            candidate = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if candidate is not None and candidate.verify_token(code):
                device = candidate
    if device is None:
        audit_record(
            actor=None,
            actor_name=user.username,
            action=Action.LOGIN_FAILED,
            target=user,
            data={"username": user.username, "two_factor": "code_failed"},
        )
        return None
    if isinstance(device, StaticDevice):
        audit_record(
            actor=user,
            action=Action.CHANGE,
            target=user,
            data={"two_factor": "recovery_code_used", "recovery_codes_left": recovery_codes_left(user)},
        )
    # the TOTP device is what the session is verified with, whichever code was used
    return totp_device(user) or device
