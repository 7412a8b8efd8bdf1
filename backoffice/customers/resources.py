"""Customers to and from xlsx/csv, with Spanish headers."""

from django.utils.translation import gettext as _
from import_export import fields, widgets

from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    BulkTenantResource,
    ChoiceLabelWidget,
    cell_text,
)

from .models import FINAL_CONSUMER_ID, Customer, IdType

ID_COLUMN = "Identificación"
# Spreadsheets drop leading zeros of numbers typed as numbers: 0940987027
# comes back as 940987027. The SRI lengths let us put them back.
PADDED_LENGTH = {IdType.CEDULA: 10, IdType.RUC: 13}


class IdentificationWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value).upper()


class CustomerResource(BulkTenantResource):
    id_type = fields.Field(
        attribute="id_type",
        column_name="Tipo de identificación",
        widget=ChoiceLabelWidget(
            IdType,
            {"4": "04", "5": "05", "6": "06", "7": "07", "8": "08", "cedula": "05"},
        ),
    )
    identification = fields.Field(
        attribute="identification", column_name=ID_COLUMN, widget=IdentificationWidget()
    )
    name = fields.Field(
        attribute="name", column_name="Nombre", widget=widgets.CharWidget()
    )
    email = fields.Field(
        attribute="email", column_name="Correo", widget=widgets.CharWidget()
    )
    phone = fields.Field(
        attribute="phone", column_name="Teléfono", widget=widgets.CharWidget()
    )
    address = fields.Field(
        attribute="address", column_name="Dirección", widget=widgets.CharWidget()
    )

    update_fields = ["id_type", "identification", "name", "email", "phone", "address"]

    class Meta(BulkTenantResource.Meta):
        model = Customer
        name = "Clientes"
        import_id_fields = ["identification"]
        fields = ["id_type", "identification", "name", "email", "phone", "address"]

    def get_queryset(self):
        return super().get_queryset().order_by("name", "pk")

    def key_of(self, row) -> str:
        return self._padded(row)

    def _padded(self, row) -> str:
        value = cell_text(row.get(ID_COLUMN)).upper()
        try:
            id_type = ChoiceLabelWidget(IdType, {"5": "05", "4": "04"}).clean(
                row.get("Tipo de identificación")
            )
        except ValueError:
            return value
        length = PADDED_LENGTH.get(id_type)
        if length and value.isdigit() and len(value) < length:
            return value.zfill(length)
        return value

    def prefetch(self, dataset) -> None:
        business = require_business()
        self.existing = {
            c.identification: c for c in Customer.objects.for_business(business)
        }

    def before_import_row(self, row, **kwargs):
        if ID_COLUMN in row:
            row[ID_COLUMN] = self._padded(row)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Consumidor final exists once per business and is never edited.
        return instance.identification == FINAL_CONSUMER_ID or super().skip_row(
            instance, original, row, import_validation_errors
        )

    def row_rules(self, instance) -> dict[str, str]:
        message = self.unique_in_file(
            "identification", instance.identification, self.row_number
        )
        if message:
            return {"identification": _("Identificación duplicada: ") + message}
        return {}
