from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    (
        "juli",
        NavItem(
            _("侨资企业"),
            "enterprises:enterprise_list",
            "enterprises.view_enterprise",
            "building-factory-2",
            "/enterprises/",
        ),
    ),
    (
        "juli",
        NavItem(
            _("走访调研"),
            "enterprises:visit_list",
            "enterprises.view_enterprise",
            "clipboard-list",
            "/enterprises/visits/",
        ),
    ),
    (
        "juli",
        NavItem(_("以侨引侨"), "enterprises:lead_list", "enterprises.view_lead", "briefcase", "/enterprises/leads/"),
    ),
    (
        "reports",
        NavItem(_("侨企统计"), "enterprises:stats", "enterprises.view_stats", "chart-bar", "/enterprises/stats/"),
    ),
]
