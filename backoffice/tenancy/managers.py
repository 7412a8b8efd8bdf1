from django.db import models
from simple_history.manager import HistoryManager

from .context import (
    TenantMismatchError,
    TenantNotSetError,
    current_business,
    is_system,
)


class TenantQuerySet(models.QuerySet):
    def for_business(self, business):
        """Filter explicitly; the business must be the one in context."""
        current = current_business()
        if current is None and not is_system():
            raise TenantNotSetError("No business in context.")
        if current is not None and current.pk != business.pk:
            raise TenantMismatchError("Business differs from the one in context.")
        return self.filter(business=business)


class ScopedManagerMixin:
    """Rows of the business in context; every row for system code; else raise."""

    def get_queryset(self):
        qs = super().get_queryset()
        business = current_business()
        if business is not None:
            return qs.filter(business_id=business.pk)
        if is_system():
            return qs
        raise TenantNotSetError(
            f"{self.model.__name__}: no business in context (use tenant_context)."
        )


class TenantManager(ScopedManagerMixin, models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant-owned models: scoped, and fails closed.

    With no business in context it raises instead of returning every row.
    """


class UnscopedManager(models.Manager.from_queryset(TenantQuerySet)):
    """Every business's rows. For platform/system code only, never for requests."""


class TenantHistoryManager(ScopedManagerMixin, HistoryManager):
    """`Model.history` of a tenant model: scoped, and fails closed like `objects`.

    Use as `HistoricalRecords(history_manager=TenantHistoryManager)`.
    """
