"""Test helpers shared by every app's tests: a small Jinshan tree and a user of every role.

Kept in the package (not under tests/) so that browser tests and benchmarks can use it too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from qiaolian.accounts.models import Role, User
from qiaolian.orgs.models import Federation, FederationKind, Level
from qiaolian.orgs.services import federation_create

PASSWORD = "Test-password-2026"


@dataclass(frozen=True)
class Route:
    """One staff route in the permission matrix (qiaolian/core/tests/test_matrix.py)."""

    perm: str
    kind: str | None = None  # which record the URL's pk names
    method: str = "get"
    extra: tuple = ()  # further URL arguments after pk


@dataclass
class Jinshan:
    district: Federation
    zhujing: Federation
    shihua: Federation
    zhujing_village: Federation
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


# Apps added after the foundation keep their part of the permission matrices beside their tests, in
# ``<app>/tests/matrix.py`` (ROUTES, API_OPERATIONS, records): core's matrix tests load them all.
MATRIX_APPS = (
    "advocacy", "activities", "liaison", "casework", "aid", "enterprises", "contests", "portal", "reports",
    "registry", "search", "linkage", "privacy",
)  # fmt: skip


def app_matrices() -> list:
    """The ``tests.matrix`` modules of ``MATRIX_APPS`` that exist."""
    from importlib import import_module

    found = []
    for app in MATRIX_APPS:
        try:
            found.append(import_module(f"qiaolian.{app}.tests.matrix"))
        except ModuleNotFoundError:
            continue
    return found


def mark_recently_confirmed(client) -> None:
    """Let a test client's signed-in session count as freshly re-authenticated, as signing in
    does (``accounts.reauth``): exports and reveals then answer at once for
    ``QIAOLIAN_REAUTH_MINUTES``."""
    from qiaolian.accounts.reauth import mark_recently_confirmed as mark

    session = client.session
    mark(session)
    session.save()


def make_user(username: str, role: str, federation: Federation | None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        federation=federation,
        display_name=extra.pop("display_name", username),
        **extra,
    )
    return user


@transaction.atomic
def build_jinshan() -> Jinshan:
    district = federation_create(
        actor=None,
        parent=None,
        name="金山区归国华侨联合会",
        short_name="金山区侨联",
        level=Level.DISTRICT,
        kind=FederationKind.DISTRICT,
        code="310116",
        established_on=dt.date(1985, 6, 1),
    )
    zhujing = federation_create(
        actor=None,
        parent=district,
        name="朱泾镇侨联",
        short_name="朱泾镇",
        level=Level.TOWN,
        kind=FederationKind.TOWN,
        code="310116-ZJ",
    )
    shihua = federation_create(
        actor=None,
        parent=district,
        name="石化街道侨联",
        short_name="石化街道",
        level=Level.TOWN,
        kind=FederationKind.STREET,
        code="310116-SH",
    )
    village = federation_create(
        actor=None,
        parent=zhujing,
        name="朱泾镇待泾村侨联小组",
        short_name="待泾村",
        level=Level.COMMUNITY,
        kind=FederationKind.COMMUNITY,
        code="310116-ZJ-01",
    )
    js = Jinshan(district=district, zhujing=zhujing, shihua=shihua, zhujing_village=village)
    js.users = {
        "admin": make_user("admin", Role.DISTRICT_ADMIN, district),
        "staff": make_user("staff", Role.DISTRICT_STAFF, district),
        "zhujing": make_user("zhujing", Role.TOWN_STAFF, zhujing),
        "shihua": make_user("shihua", Role.TOWN_STAFF, shihua),
        "station": make_user("station", Role.STATION_MANAGER, zhujing),
        "leader": make_user("leader", Role.LEADER, district),
        "judge": make_user("judge", Role.JUDGE, district),
        "cppcc": make_user("cppcc", Role.CPPCC_MEMBER, district),
        "auditor": make_user("auditor", Role.AUDITOR, district),
        "public": make_user("public", Role.PUBLIC, None),
    }
    return js
