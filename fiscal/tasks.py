"""Background tasks (django-tasks; the `worker:` process runs them).

A task runs in a worker with no request and so no business in context: it gets
its business as an explicit argument and does all its work inside
`tenant_context(business)`. Outside one, tenant tables have no rows at all on
PostgreSQL (row-level security), however the query is written.
"""

from django_tasks import task

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business

from .models import ElectronicDocument


@task()
def edoc_submit_task(edoc_id: int, business_id: int | None = None) -> str:
    """Send one document to the SRI and collect its verdict; returns the new state."""
    from .services import edoc_submit

    if business_id is None:
        business_id = _legacy_business_id(edoc_id)
    business = Business.objects.get(pk=business_id)
    with tenant_context(business):
        edoc = ElectronicDocument.objects.select_related("business").get(pk=edoc_id)
        return edoc_submit(edoc=edoc).state


def _legacy_business_id(edoc_id: int) -> int:
    """The business of a task queued before tasks carried it (args `[edoc_id]`)."""
    with system_context():
        return (
            ElectronicDocument.unscoped_objects.filter(pk=edoc_id)
            .values_list("business_id", flat=True)
            .get()
        )
