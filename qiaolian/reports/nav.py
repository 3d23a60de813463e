from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    (
        "reports",
        NavItem(
            _("工作看板"), "reports:dashboard", "reports.view_indicators", "layout-dashboard", "/reports/dashboard/"
        ),
    ),
    (
        "reports",
        NavItem(
            _("指标与核算"), "reports:indicator_list", "reports.view_indicators", "chart-bar", "/reports/indicators/"
        ),
    ),
    ("reports", NavItem(_("统计报表"), "reports:tables", "reports.view_indicators", "table", "/reports/tables/")),
    ("reports", NavItem(_("五年回顾"), "reports:review", "reports.view_indicators", "file-text", "/reports/review/")),
    ("reports", NavItem(_("工作规划"), "reports:plan_list", "reports.view_plan", "flag", "/reports/plans/")),
]
