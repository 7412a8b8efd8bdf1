from django.core.management.base import BaseCommand

from admin_theme import catalogs


class Command(BaseCommand):
    help = "Fill the source-language side of our .po files and compile them (polib)."

    def handle(self, *args, **options):
        import polib

        for lang in catalogs.LANGUAGES:
            for domain in catalogs.DOMAINS:
                if not catalogs.po_path(lang, domain).exists():
                    continue
                target = catalogs.compile_catalog(lang, domain)
                po = polib.pofile(str(catalogs.po_path(lang, domain)))
                missing = catalogs.untranslated(po)
                self.stdout.write(
                    f"{target}: {len(po)} msgids, {len(missing)} to translate"
                )
