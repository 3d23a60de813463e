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
            _("门户账号"), "portal_staff:account_list", "portal.review_accounts", "users", "/portal-admin/accounts/"
        ),
    ),
    (
        "system",
        NavItem(
            _("资料修改审核"),
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
    (
        "system",
        NavItem(
            _("隐私政策"),
            "portal_staff:notice_list",
            "portal.manage_privacy_notice",
            "lock",
            "/portal-admin/notices/",
        ),
    ),
]
