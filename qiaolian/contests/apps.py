from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "qiaolian.contests"
    label = "contests"
    verbose_name = _("大赛与征集")
