from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem, PersonTab

ITEMS = [
    ("huiqiao", NavItem(_("帮扶专项"), "aid:campaign_list", "aid.view_campaign", "gift", "/aid/")),
    (
        "huiqiao",
        NavItem(_("帮扶提名"), "aid:nomination_list", "aid.view_nomination", "list", "/aid/nominations/"),
    ),
    (
        "huiqiao",
        NavItem(_("捐赠与去向"), "aid:donation_list", "aid.view_donation", "cash-banknote-heart", "/aid/donations/"),
    ),
    ("reports", NavItem(_("帮扶统计"), "aid:stats", "aid.view_campaign", "chart-bar", "/aid/stats/")),
]

PERSON_TABS = [PersonTab("aid", _("帮扶记录"), "aid.view_nomination", "aid:person_aid")]
