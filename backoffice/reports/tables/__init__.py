"""The reports list: each report is a title, columns and rows for one period.

The same rows feed the screen (first `SCREEN_ROWS`) and the exports (all of
them, streamed from a temporary file: a 100,000-row export never sits in memory
as a whole). Text cells that a spreadsheet would read as a formula are written
with a leading apostrophe (OWASP "CSV injection").
"""

from django.utils.translation import gettext_lazy as _

from .. import reorder
from .base import (
    DATE,
    INT,
    MONEY,
    PCT,
    QTY,
    SALES_COLUMNS,
    SCREEN_ROWS,
    Column,
    Report,
    safe_text,
)
from .operations import (
    cash_differences,
    reorder_rows,
    slow_movers,
    stock_valuation,
    voids,
)
from .output import display, export, screen_rows, totals
from .sales import (
    by_cashier,
    by_category,
    by_customer,
    by_day,
    by_establishment,
    by_hour,
    by_payment,
    by_period,
    by_product,
    by_tax,
)

REPORTS = [
    Report(
        "periodo",
        _("Ventas por mes"),
        _("Ventas sin anular de cada mes del período."),
        (Column(_("Mes")), *SALES_COLUMNS),
        by_period,
    ),
    Report(
        "dia",
        _("Ventas por día"),
        _("Ventas sin anular de cada día."),
        (Column(_("Fecha"), DATE), *SALES_COLUMNS),
        by_day,
    ),
    Report(
        "hora",
        _("Ventas por hora"),
        _("A qué hora se vende: todas las ventas del período por hora del día."),
        (Column(_("Hora")), *SALES_COLUMNS),
        by_hour,
    ),
    Report(
        "producto",
        _("Margen por producto"),
        _(
            "Cantidad, base sin IVA, costo (al costo del producto del día de la "
            "venta) y margen bruto."
        ),
        (
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Categoría")),
            Column(_("Cantidad"), QTY),
            Column(_("Base"), MONEY),
            Column(_("Costo"), MONEY),
            Column(_("Margen"), MONEY),
            Column(_("Margen %"), PCT),
        ),
        by_product,
    ),
    Report(
        "categoria",
        _("Margen por categoría"),
        _("Base sin IVA, costo y margen bruto por categoría."),
        (
            Column(_("Categoría")),
            Column(_("Base"), MONEY),
            Column(_("Costo"), MONEY),
            Column(_("Margen"), MONEY),
            Column(_("Margen %"), PCT),
        ),
        by_category,
    ),
    Report(
        "cajero",
        _("Ventas por cajero"),
        _("Ventas sin anular de cada cajero."),
        (Column(_("Cajero")), *SALES_COLUMNS),
        by_cashier,
    ),
    Report(
        "establecimiento",
        _("Ventas por establecimiento"),
        _("Ventas sin anular de cada establecimiento."),
        (Column(_("Establecimiento")), *SALES_COLUMNS),
        by_establishment,
    ),
    Report(
        "cliente",
        _("Ventas por cliente"),
        _(
            "Ventas sin anular de cada cliente (consumidor final incluido), de "
            "mayor a menor."
        ),
        (Column(_("Identificación")), Column(_("Cliente")), *SALES_COLUMNS),
        by_customer,
    ),
    Report(
        "pago",
        _("Ventas por forma de pago"),
        _("Pagos de las ventas sin anular, por forma de pago del SRI."),
        (
            Column(_("Código SRI")),
            Column(_("Forma de pago")),
            Column(_("Pagos"), INT),
            Column(_("Monto"), MONEY),
        ),
        by_payment,
    ),
    Report(
        "iva",
        _("Ventas por tarifa de IVA"),
        _("Base imponible e IVA de cada tarifa (como en el ATS)."),
        (
            Column(_("Código")),
            Column(_("Tarifa")),
            Column(_("Ventas"), INT),
            Column(_("Base imponible"), MONEY),
            Column(_("IVA"), MONEY),
            Column(_("Total"), MONEY),
        ),
        by_tax,
    ),
    Report(
        "anulaciones",
        _("Anulaciones"),
        _("Ventas anuladas en el período: motivo, quién anuló y quién autorizó."),
        (
            Column(_("Anulada el")),
            Column(_("Factura")),
            Column(_("Fecha de la venta")),
            Column(_("Nota de crédito")),
            Column(_("Motivo")),
            Column(_("Anulada por")),
            Column(_("Autorizada por")),
            Column(_("Total"), MONEY),
        ),
        voids,
    ),
    Report(
        "caja",
        _("Diferencias de caja por cajero"),
        _("Cierres de caja del período: sesiones, faltantes y sobrantes."),
        (
            Column(_("Cajero")),
            Column(_("Cierres"), INT),
            Column(_("Cuadrados"), INT),
            Column(_("Faltantes"), MONEY),
            Column(_("Sobrantes"), MONEY),
            Column(_("Diferencia neta"), MONEY),
        ),
        cash_differences,
    ),
    Report(
        "inventario",
        _("Valoración de inventario"),
        _("Existencias actuales por establecimiento, al costo del producto."),
        (
            Column(_("Establecimiento")),
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Costo unitario"), QTY),
            Column(_("Valor"), MONEY),
        ),
        stock_valuation,
    ),
    Report(
        "lentos",
        _("Productos de baja rotación"),
        _("Productos con existencias que menos se vendieron en el período."),
        (
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Valor al costo"), MONEY),
            Column(_("Vendido en el período"), QTY),
            Column(_("Última venta (días cerrados)"), DATE),
        ),
        slow_movers,
        total=False,
    ),
    Report(
        "pedido",
        _("Por pedir"),
        reorder.METHOD,
        (
            Column(_("Establecimiento")),
            Column(_("Código")),
            Column(_("Producto")),
            Column(_("Existencia"), QTY),
            Column(_("Venta diaria estimada"), QTY),
            Column(_("Días de cobertura"), QTY),
            Column(_("Pedir"), INT),
        ),
        reorder_rows,
        total=False,
    ),
]
BY_SLUG = {r.slug: r for r in REPORTS}


__all__ = [
    "BY_SLUG",
    "REPORTS",
    "SCREEN_ROWS",
    "Column",
    "Report",
    "display",
    "export",
    "safe_text",
    "screen_rows",
    "totals",
]
