import logging

from django.core.management.base import BaseCommand

from backoffice.tenancy.context import system_context, tenant_context
from fiscal.selectors import edoc_due_list
from fiscal.services import edoc_submit

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send every pending SRI document whose next attempt is due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        with system_context():
            due = list(edoc_due_list(limit=limit))
        failed = 0
        for edoc in due:
            try:
                with tenant_context(edoc.business):
                    edoc = edoc_submit(edoc=edoc)
            except Exception:
                # One broken document (e.g. an undecryptable certificate) must
                # not hold back the other businesses' documents.
                logger.exception("SRI submission of document %s failed", edoc.pk)
                failed += 1
                continue
            self.stdout.write(f"{edoc.access_key} {edoc.state}")
        summary = f"{len(due)} document(s) processed, {failed} failed"
        self.stdout.write(self.style.SUCCESS(summary) if not failed else summary)
