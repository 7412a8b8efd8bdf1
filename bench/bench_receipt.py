"""Receipt PDF speed: ms per 80 mm receipt (5 and 200 lines) and per HTML receipt.

    python bench/bench_receipt.py [--n 300]

Pure rendering (no database): the data a sale's receipt is drawn from is
built once, then rendered n times. Figures go into BENCHMARKS.md.
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

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from bench import write_section  # noqa: E402
from fiscal.receipts import ReceiptData, ReceiptLine, receipt_html, receipt_pdf  # noqa: E402

NAME = "Hamburguesa doble con queso cheddar, tocino ahumado y papas fritas"


def data(n_lines: int) -> ReceiptData:
    lines = [
        ReceiptLine(
            quantity=Decimal("2"),
            name=f"{NAME} {i}" if i % 3 == 0 else f"Café pasado {i}",
            unit_price=Decimal("1.565217"),
            total=Decimal("3.13"),
        )
        for i in range(n_lines)
    ]
    subtotal = Decimal("3.13") * n_lines
    return ReceiptData(
        business_name="Demo Restaurante",
        razon_social="Demo Restaurante S.A.",
        ruc="1790393178001",
        address="Av. Amazonas N34-120 y Av. República, Quito",
        title="FACTURA",
        number="001-001-000000123",
        date="25/11/2026 18:00",
        customer_name="Carlos Andrés Villacís",
        customer_identification="1708611684",
        customer_email="carlos.villacis@example.ec",
        lines=lines,
        taxes=[("IVA 15 %", subtotal, subtotal * Decimal("0.15"))],
        subtotal=subtotal,
        discount=Decimal("0"),
        tax=subtotal * Decimal("0.15"),
        service_charge=Decimal("0"),
        total=subtotal * Decimal("1.15"),
        payments=[("Efectivo", subtotal * Decimal("1.15"))],
        footer="¡Gracias por su visita!",
    )


def measure(fn, arg, n) -> tuple[float, float]:
    fn(arg)  # warm-up: fonts, templates
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    translation.activate("es-ec")
    rows = []
    for label, fn, n_lines in (
        ("PDF, 5 lines", receipt_pdf, 5),
        ("PDF, 200 lines (paginated)", receipt_pdf, 200),
        ("HTML, 5 lines", receipt_html, 5),
    ):
        count = args.n if n_lines < 100 else max(args.n // 10, 10)
        p50, p99 = measure(fn, data(n_lines), count)
        rows.append((label, count, p50, p99, len(fn(data(n_lines)))))
        print(label, round(p50, 2), round(p99, 2))
    text = [
        "## Receipts (bench/bench_receipt.py)",
        "",
        f"ReportLab, canvas drawing, {os.cpu_count()} CPU cores (shared). Run: "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Target: < 20 ms "
        "per receipt.",
        "",
        "| receipt | runs | p50 ms | p99 ms | size (bytes) |",
        "|---|---|---|---|---|",
    ]
    text += [f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]} |" for r in rows]
    write_section("\n".join(text), marker="receipt")
    print("\n".join(text))


if __name__ == "__main__":
    main()
