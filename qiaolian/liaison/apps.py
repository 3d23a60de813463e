from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiaisonConfig(AppConfig):
    name = "qiaolian.liaison"
    label = "liaison"
    verbose_name = _("海外联谊")
