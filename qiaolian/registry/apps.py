from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qiaolian.registry"
    label = "registry"
    verbose_name = _("侨情库")

    def ready(self) -> None:
        from qiaolian.registry import (
            importing,  # noqa: F401  (registers the persons import kind)
            importing_relatives,  # noqa: F401  (the overseas relatives kind)
        )
