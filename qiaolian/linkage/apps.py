from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "qiaolian.linkage"
    label = "linkage"
    verbose_name = _("查重与合并")
