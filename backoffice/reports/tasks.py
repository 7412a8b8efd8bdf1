"""Background tasks of the reports (django-tasks; the `worker:` process runs them)."""

from django_tasks import task

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business


@task()
def rollup_pending_task(business_id: int) -> int:
    """Roll up the closed days of one business not rolled up yet; returns how many."""
    from .services import rollup_pending

    with system_context():
        business = Business.objects.get(pk=business_id)
    with tenant_context(business):
        return rollup_pending(business=business)
