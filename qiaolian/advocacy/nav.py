from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    ("juli", NavItem(_("社情民意"), "advocacy:opinion_list", "advocacy.view_opinion", "list", "/advocacy/opinions/")),
    (
        "juli",
        NavItem(
            _("调研成果"), "advocacy:research_list", "advocacy.view_research", "file-spreadsheet", "/advocacy/research/"
        ),
    ),
]
