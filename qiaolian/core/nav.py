"""The staff sidebar, grouped like the seed's own classification of the work.

The groups are fixed here; apps add their entries from their own ``nav.py``. A group shows only
when the user may open one of its entries, so a role sees the modules it works in and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str
    icon: str
    match: str = ""  # URL prefix that marks the item active (defaults to its own URL)


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise
    items: list[NavItem] = field(default_factory=list)


GROUPS: list[NavGroup] = [
    NavGroup("ningxin", _("凝心工程")),
    NavGroup("juli", _("聚力工程")),
    NavGroup("huiqiao", _("惠侨工程")),
    NavGroup(
        "qiangji",
        _("强基工程"),
        [
            NavItem(
                _("侨联组织"),
                "orgs:federation_list",
                "orgs.view_federation",
                "building-community",
                "/orgs/federations/",
            ),
            NavItem(_("届次与委员"), "orgs:term_list", "orgs.view_term", "users-group", "/orgs/terms/"),
            NavItem(_("换届选举"), "orgs:election_list", "orgs.view_term", "flag", "/orgs/elections/"),
            NavItem(_("侨之家与新侨驿站"), "orgs:station_list", "orgs.view_station", "map-pin", "/orgs/stations/"),
            NavItem(_("侨界团体"), "orgs:group_list", "orgs.view_group", "users", "/orgs/groups/"),
            NavItem(_("合作侨联"), "orgs:partner_list", "orgs.view_partner", "heart-handshake", "/orgs/partners/"),
        ],
    ),
    NavGroup(
        "data",
        _("基础数据"),
        [
            NavItem(_("侨情人员"), "registry:person_list", "registry.view_person", "users", "/registry/persons/"),
            NavItem(
                _("家庭户"), "registry:household_list", "registry.view_household", "home-2", "/registry/households/"
            ),
            NavItem(_("批量导入"), "registry:import_list", "registry.import_any", "file-import", "/registry/imports/"),
            NavItem(_("查重合并"), "linkage:pair_list", "linkage.view_pair", "user-check", "/linkage/"),
        ],
    ),
    NavGroup("reports", _("统计报表")),
    NavGroup(
        "system",
        _("系统"),
        [
            NavItem(_("审计日志"), "audit:entry_list", "audit.view_entry", "shield-check", "/audit/"),
            NavItem(_("接口令牌"), "accounts:token_list", "accounts.create_token", "key", "/accounts/tokens/"),
            NavItem(_("用户管理"), "accounts:user_list", "accounts.manage_users", "users", "/accounts/users/"),
        ],
    ),
]


@dataclass(frozen=True)
class PersonTab:
    """A tab an app adds to the person page: its content is the app's own fragment view at
    ``url_name`` (taking the person's pk), loaded with htmx; shown to users with ``perm``."""

    key: str
    label: str | Promise
    perm: str
    url_name: str


@cache
def person_tabs() -> list[PersonTab]:
    """Tabs that apps contribute from their ``nav.py`` (``PERSON_TABS = [PersonTab(...)]``)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    tabs: list[PersonTab] = []
    for config in apps.get_app_configs():
        if config.name.startswith("qiaolian.") and config.name != __package__ and find_spec(f"{config.name}.nav"):
            tabs.extend(getattr(import_module(f"{config.name}.nav"), "PERSON_TABS", []))
    return tabs


@cache
def _app_items() -> dict[str, list[NavItem]]:
    """Entries that apps contribute from their own ``nav.py`` (``ITEMS = [(group key, NavItem)]``)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    contributed: dict[str, list[NavItem]] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("qiaolian.") and config.name != __package__ and find_spec(f"{config.name}.nav"):
            for key, item in import_module(f"{config.name}.nav").ITEMS:
                contributed.setdefault(key, []).append(item)
    return contributed


@lru_cache(maxsize=1024)
def _url(url_name: str, language: str | None, script_prefix: str) -> str:
    return reverse(url_name)


@receiver(setting_changed)
def _urls_changed(*, setting: str, **_kwargs) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _url.cache_clear()


def sidebar_for(user, path: str) -> list[dict]:
    groups = []
    contributed = _app_items()
    for group in GROUPS:
        items = []
        for item in [*group.items, *contributed.get(group.key, [])]:
            if not user.has_perm(item.perm):
                continue
            # reversing each visible entry took ~1 ms of every page; a name's URL depends only on these
            url = _url(item.url_name, get_language(), get_script_prefix())
            items.append({"label": item.label, "url": url, "icon": item.icon, "prefix": item.match or url})
        if items:
            groups.append({"key": group.key, "label": group.label, "items": items})
    # the entry with the longest matching prefix is the active one (/activities/calendar/ is the
    # calendar, not also the activity list)
    matching = [i["prefix"] for g in groups for i in g["items"] if path.startswith(i["prefix"])]
    best = max(matching, key=len, default=None)
    for group in groups:
        for item in group["items"]:
            item["active"] = item["prefix"] == best
    return groups
