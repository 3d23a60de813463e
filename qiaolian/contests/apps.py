from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "qiaolian.contests"
    label = "contests"
    verbose_name = _("大赛与征集")

    def ready(self) -> None:
        from qiaolian.contests import importing  # noqa: F401  (registers the projects import kind)
