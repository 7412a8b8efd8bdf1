"""Spreadsheet import/export building blocks shared by catalog, customers, inventory.

`BulkTenantResource` imports thousands of rows in seconds: look-ups are read
once per import (and only from the current business), each row is validated in
memory (field validators plus uniqueness against the prefetched rows and the
rest of the file), and rows are written with batched INSERT/UPDATEs together
with their django-simple-history rows. Any bad row rolls the whole import back.
"""

import codecs
import copy
import unicodedata
from decimal import Decimal, InvalidOperation
from io import BytesIO

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.bulk import insert_rows, update_rows

from .resources import TenantResource

PREVIEW_DIFF_MAX_ROWS = 1000
TRUE_WORDS = {"si", "sí", "s", "x", "1", "true", "verdadero", "yes"}
FALSE_WORDS = {"no", "n", "0", "false", "falso"}


def normalise(value) -> str:
    """Lower-case, trimmed, without accents: for matching names typed by people."""
    text = unicodedata.normalize("NFKD", str(value or "").strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def cell_text(value) -> str:
    """A cell as text; whole numbers read from xlsx lose their trailing '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class SiNoWidget(widgets.Widget):
    def __init__(self, default=None):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise(cell_text(value))
        if text == "":
            return self.default  # None: keep the row's current (or default) value
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("Use «Sí» o «No»."))

    def render(self, value, obj=None, **kwargs):
        return _("Sí") if value else _("No")


class DecimalTextWidget(widgets.Widget):
    """Decimals that never pass through float arithmetic; '3,50' and '3.50' work."""

    def __init__(self, places: int = 6, required: bool = False):
        super().__init__()
        self.places = places
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = repr(value) if isinstance(value, float) else cell_text(value)
        text = text.replace(" ", "").replace("$", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if text == "":
            if self.required:
                raise ValueError(_("Valor requerido."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Número inválido: %(v)s") % {"v": value})
        if not number.is_finite():
            raise ValueError(_("Número inválido: %(v)s") % {"v": value})
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value).quantize(Decimal(1).scaleb(-self.places)).normalize()
        text = format(value, "f")
        return value if kwargs.get("force_native_type") else text


class MoneyWidget(DecimalTextWidget):
    """Prices and costs: exported with at least two decimals (4.75, 4.130435)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value).quantize(Decimal(1).scaleb(-self.places)).normalize()
        if value.as_tuple().exponent > -2:
            value = value.quantize(Decimal("0.01"))
        return value if kwargs.get("force_native_type") else format(value, "f")


class ChoiceLabelWidget(widgets.Widget):
    """TextChoices by value or by (accent-insensitive) label; exports the label."""

    def __init__(self, choices, aliases: dict[str, str] | None = None):
        super().__init__()
        self.choices = choices
        self.lookup = {normalise(v): v for v in choices.values}
        self.lookup |= {normalise(label): v for v, label in choices.choices}
        self.lookup |= {normalise(k): v for k, v in (aliases or {}).items()}

    def clean(self, value, row=None, **kwargs):
        text = normalise(cell_text(value))
        if text == "":
            return None
        try:
            return self.lookup[text]
        except KeyError:
            raise ValueError(_("Valor desconocido: %(v)s") % {"v": value})

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


def decode_text(data: bytes) -> str:
    """A text file as Excel and other programs save it: UTF-8 (with or
    without BOM), UTF-16 (Excel's "Unicode" CSV/text) or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    head = data[:200]
    if len(head) > 1 and head.count(0) * 3 > len(head):  # UTF-16 without a BOM
        return data.decode("utf-16-le" if head[1] == 0 else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows in Spanish; latin-1 maps the 5 bytes it lacks.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel with a decimal comma) or tab (Unicode text)."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count) if header else ","


class SpreadsheetCSV(CSV):
    """CSV as Excel reads and writes it.

    Read as bytes (the admin's fixed encoding would refuse Latin-1 and UTF-16
    files) and decoded here; written as UTF-8 with a BOM, without which Excel
    shows "CÃ³digo" for "Código".
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream if isinstance(in_stream, str) else decode_text(in_stream)
        text = text.removeprefix("\ufeff")
        dataset = tablib.Dataset()
        if text.strip():
            dataset.load(text, format="csv", delimiter=sniff_delimiter(text))
        return dataset

    def export_data(self, dataset, **kwargs):
        return codecs.BOM_UTF8 + super().export_data(dataset, **kwargs).encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        # Control characters are not allowed in xlsx: never a 500 for them.
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal) and value.as_tuple().exponent <= -2:
        # Money comes with two decimals or more (MoneyWidget): show them all.
        cell.number_format = "0.00" + "#" * (-value.as_tuple().exponent - 2)
    return cell


class FastXLSX(XLSX):
    """xlsx read with calamine (Rust): ~10x faster than openpyxl on big sheets.

    Written with openpyxl's streaming writer: numbers as numeric cells (the
    admin asks the widgets for native values, see SpreadsheetExportMixin).
    """

    def export_data(self, dataset, **kwargs):
        if getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False) is True:
            self._escape_formulae(dataset)  # as import-export's own formats do
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(dataset.title or "Hoja1")[:31])
        sheet.append(dataset.headers or [])
        for row in dataset:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def create_dataset(self, in_stream):
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:  # pragma: no cover - the pinned dependency is missing
            return super().create_dataset(in_stream)
        book = CalamineWorkbook.from_filelike(BytesIO(in_stream))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        width = len(rows[0])
        dataset.headers = [cell_text(h) for h in rows[0]]
        for row in rows[1:]:
            values = [_native(v) for v in row[:width]]
            if any(v not in ("", None) for v in values):
                dataset.append(values + [""] * (width - len(values)))
        return dataset


def _native(value):
    # calamine gives every number as float; whole numbers come back as int,
    # as openpyxl does, so a code typed as 1001 is "1001", not "1001.0".
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


SPREADSHEET_FORMATS = [SpreadsheetCSV, FastXLSX]


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
        return super().import_data(dataset, **kwargs)

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
