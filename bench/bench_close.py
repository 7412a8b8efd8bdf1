"""The accountant's month close over a month of 20,000 documents (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \\
    DATABASE_ROLE=southernpos_app python bench/bench_close.py [--documents 20000]
        [--runs 5] [--write]

Migrates the database it is pointed at and creates its own "Bench Cierre"
business, then writes last month's sales in bulk SQL (as the app role, inside
the business's tenant context: row-level security on): `--documents` cash and
card sales of one café (IVA 15 %), each with its authorised factura, and one
sale in a hundred voided with its authorised nota de crédito. Times
`month_checks` (every check of the page and of `close_month`) and the page
through Django's full request path as the business's accountant, with DEBUG
off; first with every day read live, then after the daily roll-ups. Prints the
median of `--runs` runs after a warm-up; `--write` replaces the bench:close
section of BENCHMARKS.md.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("DJANGO_INSECURE_HTTP", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.reports.closing import checks, reconcile  # noqa: E402
from backoffice.reports.closing.numbers import number_ranges  # noqa: E402
from backoffice.reports.models import (  # noqa: E402
    DailyFigure,
    DailyPayment,
    DailyProduct,
    DailySales,
)
from backoffice.reports.services import rollup_pending  # noqa: E402
from backoffice.tenancy.context import tenant_context  # noqa: E402
from backoffice.tenancy.models import Business, EmissionPoint, Membership  # noqa: E402
from backoffice.tenancy.services import business_setup_defaults  # noqa: E402
from bench import write_section  # noqa: E402
from core.dates import day_start  # noqa: E402
from fiscal.models import ElectronicDocument  # noqa: E402
from pos.models import CashSession  # noqa: E402
from pos.services import cash_session_open  # noqa: E402

RUC = "0999999998001"

SALES = """
INSERT INTO pos_sale (created_at, updated_at, idempotency_key, number, document_number,
    posted_at, customer_id_type, customer_identification, customer_name,
    customer_address, customer_email, customer_phone, subtotal, discount_total,
    tax_total, service_charge, total, tendered, change, business_id, cash_session_id,
    cashier_id, customer_id, emission_point_id, establishment_id, request_hash)
SELECT t, t, gen_random_uuid(), i, %(prefix)s || lpad(i::text, 9, '0'), t, '05',
    '1708611684', 'Carlos Villacís', '', '', '', 2.00, 0, 0.30, 0, 2.30, 2.30, 0,
    %(business)s, %(session)s, %(cashier)s, NULL, %(point)s, %(establishment)s, ''
FROM (SELECT i, %(start)s::timestamptz
        + make_interval(secs => i * %(seconds)s::float / (%(n)s + 1)) AS t
      FROM generate_series(1, %(n)s) AS i) AS s
"""
TAXES = """
INSERT INTO pos_saletax (created_at, updated_at, tax_code, rate, base, tax,
    business_id, sale_id)
SELECT posted_at, posted_at, '4', 15, subtotal, tax_total, business_id, id
FROM pos_sale WHERE business_id = %(business)s
"""
PAYMENTS = """
INSERT INTO pos_payment (created_at, updated_at, method, amount, reference,
    business_id, sale_id)
SELECT posted_at, posted_at, CASE WHEN id %% 3 = 0 THEN '19' ELSE '01' END, total, '',
    business_id, id
FROM pos_sale WHERE business_id = %(business)s
"""
DOCUMENT = """
INSERT INTO fiscal_electronicdocument (created_at, updated_at, kind, state, access_key,
    number, issue_date, ambiente, buyer_id_type, buyer_identification, buyer_name,
    buyer_email, subtotal, tax_total, total, source, payload, xml, signed_xml,
    authorised_xml, authorization_number, authorized_at, attempts, last_error,
    business_id, modifies_id, annulment_reason, annulment_reference)
SELECT {at}, {at}, '{kind}', 'authorised', '{digit}' || lpad(x.id::text, 48, '0'),
    {number}, ({at} AT TIME ZONE %(zone)s)::date, '1', '05', '1708611684',
    'Carlos Villacís', '', s.subtotal, s.tax_total, s.total, '{source}' || x.id, '{{}}',
    repeat('x', 3000), repeat('x', 6000), repeat('x', 7000), lpad(x.id::text, 49, '0'),
    {at}, 1, '', s.business_id, {modifies}, '', ''
"""
INVOICES = (
    DOCUMENT.format(
        at="s.posted_at",
        kind="01",
        digit="1",
        number="s.document_number",
        source="sale:",
        modifies="NULL",
    )
    + "FROM pos_sale s, LATERAL (SELECT s.id) AS x WHERE s.business_id = %(business)s"
)
VOIDS = """
INSERT INTO pos_void (created_at, updated_at, number, document_number, voided_at,
    reason, total, actor_id, authorized_by_id, business_id, cash_session_id,
    emission_point_id, sale_id)
SELECT v, v, k, %(prefix)s || lpad(k::text, 9, '0'), v, 'Bench', total, cashier_id,
    cashier_id, business_id, cash_session_id, emission_point_id, id
FROM (SELECT s.*, s.posted_at + interval '1 minute' AS v,
             row_number() OVER (ORDER BY s.id) AS k
      FROM pos_sale s WHERE s.business_id = %(business)s AND s.number %% 100 = 0) AS s
"""
NOTES = (
    DOCUMENT.format(
        at="x.voided_at",
        kind="04",
        digit="2",
        number="x.document_number",
        source="void:",
        modifies="e.id",
    )
    + "FROM pos_void x JOIN pos_sale s ON s.id = x.sale_id "
    "JOIN fiscal_electronicdocument e ON e.business_id = s.business_id "
    "AND e.source = 'sale:' || s.id WHERE x.business_id = %(business)s"
)  # noqa: S608 - fixed statements built from constants


def previous_month() -> tuple[int, int]:
    first = timezone.localdate().replace(day=1)
    return (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)


def setup(documents: int) -> tuple[Business, object, int, int]:
    call_command("migrate", verbosity=0)
    business, _ = Business.objects.get_or_create(
        ruc=RUC,
        defaults={
            "razon_social": "Bench Cierre S.A.",
            "direccion_matriz": "Quito",
            "mode": Business.Mode.RETAIL,
        },
    )
    accountant, _ = get_user_model().objects.get_or_create(username="bench.contador")
    year, month = previous_month()
    with tenant_context(business):
        business_setup_defaults(business=business)
        Membership.objects.get_or_create(
            business=business, user=accountant, defaults={"role": "accountant"}
        )
        # Derived rows: the first timings read every day live.
        for model in (DailySales, DailyPayment, DailyProduct, DailyFigure):
            model.objects.filter(business=business).delete()
        expected = documents + documents // 100  # facturas and notas de crédito
        if ElectronicDocument.objects.filter(business=business).count() != expected:
            fill(business, accountant, year, month, documents)
    return business, accountant, year, month


@transaction.atomic
def fill(business, user, year: int, month: int, documents: int) -> None:
    """Empty the business's month and write it again in bulk."""
    point = EmissionPoint.objects.select_related("establishment").get(
        business=business, code="001"
    )
    session = CashSession.objects.filter(business=business).first()
    if session is None:
        session = cash_session_open(
            business=business, point=point, user=user, opening_float=Decimal(0)
        )
    start = day_start(date(year, month, 1))
    end = day_start(date(year + month // 12, month % 12 + 1, 1))
    params = {
        "business": business.pk,
        "session": session.pk,
        "cashier": user.pk,
        "point": point.pk,
        "establishment": point.establishment_id,
        "prefix": f"{point.establishment.code}-{point.code}-",
        "n": documents,
        "start": start,
        "seconds": (end - start).total_seconds(),
        "zone": settings.TIME_ZONE,
    }
    with connection.cursor() as cursor:
        for table in (
            "fiscal_electronicdocument",
            "reports_dailysales",
            "reports_dailypayment",
            "reports_dailyproduct",
            "reports_dailyfigure",
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE business_id = %s",  # noqa: S608
                [business.pk],
            )
        # Posted sales refuse DELETE (triggers): a new month needs a new database.
        cursor.execute(
            "SELECT count(*) FROM pos_sale WHERE business_id = %s", [business.pk]
        )
        if cursor.fetchone()[0]:
            raise SystemExit("the Bench Cierre business has sales: use a new database")
        for name, sql in [
            ("sales", SALES),
            ("taxes", TAXES),
            ("payments", PAYMENTS),
            ("facturas", INVOICES),
            ("voids", VOIDS),
            ("notas de crédito", NOTES),
        ]:
            started = time.perf_counter()
            cursor.execute(sql, params)
            seconds = time.perf_counter() - started
            print(f"{name}: {cursor.rowcount} rows in {seconds:.1f} s")


def timed(call, runs: int) -> float:
    call()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    business, accountant, year, month = setup(args.documents)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="localhost")
    client.force_login(accountant)
    label = f"{year:04d}-{month:02d}"
    period = checks.period_of(business=business, year=year, month=month)

    def part(call):
        def run():
            with tenant_context(business), checks.custom_plans():
                return call()

        return run

    everything = part(
        lambda: checks.month_checks(business=business, year=year, month=month)
    )
    report = everything()
    assert report.ready, report.blockers
    parts = [
        ("numbers, gaps and fates", part(lambda: number_ranges(
            business=business, year=year, month=month))),
        ("every sale has its factura, totals agree", part(
            lambda: reconcile.sale_differences(period))),
        ("every void has its nota de crédito", part(
            lambda: reconcile.void_differences(period))),
        ("by IVA rate: documents vs sales report", part(
            lambda: reconcile.figures_by_rate(period))),
        ("by payment method: documents vs sales report", part(
            lambda: reconcile.figures_by_payment(period))),
        ("fingerprint (digest)", part(lambda: checks.month_digest(period))),
    ]  # fmt: skip

    def page():
        response = client.get("/admin/cierre/", {"month": label}, secure=True)
        assert response.status_code == 200, response.status_code

    runs = args.runs
    rows = [(name, timed(call, runs)) for name, call in parts]
    rows.append(("**`month_checks` (all), days read live**", timed(everything, runs)))
    rows.append(("`/admin/cierre/` page, days read live", timed(page, runs)))
    with tenant_context(business):
        rollup_pending(business=business)
    rows.append(("**`month_checks` after `rollup_days`**", timed(everything, runs)))
    rows.append(("`/admin/cierre/` page after `rollup_days`", timed(page, runs)))
    for name, seconds in rows:
        print(f"{name}: {seconds * 1000:.0f} ms", flush=True)
    text = render(rows, report, label, args.runs)
    print(text)
    if args.write:
        write_section(text, marker="close")


def render(rows, report, label: str, runs: int) -> str:
    invoices = sum(r.count for r in report.ranges if r.kind == "01")
    notes = report.documents - invoices
    lines = [
        f"## Month close (issue 15): checks over {report.documents:,} documents",
        "",
        f"`python bench/bench_close.py --write` on PostgreSQL, as the app role "
        f"(row-level security on), DEBUG off; month {label} of one business: "
        f"{report.documents:,} documents ({invoices:,} facturas, {notes:,} notas de "
        f"crédito), all authorised. Median of {runs} runs after a warm-up. Target: "
        "all checks < 2 s. Load average when written: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine).",
        "",
        "| read | median |",
        "|---|---|",
        *[f"| {name} | {seconds * 1000:.0f} ms |" for name, seconds in rows],
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
