"""The counter page with 20,000 products: page weight, first paint, searches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
    DATABASE_ROLE=southernpos_app python bench/bench_pos_page.py \
    [--products 20000] [--runs 5] [--write]

Creates a "Bench POS" business with N products (in 40 categories) in the database
it is pointed at, serves the site from an in-process threaded server (Django's
live server, static files through the staticfiles handler), and drives
Debian's chromium headless as a logged-in cashier at 1024x768:
- weight: the HTML of /pos/ plus every script and style sheet it loads;
- first paint: first-contentful-paint, and the time until the first page of the
  grid (60 tiles, prices with IVA) is on screen (body[data-ready]);
- search: typing a query in the search box until its results are drawn, and the
  products API alone (`fetch` in the page), median over the runs.
The figures go into BENCHMARKS.md with --write (issue 11 target: < 300 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's loop

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402

from backoffice.catalog.models import Category, Product  # noqa: E402
from backoffice.tenancy.context import tenant_context  # noqa: E402
from backoffice.tenancy.models import Business, Membership  # noqa: E402
from backoffice.tenancy.services import business_setup_defaults  # noqa: E402
from bench import write_section  # noqa: E402

BENCH_RUC = "0999999998001"
WORDS = ["Café", "Jugo", "Pan", "Queso", "Arroz", "Atún", "Leche", "Yogur", "Galleta"]
QUERIES = ["queso", "PB01234", "arroz 7", "galleta 19999", "yogur"]


def setup(n_products: int):
    call_command("migrate", verbosity=0)
    business, _ = Business.objects.get_or_create(
        ruc=BENCH_RUC,
        defaults={
            "razon_social": "Bench POS S.A.",
            "direccion_matriz": "Quito",
            "mode": Business.Mode.RETAIL,
        },
    )
    user, _ = get_user_model().objects.get_or_create(username="bench.pos.cashier")
    with tenant_context(business):
        business_setup_defaults(business=business)
        Membership.objects.get_or_create(
            business=business, user=user, defaults={"role": "cashier"}
        )
        have = Product.objects.filter(business=business).count()
        if have < n_products:
            categories = list(Category.objects.filter(business=business))
            if not categories:
                categories = Category.objects.bulk_create(
                    Category(business=business, name=f"Categoría {n:02d}")
                    for n in range(40)
                )
            Product.objects.bulk_create(
                (
                    Product(
                        business=business,
                        code=f"PB{n:05d}",
                        barcode=f"786{n:010d}",
                        name=f"{WORDS[n % len(WORDS)]} {n}",
                        price=Decimal("1.739130"),
                        tax_category="4" if n % 3 else "0",
                        category=categories[n % len(categories)],
                        track_stock=False,
                    )
                    for n in range(have, n_products)
                ),
                batch_size=2000,
            )
    return business, user


def page_weight(page, url) -> int:
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    kinds = ("document", "script", "stylesheet")
    return sum(len(r.body()) for r in responses if r.request.resource_type in kinds)


def first_paint(browser, base, cookie) -> tuple[float, float]:
    context = browser.new_context(
        locale="es-EC", viewport={"width": 1024, "height": 768}
    )
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/pos/")
    page.wait_for_selector("body[data-ready='1']")
    fcp = page.evaluate(
        "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime"
    )
    ready = page.evaluate("() => performance.now()")
    context.close()
    return fcp or 0.0, ready


def search_once(page, query: str) -> float:
    ready = "body[data-catalog='ready']"
    unset = "() => { delete document.body.dataset.catalog; }"
    if page.input_value("#search"):
        page.evaluate(unset)
        page.fill("#search", "")
        page.wait_for_selector(ready, state="attached")  # the full list is back
    page.evaluate(unset)
    started = time.perf_counter()
    page.fill("#search", query)
    page.wait_for_selector(ready, state="attached")
    # The page waits 180 ms for the typing to pause: that is not the search.
    return (time.perf_counter() - started) * 1000 - 180


def api_once(page, query: str) -> float:
    return page.evaluate(
        """async (q) => {
            const t = performance.now();
            const r = await fetch('/pos/api/products?q=' + encodeURIComponent(q));
            await r.json();
            return performance.now() - t;
        }""",
        query,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    business, user = setup(args.products)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            first_paint(browser, base, cookie)  # warm-up (imports, caches)
            paints = [first_paint(browser, base, cookie) for _ in range(args.runs)]
            context = browser.new_context(
                locale="es-EC", viewport={"width": 1024, "height": 768}
            )
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
            page = context.new_page()
            weight = page_weight(page, f"{base}/pos/")
            searches, apis = [], []
            for _ in range(args.runs):
                for q in QUERIES:
                    searches.append(search_once(page, q))
                    apis.append(api_once(page, q))
            browser.close()
    finally:
        server.terminate()
    fcp = statistics.median(p[0] for p in paints)
    ready = statistics.median(p[1] for p in paints)
    search = statistics.median(searches)
    api = statistics.median(apis)
    load = os.getloadavg()[0]
    print(
        f"products: {args.products} (load average {load:.1f}, {os.cpu_count()} cores)"
    )
    print(f"weight: {weight / 1024:.1f} KB (HTML + JS + CSS)")
    print(f"first contentful paint: {fcp:.0f} ms; grid ready: {ready:.0f} ms")
    print(f"search (typed to drawn): p50 {search:.0f} ms, max {max(searches):.0f} ms")
    print(f"products API: p50 {api:.0f} ms, max {max(apis):.0f} ms")
    if args.write:
        write_section(
            "\n".join(
                [
                    "## The counter page (`bench/bench_pos_page.py`)",
                    "",
                    f"{args.products:,} products, chromium headless at 1024x768, "
                    f"in-process server, median of {args.runs} runs "
                    f"(load average {load:.1f} on {os.cpu_count()} cores):",
                    "",
                    "| figure | value |",
                    "|---|---|",
                    f"| HTML + JS + CSS | {weight / 1024:.1f} KB |",
                    f"| first contentful paint | {fcp:.0f} ms |",
                    f"| first page of the grid drawn | {ready:.0f} ms |",
                    f"| search, typed to drawn (p50 / max) | {search:.0f} / "
                    f"{max(searches):.0f} ms |",
                    f"| products API alone (p50 / max) | {api:.0f} / "
                    f"{max(apis):.0f} ms |",
                ]
            ),
            "pos-page",
        )


if __name__ == "__main__":
    main()
