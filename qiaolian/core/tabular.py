"""Reading the spreadsheets offices keep: .xlsx/.xlsm/.xls/.ods (python-calamine) and .csv.

Generic: the caller passes the columns it knows (``ColumnSpec``: field, header, synonyms), and
gets, for every sheet whose header row can be found, where each known column sits, then the data
rows one at a time (``Table.rows()``), each with its sheet name and its row number as the
spreadsheet shows it. What real files hold and this module copes with:

- a merged title row, notes or a blank row above the header: the header is the row among the first
  ``HEADER_SEARCH_ROWS`` whose cells match the most known column names;
- headers spelled differently (身份证号 / 身份证号码 / 公民身份号码), with ※ or * marks, line
  breaks, full-width letters or traditional characters;
- one sheet per town: every visible sheet with a header is read, sheets without one (notes, code
  lists) are skipped, hidden sheets too;
- blank rows and total rows (合计, 总 计, 小计, 共计) between or after the data;
- CSV in UTF-8 with or without BOM or in GB18030/GBK, separated by commas, tabs or semicolons.

Errors are ``ValidationError`` with a message in Chinese that says what to do.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qiaolian.core import normalize

logger = logging.getLogger(__name__)

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*WORKBOOK_EXTENSIONS, ".csv")
HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 2
TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_DELIMITERS = (",", "\t", ";")
IGNORED = ""  # the field of a column the caller does not read


@dataclass(frozen=True)
class ColumnSpec:
    """A column a kind of record has: the field it feeds, its header in the template, the other
    names offices give it, and whether a file must have it."""

    field: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


@dataclass
class SheetLayout:
    """Where the header of one sheet is and which file column feeds which field."""

    name: str
    header_row: int  # as the spreadsheet numbers rows (from 1)
    headers: list[str]
    fields: list[str]  # per file column: the field it feeds, or IGNORED
    missing: list[str] = field(default_factory=list)  # headers of required columns not found

    @cached_property
    def columns(self) -> dict[str, int]:
        """Field → index of the file column that feeds it (read for every cell, so built once:
        a layout is not changed after it is found)."""
        return {name: i for i, name in enumerate(self.fields) if name}

    @property
    def ignored_headers(self) -> list[str]:
        return [h for h, name in zip(self.headers, self.fields, strict=True) if h and not name]


@dataclass(frozen=True)
class TableRow:
    """One data row: the sheet, the row number the spreadsheet shows, the cells as read."""

    sheet: str
    number: int
    cells: list[Any]
    layout: SheetLayout

    def value(self, field_name: str) -> Any:
        index = self.layout.columns.get(field_name)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    @property
    def ref(self) -> tuple[str, int]:
        return (self.sheet, self.number)


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def extension(file_name: str) -> str:
    return os.path.splitext(file_name or "")[1].lower()


def header_index(columns: Iterable[ColumnSpec], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Header key → field, from the columns' headers and synonyms; ``overrides`` (header text →
    field, or IGNORED) are what a user chose for a file and win."""
    index: dict[str, str] = {}
    for col in columns:
        for name in (col.header, *col.synonyms):
            index.setdefault(normalize.header_key(name), col.field)
    for header, field_name in (overrides or {}).items():
        index[normalize.header_key(header)] = field_name
    return index


def is_total_row(cells: Sequence[Any]) -> bool:
    """A row whose first non-empty cell is 合计/总计/小计/共计 (spaces or a colon allowed)."""
    for value in cells:
        if normalize.is_blank(value):
            continue
        if not isinstance(value, str):
            return False
        compact = re.sub(r"\s", "", normalize.text(value))
        return compact.startswith(TOTAL_WORDS)
    return False


def is_blank_row(cells: Sequence[Any]) -> bool:
    return all(normalize.is_blank(v) for v in cells)


# Sources: each gives (sheet name, rows) with rows as lists of cells from row 1 ----------------------


class _Workbook:
    def __init__(self, content: bytes):
        from python_calamine import CalamineWorkbook, PasswordError

        try:
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        except PasswordError:
            raise _error(_("文件设置了密码，请取消密码后再上传。"), "encrypted") from None
        except Exception as exc:  # the reader is native code: any failure means unreadable
            logger.info("unreadable workbook: %r", exc)
            raise _error(_("无法读取该文件：文件已损坏，或不是 Excel/WPS 表格。"), "unreadable") from None

    def sheet_names(self) -> list[str]:
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        return [
            meta.name
            for meta in self.book.sheets_metadata
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
        ]

    def rows(self, name: str) -> Iterator[list[Any]]:
        try:
            sheet = self.book.get_sheet_by_name(name)
        except Exception as exc:
            logger.info("unreadable sheet %r: %r", name, exc)
            raise _error(_("无法读取工作表“%(sheet)s”。") % {"sheet": name}, "unreadable") from None
        start = sheet.start
        if start is None:
            return
        pad = [""] * start[1]
        # iter_rows gives every row from the first, but its cells from the first used column on.
        for cells in sheet.iter_rows():
            yield pad + list(cells)


class _CsvFile:
    def __init__(self, content: bytes):
        self.content = content
        encoding = normalize.detect_encoding(content)
        if encoding is None:
            if b"\x00" in content[:4096]:
                raise _error(_("无法读取该文件：不是文本格式的 CSV 文件。"), "unreadable")
            raise _error(_("无法识别文件的文字编码：CSV 文件请保存为 UTF-8 或 GB18030（GBK）编码。"), "encoding")
        self.encoding = encoding
        self.delimiter = self._sniff_delimiter()

    def _lines(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")

    def _sniff_delimiter(self) -> str:
        """The separator that splits some line of the first ones into the most cells (the header
        line has the most); a comma when none does."""
        best, best_count = ",", 0
        with self._lines() as handle:
            sample = [line for _, line in zip(range(HEADER_SEARCH_ROWS), handle, strict=False)]
        for delimiter in _DELIMITERS:
            count = max((line.count(delimiter) for line in sample), default=0)
            if count > best_count:
                best, best_count = delimiter, count
        return best

    def sheet_names(self) -> list[str]:
        return [""]

    def rows(self, name: str) -> Iterator[list[Any]]:
        with self._lines() as handle:
            try:
                yield from csv.reader(handle, delimiter=self.delimiter)
            except (csv.Error, UnicodeDecodeError):
                raise _error(_("无法读取该文件：CSV 格式有误。"), "unreadable") from None


# The table -----------------------------------------------------------------------------------------


class Table:
    """A file's sheets with a header row, and their data rows on demand (read again each time)."""

    def __init__(
        self,
        source: _Workbook | _CsvFile,
        columns: Sequence[ColumnSpec],
        *,
        overrides: Mapping[str, str] | None = None,
        silent_headers: Iterable[str] = (),
        min_matches: int = MIN_HEADER_MATCHES,
    ):
        self.source = source
        self.columns = tuple(columns)
        self.index = header_index(self.columns, overrides)
        self.silent = {normalize.header_key(h) for h in silent_headers}
        self.min_matches = min_matches
        self.sheets: list[SheetLayout] = []
        for name in source.sheet_names():
            layout = self._layout(name)
            if layout is not None:
                self.sheets.append(layout)

    def _layout(self, name: str) -> SheetLayout | None:
        best_row, best_score, best_cells = -1, 0, []
        for i, cells in zip(range(HEADER_SEARCH_ROWS), self.source.rows(name), strict=False):
            keys = {self.index.get(normalize.header_key(v)) for v in cells if not normalize.is_blank(v)}
            score = len(keys - {None, IGNORED})
            if score > best_score:
                best_row, best_score, best_cells = i, score, cells
        if best_score < self.min_matches:
            return None
        headers = [normalize.text(v) for v in best_cells]
        while headers and not headers[-1]:
            headers.pop()
        fields: list[str] = []
        for header in headers:
            key = normalize.header_key(header)
            field_name = self.index.get(key, IGNORED) if key not in self.silent else IGNORED
            fields.append(IGNORED if field_name in fields else field_name)  # the first column wins
        found = set(fields)
        missing = [col.header for col in self.columns if col.required and col.field not in found]
        return SheetLayout(name=name, header_row=best_row + 1, headers=headers, fields=fields, missing=missing)

    @property
    def ignored_headers(self) -> list[str]:
        """Headers of file columns nobody reads, without the silent ones, each once."""
        seen: dict[str, None] = {}
        for layout in self.sheets:
            for header, field_name in zip(layout.headers, layout.fields, strict=True):
                if header and not field_name and normalize.header_key(header) not in self.silent:
                    seen.setdefault(header, None)
        return list(seen)

    @property
    def missing(self) -> list[str]:
        """Headers of required columns missing from some sheet, each once."""
        return list(dict.fromkeys(h for layout in self.sheets for h in layout.missing))

    def mapping(self) -> list[tuple[str, str]]:
        """(file column header, field or IGNORED) for every distinct header of every sheet."""
        seen: dict[str, tuple[str, str]] = {}
        for layout in self.sheets:
            for header, field_name in zip(layout.headers, layout.fields, strict=True):
                key = normalize.header_key(header)
                if key and key not in self.silent:
                    seen.setdefault(key, (header, field_name))
        return list(seen.values())

    def rows(self) -> Iterator[TableRow]:
        """The data rows of every sheet, in order: blank rows and total rows left out."""
        for layout in self.sheets:
            width = len(layout.headers)
            for i, cells in enumerate(self.source.rows(layout.name), start=1):
                if i <= layout.header_row or is_blank_row(cells) or is_total_row(cells):
                    continue
                cells = list(cells[:width]) + [""] * (width - len(cells))
                if is_blank_row(cells):
                    continue
                yield TableRow(sheet=layout.name, number=i, cells=cells, layout=layout)

    def row_count(self) -> int:
        return sum(1 for _row in self.rows())


def first_sheet_rows(content: bytes, *, is_csv: bool) -> list[list[Any]]:
    """Every row of a file's first visible sheet (or of a CSV file), from row 1, as lists of
    cells: for callers that find their header themselves. Prefer ``open_table``."""
    source = _CsvFile(content) if is_csv else _Workbook(content)
    names = source.sheet_names()
    return [list(cells) for cells in source.rows(names[0])] if names else []


def open_table(
    content: bytes,
    file_name: str,
    columns: Sequence[ColumnSpec],
    *,
    overrides: Mapping[str, str] | None = None,
    silent_headers: Iterable[str] = (),
    min_matches: int = MIN_HEADER_MATCHES,
) -> Table:
    """The table of an uploaded file, or a ``ValidationError`` saying in Chinese what is wrong:
    unknown type, empty, unreadable, no sheet with a header row."""
    ext = extension(file_name)
    if ext not in EXTENSIONS:
        raise _error(
            _("不支持的文件类型“%(ext)s”：请上传 Excel 或 WPS 表格（.xlsx、.xls、.ods）或 CSV 文件。")
            % {"ext": ext or _("无扩展名")},
            "file_type",
        )
    if not content:
        raise _error(_("文件是空的。"), "empty")
    source = _CsvFile(content) if ext == ".csv" else _Workbook(content)
    table = Table(source, columns, overrides=overrides, silent_headers=silent_headers, min_matches=min_matches)
    if not table.sheets:
        names = "、".join(col.header for col in columns[:4])
        raise _error(
            _("找不到表头行：表格前 %(n)s 行中应有一行列名（如 %(names)s），请使用导入模板。")
            % {"n": HEADER_SEARCH_ROWS, "names": names},
            "no_header",
        )
    return table


# Writing exports: formula injection (CWE-1236) ---------------------------------------------------
#
# A cell that starts with one of these characters is read by Excel, WPS and LibreOffice as a
# formula when it is typed, pasted, or opened from CSV (``=HYPERLINK(...)``, ``@SUM(...)``,
# ``+1``, ``-1+1``; tab and carriage return are skipped by some readers before the check). Every
# export therefore neutralizes text that starts with them:
#
# - XLSX (``export_workbook``): such text is written as a text cell with the *quote prefix*
#   format (what Excel itself does when a user types ``'=1``): the sheet shows the value exactly
#   as stored, no apostrophe, and Excel never evaluates it, not even after the cell is edited.
#   The value read back (openpyxl, calamine, our own import) is unchanged, so a rejects workbook
#   corrected and uploaded again imports the same text.
# - CSV (``neutralize_cell``): a CSV cell carries no format, so the text gets a leading ``'``
#   (OWASP's recommendation); ``+86 138…`` becomes ``'+86 138…``, nothing else changes.
#
# Numbers, dates and booleans are never touched: only ``str`` values are looked at.

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is text that a spreadsheet could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralize_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV cell: text that starts like a formula gets a leading
    ``'``; everything else (numbers, dates, ordinary text, None) is returned unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def neutralize_row(values: Iterable[Any]) -> list[Any]:
    """``neutralize_cell`` for every cell of a CSV row."""
    return [neutralize_cell(v) for v in values]


def _quote_prefixed(sheet, cell_format):
    """The format ``cell_format`` with the quote prefix set (made once per format and sheet)."""
    cache = sheet.__dict__.setdefault("_quote_formats", {})
    key = id(cell_format)
    if key not in cache:
        made = sheet.workbook_add_format()
        if cell_format is not None:
            for name, value in vars(cell_format).items():
                if name not in ("xf_index", "dxf_index", "xf_format_indices", "dxf_format_indices"):
                    setattr(made, name, value)
        made.quote_prefix = True
        cache[key] = (cell_format, made)  # holds cell_format so that its id stays its own
    return cache[key][1]


@cache
def _safe_worksheet_class():
    from xlsxwriter.worksheet import Worksheet

    class SafeWorksheet(Worksheet):
        """A worksheet that writes formula-like text as quote-prefixed text (see above)."""

        def _write_string(self, row, col, string, cell_format=None):
            if is_formula_like(string):
                cell_format = _quote_prefixed(self, cell_format)
            return super()._write_string(row, col, string, cell_format)

    return SafeWorksheet


def export_workbook(target, options: Mapping[str, Any] | None = None):
    """An ``xlsxwriter.Workbook`` for an export: text is never turned into a formula
    (``strings_to_formulas`` is forced off) and formula-like text is quote-prefixed. Formulas the
    export means to write go through ``write_formula`` as before."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {**(options or {}), "strings_to_formulas": False})
    book.worksheet_class = _safe_worksheet_class()
    return book
