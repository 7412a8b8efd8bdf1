"""Import 10,000 products from xlsx (with history rows and initial stock).

Run: python bench/bench_import.py [rows]   (DATABASE_URL picks the database;
a throw-away test database is created and dropped). Target: < 10 s.

Measures what the owner waits for in the admin: reading the xlsx file plus
the import itself, for the preview (dry run) and for the confirmed import,
then a second confirmed import with new prices (10,000 updates).
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from stdnum import ean  # noqa: E402

from backoffice.catalog.models import Product  # noqa: E402
from backoffice.catalog.resources import ProductResource  # noqa: E402
from backoffice.inventory.models import StockLevel  # noqa: E402
from backoffice.tenancy.context import tenant_context  # noqa: E402
from backoffice.tenancy.importing import FastXLSX as XLSX  # noqa: E402
from backoffice.tenancy.models import Business  # noqa: E402
from backoffice.tenancy.services import business_setup_defaults  # noqa: E402

TAXES = ["15 %", "0", "IVA 5 %", "exento", "4"]


def workbook(rows: int, *, with_stock: bool = True, cents: int = 100) -> bytes:
    data = tablib.Dataset(
        headers=[
            "Código",
            "Código de barras",
            "Nombre",
            "Categoría",
            "Precio",
            "Precio incluye IVA",
            "IVA",
            "Costo",
            "Stock inicial",
        ]
    )
    for n in range(rows):
        base = f"786{n:09d}"
        data.append(
            [
                f"P{n:06d}",
                base + ean.calc_check_digit(base) if n % 2 else "",
                f"Producto de prueba {n}",
                f"Categoría {n % 25}",
                str(Decimal(cents + n % 900) / 100),
                "Sí" if n % 3 else "No",
                TAXES[n % len(TAXES)],
                "0.45",
                str(n % 40),
            ]
        )
    if not with_stock:
        del data["Stock inicial"]
    return XLSX().export_data(data)


def timed_import(raw: bytes, *, business, user, dry_run: bool) -> tuple[str, object]:
    """Wall-clock and CPU seconds (the machine is shared: CPU time is steadier)."""
    start, cpu = time.perf_counter(), time.process_time()
    with tenant_context(business):
        dataset = XLSX().create_dataset(raw)
        result = ProductResource().import_data(dataset, dry_run=dry_run, user=user)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not result.has_errors() and not result.has_validation_errors()
    return f"{wall:.2f} s (CPU {cpu:.2f} s)", result


def main(rows: int = 10_000) -> dict[str, str]:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        business = Business.objects.create(
            ruc="1790393178001",
            razon_social="Bench S.A.",
            direccion_matriz="Quito",
            mode=Business.Mode.RETAIL,
        )
        with tenant_context(business):
            business_setup_defaults(business=business)
        user = get_user_model().objects.create_user("bench", password="x")
        raw = workbook(rows)
        figures = {}
        # Warm-up (imports, first query compilation), rolled back.
        timed_import(workbook(50), business=business, user=user, dry_run=True)
        figures["preview"], _ = timed_import(
            raw, business=business, user=user, dry_run=True
        )
        figures["import"], _ = timed_import(
            raw, business=business, user=user, dry_run=False
        )
        with tenant_context(business):
            assert Product.objects.count() == rows
            assert Product.history.count() == rows
            stocked = StockLevel.objects.count()
        changed = workbook(rows, with_stock=False, cents=150)
        figures["update"], _ = timed_import(
            changed, business=business, user=user, dry_run=False
        )
        with tenant_context(business):
            assert Product.history.count() == 2 * rows
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    vendor = connection.vendor
    print(
        f"{rows} products from xlsx on {vendor}: preview {figures['preview']}, "
        f"import {figures['import']} (+{stocked} stock levels), "
        f"re-import with new prices {figures['update']}; load {os.getloadavg()[0]:.1f}"
    )
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
