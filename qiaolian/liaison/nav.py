from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    (
        "huiqiao",
        NavItem(
            _("海外社团"), "liaison:association_list", "liaison.view_association", "world", "/liaison/associations/"
        ),
    ),
    (
        "huiqiao",
        NavItem(_("海外联系人"), "liaison:contact_list", "liaison.view_contact", "user", "/liaison/contacts/"),
    ),
    ("huiqiao", NavItem(_("青少年营"), "liaison:camp_list", "liaison.view_camp", "flag", "/liaison/camps/")),
]
