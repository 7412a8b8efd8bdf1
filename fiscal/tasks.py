"""Background tasks (django-tasks; the `worker:` process runs them)."""

from django_tasks import task

from backoffice.tenancy.context import tenant_context

from .models import ElectronicDocument


@task()
def edoc_submit_task(edoc_id: int) -> str:
    """Send one document to the SRI and collect its verdict; returns the new state."""
    from .services import edoc_submit

    edoc = ElectronicDocument.unscoped_objects.select_related("business").get(
        pk=edoc_id
    )
    with tenant_context(edoc.business):
        return edoc_submit(edoc=edoc).state
