"""Account writes: API tokens, password changes and the accounts the district administrator
manages, audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qiaolian.accounts.models import ApiToken, Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.core.changes import diff, snapshot
from qiaolian.core.jurisdiction import scope_for
from qiaolian.core.permissions import require_in_scope, require_perm
from qiaolian.orgs.models import Federation, Level


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


# User accounts, managed by the district administrator (accounts.manage_users) ------------------
#
# Passwords and their hashes never reach the audit log: entries name the fields below only.

USER_AUDIT_FIELDS = ["username", "display_name", "role", "federation", "is_active"]
# Roles that work in the district federation itself, and those that work in a street/town/park
# federation or a community group below one. Judges and CPPCC members need a federation (it
# decides what they see) at any level; public users have none.
DISTRICT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.LEADER, Role.AUDITOR})
TOWN_ROLES = frozenset({Role.TOWN_STAFF, Role.STATION_MANAGER})


def _require_user_manager(actor) -> None:
    require_perm(actor, "accounts.manage_users")


def _require_user_in_scope(actor, user: User) -> None:
    """An account outside the actor's jurisdiction does not exist for them (404). Accounts
    without a federation are in a district-wide scope only."""
    require_in_scope(actor, user.federation_id)


def _check_role_federation(role: str, federation: Federation | None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("请选择角色。")})
    label = Role(role).label
    if role == Role.PUBLIC:
        if federation is not None:
            raise ValidationError({"federation": _("公众用户不属于侨联组织，所在侨联请留空。")})
        return
    if federation is None:
        raise ValidationError({"federation": _("“%(role)s”须选择所在侨联。") % {"role": label}})
    if not federation.is_active:
        raise ValidationError({"federation": _("所选侨联组织已停用，请重新选择所在侨联。")})
    if role in DISTRICT_ROLES and federation.level != Level.DISTRICT:
        raise ValidationError(
            {"federation": _("“%(role)s”的所在侨联须为区侨联，请重新选择所在侨联。") % {"role": label}}
        )
    if role in TOWN_ROLES and federation.level not in (Level.TOWN, Level.COMMUNITY):
        raise ValidationError(
            {
                "federation": _("“%(role)s”的所在侨联须为街镇/园区侨联或村居/社区侨联小组，请重新选择所在侨联。")
                % {"role": label}
            }
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


def _is_last_active_district_admin(user: User) -> bool:
    if user.role != Role.DISTRICT_ADMIN or not user.is_active:
        return False
    others = User.objects.select_for_update().filter(role=Role.DISTRICT_ADMIN, is_active=True).exclude(pk=user.pk)
    return not others.exists()


@transaction.atomic
def user_create(
    *, actor, username: str, display_name: str, role: str, federation: Federation | None, password: str
) -> User:
    """A new account with an initial password the administrator hands over. ``actor`` None is
    an operator command."""
    if actor is not None:
        _require_user_manager(actor)
        if federation is not None:
            require_in_scope(actor, federation.pk)
        elif not scope_for(actor).everything:
            raise Http404("not found")
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(username)s”已被使用。") % {"username": username}})
    _check_role_federation(role, federation)
    user = User(username=username, display_name=display_name.strip(), role=role, federation=federation)
    _check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        actor_name="" if actor else "cli",
        action=Action.CREATE,
        target=user,
        federation_id=user.federation_id,
        data={"after": snapshot(user, USER_AUDIT_FIELDS)},
    )
    return user


@transaction.atomic
def user_update(
    *, actor, user: User, display_name: str, role: str, federation: Federation | None, is_active: bool
) -> User:
    """Change an account's name, role, federation or whether it may sign in. Accounts are
    deactivated, never deleted (the audit log keeps pointing at them). Nobody demotes or
    deactivates themselves, and the last active district administrator stays one."""
    if actor is not None:
        _require_user_manager(actor)
        _require_user_in_scope(actor, user)
        if federation is not None:
            require_in_scope(actor, federation.pk)
        elif not scope_for(actor).everything:
            raise Http404("not found")
    user = User.objects.select_for_update().get(pk=user.pk)
    if _is_last_active_district_admin(user):
        if role != Role.DISTRICT_ADMIN:
            raise ValidationError(
                {"role": _("这是唯一在用的区侨联管理员账号，不能更改角色。请先为他人开通管理员账号。")}
            )
        if not is_active:
            raise ValidationError(
                {"is_active": _("这是唯一在用的区侨联管理员账号，不能停用。请先为他人开通管理员账号。")}
            )
    if actor is not None and actor.pk == user.pk:
        if role != user.role:
            raise ValidationError({"role": _("不能更改自己的角色，请由其他管理员操作。")})
        if not is_active:
            raise ValidationError({"is_active": _("不能停用自己的账号，请由其他管理员操作。")})
    _check_role_federation(role, federation)
    before = snapshot(user, USER_AUDIT_FIELDS)
    user.display_name = display_name.strip()
    user.role = role
    user.federation = federation
    user.is_active = is_active
    user.full_clean()
    user.save(update_fields=["display_name", "role", "federation", "is_active"])
    changes = diff(before, snapshot(user, USER_AUDIT_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            actor_name="" if actor else "cli",
            action=Action.CHANGE,
            target=user,
            federation_id=user.federation_id,
            data={"changes": changes},
        )
    return user


@transaction.atomic
def user_password_set(*, actor, user: User, password: str) -> User:
    """The administrator sets a new password (the user's sessions end with the old one). One's
    own password is changed on the password page, which asks for the old one."""
    _require_user_manager(actor)
    _require_user_in_scope(actor, user)
    if actor.pk == user.pk:
        raise ValidationError(_("修改自己的密码请使用“修改密码”页面。"))
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action=Action.PASSWORD_CHANGE,
        target=user,
        federation_id=user.federation_id,
        data={"set_by_administrator": True},
    )
    return user


@transaction.atomic
def user_unlock(*, actor, user: User) -> int:
    """Clear django-axes' failed logins for ``user`` (every address), so a locked-out user can
    sign in again. Returns how many records were cleared; clearing nothing is not recorded."""
    from axes.models import AccessAttempt
    from axes.utils import reset as axes_reset

    _require_user_manager(actor)
    _require_user_in_scope(actor, user)
    # counted before: axes' reset also counts the expiry rows deleted with each attempt
    cleared = AccessAttempt.objects.filter(username=user.username).count()
    axes_reset(username=user.username)
    if cleared:
        audit_record(
            actor=actor,
            action=Action.CHANGE,
            target=user,
            federation_id=user.federation_id,
            data={"login_lockout_cleared": cleared},
        )
    return cleared


def account_scrub(user: User) -> None:
    """Take the personal data off an account and close it for good: no name, no e-mail, no usable
    password, no API tokens. The row stays for the records that name it; callers audit."""
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.api_tokens.all().delete()
