from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "backoffice.reports"
    label = "reports"
    verbose_name = _("Reportes")

    def ready(self):
        from pos.signals import past_day_changed

        from .services import rollup_invalidate

        def reopen_day(sender, business, at, **kwargs):
            rollup_invalidate(business=business, at=at)

        past_day_changed.connect(reopen_day, weak=False, dispatch_uid="reports_reopen")
