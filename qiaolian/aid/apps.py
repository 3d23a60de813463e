from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "qiaolian.aid"
    label = "aid"
    verbose_name = _("帮扶慰问")

    def ready(self) -> None:
        from qiaolian.aid import importing  # noqa: F401  (registers the aid recipients import kind)
