from django.core.management.base import BaseCommand

from backoffice.tenancy.context import system_context
from fiscal.services import certificate_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored signature certificate with the first key of "
        "FISCAL_CERT_KEY (put the new key first, keep the old ones after it "
        "until this has run)."
    )

    def handle(self, *args, **options):
        with system_context():
            count = certificate_keys_rotate()
        message = f"{count} certificate(s) re-encrypted with the first key."
        self.stdout.write(self.style.SUCCESS(message))
