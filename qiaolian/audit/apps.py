from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "qiaolian.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from qiaolian.audit import signals  # noqa: F401
