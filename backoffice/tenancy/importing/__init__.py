"""Spreadsheet import/export building blocks shared by catalog, customers, inventory.

`BulkTenantResource` imports thousands of rows in seconds: look-ups are read
once per import (and only from the current business), each row is validated in
memory (field validators plus uniqueness against the prefetched rows and the
rest of the file), and rows are written with batched INSERT/UPDATEs together
with their django-simple-history rows. Any bad row rolls the whole import back.
"""

from .bulk import PREVIEW_DIFF_MAX_ROWS, BulkTenantResource, clean_errors
from .files import (
    MAX_IMPORT_COLUMNS,
    MAX_IMPORT_FILE_SIZE,
    MAX_IMPORT_ROWS,
    MAX_XLSX_MEMBERS,
    MAX_XLSX_UNZIPPED_SIZE,
    SpreadsheetCSV,
    SpreadsheetRefused,
    cell_text,
    check_csv_extent,
    decode_text,
    max_columns,
    max_rows,
    normalise,
    sniff_delimiter,
)
from .mixins import BoundedImportForm, SpreadsheetExportMixin, SpreadsheetImportMixin
from .widgets import ChoiceLabelWidget, DecimalTextWidget, MoneyWidget, SiNoWidget
from .xlsx import SPREADSHEET_FORMATS, FastXLSX, ImportTempStorage, check_xlsx

__all__ = [
    "MAX_IMPORT_COLUMNS",
    "MAX_IMPORT_FILE_SIZE",
    "MAX_IMPORT_ROWS",
    "MAX_XLSX_MEMBERS",
    "MAX_XLSX_UNZIPPED_SIZE",
    "PREVIEW_DIFF_MAX_ROWS",
    "SPREADSHEET_FORMATS",
    "BoundedImportForm",
    "BulkTenantResource",
    "ChoiceLabelWidget",
    "DecimalTextWidget",
    "FastXLSX",
    "ImportTempStorage",
    "MoneyWidget",
    "SiNoWidget",
    "SpreadsheetCSV",
    "SpreadsheetExportMixin",
    "SpreadsheetImportMixin",
    "SpreadsheetRefused",
    "cell_text",
    "check_csv_extent",
    "check_xlsx",
    "clean_errors",
    "decode_text",
    "max_columns",
    "max_rows",
    "normalise",
    "sniff_delimiter",
]
