from django.utils.translation import gettext_lazy as _

from qiaolian.core.nav import NavItem, PersonTab

ITEMS = [
    (
        "ningxin",
        NavItem(_("活动"), "activities:activity_list", "activities.view_activity", "calendar-event", "/activities/"),
    ),
    (
        "ningxin",
        NavItem(_("活动日历"), "activities:calendar", "activities.view_activity", "calendar", "/activities/calendar/"),
    ),
    (
        "ningxin",
        NavItem(
            _("专项活动"), "activities:campaign_list", "activities.view_campaign", "flag-3", "/activities/campaigns/"
        ),
    ),
    (
        "reports",
        NavItem(_("活动统计"), "activities:stats", "activities.view_activity", "chart-bar", "/activities/stats/"),
    ),
]

PERSON_TABS = [PersonTab("activities", _("活动参与"), "activities.view_activity", "activities:person_participation")]
