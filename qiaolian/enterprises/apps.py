from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "qiaolian.enterprises"
    label = "enterprises"
    verbose_name = _("侨资企业")

    def ready(self) -> None:
        from qiaolian.enterprises import importing  # noqa: F401  (registers the enterprises import kind)
