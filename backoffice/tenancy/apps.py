from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "backoffice.tenancy"
    label = "tenancy"
    verbose_name = _("Configuración")

    def ready(self):
        from backoffice import checks  # noqa: F401  (registers the deploy checks)

        from . import rls

        rls.connect_signals()
