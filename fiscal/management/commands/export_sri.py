import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business
from fiscal.exports import month_export


class Command(BaseCommand):
    help = (
        "Write a month's SRI documents (XML per clave de acceso), the ATS and "
        "the xlsx workbooks of one business to a directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", required=True, help="RUC of the business")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="output directory")

    def handle(self, *args, business, month, out, **options):
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise CommandError("--month must look like 2026-11")
        year, number = (int(part) for part in month.split("-"))
        # Several businesses may claim a RUC; only a verified claim is sure.
        claims = list(
            Business.objects.filter(ruc=business).order_by(
                F("ruc_verified_at").desc(nulls_last=True), "pk"
            )[:2]
        )
        if not claims:
            raise CommandError(f"no business with RUC {business}")
        company = claims[0]
        if len(claims) > 1 and not company.ruc_verified:
            raise CommandError(
                f"several businesses claim RUC {business}: verify one first"
            )
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        with tenant_context(company):
            files = month_export(business=company, year=year, month=number)
        for name, data in files.items():
            (target / name).write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(f"{len(files)} file(s) written to {target}")
        )
