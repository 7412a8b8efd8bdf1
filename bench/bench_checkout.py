"""Checkout throughput on PostgreSQL: API vs service vs hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sales_dev \
    DATABASE_ROLE=southernpos_app python bench/bench_checkout.py [--sales 200]

Posts 5-line cash sales with 1 and 4 concurrent worker processes (each on its
own emission point, as tills are) through `POST /pos/api/sales` over real HTTP
to gunicorn started as the Procfile starts it (one gunicorn worker per bench
worker), through the same API in Django's test client (full middleware stack),
through `pos.services.sale_post`, and through one hand-written psycopg
transaction doing the same inserts and updates (the practical limit). Records
sales/s, p50/p99 latency and the query count per sale for 1, 10 and 100 lines,
and writes them into BENCHMARKS.md.
It creates its own "Bench" business in the database it is pointed at.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
# Production-like: DEBUG off (no query log); plain HTTP inside the test client.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from backoffice.catalog.models import Product  # noqa: E402
from backoffice.runtime import gc_tune  # noqa: E402
from backoffice.tenancy.context import tenant_context  # noqa: E402
from backoffice.tenancy.models import (  # noqa: E402
    Business,
    EmissionPoint,
)
from bench import write_section  # noqa: E402
from bench.checkout_http import _api_body, gunicorn, http_login, post_http  # noqa: E402
from bench.checkout_raw import _cart, _edoc_template, post_raw  # noqa: E402
from bench.checkout_setup import WORKERS, setup  # noqa: E402
from pos.services import LineIn, PaymentIn, sale_post  # noqa: E402

# --- the three ways of posting a sale ---------------------------------------------


def post_service(ctx, state, rng):
    business, user, point = state["business"], state["user"], state["point"]
    sale_post(
        business=business,
        point=point,
        cashier=user,
        lines=[LineIn(pid, Decimal(q)) for pid, q in _cart(rng, ctx)],
        payments=[PaymentIn("01", Decimal("1000.00"))],
        key=uuid.uuid4(),
    )


def post_api(ctx, state, rng):
    response = state["client"].post(
        "/pos/api/sales", _api_body(ctx, state, rng), content_type="application/json"
    )
    assert response.status_code == 201, response.content


MODES = {"api": post_api, "service": post_service, "raw": post_raw, "http": post_http}
LABELS = {
    "raw": "hand-written psycopg transaction",
    "service": "`pos.services.sale_post`",
    "api": "`POST /pos/api/sales` (test client)",
    "http": "`POST /pos/api/sales` (HTTP, gunicorn)",
}


def worker(mode, index, n_sales, ctx, out):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler
    connections.close_all()
    import psycopg

    business = Business.objects.get(pk=ctx["business"])
    from django.contrib.auth import get_user_model

    with tenant_context(business):
        state = {
            "business": business,
            "user": get_user_model().objects.get(pk=ctx["user"]),
            "point": EmissionPoint.objects.select_related("establishment").get(
                pk=ctx["points"][index]
            ),
        }
        if mode == "api":
            state["client"] = Client()
            state["client"].force_login(state["user"])
        if mode == "http":
            http_login(state, ctx["port"])
        if mode == "raw":
            settings = connection.settings_dict
            state["raw"] = psycopg.connect(
                dbname=settings["NAME"],
                user=settings["USER"],
                host=settings["HOST"],
                port=settings["PORT"] or 5432,
                password=settings["PASSWORD"] or None,
            )
            if role := settings.get("OPTIONS", {}).get("assume_role"):
                state["raw"].execute(f'SET ROLE "{role}"')
                state["raw"].commit()
            state["edoc"] = _edoc_template(business)
            state["prices"] = {
                p.pk: (p.price, p.tax_category)
                for p in Product.objects.filter(business=business)
            }
        rng = random.Random(index)
        post = MODES[mode]
        post(ctx, state, rng)  # warm-up (connection, caches)
        # Every mode's process is tuned as gunicorn tunes the app's workers
        # (gunicorn.conf.py post_worker_init); the HTTP row's gunicorn is too.
        gc_tune()
        latencies = []
        start = time.perf_counter()
        for _ in range(n_sales):
            t0 = time.perf_counter()
            post(ctx, state, rng)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    connections.close_all()
    out.put((elapsed, latencies))


def run(mode, workers, n_sales, ctx) -> dict:
    connections.close_all()
    queue = mp.get_context("fork").Queue()
    procs = [
        mp.get_context("fork").Process(
            target=worker, args=(mode, i, n_sales, ctx, queue)
        )
        for i in range(workers)
    ]
    wall = time.perf_counter()
    for p in procs:
        p.start()
    results = []
    deadline = time.monotonic() + 600
    try:
        while len(results) < len(procs):
            try:
                results.append(queue.get(timeout=1))
            except Empty:
                # A worker that dies (its traceback is above) must not hang the
                # bench: stop as soon as one has exited without its figures.
                failed = any(p.exitcode not in (None, 0) for p in procs)
                if failed or time.monotonic() > deadline:
                    raise SystemExit(
                        f"a {mode} worker failed; see its traceback above"
                    ) from None
    except BaseException:
        for p in procs:
            p.terminate()
        raise
    for p in procs:
        p.join()
    wall = time.perf_counter() - wall
    latencies = sorted(lat for _e, lats in results for lat in lats)
    slowest = max(e for e, _l in results)
    return {
        "rate": workers * n_sales / slowest,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def query_counts(ctx) -> dict[int, int]:
    business = Business.objects.get(pk=ctx["business"])
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=ctx["user"])
    counts = {}
    with tenant_context(business):
        point = EmissionPoint.objects.select_related("establishment").get(
            pk=ctx["points"][0]
        )
        for n in (1, 10, 100):
            lines = [LineIn(pid, Decimal(1)) for pid in ctx["products"][:n]]
            with CaptureQueriesContext(connection) as captured:
                sale_post(
                    business=business,
                    point=point,
                    cashier=user,
                    lines=lines,
                    payments=[PaymentIn("01", Decimal("100000"))],
                    key=uuid.uuid4(),
                )
            counts[n] = len(captured.captured_queries)
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=60, help="sales per worker")
    parser.add_argument("--rounds", type=int, default=3, help="median of rounds")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL: this benchmark measures it.")
    # SIGTERM (a CI timeout, say) unwinds like Ctrl-C: gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ctx = setup()
    rows = []
    for workers in WORKERS:
        # gunicorn once per worker count, before the rounds, with as many workers.
        with gunicorn(workers) as port:
            ctx["port"] = port
            # Interleaved rounds, median kept: the machine is shared, load comes
            # and goes.
            rounds = {mode: [] for mode in ("raw", "service", "api", "http")}
            for _round in range(args.rounds):
                for mode in rounds:
                    result = run(mode, workers, args.sales, ctx)
                    rounds[mode].append(result)
                    print(mode, workers, {k: round(v, 1) for k, v in result.items()})
        for mode, results in rounds.items():
            results.sort(key=lambda r: r["rate"])
            rows.append((mode, workers, results[len(results) // 2]))
    counts = query_counts(ctx)
    raw = {w: r["rate"] for m, w, r in rows if m == "raw"}
    lines = [
        "## Checkout (bench/bench_checkout.py)",
        "",
        f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPU cores "
        f"(shared), DEBUG off, 5-line cash sales, {args.sales} per worker and round, "
        f"median of {args.rounds} interleaved rounds, each worker a separate "
        "process on its own emission point. Run: "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. The HTTP row "
        "posts the same JSON to gunicorn started as the Procfile starts it "
        "(`gunicorn -c gunicorn.conf.py backoffice.wsgi`, bound to 127.0.0.1) "
        "with `WEB_CONCURRENCY` set to the number of bench workers: that many "
        "sync workers, one thread each, access log to a file; each bench worker "
        "sends nginx's headers (`X-Forwarded-Proto: https`, so Django treats the "
        "request as secure and its CSRF check also matches the `Origin` sent, "
        "as a browser's fetch does), a session cookie made as `force_login` "
        "makes it and the CSRF cookie and `X-CSRFToken` header as the page's "
        "api.js sends them, on a new connection per sale, which gunicorn's sync "
        "workers close after each answer (as nginx's upstream connections are). "
        "The bench worker writes the request as prepared bytes and reads the "
        "answer to its end on a plain socket (as a load generator such as wrk "
        "does): it shares the two cores with the server, and http.client's "
        "machinery cost it ~1 ms of CPU a sale (0.5 ms now, JSON included).",
        "",
        "| path | workers | sales/s | vs raw SQL | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for mode, workers, r in rows:
        lines.append(
            f"| {LABELS[mode]} | {workers} | {r['rate']:.0f} | "
            f"{100 * r['rate'] / raw[workers]:.0f} % | {r['p50']:.1f} | "
            f"{r['p99']:.1f} |"
        )
    lines += [
        "",
        "Queries per sale through `sale_post` (SAVEPOINTs included): "
        + ", ".join(f"{n} line(s): {q}" for n, q in counts.items())
        + ".",
    ]
    lines += [
        "",
        "What a 5-line sale runs: 14 statements in one transaction, in three "
        "round trips on PostgreSQL. First, sent together (a psycopg pipeline): "
        "the idempotency-key look-up, the cash-session lock (which also reads "
        "the final consumer), the products, the number (`UPDATE … RETURNING`; "
        "a replay rolls it back) and the reserved ids of the sale and its SRI "
        "factura (one `nextval` statement). Then, sent together: the sale, "
        "lines, taxes, payments, stock moves, stock levels (one upsert), the "
        "factura and its submission task (the task queue is a table of the "
        "same database, so the task commits or rolls back with the sale). Then "
        "COMMIT. The raw transaction runs the same reads and writes, task row "
        "included, one statement at a time, without the service's Python work: "
        "IVA arithmetic, the customer and product snapshots, the factura's "
        "data and model instances (the factura's XML is built and checked "
        "against its XSD when the worker signs it, for both paths; the batched "
        "statements go out on psycopg's own cursor, `core.bulk.cursor_for`; "
        "only the request's read passes through Django's cursor layer). "
        "The service's reads and inserts are hand-written SQL (core.sql: "
        "names from model metadata, no ORM query compilation on this path), and "
        "PostgreSQL binds parameters server-side with statements prepared on "
        "their fifth run. The API adds one read, also hand-written: the "
        "session row, the user and their membership of the session's business "
        "in one statement, read in that business (so the row-level-security "
        "setting is not switched on the way) once the process has seen the "
        "session (its first request there reads the session, then the user "
        "with the membership); the emission "
        "point the page names is read with the cart's reads. Nothing is cached "
        "between requests, so a membership change or a logout elsewhere takes "
        "effect on the next request. Every bench process, like gunicorn's "
        "workers (gunicorn.conf.py), freezes what it loaded and collects the "
        "garbage collector's young generation every 10,000 allocations "
        "(backoffice/runtime.py).",
    ]
    write_section("\n".join(lines), marker="checkout")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
