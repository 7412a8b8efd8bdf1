"""Back-office reads with a year of sales: the pages an owner and accountant open.

Usage (after bench/gen_year.py filled the database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_year \\
    DATABASE_ROLE=southernpos_app python bench/bench_reads.py [--write]

Runs each page through Django's full request path (middleware, admin, templates)
as the demo shop's owner, with DEBUG off, as the app role (row-level security
on). Prints the median of `--runs` timed runs after one warm-up; `--write`
replaces the section between the bench:reads markers in BENCHMARKS.md.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.reports import selectors  # noqa: E402
from backoffice.tenancy.context import system_context, tenant_context  # noqa: E402
from bench import write_section  # noqa: E402
from pos.models import Sale  # noqa: E402


def timed(call, runs: int) -> float:
    call()  # warm-up: caches, prepared statements
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # Pages, not static files, are measured: no collectstatic manifest needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    client = Client(HTTP_HOST="localhost")
    owner = get_user_model().objects.get(username="tienda")
    client.force_login(owner)
    with system_context():
        business = owner.memberships.first().business
    with tenant_context(business):
        counts = {
            "sales": Sale.objects.count(),
            "lines": connection_count("pos_saleline"),
            "stock moves": connection_count("inventory_stockmove"),
            "SRI documents": connection_count("fiscal_electronicdocument"),
        }
        latest = Sale.objects.order_by("-posted_at").first()
    today = timezone.localdate()
    year_ago = (today - timedelta(days=365)).isoformat()
    month_ago = (today - timedelta(days=30)).isoformat()

    def get(url, params=None, status=200):
        def call():
            response = client.get(url, params or {}, secure=True)
            assert response.status_code == status, (url, response.status_code)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)

        return call

    def top_products():
        with tenant_context(business):
            selectors.top_products(
                business=business,
                since=selectors.day_start(today - timedelta(days=365)),
                until=selectors.day_start(today + timedelta(days=1)),
            )

    short = str(latest.number)
    reads = [
        ("back-office home (dashboard)", get("/admin/")),
        ("`/reports/` 30 days", get("/reports/", {"since": month_ago})),
        ("`/reports/` 12 months", get("/reports/", {"since": year_ago})),
        (
            "`/reports/` 12 months, xlsx",
            get("/reports/", {"since": year_ago, "format": "xlsx"}),
        ),
        ("top products 12 months (selector)", top_products),
        ("sales list, first page", get("/admin/pos/sale/")),
        (
            f"sales list, search `{latest.document_number}`",
            get("/admin/pos/sale/", {"q": latest.document_number}),
        ),
        (f"sales list, search `{short}`", get("/admin/pos/sale/", {"q": short})),
        ("sales list, search a name", get("/admin/pos/sale/", {"q": "consumidor"})),
        ("stock-move list, first page", get("/admin/inventory/stockmove/")),
        (
            "stock-move list, search a product",
            get("/admin/inventory/stockmove/", {"q": "arroz"}),
        ),
        ("SRI document list, first page", get("/admin/fiscal/electronicdocument/")),
        (
            "SRI document list, search a number",
            get("/admin/fiscal/electronicdocument/", {"q": latest.document_number}),
        ),
        (
            "SRI document list, search a name",
            get("/admin/fiscal/electronicdocument/", {"q": "consumidor"}),
        ),
    ]
    rows = []
    for name, call in reads:
        seconds = timed(call, args.runs)
        rows.append((name, seconds))
        print(f"{name}: {seconds * 1000:.0f} ms", flush=True)
    report = render(rows, counts, args.runs)
    print(report)
    if args.write:
        write_section(report, marker="reads")


def connection_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def render(rows, counts, runs) -> str:
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    data = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    lines = [
        "## Reads with a year of sales (bench/bench_reads.py)",
        "",
        f"PostgreSQL 15 as the app role (row-level security on), DEBUG off, Django's "
        f"full request path as the shop's owner; one shop with {data} over 12 months "
        f"(bench/gen_year.py); median of {runs} runs after a warm-up, 2 shared cores. "
        f"Run: {stamp}.",
        "",
        "| read | time |",
        "|---|---|",
    ]
    lines += [f"| {name} | {seconds * 1000:,.0f} ms |" for name, seconds in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
