"""The checkout benchmark's data: a "Bench" business with its cashier, four
emission points with open tills, 100 stocked products and one factura the
raw path copies (bench/bench_checkout.py). Imported after django.setup()."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice.catalog.models import Product
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import (
    Business,
    EmissionPoint,
    Establishment,
    Membership,
)
from backoffice.tenancy.services import business_setup_defaults
from fiscal.models import DocumentSequence, ElectronicDocument
from pos.models import CashSession
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post

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
