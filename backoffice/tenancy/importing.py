"""Spreadsheet import/export building blocks shared by catalog, customers, inventory.

`BulkTenantResource` imports thousands of rows in seconds: look-ups are read
once per import (and only from the current business), each row is validated in
memory (field validators plus uniqueness against the prefetched rows and the
rest of the file), and rows are written with batched INSERT/UPDATEs together
with their django-simple-history rows. Any bad row rolls the whole import back.
"""

import codecs
import contextlib
import copy
import csv
import glob
import logging
import os
import re
import tempfile
import time
import unicodedata
import zipfile
from decimal import Decimal, InvalidOperation
from io import BytesIO, StringIO

import tablib
from django import forms
from django.conf import settings
from django.contrib import messages as admin_messages
from django.core.exceptions import (
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.tmp_storages import TempFolderStorage
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from unfold.contrib.import_export.forms import ImportForm

from backoffice.formulas import escape_formula, unescape_formula, xlsx_value
from core.bulk import insert_rows, update_rows

from .resources import TenantResource

logger = logging.getLogger(__name__)

PREVIEW_DIFF_MAX_ROWS = 1000
# Hostile files (issue 10): a file never chooses how much memory or time we
# spend. 10,000 rows import in under 10 s (BENCHMARKS.md), well inside the
# web timeout; an xlsx unzips to at most 50 MB before anything reads it.
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_COLUMNS = 100
MAX_IMPORT_FILE_SIZE = 5 * 1024 * 1024
MAX_XLSX_UNZIPPED_SIZE = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
TRUE_WORDS = {"si", "sí", "s", "x", "1", "true", "verdadero", "yes"}
FALSE_WORDS = {"no", "n", "0", "false", "falso"}


class SpreadsheetRefused(ValueError):
    """A file we will not read; the message is for the person who sent it."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_rows() -> int:
    return _limit("IMPORT_MAX_ROWS", MAX_IMPORT_ROWS)


def max_columns() -> int:
    return _limit("IMPORT_MAX_COLUMNS", MAX_IMPORT_COLUMNS)


def too_many_rows() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "El archivo tiene más de %(n)s filas. Divídalo en archivos más "
            "pequeños e impórtelos uno por uno."
        )
        % {"n": f"{max_rows():,}".replace(",", ".")}
    )


def too_many_columns() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _("El archivo tiene más de %(n)s columnas.") % {"n": max_columns()}
    )


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
        # NUL cannot be stored in PostgreSQL text and no one types it.
        text = text.removeprefix("\ufeff").replace("\x00", "")
        dataset = tablib.Dataset()
        if text.strip():
            delimiter = sniff_delimiter(text)
            check_csv_extent(text, delimiter)
            dataset.load(text, format="csv", delimiter=delimiter)
            # A file we exported comes back as it was ('=x -> =x).
            unescaped = tablib.Dataset(headers=dataset.headers)
            for row in dataset:
                unescaped.append([unescape_formula(value) for value in row])
            return unescaped
        return dataset

    def export_data(self, dataset, **kwargs):
        headers = [escape_formula(h) for h in dataset.headers or []]
        safe = tablib.Dataset(headers=headers)
        for row in dataset:
            safe.append([escape_formula(value) for value in row])
        return codecs.BOM_UTF8 + super().export_data(safe, **kwargs).encode("utf-8")


def check_csv_extent(text: str, delimiter: str) -> None:
    """Refuse a CSV with too many rows or columns, reading it row by row."""
    rows = 0
    try:
        for row in csv.reader(StringIO(text), delimiter=delimiter):
            rows += 1
            if len(row) > max_columns():
                raise too_many_columns()
            if rows > max_rows() + 1:  # + the header row
                raise too_many_rows()
    except csv.Error as e:
        raise SpreadsheetRefused(
            _("El archivo CSV está dañado (fila %(n)s).") % {"n": rows + 1}
        ) from e


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell_position(ref: str) -> tuple[int, int]:
    """'XFD1048576' -> (1048576, 16384)."""
    ref = ref.upper().replace("$", "")
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not (letters.isalpha() and letters.isascii() and digits and len(letters) <= 3):
        raise SpreadsheetRefused(_("El archivo de Excel está dañado."))
    return int(digits), _column_number(letters)


_PARENTS = {"row": "sheetData", "c": "row"}


def _parent_name(element) -> str:
    parent = element.getparent()
    return etree.QName(parent).localname if parent is not None else ""


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
# A whole cell start tag, attribute by attribute (quoted values are consumed
# as units, so an `r=` inside another attribute's value is never taken).
_CELL_START = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)\s*/?>"
)
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,9})")


def _farthest_cell_fast(content: bytes) -> bool:
    """Check a part by regular expression when every cell names its position
    plainly (`r="B7"`, as Excel writes): much faster than parsing. False when
    unsure (cells without `r`, references, entities, UTF-16): then the caller
    parses the part."""
    if not content.lstrip().startswith((b"<", codecs.BOM_UTF8)):
        return False
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        return False
    starts = _CELL_START.findall(content)
    if len(starts) != len(_CELL_TAG.findall(content)):
        return False
    last_row, last_column = max_rows() + 1, max_columns()
    for attributes in starts:
        refs = [
            double or single
            for name, double, single in _ATTRIBUTE.findall(attributes)
            if name == b"r"
        ]
        if len(refs) != 1 or not (ref := _REF.fullmatch(refs[0])):
            return False
        if int(ref[2]) > last_row:
            raise too_many_rows()
        if _column_number(ref[1].decode().upper()) > last_column:
            raise too_many_columns()
    return True


def _check_sheet_cells(stream) -> None:
    """Stream one XML part; refuse a cell beyond the row/column limits.

    calamine allocates the whole rectangle from A1 to the farthest cell before
    we see a single value, so the farthest cell is found here first.
    """
    row = column = 0
    last_row, last_column = max_rows() + 1, max_columns()
    parser = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for event, element in parser:
        if event == "end":
            # Done with it: keep memory flat whatever the part's size.
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            continue
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name not in ("row", "c") or _parent_name(element) != _PARENTS[name]:
            continue  # e.g. a drawing anchor's <xdr:row>; any namespace counts
        if name == "row":
            row = int(element.get("r") or row + 1)
            column = 0
            continue
        if ref := element.get("r"):
            row, column = _cell_position(ref)
        else:
            column += 1
        if row > last_row:
            raise too_many_rows()
        if column > last_column:
            raise too_many_columns()


def check_xlsx(data: bytes) -> None:
    """Refuse an xlsx before calamine opens it: not a plain xlsx, a zip bomb,
    or a sheet whose cells reach beyond the limits."""
    damaged = _("El archivo no es un libro de Excel (.xlsx) válido.")
    try:
        book = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise SpreadsheetRefused(damaged) from e
    members = book.infolist()
    names = {m.filename for m in members}
    # calamine also opens xls, xlsb and ods: only a real xlsx is accepted.
    if "xl/workbook.xml" not in names or names & {"xl/workbook.bin", "content.xml"}:
        raise SpreadsheetRefused(damaged)
    unzipped = sum(m.file_size for m in members)
    limit = _limit("IMPORT_MAX_XLSX_UNZIPPED_SIZE", MAX_XLSX_UNZIPPED_SIZE)
    if len(members) > MAX_XLSX_MEMBERS or unzipped > limit:
        raise SpreadsheetRefused(
            _("El archivo de Excel descomprimido ocupa más de %(mb)s MB.")
            % {"mb": limit // (1024 * 1024)}
        )
    try:
        for member in members:
            # zipfile stops at the declared size and checks the CRC: a member
            # that lies about its size fails here instead of in calamine.
            content = book.read(member)
            head = content[:4].lstrip()
            if (
                head.startswith(b"<")
                or head[:2] in (b"\xff\xfe", b"\xfe\xff")
                or (head.startswith(codecs.BOM_UTF8))
            ) and not _farthest_cell_fast(content):
                _check_sheet_cells(BytesIO(content))
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, etree.XMLSyntaxError, ValueError, EOFError) as e:
        raise SpreadsheetRefused(damaged) from e
    except (NotImplementedError, RuntimeError) as e:  # encrypted, odd compression
        raise SpreadsheetRefused(damaged) from e


class ImportTempStorage(TempFolderStorage):
    """import-export's temporary file between preview and confirm, but named
    by us (nothing else in the temp directory can be read or removed through
    the confirm form) and swept after an hour when the owner never confirms."""

    prefix = "southernpos-import-"
    max_age = 3600

    def get_full_path(self):
        return self.path_of(self.name)

    @classmethod
    def path_of(cls, name: str) -> str:
        base = os.path.basename(name or "")
        if not base.startswith(cls.prefix):
            raise SuspiciousOperation("import file name outside the import prefix")
        return os.path.join(tempfile.gettempdir(), base)

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)
        # Closed by the caller (`with`), as in import-export's own storage.
        tmp_file = tempfile.NamedTemporaryFile(delete=False, prefix=self.prefix)  # noqa: SIM115
        self.name = os.path.basename(tmp_file.name)
        return tmp_file

    def save(self, data):
        self.sweep()
        super().save(data)

    @classmethod
    def discard(cls, name: str) -> None:
        with contextlib.suppress(FileNotFoundError, SuspiciousOperation):
            os.remove(cls.path_of(name))

    @classmethod
    def sweep(cls) -> None:
        """Remove temporary import files older than `max_age` seconds."""
        pattern = os.path.join(tempfile.gettempdir(), glob.escape(cls.prefix) + "*")
        cutoff = time.time() - cls.max_age
        for path in glob.glob(pattern):
            try:
                if os.path.getmtime(path) < cutoff:
                    os.remove(path)
            except OSError:
                pass


def _xlsx_cell(sheet, value):
    # Control characters are not allowed in xlsx (never a 500 for them), and
    # text is never a formula (backoffice.formulas).
    value = xlsx_value(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
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
        # import-export's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a
        # leading "=" and turns numbers into text; every cell is escaped here.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(dataset.title or "Hoja1")[:31])
        sheet.append([_xlsx_cell(sheet, h) for h in dataset.headers or []])
        for row in dataset:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def create_dataset(self, in_stream):
        check_xlsx(in_stream)
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:  # pragma: no cover - the pinned dependency is missing
            return super().create_dataset(in_stream)
        book = CalamineWorkbook.from_filelike(BytesIO(in_stream))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        if len(rows) > max_rows() + 1:
            raise too_many_rows()
        width = len(rows[0])
        if width > max_columns():
            raise too_many_columns()
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
    if isinstance(value, str):
        return unescape_formula(value.replace("\x00", ""))  # NUL: _x0000_
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


class BoundedImportForm(ImportForm):
    """The import form, refusing files larger than the import limit."""

    def clean_import_file(self):
        import_file = self.cleaned_data["import_file"]
        limit = _limit("IMPORT_MAX_FILE_SIZE", MAX_IMPORT_FILE_SIZE)
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
