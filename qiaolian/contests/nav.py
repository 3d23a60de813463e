from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem

ITEMS = [
    ("ningxin", NavItem(_("大赛征集"), "contests:contest_list", "contests.view_contest", "trophy", "/contests/")),
    (
        "ningxin",
        NavItem(_("作品评审"), "contests:judging_list", "contests.judge", "star", "/contests/judging/"),
    ),
    (
        "juli",
        NavItem(_("创业大赛项目"), "contests:project_list", "contests.view_project", "rocket", "/contests/projects/"),
    ),
]
