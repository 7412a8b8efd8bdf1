"""Stock exports (levels, moves) and the physical-count import."""

from django.utils.translation import gettext as _
from import_export import fields, widgets

from backoffice.catalog.models import Product
from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    BulkTenantResource,
    DecimalTextWidget,
    MoneyWidget,
    cell_text,
)
from backoffice.tenancy.models import Establishment
from backoffice.tenancy.resources import TenantResource

from .models import StockCount, StockDocumentLine, StockLevel, StockMove

BRANCH = "Local"
CODE = "Código"
COUNTED = "Cantidad contada"


class _ExportOnly(TenantResource):
    def import_data(self, *args, **kwargs):
        raise NotImplementedError("export only")


class StockLevelResource(_ExportOnly):
    branch = fields.Field(attribute="establishment__code", column_name=BRANCH)
    code = fields.Field(attribute="product__code", column_name=CODE)
    product = fields.Field(attribute="product__name", column_name="Producto")
    category = fields.Field(
        attribute="product__category__name", column_name="Categoría"
    )
    quantity = fields.Field(
        attribute="quantity", column_name="Cantidad", widget=DecimalTextWidget()
    )
    threshold = fields.Field(
        attribute="product__low_stock_threshold",
        column_name="Stock mínimo",
        widget=DecimalTextWidget(),
    )

    class Meta:
        model = StockLevel
        name = "Stock por local"
        fields = ["branch", "code", "product", "category", "quantity", "threshold"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("product__category", "establishment")
            .order_by("establishment__code", "product__code")
        )


class StockMoveResource(_ExportOnly):
    created_at = fields.Field(
        attribute="created_at",
        column_name="Fecha",
        widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M:%S"),
    )
    branch = fields.Field(attribute="establishment__code", column_name=BRANCH)
    code = fields.Field(attribute="product__code", column_name=CODE)
    product = fields.Field(attribute="product__name", column_name="Producto")
    quantity = fields.Field(
        attribute="quantity", column_name="Cantidad", widget=DecimalTextWidget()
    )
    reason = fields.Field(attribute="get_reason_display", column_name="Motivo")
    reference = fields.Field(attribute="reference", column_name="Referencia")
    note = fields.Field(attribute="note", column_name="Nota")
    supplier = fields.Field(attribute="supplier", column_name="Proveedor")
    unit_cost = fields.Field(
        attribute="unit_cost", column_name="Costo unitario", widget=MoneyWidget()
    )
    user = fields.Field(attribute="user__username", column_name="Usuario")

    class Meta:
        model = StockMove
        name = "Movimientos de stock"
        fields = [
            "created_at",
            "branch",
            "code",
            "product",
            "quantity",
            "reason",
            "reference",
            "note",
            "supplier",
            "unit_cost",
            "user",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("product", "establishment", "user")


class StockCountLineResource(BulkTenantResource):
    """Counted quantities per branch and product code.

    Each import fills one draft physical count per branch (created when
    missing); posting the count books the differences.
    """

    branch = fields.Field(column_name=BRANCH)
    code = fields.Field(column_name=CODE)
    quantity = fields.Field(
        attribute="quantity",
        column_name=COUNTED,
        widget=DecimalTextWidget(required=True),
    )

    update_fields = ["quantity"]
    clean_exclude = ["document", "product"]

    class Meta(BulkTenantResource.Meta):
        model = StockDocumentLine
        name = "Conteo físico"
        import_id_fields = []
        fields = ["branch", "code", "quantity"]

    def prefetch(self, dataset) -> None:
        business = require_business()
        self.business = business
        self.products = {p.code: p for p in Product.objects.for_business(business)}
        self.branches = {
            e.code: e for e in Establishment.objects.for_business(business)
        }
        self.default_branch = min(
            self.branches.values(), key=lambda e: e.code, default=None
        )
        self.counts = {
            c.establishment_id: c
            for c in StockCount.objects.for_business(business).filter(
                status=StockCount.Status.DRAFT
            )
        }
        self.existing = {
            (line.document.establishment_id, line.product_id): line
            for line in StockDocumentLine.objects.filter(
                document__in=list(self.counts.values())
            ).select_related("document")
        }

    def _branch(self, row):
        code = cell_text(row.get(BRANCH))
        return self.branches.get(code.zfill(3)) if code else self.default_branch

    def key_of(self, row):
        branch, product = self._branch(row), self.products.get(cell_text(row.get(CODE)))
        return (branch.pk, product.pk) if branch and product else None

    def import_instance(self, instance, row, **kwargs):
        from django.core.exceptions import ValidationError

        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        branch = self._branch(row)
        product = self.products.get(cell_text(row.get(CODE)))
        if branch is None:
            errors[BRANCH] = [_("Local desconocido: %(v)s") % {"v": row.get(BRANCH)}]
        if product is None:
            errors[CODE] = [_("Producto desconocido: %(v)s") % {"v": row.get(CODE)}]
        if instance.quantity is not None and instance.quantity < 0:
            errors[COUNTED] = [_("La cantidad contada no puede ser negativa.")]
        if errors:
            raise ValidationError(errors)
        if instance.pk is None:
            instance.product = product
            instance.document = self._count_for(branch)

    def _count_for(self, branch):
        if branch.pk not in self.counts:
            count = StockCount(
                business=self.business,
                establishment=branch,
                reason=_("importación"),
            )
            count.save()
            self.counts[branch.pk] = count
        return self.counts[branch.pk]

    def row_rules(self, instance):
        if instance.document_id is None or instance.product_id is None:
            return {}  # the row already failed on branch or product
        key = (instance.document.establishment_id, instance.product_id)
        if message := self.unique_in_file("line", key, self.row_number):
            return {CODE: _("Producto repetido: ") + message}
        return {}
