from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "backoffice.customers"
    label = "customers"
    verbose_name = _("Clientes")

    def ready(self):
        from . import services  # noqa: F401  (signal receivers)
