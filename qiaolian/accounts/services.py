"""Account writes: API tokens and password changes, audited."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from qiaolian.accounts.models import ApiToken, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record


@transaction.atomic
def api_token_create(*, actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for ``user``. The plain token is returned once and never stored."""
    prefix = secrets.token_hex(4)
    plain = f"ql_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=ApiToken.digest_of(plain))
    audit_record(
        actor=actor,
        actor_name="" if actor else "cli",
        action=Action.TOKEN_CREATE,
        target=user,
        federation_id=user.federation_id,
        data={"prefix": prefix, "name": name},
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=Action.CHANGE,
        target=token.user,
        federation_id=token.user.federation_id,
        data={"token": token.prefix, "revoked": True},
    )
    return token


def api_token_user(plain: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not plain or not plain.startswith("ql_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(plain), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def password_changed(*, user: User) -> None:
    audit_record(actor=user, action=Action.PASSWORD_CHANGE, target=user, federation_id=user.federation_id)
