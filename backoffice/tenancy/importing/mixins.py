"""Admin mixins: bounded import form, export and import actions."""

import logging

from django import forms
from django.contrib import messages as admin_messages
from django.core.exceptions import (
    PermissionDenied,
)
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX
from unfold.contrib.import_export.forms import ImportForm

from .files import MAX_IMPORT_FILE_SIZE, SpreadsheetRefused, setting_limit
from .xlsx import ImportTempStorage

logger = logging.getLogger(__name__)


class SpreadsheetExportMixin:
    """Numbers go to xlsx as numbers, to CSV as text.

    import-export asks widgets for native values only for its own binary
    formats (by exact type), which leaves FastXLSX with text cells.
    """

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request,
            queryset,
            force_native_type=isinstance(file_format, XLSX),
            **kwargs,
        )
        return file_format.export_data(data)


class BoundedImportForm(ImportForm):
    """The import form, refusing files larger than the import limit."""

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        limit = setting_limit("IMPORT_MAX_FILE_SIZE", MAX_IMPORT_FILE_SIZE)
        if import_file is not None and import_file.size > limit:
            raise forms.ValidationError(
                _(
                    "El archivo pesa más de %(mb)s MB: divídalo en archivos "
                    "más pequeños."
                )
                % {"mb": limit // (1024 * 1024)}
            )
        return import_file


class SpreadsheetImportMixin:
    """Import admin for hostile files (issue 10): size, rows, columns and
    unzipped size bounded, one sentence per error (no tracebacks), and the
    temporary file never outlives its import."""

    import_form_class = BoundedImportForm
    tmp_storage_class = ImportTempStorage
    import_error_display = ("message",)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetRefused):
            form.add_error("import_file", str(e))
            return
        logger.warning("import file could not be read", exc_info=e)
        form.add_error(
            "import_file",
            _(
                "No se pudo leer el archivo. Compruebe que el formato elegido "
                "(CSV o Excel) corresponde al archivo."
            ),
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        if "confirm_form" not in context and form is not None and form.is_bound:
            # Errors in the preview: no confirm step will come for this file.
            import_file = getattr(form, "cleaned_data", {}).get("import_file")
            if name := getattr(import_file, "tmp_storage_name", None):
                ImportTempStorage.discard(name)
        return response

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except (SpreadsheetRefused, OSError) as e:
            logger.warning("confirmed import could not be read", exc_info=e)
            admin_messages.error(
                request, _("El archivo ya no está disponible: vuelva a subirlo.")
            )
            return HttpResponseRedirect(request.path.rsplit("process_import/", 1)[0])
        finally:
            ImportTempStorage.discard(request.POST.get("import_file_name", ""))
