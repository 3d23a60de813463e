"""The fixed demo accounts. All share the demo password (``settings.QIAOLIAN_DEMO_PASSWORD``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password

from qiaolian.accounts.models import Role, User
from qiaolian.audit.models import Action
from qiaolian.audit.services import audit_record
from qiaolian.demo.context import DemoContext


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    town: str  # Town.key, or "" for the district federation
    display_name: str
    purpose: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.DISTRICT_ADMIN, "", "陆敏", "区侨联管理员：组织、账号与全部数据"),
    DemoAccount("staff", Role.DISTRICT_STAFF, "", "顾佳怡", "区侨联工作人员：全区侨情与工作记录"),
    DemoAccount("zhujing", Role.TOWN_STAFF, "zhujing", "朱卫东", "朱泾镇侨联工作人员：只见朱泾镇"),
    DemoAccount("shihua", Role.TOWN_STAFF, "shihua", "沈丽华", "石化街道侨联工作人员：只见石化街道"),
    DemoAccount("leader", Role.LEADER, "", "王建平", "领导：只读查看统计与报告"),
    DemoAccount("auditor", Role.AUDITOR, "", "钱静", "审计员：查看审计日志"),
)

# The leader of the demo is the chair of the district federation's sixth committee.
LEADER_NAME = DEMO_ACCOUNTS[4].display_name


def demo_password() -> str:
    return settings.QIAOLIAN_DEMO_PASSWORD


@cache
def _password_hash(password: str) -> str:
    """One hash for all demo accounts (the password is printed for everyone anyway): each Argon2
    hash takes half a second."""
    return make_password(password)


def _create(ctx: DemoContext, account: DemoAccount) -> User:
    federation = ctx.towns[account.town] if account.town else ctx.district
    user = User.objects.create_user(
        username=account.username,
        password=None,
        role=account.role,
        federation=federation,
        display_name=account.display_name,
    )
    user.password = _password_hash(demo_password())
    user.save(update_fields=["password"])
    audit_record(
        actor=ctx.admin,
        actor_name="" if ctx.admin else "demo-data",
        action=Action.CREATE,
        target=user,
        federation_id=user.federation_id,
        data={"username": user.username, "role": user.role, "source": "demo-data"},
    )
    ctx.users[account.username] = user
    return user


def build_admin(ctx: DemoContext) -> None:
    """The district administrator first: every later write is made in their name."""
    ctx.admin = _create(ctx, DEMO_ACCOUNTS[0])


def build_accounts(ctx: DemoContext) -> None:
    """The other demo accounts (the town federations must exist)."""
    for account in DEMO_ACCOUNTS[1:]:
        _create(ctx, account)
