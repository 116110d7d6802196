"""Bounded input (issue 19), the pure half: carbon/core/input_limits.py and the shared reader read_table."""

from __future__ import annotations

import io
import re
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from bench import limits as bombs
from carbon.core import input_limits
from carbon.core.errors import LimitExceeded, TooLarge, ValidationError
from carbon.core.input_limits import (
    InputLimits,
    cell_position,
    check_csv,
    check_size,
    declared_extent,
    inspect_xlsx,
    xlsx_rows,
)
from carbon.core.settings import Settings
from carbon.inventory.io import read_table

SMALL = InputLimits(upload_bytes=10_000, rows=5, columns=4, cells=30, text_chars=20,
                    xlsx_uncompressed_bytes=5 * 1024 * 1024, compression_ratio=100)


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def raised(call) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as info:
        call()
    return info.value


def test_settings_give_the_limits_and_the_environment_overrides_them(monkeypatch):
    assert InputLimits.from_settings(Settings()) == InputLimits()
    assert InputLimits() == InputLimits(20 * 1024 * 1024, 200_000, 64, 2_000_000, 10_000, 200 * 1024 * 1024, 100)
    monkeypatch.setenv("CARBON_INPUT_MAX_ROWS", "7")
    monkeypatch.setenv("CARBON_INPUT_MAX_COMPRESSION_RATIO", "9")
    limits = InputLimits.from_settings(Settings())
    assert (limits.rows, limits.compression_ratio, limits.columns) == (7, 9, 64)


def test_cell_references_and_declared_dimensions():
    assert cell_position("XFD1048576") == (1_048_576, 16_384)
    assert cell_position("A1") == (1, 1) and cell_position("AA10") == (10, 27)
    assert declared_extent(b'<worksheet><dimension ref="A1:XFD1048576"/>') == ("A1:XFD1048576", 1_048_576, 16_384)
    assert declared_extent(b"<x:worksheet><x:dimension ref='B2'/>") == ("B2", 2, 2)
    assert declared_extent(b"<worksheet><sheetData/>") is None


def test_the_upload_size_is_a_413_error():
    check_size(10_000, SMALL)
    error = raised(lambda: check_size(10_001, SMALL))
    assert isinstance(error, TooLarge)
    assert (error.limit, error.limit_value, error.actual, error.setting) == (
        "upload_bytes", 10_000, 10_001, "CARBON_INPUT_MAX_UPLOAD_BYTES")


def test_an_xlsx_declaring_a1_xfd1048576_is_refused_from_its_dimension_alone():
    error = raised(lambda: inspect_xlsx(bombs.xlsx_declared(), InputLimits()))
    assert (error.limit, error.actual, error.limit_value) == ("rows", 1_048_575, 200_000)
    assert "A1:XFD1048576" in error.message and "CARBON_INPUT_MAX_ROWS" in error.message
    wide = bombs.xlsx_with_sheet(bombs._sheet("A1:BZ3", b""))
    assert raised(lambda: inspect_xlsx(wide, InputLimits())).limit == "columns"
    many = bombs.xlsx_with_sheet(bombs._sheet("A1:AZ100000", b""))  # 52 columns x 100,000 rows
    assert raised(lambda: inspect_xlsx(many, InputLimits())).limit == "cells"


def test_a_zip_bomb_is_refused_from_the_zip_directory():
    error = raised(lambda: inspect_xlsx(bombs.xlsx_zipbomb(8), SMALL))
    assert (error.limit, error.limit_value) == ("xlsx_uncompressed_bytes", 5 * 1024 * 1024)
    error = raised(lambda: inspect_xlsx(bombs.xlsx_zipbomb(3), SMALL))
    assert error.limit == "compression_ratio" and error.actual > 100


def test_a_sheet_that_declares_nothing_or_too_little_is_counted_while_read():
    assert raised(lambda: xlsx_rows(bombs.xlsx_undeclared(), InputLimits())).limit == "rows"
    lying = bombs.xlsx_lying(7)  # declares A1:B2
    assert inspect_xlsx(lying, SMALL)[0].ref == "A1:B2"
    error = raised(lambda: xlsx_rows(lying, SMALL))
    assert (error.limit, error.actual) == ("rows", 6)
    far = bombs.xlsx_with_sheet(bombs._sheet("A1:B2", b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>'))
    assert raised(lambda: xlsx_rows(far, SMALL)).limit == "cells"  # the row openpyxl pads out to XFD counts
    assert raised(lambda: xlsx_rows(workbook([["a", "b", "c", "d", "e"]]), SMALL)).limit == "columns"
    assert raised(lambda: xlsx_rows(workbook([["a"], ["x" * 21]]), SMALL)).limit == "text_chars"


def test_xlsx_rows_read_as_pandas_read_excel_did():
    data = workbook([["Region", "year", None, "note"], ["150602", 2022, 1.5, None], [], ["达拉特旗", 2023.0, "", "x"],
                     [None, None]])
    ours = read_table(data, "a.xlsx")
    theirs = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
    theirs.columns = [str(c).strip().lower() for c in theirs.columns]
    pd.testing.assert_frame_equal(ours, theirs)
    assert xlsx_rows(workbook([]), SMALL) == []


def test_csv_is_checked_while_streamed():
    header = "a,b,c\n"
    assert check_csv(header + "1,2,3\n" * 5, SMALL).rows == 5
    assert raised(lambda: check_csv(header + "1,2,3\n" * 6, SMALL)).limit == "rows"
    error = raised(lambda: check_csv(",".join(f"c{i}" for i in range(1_000_000)), InputLimits()))
    assert (error.limit, error.actual) == ("columns", 1_000_000)
    assert raised(lambda: check_csv(header + "1,2,3,4,5\n", SMALL)).limit == "columns"
    assert check_csv('a,"b,c,d,e,f"\n', SMALL).columns == 2  # commas inside quotes are not columns
    assert raised(lambda: check_csv(header + "1,2," + "x" * 21 + "\n", SMALL)).limit == "text_chars"
    assert raised(lambda: check_csv(header + "1,2," + "x" * 200_000 + "\n", InputLimits())).limit == "text_chars"
    error = raised(lambda: check_csv("a,b,c,d\n" + "1,2,3,4\n" * 2, InputLimits(rows=5, columns=4, cells=10)))
    assert (error.limit, error.actual) == ("cells", 12)


def test_read_table_applies_the_limits_to_csv_and_xlsx():
    assert len(read_table(b"# note\nregion,year\n150602,2022\n", "a.csv", SMALL)) == 1
    assert raised(lambda: read_table(bombs.csv_columns(10), "a.csv", SMALL)).limit == "columns"
    assert raised(lambda: read_table(b"a\n" + b"1\n" * 6, "a.csv", SMALL)).limit == "rows"
    assert isinstance(raised(lambda: read_table(b"a\n" * 6_000, "a.csv", SMALL)), TooLarge)
    assert raised(lambda: read_table(bombs.xlsx_declared(), "a.xlsx")).limit == "rows"
    with pytest.raises(ValidationError, match="not an XLSX"):
        read_table(b"region,year\n", "a.xlsx")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "1", ",", "\n", "\r\n", " ", "\t", "东胜区", "\x0c", "\x00", "x" * 19]),
                max_size=40).map("".join),
       st.integers(1, 6), st.integers(1, 5), st.integers(1, 40), st.integers(1, 25))
def test_the_numpy_count_is_the_streamed_count(text, rows, columns, cells, chars):
    """shape_unquoted (numpy over the bytes) gives the streaming check's shape whenever it gives one, and says
    whether the text holds a control character other than tab, CR and LF."""
    limits = InputLimits(rows=rows, columns=columns, cells=cells, text_chars=chars)
    fast = input_limits.shape_unquoted(text.encode(), limits)
    if fast is None:
        return
    with mock.patch.object(input_limits, "shape_unquoted", return_value=None):
        streamed = check_csv(text, limits)
    assert (fast.rows, fast.columns, fast.cells) == (streamed.rows, streamed.columns, streamed.cells)
    assert fast.controls == bool(_CONTROL.search(text))
