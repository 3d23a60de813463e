from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "qiaolian.search"
    label = "search"
    verbose_name = _("检索")

    def ready(self) -> None:
        from qiaolian.search import signals

        signals.connect()
        signals.connect_migrate(self)
