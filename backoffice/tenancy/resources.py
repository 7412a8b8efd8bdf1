"""Base django-import-export resource for tenant-owned models."""

from import_export import resources

from .context import require_business


class TenantResource(resources.ModelResource):
    """Look-ups, exports and saved rows stay inside the current business.

    A spreadsheet never chooses the business: its `business` column is ignored,
    and an `id` that is not one of this business's rows creates a new row
    instead of reaching another business's row.
    """

    def get_queryset(self):
        return self._meta.model.objects.filter(business=require_business())

    def get_import_fields(self):
        return [f for f in super().get_import_fields() if f.attribute != "business"]

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            # get_instance() looked only inside this business; an id from the
            # file that was not found there must not UPDATE someone else's row.
            instance.pk = None
        instance.business = require_business()
        return super().save_instance(instance, is_create, row, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to MAX(id); under row-level
        # security that MAX sees one business, so a concurrent insert by another
        # business could be rewound over. Ids always come from the sequence here
        # (save_instance clears imported ids), so there is nothing to reset.
        return None

    def before_save_instance(self, instance, row, **kwargs):
        instance.business = require_business()
        super().before_save_instance(instance, row, **kwargs)
