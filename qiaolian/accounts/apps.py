from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qiaolian.accounts"
    label = "accounts"
    verbose_name = _("账号与权限")

    def ready(self):
        from qiaolian.accounts import lockout, signals  # noqa: F401  (receivers)
