from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from qiaolian.accounts.models import STAFF_ROLES, ApiToken, User
from qiaolian.core.jurisdiction import scope_for
from qiaolian.orgs.models import Federation


def token_list(*, user) -> QuerySet[ApiToken]:
    """A user's own API tokens (nobody lists anyone else's)."""
    if not (user and user.is_authenticated):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at")


# User accounts (accounts.manage_users) ----------------------------------------------------------


@dataclass
class UserFilters:
    query: str = ""
    role: str = ""
    federation: Federation | None = None  # this federation and those below it
    is_active: bool | None = None


def user_scope(*, user) -> QuerySet[User]:
    """Accounts ``user`` may manage: those whose federation lies in the user's jurisdiction
    (``jurisdiction_path = "federation"``). Accounts without a federation (public users) belong
    to no place and are seen only by a district-wide scope. Fails closed."""
    if not (user and user.has_perm("accounts.manage_users")):
        return User.objects.none()
    scope = scope_for(user)
    if scope.is_empty:
        return User.objects.none()
    qs = User.objects.all()
    if not scope.everything:
        qs = qs.filter(federation_id__in=scope.federation_ids)
    return qs.select_related("federation")


def _failure_window_start() -> datetime | None:
    """Failed logins older than django-axes' (base) cool-off no longer lock anyone out."""
    cool_off = get_cool_off()
    return timezone.now() - cool_off if cool_off is not None else None


def _attempts_of(username_ref) -> QuerySet[AccessAttempt]:
    """Attempts that still count: before their expiry (set per lock-out, which grows with
    repeated lock-outs: accounts/lockout.py), or within the cool-off when they have none."""
    attempts = AccessAttempt.objects.filter(username=username_ref)
    start = _failure_window_start()
    if start is not None:
        attempts = attempts.filter(
            Q(expiration__expires_at__gt=timezone.now()) | Q(expiration__isnull=True, attempt_time__gte=start)
        )
    return attempts


def user_list(*, user, filters: UserFilters | None = None) -> QuerySet[User]:
    """The accounts page: search and filters, each row with its recent failed logins
    (``failed_logins``, summed over addresses) and the largest count at one address
    (``worst_failures``: at ``AXES_FAILURE_LIMIT`` the account is locked out from there).

    The search is a substring match on user name and 姓名: there are hundreds of accounts, not
    hundreds of thousands."""
    f = filters or UserFilters()
    qs = user_scope(user=user)
    if f.query:
        qs = qs.filter(Q(username__icontains=f.query) | Q(display_name__icontains=f.query))
    if f.role:
        qs = qs.filter(role=f.role)
    if f.federation is not None:
        qs = qs.filter(federation__path__startswith=f.federation.path)
    if f.is_active is not None:
        qs = qs.filter(is_active=f.is_active)
    recent = _attempts_of(OuterRef("username")).order_by().values("username")
    return qs.annotate(
        failed_logins=Subquery(
            recent.annotate(n=Sum("failures_since_start")).values("n")[:1], output_field=IntegerField()
        ),
        worst_failures=Subquery(
            recent.annotate(n=Max("failures_since_start")).values("n")[:1], output_field=IntegerField()
        ),
    )


def user_get(*, user, pk: int) -> User | None:
    """One account ``user`` may manage, or None (missing and out of jurisdiction look alike)."""
    return user_scope(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class LoginFailures:
    count: int  # failed logins within the cool-off, over all addresses
    is_locked_out: bool  # some address reached AXES_FAILURE_LIMIT
    has_records: bool  # django-axes holds records to clear (even old ones)


def user_login_failures(*, user, target: User) -> LoginFailures:
    """What django-axes holds about ``target``'s failed logins, for someone who manages it."""
    if user_get(user=user, pk=target.pk) is None:
        return LoginFailures(0, False, False)
    recent = list(_attempts_of(target.username).values_list("failures_since_start", flat=True))
    return LoginFailures(
        count=sum(recent),
        is_locked_out=any(n >= settings.AXES_FAILURE_LIMIT for n in recent),
        has_records=AccessAttempt.objects.filter(username=target.username).exists(),
    )


def user_federation_choices(*, user) -> QuerySet[Federation]:
    """Federations an account may be placed in by ``user``: active ones in the user's scope."""
    if not (user and user.has_perm("accounts.manage_users")):
        return Federation.objects.none()
    return Federation.objects.visible_to(user).filter(is_active=True).order_by("path")


def staff_user_pending_sign_in(*, pk) -> User | None:
    """The active staff account a half-finished sign-in (password given, code not yet) names."""
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True, role__in=STAFF_ROLES).first()
