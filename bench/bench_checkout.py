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
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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

from django.conf import settings as django_settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from backoffice.catalog.models import Product  # noqa: E402
from backoffice.inventory.services import MoveInput, stock_moves_apply  # noqa: E402
from backoffice.tenancy.context import tenant_context  # noqa: E402
from backoffice.tenancy.models import (  # noqa: E402
    Business,
    EmissionPoint,
    Establishment,
    Membership,
)
from backoffice.tenancy.services import business_setup_defaults  # noqa: E402
from bench import write_section  # noqa: E402
from bench.checkout_raw import _cart, _edoc_template, post_raw  # noqa: E402
from fiscal.models import DocumentSequence  # noqa: E402
from pos.models import CashSession  # noqa: E402
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post  # noqa: E402

BENCH_RUC = "0999999999001"
WORKERS = (1, 4)


def setup() -> dict:
    call_command("migrate", verbosity=0)
    business, _ = Business.objects.get_or_create(
        ruc=BENCH_RUC,
        defaults={
            "razon_social": "Bench S.A.",
            "direccion_matriz": "Quito",
            "mode": Business.Mode.RETAIL,
            "final_consumer_limit": Decimal("1000000"),
            "allow_negative_stock": False,
        },
    )
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench.cashier")
    with tenant_context(business):
        business_setup_defaults(business=business)
        Membership.objects.get_or_create(
            business=business, user=user, defaults={"role": "cashier"}
        )
        establishment = Establishment.objects.get(business=business, code="001")
        points = []
        for n in range(1, max(WORKERS) + 1):
            point, _ = EmissionPoint.objects.get_or_create(
                business=business,
                establishment=establishment,
                code=f"{n:03d}",
                defaults={"name": f"Caja {n}"},
            )
            points.append(point.pk)
            DocumentSequence.objects.get_or_create(
                business=business, emission_point=point, doc_type="01"
            )
            if not CashSession.objects.filter(
                business=business, emission_point=point, closed_at__isnull=True
            ).exists():
                cash_session_open(
                    business=business, point=point, user=user, opening_float=0
                )
        products = list(
            Product.objects.filter(business=business).values_list("pk", flat=True)
        )
        if len(products) < 100:
            created = Product.objects.bulk_create(
                [
                    Product(
                        business=business,
                        code=f"B{n:03d}",
                        name=f"Producto {n}",
                        price=Decimal("1.739130"),
                        tax_category="4" if n % 3 else "0",
                        track_stock=True,
                    )
                    for n in range(len(products), 100)
                ]
            )
            stock_moves_apply(
                business=business,
                moves=[
                    MoveInput(p.pk, establishment.pk, Decimal("10000000"), "initial")
                    for p in created
                ],
            )
            products = list(
                Product.objects.filter(business=business).values_list("pk", flat=True)
            )
        from fiscal.models import ElectronicDocument

        if not ElectronicDocument.objects.filter(business=business).exists():
            # One factura stored by the service: the raw path copies its size.
            sale_post(
                business=business,
                point=EmissionPoint.objects.get(pk=points[-1]),
                cashier=user,
                lines=[LineIn(products[0], Decimal(1))],
                payments=[PaymentIn("01", Decimal("1000.00"))],
                key=uuid.uuid4(),
            )
    return {
        "business": business.pk,
        "user": user.pk,
        "points": points,
        "products": products,
        "establishment": establishment.pk,
    }


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


def _api_body(ctx, state, rng) -> str:
    """The JSON the POS page posts for a 5-line cash sale."""
    return json.dumps(
        {
            "idempotency_key": str(uuid.uuid4()),
            "emission_point": state["point"].pk,
            "lines": [{"product": pid, "quantity": q} for pid, q in _cart(rng, ctx)],
            "payments": [{"method": "01", "amount": "1000.00"}],
        }
    )


def post_api(ctx, state, rng):
    response = state["client"].post(
        "/pos/api/sales", _api_body(ctx, state, rng), content_type="application/json"
    )
    assert response.status_code == 201, response.content


def http_login(state, port):
    """A logged-in till over HTTP: session cookie, CSRF cookie and header.

    The session is made as the test client's `force_login` makes it (a row in
    the session table, the cookie names it); every request then runs the whole
    path, session and user loaded from the database. The CSRF cookie is a fresh
    secret, which Django accepts as its own (double submit); the page's api.js
    sends the cookie's value back as X-CSRFToken. The headers are nginx's
    (deploy/nginx.conf): X-Forwarded-Proto says HTTPS, so Django
    (SECURE_PROXY_SSL_HEADER) treats the request as secure, as in production,
    and its CSRF check then wants the Origin the browser's fetch() sends.
    """
    client = Client()
    client.force_login(state["user"])
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    state["headers"] = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}; "
        f"{django_settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Origin": f"https://127.0.0.1:{port}",
    }
    # One connection per till, HTTP/1.1 keep-alive asked for; gunicorn's sync
    # workers answer `Connection: close`, and http.client opens the next one.
    state["http"] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def post_http(ctx, state, rng):
    conn = state["http"]
    conn.request("POST", "/pos/api/sales", _api_body(ctx, state, rng), state["headers"])
    response = conn.getresponse()
    content = response.read()
    assert response.status == 201, (response.status, content)


MODES = {"api": post_api, "service": post_service, "raw": post_raw, "http": post_http}
LABELS = {
    "raw": "hand-written psycopg transaction",
    "service": "`pos.services.sale_post`",
    "api": "`POST /pos/api/sales` (test client)",
    "http": "`POST /pos/api/sales` (HTTP, gunicorn)",
}


# --- gunicorn, as the Procfile's `web:` line starts it ------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """gunicorn's master gets SIGTERM if the bench is killed (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PDEATHSIG


def _answers(port) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/pos/api/sales", headers={"X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()  # graceful: the master stops its workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of its group is left
    proc.wait()


def _start(workers: int, log):
    """The Procfile's command on a free port; (process, port) once it answers."""
    env = {**os.environ, "WEB_CONCURRENCY": str(workers)}
    for _attempt in range(3):
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            + ["backoffice.wsgi", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
            preexec_fn=_die_with_parent,
        )
        try:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if _answers(port):
                    return proc, port
                time.sleep(0.2)
        except BaseException:
            _stop(proc)
            raise
        _stop(proc)  # exited (port taken meanwhile?) or never answered
    raise RuntimeError("gunicorn did not start")


@contextlib.contextmanager
def gunicorn(workers: int):
    """`gunicorn -c gunicorn.conf.py backoffice.wsgi` on 127.0.0.1 with `workers`
    sync workers (WEB_CONCURRENCY, which gunicorn.conf.py reads) and this
    process's settings (DEBUG off, DATABASE_URL/DATABASE_ROLE); yields its
    port and stops it on the way out, failures included. Its access log goes
    to a file, printed when something fails."""
    with tempfile.TemporaryFile() as log:
        proc = None
        try:
            proc, port = _start(workers, log)
            # A worker imports the URLconf and the views on its first request:
            # concurrent requests reach every worker (a busy one does not accept).
            with ThreadPoolExecutor(2 * workers) as pool:
                list(pool.map(_answers, [port] * 4 * workers))
            yield port
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read()[-5000:].decode(errors="replace"))
            raise
        finally:
            if proc is not None:
                _stop(proc)


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
        latencies = []
        start = time.perf_counter()
        for _ in range(n_sales):
            t0 = time.perf_counter()
            post(ctx, state, rng)
            latencies.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    if mode == "http":
        state["http"].close()
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
        "api.js sends them, over one HTTP/1.1 connection that gunicorn's sync "
        "workers close after each answer (as nginx's upstream connections are), "
        "so http.client reconnects for every sale.",
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
        "What a 5-line sale runs: 12 statements in one transaction — the "
        "idempotency-key look-up, the cash-session lock (which also reads the "
        "final consumer), the products, the number (`UPDATE … RETURNING`), the "
        "sale, then lines, taxes, payments, stock moves and stock levels sent "
        "together as one psycopg pipeline, the SRI factura and its submission "
        "task (the task queue is a table of the same database, so the task "
        "commits or rolls back with the sale). The raw transaction runs the same "
        "reads and writes, task row included, one statement at a time, without "
        "the service's Python work: IVA arithmetic, the customer and product "
        "snapshots, building and XSD-validating the factura XML, model "
        "instances and Django's cursor layer. The service's reads and inserts "
        "are hand-written SQL (core.sql: names from model metadata, no ORM "
        "query compilation on this path), and PostgreSQL binds parameters "
        "server-side with statements prepared on their fifth run. The API adds "
        "four reads, also hand-written: the session, the user, the membership "
        "with its business (read in the session's business, so the "
        "row-level-security setting is not switched on the way) and the "
        "emission point; nothing is cached between requests, so a membership "
        "change or a logout elsewhere takes effect on the next request.",
    ]
    write_section("\n".join(lines), marker="checkout")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
