from django.core.management.base import BaseCommand

from backoffice.tenancy.context import system_context, tenant_context
from fiscal.selectors import edoc_due_list
from fiscal.services import edoc_submit


class Command(BaseCommand):
    help = "Send every pending SRI document whose next attempt is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        with system_context():
            due = list(edoc_due_list(limit=limit))
        for edoc in due:
            with tenant_context(edoc.business):
                edoc = edoc_submit(edoc=edoc)
            self.stdout.write(f"{edoc.access_key} {edoc.state}")
        self.stdout.write(self.style.SUCCESS(f"{len(due)} document(s) processed"))
