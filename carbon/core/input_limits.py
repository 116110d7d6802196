"""Bounded input: every uploaded or imported table is measured against limits before and while it is parsed.

A file is cheap to send and can be expensive to read (issue 19): an XLSX whose one cell sits at XFD1048576
declares A1:XFD1048576 and pandas padded its 1,048,576 rows to 16,384 columns (1.7×10^10 cells, 23 GB); a
CSV header of 10^6 columns, or a zip member that inflates a thousandfold, costs as much. So, in this order:

1. ``check_size``: the bytes of the upload (``TooLarge``, which the API answers with 413).
2. XLSX (``inspect_xlsx``), from the zip's central directory and the first bytes of each sheet, before any cell
   is read: the total uncompressed size, each member's compression ratio, each worksheet's declared
   ``<dimension ref="A1:XFD1048576"/>`` and the shared-string table's declared ``uniqueCount``.
3. While reading (a declared dimension can be missing or lie): ``xlsx_rows`` reads the first sheet with openpyxl
   in read-only mode and ``check_csv`` streams a CSV with the csv module, both counting rows, columns, cells and
   the longest text and stopping at the first value past a limit.

Every other breach raises ``LimitExceeded`` (422) naming the limit, its value, what the input has and the setting
that raises it. Limits come from the settings (``CARBON_INPUT_MAX_*``, see carbon/core/settings.py); readers take
an ``InputLimits`` and default to ``current_limits()``. Rows are data rows (the header excluded); cells are the
cells read, header included (for XLSX: the cells openpyxl yields, empty ones inside a row too).

No HTTP here: the API maps the errors once (api/errors.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from carbon.core.errors import LimitExceeded, TooLarge, ValidationError

if TYPE_CHECKING:
    from carbon.core.settings import Settings

MIB = 1024 * 1024
# Free text in request schemas (api/): a static bound, since an OpenAPI schema cannot follow the environment.
# Equal to the default of CARBON_INPUT_MAX_TEXT_CHARS; names, codes and labels use shorter bounds.
TEXT_MAX_CHARS = 10_000
NAME_MAX_CHARS = 200
HEAD_BYTES = 64 * 1024  # how much of a worksheet is inflated to find <dimension> (it comes before <sheetData>)
RATIO_FLOOR_BYTES = MIB  # a member smaller than this is not held to the ratio (tiny XML compresses well)


@dataclass(frozen=True)
class InputLimits:
    """The bounds of one read. Field names are the settings' names without ``input_max_``."""

    upload_bytes: int = 20 * MIB
    rows: int = 200_000
    columns: int = 64
    cells: int = 2_000_000
    text_chars: int = TEXT_MAX_CHARS
    xlsx_uncompressed_bytes: int = 200 * MIB
    compression_ratio: int = 100

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        return cls(**{f.name: getattr(settings, f"input_max_{f.name}") for f in fields(cls)})

    def exceeded(self, limit: str, actual: int | float, what: str, *, field: str | None = "file",
                 error: type[LimitExceeded] = LimitExceeded, **params) -> LimitExceeded:
        """The error for ``limit`` breached: ``what`` is the catalogue key of what was measured (``limit_...``,
        carbon/core/more_messages.py) and ``params`` its fields; the unit of each limit is ``limit_unit_<limit>``."""
        value = getattr(self, limit)
        return error(limit=limit, limit_value=value, actual=actual, setting=setting_name(limit), field=field,
                     key=what, params=params)


def setting_name(limit: str) -> str:
    return f"CARBON_INPUT_MAX_{limit.upper()}"


def current_limits() -> InputLimits:
    """The limits of this process's settings: ``CARBON_INPUT_MAX_*`` read plainly (carbon/core/plain_env.py, no
    pydantic for a command that needs nothing else), else ``get_settings()`` (read once)."""
    from carbon.core.plain_env import positive_ints

    plain = positive_ints({f"input_max_{f.name}": f.default for f in fields(InputLimits)})
    if plain is not None:
        return InputLimits(**{name.removeprefix("input_max_"): value for name, value in plain.items()})
    from carbon.core.settings import get_settings

    return InputLimits.from_settings(get_settings())


# --- bytes ------------------------------------------------------------------------------------------------

def check_size(n_bytes: int, limits: InputLimits, name: str = "file") -> None:
    if n_bytes > limits.upload_bytes:
        if name == "file":
            raise limits.exceeded("upload_bytes", n_bytes, "limit_upload_too_large", error=TooLarge)
        raise limits.exceeded("upload_bytes", n_bytes, "limit_file_too_large", error=TooLarge, name=name)


# --- XLSX, from the zip directory ---------------------------------------------------------------------------

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Za-z]{1,3}\d{1,7})(?::([A-Za-z]{1,3}\d{1,7}))?[\"']")
_UNIQUE_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\buniqueCount=[\"'](\d+)[\"']")
_CELL_REF = re.compile(r"([A-Za-z]+)(\d+)")


@dataclass(frozen=True)
class SheetExtent:
    member: str  # xl/worksheets/sheet1.xml
    ref: str | None  # the declared dimension (A1:G201), None when the sheet declares none
    rows: int | None  # the last declared row (the header is row 1)
    columns: int | None  # the last declared column


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column) of an A1-style reference: ``XFD1048576`` -> (1048576, 16384)."""
    m = _CELL_REF.fullmatch(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    column = 0
    for ch in m.group(1).upper():
        column = column * 26 + ord(ch) - 64
    return int(m.group(2)), column


def declared_extent(head: bytes) -> tuple[str, int, int] | None:
    """The ``<dimension ref>`` in the first bytes of a worksheet: (ref, last row, last column), or None."""
    m = _DIMENSION.search(head)
    if not m:
        return None
    last = (m.group(2) or m.group(1)).decode()
    row, column = cell_position(last)
    return (m.group(1).decode() + (f":{last}" if m.group(2) else ""), row, column)


def inspect_xlsx(data: bytes, limits: InputLimits) -> list[SheetExtent]:
    """Check a workbook from its zip directory and the first bytes of its sheets; no cell is parsed.

    Raises ``LimitExceeded`` for a total uncompressed size or a member's compression ratio beyond the limits, a
    worksheet whose declared dimension has more rows, columns or cells than allowed, or a shared-string table that
    declares more strings than the cell limit; ``ValidationError`` when the bytes are not a zip file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(key="core_xlsx_not_zip", params={"reason": str(exc)}, field="file") from None
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > limits.xlsx_uncompressed_bytes:
            raise limits.exceeded("xlsx_uncompressed_bytes", total, "limit_workbook_inflates")
        for m in members:
            if m.file_size >= RATIO_FLOOR_BYTES:
                ratio = m.file_size / max(m.compress_size, 1)
                if ratio > limits.compression_ratio:
                    raise limits.exceeded("compression_ratio", round(ratio, 1), "limit_member_ratio", name=m.filename,
                                          compressed=m.compress_size, size=m.file_size)
        sheets = []
        for m in members:
            name = m.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and not m.is_dir():
                found = declared_extent(_head(archive, m))
                if found is None:
                    sheets.append(SheetExtent(name, None, None, None))
                    continue
                ref, rows, columns = found
                what = {"name": name, "ref": ref}
                if rows - 1 > limits.rows:
                    raise limits.exceeded("rows", rows - 1, "limit_sheet_declares", **what)
                if columns > limits.columns:
                    raise limits.exceeded("columns", columns, "limit_sheet_declares", **what)
                if rows * columns > limits.cells:
                    raise limits.exceeded("cells", rows * columns, "limit_sheet_declares", **what)
                sheets.append(SheetExtent(name, ref, rows, columns))
            elif name == "xl/sharedStrings.xml":
                m_count = _UNIQUE_COUNT.search(_head(archive, m, 4096))
                if m_count and int(m_count.group(1)) > limits.cells:
                    raise limits.exceeded("cells", int(m_count.group(1)), "limit_strings_declared", name=name)
    return sheets


def _head(archive: zipfile.ZipFile, member: zipfile.ZipInfo, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` inflated bytes of a member (only that much is decompressed)."""
    try:
        with archive.open(member) as fh:
            return fh.read(size)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise ValidationError(key="core_xlsx_member_unreadable", params={"name": member.filename, "reason": str(exc)},
                              field="file") from None


# --- XLSX, cell by cell ------------------------------------------------------------------------------------

def xlsx_rows(data: bytes, limits: InputLimits) -> list[list[Any]]:
    """The first sheet's rows as pandas' openpyxl reader builds them (empty cell "", an error cell NaN, a whole
    number int, trailing empty cells and rows dropped, rows padded to the widest), within the limits.

    Runs ``inspect_xlsx`` first, then reads in openpyxl's read-only mode with the declared dimension reset, counting
    as it goes: it stops at the first row past ``rows``, the first row wider than ``columns``, the cell past
    ``cells`` (every cell openpyxl yields counts, so a row padded out to XFD costs its 16,384 cells at once) and the
    first text longer than ``text_chars``. Empty rows between data rows are kept (row numbers stay the sheet's).
    """
    import openpyxl
    from openpyxl.cell.cell import TYPE_ERROR, TYPE_NUMERIC

    inspect_xlsx(data, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise ValidationError(key="core_xlsx_unreadable", params={"reason": str(exc)}, field="file") from exc
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # iterate what is there, not what is declared
        out: list[list[Any]] = []
        blank = 0  # empty rows seen since the last row with data (dropped if nothing follows)
        seen = 0
        width = 0
        for index, row in enumerate(sheet.iter_rows()):
            if not row:  # a row without cells (or a gap openpyxl fills): the fast path, a sheet may have a million
                blank += 1
                continue
            seen += len(row)
            if seen > limits.cells:
                raise limits.exceeded("cells", seen, "limit_sheet_at_least", title=sheet.title)
            values: list[Any] = []
            for cell in row:
                value = cell.value
                if value is None:
                    values.append("")
                elif cell.data_type == TYPE_ERROR:
                    values.append(float("nan"))
                elif cell.data_type == TYPE_NUMERIC and not isinstance(value, bool):
                    whole = int(value)
                    values.append(whole if whole == value else float(value))
                else:
                    if isinstance(value, str) and len(value) > limits.text_chars:
                        raise limits.exceeded("text_chars", len(value), "limit_cell_too_long", cell=cell.coordinate,
                                              title=sheet.title)
                    values.append(value)
            while values and isinstance(values[-1], str) and values[-1] == "":
                values.pop()
            if not values:
                blank += 1
                continue
            if index > limits.rows:  # the header is index 0: this is data row `index`
                raise limits.exceeded("rows", index, "limit_sheet_at_least", title=sheet.title)
            if len(values) > limits.columns:
                raise limits.exceeded("columns", len(values), "limit_sheet_row_has", row=index + 1, title=sheet.title)
            out.extend([] for _ in range(blank))
            blank = 0
            out.append(values)
            width = max(width, len(values))
        for values in out:
            if len(values) < width:
                values.extend([""] * (width - len(values)))
        return out
    finally:
        book.close()


# --- CSV, streamed -----------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"[^"]*"')


@dataclass(frozen=True)
class TableShape:
    rows: int  # data rows (header excluded, blank lines skipped)
    columns: int  # the widest record
    cells: int  # every field, header included
    # a control character other than tab, CR and LF: counted on the way by shape_unquoted, for the encoding check
    # (carbon/inventory/io.py ``_read_utf8_as_is``); None from the streamed check, which does not count them
    controls: bool | None = None


def _lines(text: str, start: int, limits: InputLimits, first_line: int) -> Iterator[str]:
    """The physical lines of ``text`` from offset ``start``, without copying the text into a list. A line with more
    commas (outside quotes) than ``columns`` is refused before the csv module splits it into a million fields."""
    pos, end, number = start, len(text), first_line
    longest = limits.columns * (2 * limits.text_chars + 3) + 2  # every field at its limit, quoted, quotes doubled
    while pos < end:
        stop = text.find("\n", pos)
        stop = end if stop < 0 else stop + 1
        if text.count(",", pos, stop) >= limits.columns:  # counted in place; split below only past the limit
            n = _QUOTED.sub("", text[pos:stop]).count(",") + 1
            if n > limits.columns:
                raise limits.exceeded("columns", n, "limit_line_has", line=number)
        if stop - pos > longest:  # refused before it is copied out: some field on it must be too long
            raise limits.exceeded("text_chars", stop - pos, "limit_line_too_long", line=number, columns=limits.columns,
                                  chars=limits.text_chars)
        yield text[pos:stop]
        pos, number = stop, number + 1


_MARKS = bytes(range(0x20)) + b","  # what a shape is counted from: commas, line ends and the other control characters
_NOT_MARKS = bytes(b for b in range(256) if b not in _MARKS)


def shape_unquoted(body: bytes, limits: InputLimits) -> TableShape | None:
    """The shape of a CSV's UTF-8 bytes without double quotes (or bare CRs), counted with numpy; None when they have
    quotes or come near any limit, so that the streaming check (``check_csv``) finds and words the problem.

    The streaming check took 2 s for 10^6 rows in Python (bench/cli.py); this takes a tenth of that. Field lengths
    are counted in bytes (at least the characters), so a field can only look longer than it is, never shorter."""
    if body.find(b'"') >= 0 or (b"\r" in body and body.count(b"\r") != body.count(b"\r\n")):
        return None  # quotes, or a CR that is not a line end: the csv module decides
    data = np.frombuffer(body, dtype=np.uint8)
    if data.size == 0:
        return TableShape(0, 0, 0, False)
    newline = np.flatnonzero(data == 10)
    ends = newline if newline.size and newline[-1] == data.size - 1 else np.append(newline, data.size)
    begins = np.concatenate(([0], ends[:-1] + 1))
    carriage = np.zeros(ends.size, dtype=bool)
    inside = ends > begins
    carriage[inside] = data[ends[inside] - 1] == 13  # "\r\n": the CR is not part of the line
    blank = (ends - begins - carriage) <= 0
    # the commas, line ends and other control characters alone: a seventh of the bytes of bench/cli.py's file, so
    # the passes below run over far fewer (10^6 rows: 0.05 s against 0.15 s over every byte)
    marks = np.frombuffer(body.translate(None, _NOT_MARKS), dtype=np.uint8)
    controls = bool(((marks < 0x20) & (marks != 9) & (marks != 10) & (marks != 13)).any())
    comma = np.flatnonzero(marks == 44)
    mark_ends = np.flatnonzero(marks == 10)
    if mark_ends.size < ends.size:  # the last line has no newline
        mark_ends = np.append(mark_ends, marks.size)
    # commas before each line end; a line's begin has as many before it as the previous line's end (a newline)
    before_end = np.searchsorted(comma, mark_ends)
    fields = (np.diff(before_end, prepend=0) + 1)[~blank]
    if fields.size == 0:
        return TableShape(0, 0, 0, controls)
    longest = int((ends - begins).max())  # no field is longer than its line: fields are measured only past the limit
    if longest > limits.text_chars:
        delimiters = np.flatnonzero((data == 44) | (data == 10))
        longest = int(np.diff(np.concatenate(([-1], delimiters, [data.size]))).max()) - 1
    records, widest, cells = int(fields.size), int(fields.max()), int(fields.sum())
    if widest > limits.columns or longest > limits.text_chars or records - 1 > limits.rows or cells > limits.cells:
        return None
    return TableShape(records - 1, widest, cells, controls)


def check_csv(text: str, limits: InputLimits, *, start: int = 0, first_line: int = 1,
              encoded: bytes | None = None) -> TableShape:
    """Stream a CSV text (from offset ``start``, line ``first_line`` as the user counts) and stop at the first
    record past a limit: more data rows than ``rows``, a record wider than ``columns``, more than ``cells`` fields,
    or a field longer than ``text_chars``. Reads the way pandas does later (comma, double quotes, spaces after a
    delimiter skipped, blank lines skipped); a CSV it cannot split is left for pandas to report. ``encoded``: the
    UTF-8 bytes of ``text[start:]`` when the caller has them (not encoded again)."""
    fast = shape_unquoted(text[start:].encode("utf-8") if encoded is None else encoded, limits)
    if fast is not None:
        return fast
    reader = csv.reader(_lines(text, start, limits, first_line), skipinitialspace=True)
    records = cells = widest = 0
    try:
        for record in reader:
            if not record:
                continue
            n = len(record)
            if n > limits.columns:
                raise limits.exceeded("columns", n, "limit_line_has", line=reader.line_num + first_line - 1)
            longest = max(map(len, record))
            if longest > limits.text_chars:
                raise limits.exceeded("text_chars", longest, "limit_field_too_long",
                                      line=reader.line_num + first_line - 1)
            records += 1
            cells += n
            widest = max(widest, n)
            if records - 1 > limits.rows:
                raise limits.exceeded("rows", records - 1, "limit_file_at_least")
            if cells > limits.cells:
                raise limits.exceeded("cells", cells, "limit_file_at_least")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own bound (128 KiB) came first
            raise limits.exceeded("text_chars", csv.field_size_limit() + 1, "limit_field_too_long",
                                  line=reader.line_num + first_line - 1) from None
        # anything else (a stray quote ...) is pandas' to report, with its own words
    return TableShape(max(records - 1, 0), widest, cells)
