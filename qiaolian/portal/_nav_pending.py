from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    (
        "system",
        NavItem(_("门户新闻"), "portal_staff:news_list", "portal.manage_content", "news", "/portal-admin/news/"),
    ),
    (
        "system",
        NavItem(
            _("门户账号审核"),
            "portal_staff:change_list",
            "portal.review_accounts",
            "user-check",
            "/portal-admin/changes/",
        ),
    ),
    (
        "system",
        NavItem(
            _("个人信息申请"),
            "portal_staff:request_list",
            "portal.review_accounts",
            "shield-lock",
            "/portal-admin/requests/",
        ),
    ),
]
