"""Activity data in and results out: the bureau's data-collection template as CSV or XLSX.

Template columns: region, year, category, item, quantity, unit, and optional note. Instead of a number,
`quantity` may hold a notation key (NO not occurring, NE not estimated, IE included elsewhere,
C confidential, NA not applicable) so that a report can say why a category has no figure. Regions by code
(150621) or Chinese name (达拉特旗); categories by code (1.A.1.a) or Chinese name; items by code or
Chinese name (原煤, 水泥熟料, 非奶牛, 厨余垃圾, ...). Category codes are IPCC 2006 codes (4.A solid waste disposal)
unless the file is read with ``codes="crt"`` (UNFCCC CRT: 5.A solid waste disposal); names work under both, and
the records always hold the IPCC 2006 code. Results carry both (``category``, ``crt_category``).

Reading is all or nothing: every bad row is reported (row, column, reason) and nothing is returned.
Validation runs once per distinct value (regions, categories, items and units repeat), so a file of a
million rows costs a few column operations, not a million pint parses.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.io.parsers import TextParser

from carbon.core import units
from carbon.core.errors import CarbonError, ImportRejected, RowError, ValidationError
from carbon.core.input_limits import InputLimits, check_csv, check_size, current_limits, shape_unquoted, xlsx_rows
from carbon.core.regions import BY_CODE, resolve_region
from carbon.core.tabular import (SIGNIFICANT_DIGITS, UTF8_BOM, WIDE_BOMS, canonical_columns, canonical_frame, decode_text,
                                  decode_text_utf8, plausible, require_columns, rounded_for_csv)
from carbon.factors.library import profile_column
from carbon.inventory.catalog import DEFAULT_CODES, NOTATION_KEYS, SECTOR_NAMES_ZH, Catalog, check_codes, load_catalog

if TYPE_CHECKING:  # the engine imports nothing from here; only the type is needed
    from carbon.inventory.engine import CompileResult

COLUMNS = ("region", "year", "category", "item", "quantity", "unit")
# read as categoricals (few distinct values in many rows); not year (pandas would make its categories numbers, so the
# file would be read twice) nor quantity (mostly distinct)
CATEGORICAL = ("region", "category", "item", "unit", "note", "facility")
OPTIONAL = ("note", "facility")  # facility: the plant's name or USCC, for carbon balances (2.B.8, 1.B.3)
FACILITY_MAX = 200  # activity_records.facility
MAX_REPORTED = 1000  # a report beyond this many bad rows says how many more there were


def read_table(source: str | Path | bytes, filename: str | None = None, limits: InputLimits | None = None, *,
               text_dtype: type = str, categorical: tuple[str, Collection[str]] | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file as strings, keeping the user's text exactly (no NaN guessing).

    ``text_dtype``: the columns of a CSV as pandas' ``str`` dtype (the default), or ``object`` (Python strings in a
    NumPy array: pandas reads them in a third of the time; for readers that only look at each distinct value).
    ``categorical``: (file kind, columns by their contract names): those columns of a CSV read as pandas categoricals
    of their text (``_read_csv``).

    Bounded (carbon/core/input_limits.py, ``limits`` default ``current_limits()``): the bytes are checked before
    they are read, an XLSX's zip directory and declared dimensions before any cell, and rows, columns, cells and
    text length while the file is read, so a file past a limit costs no more than its own size.
    """
    limits = limits or current_limits()
    name = filename or (str(source) if not isinstance(source, bytes) else "upload.csv")
    suffix = Path(name).suffix.lower()
    if isinstance(source, bytes):
        data = source
    else:
        try:
            check_size(Path(source).stat().st_size, limits, Path(name).name)
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise ValidationError(key="file_not_found", params={"path": str(source)}, field="file") from None
        except OSError as exc:
            raise ValidationError(key="file_unreadable", params={"path": str(source), "reason": exc.strerror or str(exc)},
                                  field="file") from None
    check_size(len(data), limits, Path(name).name)
    try:
        if suffix in (".xlsx", ".xlsm"):
            rows = xlsx_rows(data, limits)
            if not rows:
                df = pd.DataFrame()
            else:  # as pandas.read_excel(dtype=str, keep_default_na=False) parses the rows it read
                df = TextParser(rows, header=0, dtype=str, keep_default_na=False, skip_blank_lines=False).read()
        elif suffix in (".csv", ".txt", ""):
            df = _read_utf8_as_is(data, limits, text_dtype, categorical)
            if df is None:
                df = _read_decoded(data, limits, text_dtype, categorical)
        else:
            raise ValidationError(key="file_type", params={"suffix": repr(suffix)}, field="file")
    except CarbonError:
        raise
    except pd.errors.EmptyDataError:  # not even a header line
        df = pd.DataFrame()
    except Exception as exc:  # noqa: BLE001 - a parser error is a bad file, reported as such
        raise ValidationError(key="file_parse", params={"path": Path(name).name, "reason": str(exc)}, field="file") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def _read_decoded(data: bytes, limits: InputLimits, text_dtype: type,
                  categorical: tuple[str, Collection[str]] | None) -> pd.DataFrame:
    """A CSV file's frame: its text decoded (UTF-8 or GB18030, ``decode_text_utf8``), its leading comment lines
    skipped, its shape checked against the limits, then read."""
    text, utf8 = decode_text_utf8(data)
    start, skip = _after_comments(text)  # leading comment lines (provenance notes)
    if utf8:  # the file's own bytes after the BOM and the comments: not encoded again (0.2 s per 10^6 rows)
        body = data[(len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0) + len(text[:start].encode("utf-8")):]
    else:
        body = text[start:].encode("utf-8")  # once, for the check and the parser
    check_csv(text, limits, start=start, first_line=skip + 1, encoded=body)
    # from bytes, not io.StringIO: pandas' C parser reads UTF-8 bytes twice as fast as text (bench/cli.py)
    df = _read_csv(body, text_dtype, categorical)
    df.attrs["first_data_line"] = skip + 2
    return df


def _read_utf8_as_is(data: bytes, limits: InputLimits, text_dtype: type,
                     categorical: tuple[str, Collection[str]] | None) -> pd.DataFrame | None:
    """``_read_decoded``'s frame of a CSV whose bytes are UTF-8 of plausible text, read without decoding the file
    first. For a file of 10^6 rows the decode and the search of the text for implausible characters took 0.5 s
    (bench/cli.py); here pandas decodes each cell (strictly) and the characters are checked once per distinct value.

    None whenever anything is in doubt: a UTF-16/32 mark, double quotes, a limit in reach, control characters,
    bytes that are not UTF-8, a character a bureau file would not hold, anything pandas cannot read. Then
    ``_read_decoded`` reads the file and words the problem, so that both give the same frame or the same error
    (tests/inventory/test_read_utf8_as_is.py)."""
    bom = data.startswith(UTF8_BOM)  # UTF-8 whatever its characters, as decode_text_utf8 takes it
    if not bom and any(data.startswith(mark) for mark in WIDE_BOMS):
        return None
    start, skip = _after_comments(data, len(UTF8_BOM) if bom else 0)
    body = data[start:]
    try:
        comments = data[len(UTF8_BOM) if bom else 0:start].decode("utf-8")
    except UnicodeDecodeError:
        return None
    shape = shape_unquoted(body, limits)
    if shape is None or not bom and (shape.controls or not plausible([comments])):
        return None
    try:
        df = _read_csv(body, text_dtype, categorical)
    except Exception:  # noqa: BLE001 - not UTF-8 (pandas decodes strictly), no header, a ragged file: _read_decoded
        return None
    if not bom and not (isinstance(df.index, pd.RangeIndex) and plausible(df.columns)
                        and all(plausible(_distinct_values(df.iloc[:, i])) for i in range(df.shape[1]))):
        return None
    df.attrs["first_data_line"] = skip + 2
    return df


def _distinct_values(column: pd.Series):
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.categories
    return pd.unique(column.to_numpy(dtype=object))


def _read_csv(body: bytes, text_dtype: type, categorical: tuple[str, Collection[str]] | None) -> pd.DataFrame:
    """The CSV's UTF-8 ``body`` as a frame of text. Columns named in ``categorical`` (a file kind and contract names,
    matched through the kind's Chinese headers) come as categoricals: pandas' C parser then hashes each cell's bytes
    and builds one string per distinct value, not one per cell (10^6 rows: 0.5 s for read and distinct values against
    1.5 s as strings then ``pd.factorize``, bench/cli.py). pandas turns categories that all look like numbers or
    booleans into numbers (``02022`` would come back as ``2022``): then the file is read again as text, exactly."""
    dtype: type | dict = text_dtype
    if categorical:
        kind, names = categorical
        header = pd.read_csv(io.BytesIO(body), nrows=0, encoding="utf-8", skipinitialspace=True).columns
        wanted = {raw for raw, name in zip(header, canonical_columns(header, kind)) if name in names}
        dtype = {raw: "category" if raw in wanted else text_dtype for raw in header}
    df = pd.read_csv(io.BytesIO(body), encoding="utf-8", dtype=dtype, keep_default_na=False, skipinitialspace=True)
    if categorical and not all(pd.api.types.is_string_dtype(df[c].cat.categories) for c in wanted):
        return _read_csv(body, text_dtype, None)
    return df


def _after_comments(text: str | bytes, pos: int = 0) -> tuple[int, int]:
    """(offset of the first line from ``pos`` not starting with ``#``, how many lines came before it), in a text
    or in its UTF-8 bytes."""
    skip = 0
    hash_mark, newline = ("#", "\n") if isinstance(text, str) else (b"#", b"\n")
    while text.startswith(hash_mark, pos):
        stop = text.find(newline, pos)
        if stop < 0:
            return len(text), skip + 1
        pos, skip = stop + 1, skip + 1
    return pos, skip


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK, detected (carbon/core/tabular.py); an error otherwise."""
    return decode_text(data)


def read_activity(source: str | Path | bytes, filename: str | None = None, catalog: Catalog | None = None,
                  codes: str = DEFAULT_CODES) -> pd.DataFrame:
    """Read and validate activity data. Returns columns region, year, category, item, quantity, unit,
    note, row (codes resolved; categorical dtypes for the repeated text columns). Raises ImportRejected.
    ``codes``: the scheme of the file's category codes, "ipcc2006" (the default) or "crt"."""
    # validate_activity works per distinct value: the repeated text columns come as categoricals (their codes)
    raw = read_table(source, filename, text_dtype=object, categorical=("activity", CATEGORICAL))
    if raw.shape == (0, 0):  # not even a header line
        name = filename or (str(source) if not isinstance(source, bytes) else "upload.csv")
        raise ValidationError(key="no_data_rows", params={"path": name}, field="file")
    return validate_activity(raw, catalog, codes=codes)


class _Distinct:
    """A text column as integer codes into its distinct values, each stripped once: a file of 10^6 rows has a few
    hundred distinct regions, categories, items, units and years, so everything below works on those (per row this
    took 8 s of 13, bench/cli.py) and rows only index into the answers."""

    def __init__(self, values: pd.Series):
        if isinstance(values.dtype, pd.CategoricalDtype):  # read as a categorical (read_table): the parser's codes
            codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        else:  # missing cells: -1 (use_na_sentinel=False would add a pass over the rows)
            codes, uniques = pd.factorize(values)
        self.raw = np.asarray(uniques, dtype=object)  # as read (for reports that quote the cell)
        missing = codes < 0
        if missing.any():  # a missing cell is one more distinct value
            self.raw = np.append(self.raw, np.nan)
            codes = np.where(missing, len(self.raw) - 1, codes)
        self.codes = codes
        self.text = pd.Index(self.raw, dtype=object).astype(str).str.strip().to_numpy(dtype=object)

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """``per_value`` (one entry per distinct value) spread to every row."""
        return per_value[self.codes]


def _as_text(values: pd.Series) -> np.ndarray:
    """Each row's cell as ``str`` (as ``values.astype(str)``), converted once per distinct value."""
    col = _Distinct(values)
    return col.rows(np.array([str(v) for v in col.raw], dtype=object))


def stripped(values: pd.Series) -> pd.Series:
    """The column as text without surrounding blanks, each distinct value stripped once."""
    col = _Distinct(values)
    return pd.Series(col.rows(col.text), index=values.index, dtype=object)


def _categorical(values: np.ndarray, codes: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(values[codes])`` (the same categories, sorted, and dtype), built from the distinct values: the
    categories are those of the values some row uses."""
    used = np.zeros(len(values), dtype=bool)
    used[codes] = True
    small = pd.Categorical(values[used])
    lookup = np.full(len(values), -1, dtype=np.int64)
    lookup[used] = small.codes
    return pd.Categorical.from_codes(lookup[codes], dtype=small.dtype)


def validate_activity(raw: pd.DataFrame, catalog: Catalog | None = None, *, codes: str = DEFAULT_CODES) -> pd.DataFrame:
    catalog = catalog or load_catalog()
    check_codes(codes)
    raw = canonical_frame(raw, "activity")  # Chinese headers (地区, 年份, 类别, 项目, 数量, 单位, 备注) as the English ones
    require_columns(raw, COLUMNS, "activity", what="activity import")
    first = raw.attrs.get("first_data_line", 2)  # line number of the first data row as the user sees the file
    raw = raw.reset_index(drop=True)
    n = len(raw)
    rows = np.arange(first, n + first)
    errors: list[tuple[int, RowError]] = []

    def report(column: str, col: _Distinct, bad: np.ndarray, reason) -> None:
        """One error per row whose distinct value is ``bad``; ``reason(j)`` is the error of distinct value j."""
        for i in np.flatnonzero(col.rows(bad)):
            errors.append((i, RowError.of(int(rows[i]), column, reason(col.codes[i]), col.text[col.codes[i]])))

    def resolve_column(column: str, resolver) -> tuple[_Distinct, np.ndarray]:
        """(the column, the resolved code of each of its distinct values; None where it did not resolve)."""
        col = _Distinct(raw[column])
        resolved = np.empty(len(col.text), dtype=object)
        reasons: dict[int, CarbonError] = {}
        for j, text in enumerate(col.text):
            try:
                resolved[j] = resolver(text)
            except CarbonError as exc:
                reasons[j] = exc
        if reasons:
            bad = np.zeros(len(col.text), dtype=bool)
            bad[list(reasons)] = True
            report(column, col, bad, reasons.__getitem__)
        return col, resolved

    notation_only: set[str] = set()  # categories without a method or sub-categories: a notation key, not a number

    def leaf_category(text: str) -> str:
        if not text:
            raise ValidationError(key="empty")
        cat = catalog.category(text, codes)
        if not cat.method:
            if not catalog.takes_notation_only(cat):
                raise ValidationError(key="inventory_category_no_figure",
                                      params={"detail": catalog.report_instead(cat, codes),
                                              "detail_zh": catalog.report_instead(cat, codes, "zh")})
            notation_only.add(cat.code)
        return cat.code

    def item(text: str) -> str:
        if not text:
            raise ValidationError(key="empty")
        return catalog.item(text).code

    region_col, region = resolve_column("region", resolve_region)
    category_col, category = resolve_column("category", leaf_category)
    item_col, item_codes = resolve_column("item", item)

    year_col = _Distinct(raw["year"])
    year_num = pd.to_numeric(pd.Series(year_col.text, dtype=object), errors="coerce")
    bad_year = (year_num.isna() | (year_num != np.floor(year_num)) | (year_num < 1950) | (year_num > 2100)).to_numpy()
    for i in np.flatnonzero(year_col.rows(bad_year)):
        errors.append((i, RowError.keyed(int(rows[i]), "year", "bad_year", year_col.text[year_col.codes[i]])))

    # plain numbers (nearly every cell) parse as they are; only the rest are stripped, unthousanded and upper-cased.
    # Per distinct cell text, like the columns above (a file's quantities repeat less, but parsing costs more than
    # the hash that finds the repeats)
    qty_col = _Distinct(raw["quantity"])
    qty = pd.to_numeric(pd.Series(qty_col.raw, dtype=object), errors="coerce")
    notation = pd.Series("", index=qty.index, dtype=object)
    retry = qty.isna().to_numpy()
    if retry.any():
        qty_text = pd.Series(qty_col.text[retry], dtype=object).str.replace(",", "", regex=False)
        qty[retry] = pd.to_numeric(qty_text, errors="coerce").to_numpy()
        # a notation key (NO, NE, IE, C, NA) instead of a number says why a category has no figure
        upper = qty_text.str.upper()
        notation[retry] = upper.where(upper.isin(list(NOTATION_KEYS)), "").to_numpy()
    key_value = (notation != "").to_numpy()
    bad_value = (qty.isna() | ~np.isfinite(qty.fillna(0)) | (qty < 0)).to_numpy() & ~key_value
    negative = (qty < 0).to_numpy()
    is_key = qty_col.rows(key_value)
    for i in np.flatnonzero(qty_col.rows(bad_value)):
        j = qty_col.codes[i]
        if negative[j]:
            errors.append((i, RowError.keyed(int(rows[i]), "quantity", "negative_quantity", qty_col.raw[j])))
        else:
            errors.append((i, RowError.keyed(int(rows[i]), "quantity", "bad_quantity", qty_col.raw[j],
                                             keys=", ".join(NOTATION_KEYS))))
    if notation_only:  # a figure for a category this service does not compute (or computes from another one)
        only = np.isin(category.astype(object), list(notation_only))
        for i in np.flatnonzero(category_col.rows(only) & ~is_key):
            cat = catalog.categories[category[category_col.codes[i]]]
            errors.append((i, RowError.keyed(int(rows[i]), "category", "inventory_category_no_figure",
                                             category_col.text[category_col.codes[i]],
                                             detail=catalog.report_instead(cat, codes),
                                             detail_zh=catalog.report_instead(cat, codes, "zh"))))

    # units: check each distinct (category, unit) pair once against the category's activity dimensions
    unit_col = _Distinct(raw["unit"])
    pair_codes, pairs = pd.factorize(category_col.codes.astype(np.int64) * max(len(unit_col.text), 1) + unit_col.codes)
    pair_cat = category[pairs // max(len(unit_col.text), 1)]
    pair_unit = unit_col.text[pairs % max(len(unit_col.text), 1)]
    reasons: dict[int, CarbonError] = {}
    for j, (cat_code, u) in enumerate(zip(pair_cat, pair_unit)):
        if u == "":
            reasons[j] = ValidationError(key="empty_unit")
            continue
        try:
            units.parse_unit(u)
            if cat_code and catalog.categories[cat_code].method:
                cat = catalog.categories[cat_code]
                cat.check_unit(u)
        except CarbonError as exc:
            reasons[j] = exc
    if reasons:
        bad = np.zeros(len(pairs), dtype=bool)
        bad[list(reasons)] = True
        for i in np.flatnonzero(bad[pair_codes] & ~is_key):
            errors.append((i, RowError.of(int(rows[i]), "unit", reasons[pair_codes[i]], unit_col.text[unit_col.codes[i]])))

    if "facility" in raw.columns:
        facility_col = _Distinct(raw["facility"])
        facility = facility_col.rows(facility_col.text)
        too_long = np.fromiter((isinstance(t, str) and len(t) > FACILITY_MAX for t in facility_col.text), dtype=bool,
                               count=len(facility_col.text))
        for i in np.flatnonzero(facility_col.rows(too_long)):
            errors.append((i, RowError.keyed(int(rows[i]), "facility", "inventory_facility_too_long", facility[i][:40] + "…",
                                             max=FACILITY_MAX)))
    else:
        facility = np.full(n, "", dtype=object)

    if errors:
        errors.sort(key=lambda e: (e[0], COLUMNS.index(e[1].column) if e[1].column in COLUMNS else 9))
        shown = [e for _, e in errors[:MAX_REPORTED]]
        if len(errors) > MAX_REPORTED:
            shown.append(RowError.keyed(0, "*", "more_bad_cells", n=len(errors) - MAX_REPORTED))
        raise ImportRejected(errors=shown, what="activity import")

    # the unit of a notation-key row is "" (whatever its cell held): one more distinct value, used by those rows
    unit_values = np.append(unit_col.text, "")
    unit_codes = np.where(is_key, len(unit_col.text), unit_col.codes)
    out = pd.DataFrame({
        "region": _categorical(region, region_col.codes),  # resolved codes (str); a row that did not resolve was an error above
        "year": year_col.rows(year_num.astype(int).to_numpy()),
        "category": _categorical(category, category_col.codes),
        "item": _categorical(item_codes, item_col.codes),
        # a notation-key row has no figure (NaN, stored as NULL) and no unit (whatever the unit cell held)
        "quantity": qty_col.rows(qty.where(~key_value).to_numpy(dtype=float)),
        "notation": qty_col.rows(notation.to_numpy(dtype=object)),
        "unit": _categorical(unit_values, unit_codes),
        "note": _as_text(raw["note"]) if "note" in raw.columns else "",
        "facility": facility,
        "row": rows,
    })
    return out


SUGGESTED_UNITS = {"mass": "t", "volume": "万m3", "energy": "tce", "livestock": "头", "area": "公顷"}


def blank_template(sector: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """One example row per category of the sector: the bureau fills region, year, item and quantity."""
    catalog = catalog or load_catalog()
    if sector not in SECTOR_NAMES_ZH:
        raise ValidationError(key="inventory_unknown_sector", params={"value": sector, "known": ", ".join(SECTOR_NAMES_ZH)},
                              field="sector")
    rows = []
    for cat in catalog.leaf_categories(sector):
        dim = cat.activity[0] if cat.activity else "mass"
        rows.append({"region": "", "year": "", "category": cat.code, "item": "", "quantity": "",
                     "unit": SUGGESTED_UNITS.get(dim, ""), "note": f"{cat.name_zh}；单位量纲: {' / '.join(cat.activity)}"})
    return pd.DataFrame(rows, columns=[*COLUMNS, *OPTIONAL])


def items_sheet(sector: str, catalog: Catalog | None = None) -> pd.DataFrame:
    catalog = catalog or load_catalog()
    wanted = {sector} | ({"energy"} if sector == "memo" else set())
    return pd.DataFrame([{"item": i.code, "名称": i.name_zh, "name": i.name_en, "别名": "、".join(i.aliases)}
                         for i in catalog.items.values() if i.sector in wanted])


# A CSV for Excel: UTF-8 with a byte-order mark, which Excel on a Chinese Windows needs to read UTF-8 (without it
# Excel assumes the ANSI code page, GBK, and shows the Chinese names as mojibake). Readers here accept either.
UTF8_BOM = b"\xef\xbb\xbf"


def _for_csv(frame: pd.DataFrame, significant: int | None) -> pd.DataFrame:
    """The copy of ``frame`` written to a CSV: floats rounded to ``significant`` digits (a CSV is read by people; the
    relative change is at most half a unit in the last digit kept, 5e-10 for the default 10 digits)."""
    return frame if significant is None else rounded_for_csv(frame, significant)


def csv_encoding(excel: bool | None = None) -> str:
    """The encoding of a CSV written here: "utf-8-sig" (with a BOM, which Excel on a Chinese Windows needs to read
    UTF-8) or plain "utf-8". ``excel``: the caller's choice (``--excel``/``--no-excel``, ``excel=true|false``);
    None: the setting CARBON_CSV_BOM, on by default (issue 19: exports open in Excel). Every reader here, and
    pandas, skip the BOM."""
    if excel is None:
        from carbon.core.plain_env import switch

        excel = switch("csv_bom", True)  # without pydantic when written plainly (carbon/core/plain_env.py)
    if excel is None:
        from carbon.core.settings import get_settings

        excel = get_settings().csv_bom
    return "utf-8-sig" if excel else "utf-8"


def write_table(frames: dict[str, pd.DataFrame], path: str | Path, *, excel: bool | None = None,
                significant: int | None = SIGNIFICANT_DIGITS) -> None:
    """Write one DataFrame as CSV, or several as sheets of an XLSX file, by the path's suffix. ``excel``: a CSV
    starts with a UTF-8 BOM so that Excel opens it (None: by CARBON_CSV_BOM, on by default; no effect on XLSX). ``significant``: a CSV's float columns are
    written rounded to this many significant digits (None: as computed); the frames themselves are not changed."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, df in frames.items():
                df.to_excel(writer, sheet_name=sheet[:31], index=False)
    else:
        first = next(iter(frames.values()))
        _for_csv(first, significant).to_csv(path, index=False, encoding=csv_encoding(excel))


def to_bytes(frames: dict[str, pd.DataFrame], fmt: str, *, excel: bool | None = None,
             significant: int | None = SIGNIFICANT_DIGITS) -> bytes:
    """The frames as XLSX (one sheet each) or the first as CSV; ``excel``: the CSV starts with a UTF-8 BOM (None: by
    CARBON_CSV_BOM, on by default);
    ``significant``: the CSV's floats rounded to this many significant digits (None: as computed)."""
    buf = io.BytesIO()
    if fmt == "xlsx":
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            for sheet, df in frames.items():
                df.to_excel(writer, sheet_name=sheet[:31], index=False)
    else:
        buf.write(_for_csv(next(iter(frames.values())), significant).to_csv(index=False).encode(csv_encoding(excel)))
    return buf.getvalue()


def read_local_factors(source: str | Path | bytes, filename: str | None = None, catalog: Catalog | None = None,
                       codes: str = DEFAULT_CODES, limits: InputLimits | None = None):
    """Local measured parameters (地方实测): columns category, item, parameter, value, unit and optional
    region, year, source. Returns (factor rows, fingerprint); raises ImportRejected listing bad rows.
    ``codes``: the scheme of the category codes (a row's scope is stored as the IPCC 2006 code)."""
    from carbon.factors.library import parse_local_factors

    catalog = catalog or load_catalog()
    name = Path(filename or (str(source) if not isinstance(source, bytes) else "local.csv")).name
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if name.lower().endswith(".xlsx"):
        text = read_table(data, name, limits).to_csv(index=False)
    else:
        limits = limits or current_limits()
        check_size(len(data), limits, name)
        text = _decode(data)
        check_csv(text, limits)
    return parse_local_factors(
        text, name=name,
        resolve_category=lambda t: catalog.category(t, codes).code,
        resolve_item=lambda t: catalog.item(t).code,
        resolve_region=resolve_region,
    )


RESULTS_COLUMNS = ["region", "region_name", "year", "sector", "category", "crt_category", "category_name", "gas", "mass_t",
                   "co2e_t", "gwp_set", "memo", "method", "factor_refs", "basis", "notation", "profile", "note"]
# ``profile`` (after the older columns, so existing readers keep theirs): the factor profile(s) of the library rows
# used, CN, IPCC2006 or CN;IPCC2006 (the other profile filled a gap); blank where only local rows (basis) were used.
# ``note`` (last): why a row carries a notation key (the user's note, or the reason carbon.inventory.completeness
# gives for an NE it wrote, starting with 自动); blank on rows with a figure.


def results_table(result: CompileResult) -> pd.DataFrame:
    """RESULTS.csv: one row per region × category × gas; the 150600 rows are the city roll-up."""
    catalog = load_catalog()
    df = result.by_category().assign(notation="", note="")
    keys = result.notation_rows()
    if len(keys):
        keys = keys.assign(year=result.options.year, gas="", mass_t=float("nan"), co2e_t=float("nan"), memo=False,
                           gwp_set=df["gwp_set"].iloc[0] if len(df) else result.options.gwp_set, method="", factor_refs="", basis="")
        keys["sector"] = keys["category"].map(lambda c: catalog.categories[c].sector)
        keys["memo"] = keys["category"].map(lambda c: catalog.categories[c].memo)
        keys["note"] = keys["note"].fillna("").astype(str)
        df = pd.concat([df, keys], ignore_index=True).sort_values(["region", "category", "gas"], ignore_index=True)
    df.insert(1, "region_name", df["region"].map(lambda c: BY_CODE[c].name_zh))
    df.insert(5, "category_name", df["category"].map(lambda c: catalog.categories[c].name_zh))
    # crt_category (beside category): the UNFCCC CRT code of the IPCC 2006 category (tables/crt_codes.csv)
    df.insert(5, "crt_category", df["category"].map(lambda c: catalog.categories[c].crt_code))
    df["profile"] = profile_column(df["factor_refs"])
    return df[RESULTS_COLUMNS]


BALANCE_COLUMNS = ["region", "category", "facility", "role", "role_zh", "item", "quantity", "quantity_unit",
                   "carbon_content", "carbon_content_unit", "carbon_t", "source", "source_zh", "ref", "co2_t"]


def balances_table(balances: list[dict]) -> pd.DataFrame:
    """The carbon mass balances as rows: one per flow (its quantity, carbon content and carbon, with units and
    实测/缺省), then a ``total`` row per facility with its process CO2. An ETS-verified facility is one row."""
    rows = []
    for b in balances:
        base = {"region": b["region"], "category": b["category"], "facility": b["facility"]}
        for f in b.get("flows", []):
            rows.append({**base, "role": f["role"], "role_zh": f["role_zh"], "item": f["item"],
                         "quantity": f["quantity"]["value"], "quantity_unit": f["quantity"]["unit"],
                         "carbon_content": f["carbon_content"]["value"], "carbon_content_unit": f["carbon_content"]["unit"],
                         "carbon_t": f["carbon"]["value"], "source": f["source"], "source_zh": f["source_zh"],
                         "ref": f["ref"]})
        total = {"role": "total", "role_zh": "排放", "item": "", "co2_t": b["co2"]["value"]}
        if "carbon_emitted" in b:
            total |= {"carbon_t": b["carbon_emitted"]["value"], "ref": b.get("equation", "")}
        else:
            total |= {"role": "verified", "role_zh": "核查值", "source": "verified", "source_zh": "核查", "ref": b.get("source", "")}
        rows.append({**base, **total})
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


ACTIVITY_EXPORT_COLUMNS = [*COLUMNS, *OPTIONAL]  # the template's columns: an export is a file to import again


def activity_table(records: pd.DataFrame) -> pd.DataFrame:
    """Stored activity records (``carbon.inventory.service.load_activity``) as the import template: codes for region,
    category and item, the quantity as the shortest text that reads back as the same float (``1000``, ``0.1``), or
    the record's notation key (NO, NE, IE, C, NA) with an empty unit. Importing the table gives the same records."""
    notation = records["notation"].fillna("").astype(str).to_numpy(dtype=object)
    quantity = [key if key else _number(q) for key, q in zip(notation, records["quantity"].tolist(), strict=True)]
    return pd.DataFrame({
        "region": records["region"].astype(str).to_numpy(),
        "year": records["year"].astype(int).to_numpy(),
        "category": records["category"].astype(str).to_numpy(),
        "item": records["item"].astype(str).to_numpy(),
        "quantity": quantity,
        "unit": np.where(notation != "", "", records["unit"].astype(str).to_numpy(dtype=object)),
        "note": records["note"].fillna("").astype(str).to_numpy(),
        "facility": records["facility"].fillna("").astype(str).to_numpy(),
    }, columns=ACTIVITY_EXPORT_COLUMNS)


def _number(value: float) -> str:
    text = repr(float(value))  # shortest round-trip text; '1000.0' is written 1000
    return text[:-2] if text.endswith(".0") else text
