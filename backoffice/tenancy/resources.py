"""Base django-import-export resource for tenant-owned models."""

from import_export import resources

from .context import require_business


class TenantResource(resources.ModelResource):
    """Look-ups, exports and saved rows stay inside the current business."""

    def get_queryset(self):
        return self._meta.model.objects.filter(business=require_business())

    def before_save_instance(self, instance, row, **kwargs):
        instance.business = require_business()
        super().before_save_instance(instance, row, **kwargs)
