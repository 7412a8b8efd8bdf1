from decimal import Decimal

from django import forms

from backoffice.display import field_text

from .context import require_business


class TenantModelForm(forms.ModelForm):
    """Validates per-business unique constraints in the form, not at INSERT.

    `business` is not a form field, so Django would skip every constraint that
    names it (and the database would answer with an IntegrityError instead).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.business_id is None:
            self.instance.business = require_business()
        for name, field in self.fields.items():
            # Six stored decimals are noise in an input: "1.70", not "1.700000".
            value = self.initial.get(name)
            if isinstance(field, forms.DecimalField) and isinstance(value, Decimal):
                self.initial[name] = field_text(name, value)

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.discard("business")
        return exclude
