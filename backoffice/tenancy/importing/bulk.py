"""`BulkTenantResource`: thousands of rows in seconds, all or nothing."""

import copy
import logging

from django.core.exceptions import (
    ValidationError,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import insert_rows, update_rows

from ..resources import TenantResource
from .files import SpreadsheetRefused

logger = logging.getLogger(__name__)

PREVIEW_DIFF_MAX_ROWS = 1000


class BulkTenantResource(TenantResource):
    """Prefetch, validate in memory, write in batches with history; all or nothing.

    Subclasses fill `self.existing` (import key → instance) in `prefetch()` and
    may add per-row rules in `row_rules()`. `update_fields` lists the model
    fields an import may change on existing rows.
    """

    update_fields: list[str] = []
    clean_exclude: list[str] = []
    change_reason = "importación"

    class Meta:
        use_bulk = True
        batch_size = 5000
        skip_html_diff = False
        clean_model_instances = False
        use_transactions = True

    # -- the import as a whole -------------------------------------------------
    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        result = super().import_data(dataset, **kwargs)
        clean_errors(result)
        return result

    def before_import(self, dataset, **kwargs):
        # A private copy of the options: the diff shown in the preview is
        # skipped for large files, where it would cost more than the import.
        self._meta = copy.copy(type(self)._meta)
        self._meta.skip_diff = len(dataset) > PREVIEW_DIFF_MAX_ROWS
        self.user = kwargs.get("user")
        self.existing = {}
        self.seen = {}
        self.prefetch(dataset)
        self.remember(self.existing.values())

    def prefetch(self, dataset) -> None:
        raise NotImplementedError

    def key_of(self, row) -> str:
        raise NotImplementedError

    # -- one row ---------------------------------------------------------------
    def get_instance(self, instance_loader, row):
        return self.existing.get(self.key_of(row))

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[
                    *errors,
                    "business",
                    *self.clean_exclude,
                    *self.unknown_fields(instance, errors),
                ],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        for field, message in self.row_rules(instance).items():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(self._by_column(errors))

    def _by_column(self, errors: dict) -> dict:
        """Name errors after the spreadsheet's columns, not the model's fields."""
        columns = {f.attribute: f.column_name for f in self.fields.values()}
        columns["price"] = "Precio"
        renamed = {}
        for key, messages in errors.items():
            if isinstance(messages, ValidationError):
                messages = messages.messages
            renamed.setdefault(columns.get(key, key), []).extend(messages)
        return renamed

    def row_rules(self, instance) -> dict[str, str]:
        return {}

    def unknown_fields(self, instance, errors) -> list[str]:
        """Fields left unset because of another column's error: not reported."""
        return []

    def unique_in_file(self, field: str, value, row_number) -> str | None:
        """Report a value repeated in the file (e.g. the same code twice)."""
        if value in ("", None):
            return None
        first = self.seen.setdefault((field, value), row_number)
        if first != row_number:
            return _("%(v)s repetido en el archivo (fila %(n)s).") % {
                "v": value,
                "n": first,
            }
        return None

    def import_row(self, row, instance_loader, **kwargs):
        self.row_number = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    # -- batched writes with history --------------------------------------------
    def bulk_create(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        if not self.create_instances or not (using_transactions or not dry_run):
            return
        try:
            insert_rows(
                self._meta.model,
                self.create_instances,
                history={"user": self.user, "reason": self.change_reason},
            )
            self.created_batch(list(self.create_instances))
        except Exception as e:
            self.handle_import_error(result, e, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        if not self.update_instances or not (using_transactions or not dry_run):
            return
        try:
            model = self._meta.model
            changed = [o for o in self.update_instances if self._changed(o)]
            update_rows(
                model,
                changed,
                [*self.update_fields, "updated_at"],
                history={"user": self.user, "reason": self.change_reason},
            )
        except Exception as e:
            self.handle_import_error(result, e, raise_errors)
        finally:
            self.update_instances.clear()

    def _snapshot(self, instance) -> tuple:
        return tuple(
            getattr(instance, instance._meta.get_field(f).attname)
            for f in self.update_fields
        )

    def remember(self, instances) -> dict:
        """Index existing rows by import key, remembering their values."""
        self.originals = {i.pk: self._snapshot(i) for i in instances}

    def _changed(self, instance) -> bool:
        return self.originals.get(instance.pk) != self._snapshot(instance)

    def created_batch(self, instances) -> None:
        """Hook: a batch of new rows now has primary keys."""

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is not None:
            # bulk_update bypasses auto_now; history shows the real change time.
            instance.updated_at = timezone.now()


def clean_errors(result) -> None:
    """Unexpected errors reach the page as one plain sentence, never with a
    traceback, a server path or a database message (those go to the log)."""
    errors = list(result.base_errors)
    for _line, row_errors in result.row_errors():
        errors.extend(row_errors)
    for error in errors:
        if not isinstance(error.error, (ValidationError, SpreadsheetRefused)):
            logger.error("import failed", exc_info=error.error)
            error.error = SpreadsheetRefused(
                _(
                    "No se pudo importar el archivo: revise que sus valores sean "
                    "válidos o escríbanos si el problema sigue."
                )
            )
        error.__dict__["traceback"] = ""
