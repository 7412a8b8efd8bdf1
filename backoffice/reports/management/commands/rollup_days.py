from django.core.management.base import BaseCommand

from backoffice.reports.services import rollup_pending
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business


class Command(BaseCommand):
    help = (
        "Suma los días cerrados aún no resumidos de cada negocio (tablas diarias de "
        "los reportes). Idempotente: ejecútelo cada noche, o cuando quiera."
    )

    def handle(self, *args, **options):
        with system_context():
            businesses = list(Business.objects.filter(is_active=True).order_by("pk"))
        for business in businesses:
            with tenant_context(business):
                days = rollup_pending(business=business)
            self.stdout.write(f"{business.pk}: {days} días resumidos")
