"""The owner's dashboard and the reports list over a year of sales: p95 of each read.

Usage (after bench/gen_year.py filled the database and `manage.py rollup_days`
summed the closed days):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_year \\
    DATABASE_ROLE=southernpos_app python bench/bench_dashboard.py [--runs 20] [--write]

Times every card and chart of the dashboard (its selector, as the app role with
row-level security on), the dashboard page and every report (screen, 12 months)
through Django's full request path as the shop's owner, with DEBUG off. Prints
p50/p95 and the EXPLAIN ANALYZE of the slowest SQL statement; `--write` replaces
the section between the bench:dashboard markers in BENCHMARKS.md.
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.reports import dashboard as board  # noqa: E402
from backoffice.reports import reorder, selectors, tables  # noqa: E402
from backoffice.reports.models import DailyFigure  # noqa: E402
from backoffice.tenancy.context import system_context, tenant_context  # noqa: E402
from bench import write_section  # noqa: E402


def timed(call, runs: int) -> tuple[float, float]:
    call()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def reads(business, client, today):
    """(name, callable) of every card, chart, page and report."""
    year_ago = today - timedelta(days=364)
    week = timedelta(days=7)

    def args(since, until):
        a = {
            "business": business,
            "since": selectors.day_start(since),
            "until": selectors.day_start(until + timedelta(days=1)),
        }
        a["split"] = selectors.period_split(**a)
        return a

    def selector(call):
        def run():
            with tenant_context(business):
                call()

        return run

    def get(url, params=None):
        def run():
            response = client.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            if getattr(response, "streaming", False):
                for _chunk in response.streaming_content:
                    pass

        return run

    hour = DailyFigure.Dimension.HOUR
    out = [
        (
            "card: sales today vs last week, tickets, average",
            selector(
                lambda: (
                    selectors.sales_by_day(**args(today, today)),
                    selectors.sales_by_day(**args(today - week, today - week)),
                )
            ),
        ),
        (
            "card: gross margin today",
            selector(lambda: selectors.top_products(**args(today, today), limit=None)),
        ),
        (
            "card: gross margin 12 months",
            selector(
                lambda: selectors.top_products(**args(year_ago, today), limit=None)
            ),
        ),
        (
            "card: cash in open sessions",
            selector(lambda: board.open_cash(business=business)),
        ),
        (
            "card: voids today",
            selector(
                lambda: list(
                    board.Void.objects.for_business(business)
                    .filter(voided_at__gte=selectors.day_start(today))
                    .values_list("total")
                )
            ),
        ),
        (
            "card: SRI pending / returned / not authorised",
            selector(lambda: board.sri_counts(business=business)),
        ),
        (
            "card: certificate",
            selector(lambda: board.certificate_active(business=business)),
        ),
        (
            "card: low stock",
            selector(lambda: selectors.low_stock_count(business=business)),
        ),
        (
            "chart: by hour, today vs last week",
            selector(
                lambda: (
                    selectors.sales_by(**args(today, today), dimension=hour),
                    selectors.sales_by(
                        **args(today - week, today - week), dimension=hour
                    ),
                )
            ),
        ),
        (
            "chart: by day, 30 days",
            selector(
                lambda: selectors.sales_by_day(
                    **args(today - timedelta(days=29), today)
                )
            ),
        ),
        (
            "chart: payment methods, 12 months",
            selector(lambda: selectors.sales_by_payment(**args(year_ago, today))),
        ),
        (
            "chart: by cashier, 12 months",
            selector(
                lambda: selectors.sales_by(
                    **args(year_ago, today), dimension=DailyFigure.Dimension.CASHIER
                )
            ),
        ),
        (
            "chart: by establishment, 12 months",
            selector(
                lambda: selectors.sales_by(
                    **args(year_ago, today),
                    dimension=DailyFigure.Dimension.ESTABLISHMENT,
                )
            ),
        ),
        ("page: dashboard, today", get("/admin/")),
        (
            "page: dashboard, 12 months",
            get("/admin/", {"since": year_ago.isoformat(), "until": today.isoformat()}),
        ),
    ]
    period = {"since": year_ago.isoformat(), "until": today.isoformat()}
    for report in tables.REPORTS:
        out.append(
            (
                f"report: {report.title} (12 months)",
                get(f"/reports/{report.slug}/", period),
            )
        )
    out.append(
        (
            "export: Margen por producto, 12 months, xlsx",
            get("/reports/producto/", {**period, "format": "xlsx"}),
        )
    )
    out.append(
        (
            "export: Anulaciones, 12 months, csv",
            get("/reports/anulaciones/", {**period, "format": "csv"}),
        )
    )
    out.append(
        (
            "selector: reorder suggestions (8 weeks of lines)",
            selector(lambda: reorder.suggestions(business=business)),
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--username", default="tienda")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # No collectstatic for a bench: plain static URLs (templates only name them).
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    from django.contrib.auth import get_user_model

    client = Client(HTTP_HOST="localhost", secure=True)
    owner = get_user_model().objects.get(username=args.username)
    client.force_login(owner)
    with system_context():
        business = owner.memberships.first().business
    with tenant_context(business):
        lines = _count("pos_saleline")
        sales = _count("pos_sale")
    today = timezone.localdate()
    rows = []
    for name, call in reads(business, client, today):
        p50, p95 = timed(call, args.runs)
        rows.append((name, p50, p95, call))
        print(f"{name}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms", flush=True)
    slowest = max(rows, key=lambda r: r[2])
    explain = explain_slowest(business, slowest[3])
    report = render(rows, sales, lines, args.runs, slowest, explain)
    print(report)
    if args.write:
        write_section(report, marker="dashboard")


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def explain_slowest(business, call) -> str:
    settings.DEBUG = True  # so the test client's queries are captured
    try:
        with tenant_context(business), CaptureQueriesContext(connection) as captured:
            call()
    finally:
        settings.DEBUG = False
    worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
    with tenant_context(business), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + worst["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{worst['sql']}\n\n{plan}"


def render(rows, sales, lines, runs, slowest, explain) -> str:
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "## Dashboard and reports over a year of sales (bench/bench_dashboard.py)",
        "",
        f"PostgreSQL 15 as the app role (row-level security on), DEBUG off; one shop "
        f"with {sales:,} sales and {lines:,} sale lines over 12 months "
        f"(bench/gen_year.py), closed days summed by `manage.py rollup_days`; "
        f"{runs} timed runs after a warm-up, 2 shared cores (other engineers' test "
        f"runs on them). Cards and charts are timed at their selector; pages and "
        f"reports through Django's full request path as the owner. Target: p95 < "
        f"500 ms. Run: {stamp}. Command: `make bench` (or `python "
        f"bench/bench_dashboard.py --runs {runs} --write`).",
        "",
        "| read | p50 | p95 |",
        "|---|---|---|",
    ]
    out += [
        f"| {name} | {p50 * 1000:,.0f} ms | {p95 * 1000:,.0f} ms |"
        for name, p50, p95, _call in rows
    ]
    out += [
        "",
        "How: closed days are read from daily roll-ups (`reports_dailysales`, "
        "`_dailypayment`, `_dailyproduct` with cost and per product and "
        "establishment, `_dailyfigure` per hour, cashier, establishment and IVA "
        "rate) filled by `rollup_days`; today and any reopened day are read live "
        "with the sale's business named so PostgreSQL uses the (business, "
        "posted_at) index. A page's time includes the admin's own rendering "
        "(sidebar, context: about 100-150 ms on this loaded machine). Screens show "
        "the first 100 rows; exports stream every row from a temporary file.",
        "",
        f"Slowest read: {slowest[0]} (p95 {slowest[2] * 1000:,.0f} ms). "
        "Its slowest statement, `EXPLAIN (ANALYZE, BUFFERS)`:",
        "",
        "```",
        explain,
        "```",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    main()
