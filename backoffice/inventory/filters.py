"""The one "low stock" admin filter, for the product list and the stock levels."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .selectors import low_stock_filter


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock bajo")
    parameter_name = "low_stock"

    def lookups(self, request, model_admin):
        return [("1", _("Con stock bajo"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return low_stock_filter(queryset)
        return queryset
