"""The staff review pages of the portal in the permission matrix (qiaolian/core/tests/test_matrix.py),
and the helper that makes a portal account for this app's tests."""

from __future__ import annotations

from qiaolian.accounts.models import Role, User
from qiaolian.portal.models import DataRequest, DataRequestKind, PortalProfile, ProfileChange
from qiaolian.testing import PASSWORD, Route

PERM = "portal.review_accounts"

ROUTES = {
    "portal_staff:change_list": Route(PERM),
    "portal_staff:change_detail": Route(PERM, "portal_change"),
    "portal_staff:change_approve": Route(PERM, "portal_change", "post"),
    "portal_staff:change_reject": Route(PERM, "portal_change", "post"),
    "portal_staff:account_list": Route(PERM),
    "portal_staff:account_detail": Route(PERM, "portal_account"),
    "portal_staff:account_link": Route(PERM, "portal_account", "post"),
    "portal_staff:account_unlink": Route(PERM, "portal_account", "post"),
    "portal_staff:request_list": Route(PERM),
    "portal_staff:request_detail": Route(PERM, "portal_request"),
    "portal_staff:request_fulfil": Route(PERM, "portal_request", "post"),
    "portal_staff:request_refuse": Route(PERM, "portal_request", "post"),
}
API_OPERATIONS: dict = {}


def make_portal_user(
    username: str, federation=None, *, display_name: str = "", phone: str | None = None, email: str = "", **profile
):
    """A signed-up, verified portal account with its profile (as sign-up leaves it)."""
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=Role.PUBLIC, display_name=display_name or username, email=email
    )
    PortalProfile.objects.create(user=user, federation=federation, phone=phone, **profile)
    return user


def records(js, federation, tag, admin) -> dict:
    user = make_portal_user(f"portal-{federation.code}", federation, display_name=f"{tag}门户用户")
    change = ProfileChange.objects.create(user=user, federation=federation, changes={"city": f"{tag}城"})
    request = DataRequest.objects.create(
        user=user, account_label=user.username, federation=federation, kind=DataRequestKind.DELETE
    )
    return {"portal_account": user.portal_profile, "portal_change": change, "portal_request": request}


def open_activity(js, federation=None, *, title: str = "侨界迎新春联谊会", **extra):
    """A published activity taking registrations, a month from now (for this app's tests)."""
    import datetime as dt

    from django.utils import timezone

    from qiaolian.activities import services

    admin = js.user("admin")
    start = timezone.now() + dt.timedelta(days=30)
    activity = services.activity_create(
        actor=admin,
        data={
            "federation": federation or js.zhujing,
            "title": title,
            "kind": "gathering",
            "project": "ningxin",
            "mode": "offline",
            "place": "朱泾镇文化中心",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "is_published": True,
            **extra,
        },
    )
    return services.activity_transition(actor=admin, activity=activity, to="open")


def open_camp(js, federation=None, *, title: str = "海外华裔青少年夏令营", **extra):
    """A camp starting in two months, ages 8–18 (for this app's tests)."""
    import datetime as dt

    from django.utils import timezone

    from qiaolian.liaison import services

    start = timezone.localdate() + dt.timedelta(days=60)
    return services.camp_create(
        actor=js.user("admin"),
        data={
            "federation": federation or js.zhujing,
            "title": title,
            "mode": "offline",
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=10),
            "capacity": 30,
            "min_age": 8,
            "max_age": 18,
            **extra,
        },
    )
