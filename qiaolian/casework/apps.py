from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "qiaolian.casework"
    label = "casework"
    verbose_name = _("诉求与维权")
