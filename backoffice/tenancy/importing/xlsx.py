"""xlsx files: cell-extent checks before reading, a bounded temp storage,
and a fast streaming reader/writer."""

import codecs
import contextlib
import glob
import os
import re
import tempfile
import time
import zipfile
from decimal import Decimal
from io import BytesIO

import tablib
from django.core.exceptions import (
    SuspiciousOperation,
)
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX
from import_export.tmp_storages import TempFolderStorage
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from backoffice.formulas import unescape_formula, xlsx_value

from .files import (
    MAX_XLSX_MEMBERS,
    MAX_XLSX_UNZIPPED_SIZE,
    SpreadsheetCSV,
    SpreadsheetRefused,
    cell_text,
    max_columns,
    max_rows,
    setting_limit,
    too_many_columns,
    too_many_rows,
)


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
    limit = setting_limit("IMPORT_MAX_XLSX_UNZIPPED_SIZE", MAX_XLSX_UNZIPPED_SIZE)
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
