"""The product form of the back office and its bulk-action form."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.forms import ActionForm
from unfold.widgets import UnfoldAdminDecimalFieldWidget, UnfoldAdminSelectWidget

from backoffice.display import money_text
from backoffice.images import (
    INVALID_IMAGE,
    PRODUCT_IMAGE_MAX_SIDE,
    clean_uploaded_image,
)
from backoffice.tenancy.context import current_business, require_business
from backoffice.tenancy.modelforms import TenantModelForm

from . import services
from .models import (
    Category,
    Product,
)


class ProductForm(TenantModelForm):
    """The owner types the price with or without IVA; it is stored without IVA."""

    price_entered = forms.DecimalField(
        label=capfirst(_("precio")),
        min_value=0,
        max_digits=14,
        decimal_places=6,
        widget=UnfoldAdminDecimalFieldWidget,
        help_text=_("Con o sin IVA según la casilla «precio ingresado con IVA»."),
    )

    class Meta:
        model = Product
        # The admin adds the rest from its fieldsets (with tenant-scoped choices);
        # naming a foreign key here would query categories at import time.
        fields = ["price_includes_tax", "tax_category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price_entered"].initial = money_text(
                services.price_as_entered(product=self.instance)
            )
        elif not self.is_bound:
            business = require_business()
            self.fields["price_includes_tax"].initial = business.prices_include_tax
            self.fields["tax_category"].initial = business.default_tax
        if "image" in self.fields:
            self.fields["image"].error_messages["invalid_image"] = INVALID_IMAGE

    def clean_image(self):
        return clean_uploaded_image(
            self.cleaned_data.get("image"), max_side=PRODUCT_IMAGE_MAX_SIDE
        )

    def clean(self):
        cleaned = super().clean()
        entered = cleaned.get("price_entered")
        tax = cleaned.get("tax_category")
        if entered is not None and tax:
            self.instance.price = services.price_net(
                amount=entered,
                includes_tax=cleaned.get("price_includes_tax", False),
                tax_category=tax,
            )
        return cleaned


class ProductActionForm(ActionForm):
    category = forms.ModelChoiceField(
        queryset=Category.unscoped_objects.none(),
        required=False,
        label=_("categoría"),
        widget=UnfoldAdminSelectWidget,
    )
    percent = forms.DecimalField(
        required=False,
        label=_("% de cambio"),
        max_digits=7,
        decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if business := current_business():
            self.fields["category"].queryset = Category.objects.filter(
                business=business
            )
