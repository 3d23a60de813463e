from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "qiaolian.reports"
    label = "reports"
    verbose_name = _("统计报表")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from qiaolian.reports.figures import on_record_change

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(on_record_change, dispatch_uid=f"reports-figures-{id(signal)}")
