from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "qiaolian.activities"
    label = "activities"
    verbose_name = _("活动与专项")

    def ready(self) -> None:
        from qiaolian.activities import importing  # noqa: F401  (registers the participants import kind)
