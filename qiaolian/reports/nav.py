from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    (
        "reports",
        NavItem(
            _("指标与核算"), "reports:indicator_list", "reports.view_indicators", "chart-bar", "/reports/indicators/"
        ),
    ),
    ("reports", NavItem(_("统计报表"), "reports:tables", "reports.view_indicators", "table", "/reports/tables/")),
]
