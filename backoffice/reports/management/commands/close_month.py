import re

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from backoffice.reports.closing.checks import month_checks
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business


def business_by_ruc(ruc: str) -> Business:
    """The business of a RUC; several claims need a verified one (as export_sri)."""
    claims = list(
        Business.objects.filter(ruc=ruc).order_by(
            F("ruc_verified_at").desc(nulls_last=True), "pk"
        )[:2]
    )
    if not claims:
        raise CommandError(f"no business with RUC {ruc}")
    if len(claims) > 1 and not claims[0].ruc_verified:
        raise CommandError(f"several businesses claim RUC {ruc}: verify one first")
    return claims[0]


class Command(BaseCommand):
    help = (
        "Revisa el mes fiscal de un negocio (numeración, SRI, cuadre con las ventas "
        "y el ATS). Sale con código distinto de cero y la lista de pendientes si el "
        "mes no está listo para declarar."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", required=True, help="RUC del negocio")
        parser.add_argument("--month", required=True, help="AAAA-MM")

    def handle(self, *args, business, month, **options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("--month debe tener la forma AAAA-MM, p. ej. 2026-11")
        year, number = (int(part) for part in month.split("-"))
        company = business_by_ruc(business)
        with tenant_context(company):
            report = month_checks(business=company, year=year, month=number)
        count = report.documents
        self.stdout.write(f"{company.ruc} {report.label}: {count} comprobantes")
        for r in report.ranges:
            self.stdout.write(
                f"  {r.kind_label} {r.prefix}: {r.number(r.first)} … {r.number(r.last)}"
                f" ({r.count})"
            )
        for warning in [*report.warnings, *filter(None, [report.certificate])]:
            self.stdout.write(f"  ! {warning}")
        if report.ready:
            self.stdout.write(self.style.SUCCESS("Listo para declarar"))
            return
        for blocker in report.blockers:
            self.stderr.write(f"[{blocker.code}] {blocker.message}")
        raise CommandError(
            f"{len(report.blockers)} pendiente(s): el mes no está listo para declarar"
        )
