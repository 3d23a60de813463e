from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem, PersonTab

# 侨益维护 sits under 惠侨工程 and 企业诉求 under 聚力工程, as the seed files them; both are the
# case list with the type fixed. The full list, deadlines and statistics cover every type.
ITEMS = [
    ("juli", NavItem(_("企业诉求"), "casework:appeal_list", "casework.view_case", "briefcase", "/cases/appeals/")),
    ("huiqiao", NavItem(_("侨益维护"), "casework:rights_list", "casework.view_case", "scale", "/cases/rights/")),
    ("huiqiao", NavItem(_("诉求与维权"), "casework:case_list", "casework.view_case", "messages", "/cases/")),
    ("huiqiao", NavItem(_("办理期限"), "casework:deadlines", "casework.view_case", "alarm", "/cases/deadlines/")),
    ("reports", NavItem(_("诉求维权统计"), "casework:stats", "casework.view_stats", "chart-bar", "/cases/stats/")),
]

PERSON_TABS = [PersonTab("cases", _("诉求与维权"), "casework.view_case", "casework:person_cases")]
