from django import forms

from backoffice.tenancy.context import require_business


class TenantModelForm(forms.ModelForm):
    """Validates per-business unique constraints in the form, not at INSERT.

    `business` is not a form field, so Django would skip every constraint that
    names it (and the database would answer with an IntegrityError instead).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.business_id is None:
            self.instance.business = require_business()

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.discard("business")
        return exclude
