from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "fiscal"
    verbose_name = _("Facturación SRI")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
