"""Files as the bureau has them: the text encoding of a CSV and the Chinese column headers of every import.

Decoding (``decode_text``): a CSV may be UTF-8 (with or without a byte-order mark) or GB18030/GBK (what Excel on a
Chinese Windows writes by default). The encoding is detected, never guessed silently:

- a UTF-8 BOM means UTF-8 (bytes after it that are not UTF-8 are an error);
- a UTF-16/UTF-32 BOM (Excel's "Unicode text") is an error saying how to save the file instead;
- valid UTF-8 is UTF-8, unless most of its non-ASCII characters are not what a bureau file holds (Cyrillic,
  Latin extended, ... : "原煤" in GBK is the valid UTF-8 "ԭú") while the same bytes read as GB18030 are all
  Chinese text: then GB18030;
- otherwise GB18030 when every character it gives is one a bureau file holds (CJK, CJK and full-width
  punctuation, Latin-1 signs such as ° ² ³ µ ×); anything else is an error naming the byte.

Headers (``canonical_columns``): each file kind (activity, factors, economy (also the proxy series), plan, results) accepts its
English contract headers and their Chinese names (地区 region, 年份 year, 类别 category, 项目 item, 数量 quantity,
单位 unit, 备注 note, ...). A header is compared after trimming, lower-casing and dropping a unit in brackets
(``数量(吨)`` is 数量). A required column that is missing is reported with the headers accepted for it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from carbon.core.errors import ImportRejected, RowError, ValidationError

UTF8_BOM = b"\xef\xbb\xbf"
WIDE_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


# The non-ASCII characters a bureau's data file plausibly holds, as (first, last) code points. One table for the
# character class below: the search over a file of 10^6 rows runs in C (a Python loop over its characters took 5 s).
_EXPECTED_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF),  # CJK ideographs
    (0x3000, 0x303F), (0xFF00, 0xFFEF), (0xFE30, 0xFE4F),  # CJK and full-width punctuation
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF),  # general punctuation, ‰ ℃ №, ①, Roman numerals
    (0x00A0, 0x00BF), (0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x03BC, 0x03BC), (0xFEFF, 0xFEFF),  # ° ² ³ µ · ± × ÷, μ
    (0x0391, 0x03C9), (0x2190, 0x22FF), (0x25A0, 0x25FF),  # Greek, arrows, ≈ ±, ○ ●
    (0x2070, 0x209F),  # super- and subscripts (m³ CO₂)
)
_EXPECTED_CLASS = "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in _EXPECTED_RANGES)
_UNEXPECTED = re.compile(f"[^\t\r\n\x20-\x7f{_EXPECTED_CLASS}]")  # control characters are unexpected too
_UNEXPECTED_WIDE = re.compile(f"[^\x00-\x7f{_EXPECTED_CLASS}]")
_WIDE = re.compile("[^\x00-\x7f]")


def _first_unexpected(text: str) -> int | None:
    """Index of the first character that is neither ASCII (control characters other than tab/CR/LF excluded) nor
    expected in a bureau file; None when every character is plausible."""
    found = _UNEXPECTED.search(text)
    return None if found is None else found.start()


def plausible(values: Iterable[object]) -> bool:
    """Whether every character of the strings among ``values`` is one a bureau file holds (``_first_unexpected``)."""
    return _first_unexpected("".join(v for v in values if isinstance(v, str))) is None


def _unexpected_share(text: str) -> float:
    """The share of the non-ASCII characters that a bureau file would not hold."""
    wide = sum(1 for _ in _WIDE.finditer(text))
    return sum(1 for _ in _UNEXPECTED_WIDE.finditer(text)) / wide if wide else 0.0


def decode_text(data: bytes, *, what: str = "the file") -> str:
    """The text of a CSV file in UTF-8 (BOM or not) or GB18030/GBK; ValidationError(field="file") otherwise."""
    return decode_text_utf8(data, what=what)[0]


def decode_text_utf8(data: bytes, *, what: str = "the file") -> tuple[str, bool]:
    """``decode_text``, and whether the text is ``data`` read as UTF-8 (after a BOM, if any): then the bytes can be
    handed on as they are, not encoded again (a file of 10^6 rows: 0.2 s, bench/cli.py)."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode("utf-8"), True
        except UnicodeDecodeError as exc:
            raise _undecodable("core_text_bad_bom", what, reason=exc.reason, byte=exc.start + len(UTF8_BOM)) from None
    for bom, name in WIDE_BOMS.items():
        if data.startswith(bom):
            raise _undecodable("core_text_wide", what, encoding=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        if text.isascii() or _first_unexpected(text) is None:
            return text, True
        gb = _gb18030(data)
        if gb is not None and _first_unexpected(gb) is None and _unexpected_share(text) > 0.5:
            return gb, False  # GBK bytes that happen to be valid UTF-8 too (mostly Latin/Cyrillic/...), all Chinese as GB18030
        return text, True  # valid UTF-8 with a few characters of some other script: UTF-8 it is
    gb = _gb18030(data)
    if gb is None:
        raise _undecodable("core_text_not_gbk", what, reason=utf8_error.reason, byte=utf8_error.start)
    bad = _first_unexpected(gb)
    if bad is not None:
        byte = len(gb[:bad].encode("gb18030"))
        raise _undecodable("core_text_not_data", what, utf8_byte=utf8_error.start, char=gb[bad], code=ord(gb[bad]),
                           byte=byte)
    return gb, False


def _undecodable(key: str, what: str, **params) -> ValidationError:
    """The error for bytes that are no CSV text. ``what`` is "the file" or a file's name: the latter has its own
    entry (``key + "_named"``), naming the file."""
    if what != "the file":
        key, params = f"{key}_named", {"what": what, **params}
    return ValidationError(key=key, params=params, field="file")


def _gb18030(data: bytes) -> str | None:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


# --- headers ------------------------------------------------------------------------------------------------------

_COMMON = {"region": ("地区", "区域", "旗区", "行政区"), "year": ("年份", "年度", "年"), "unit": ("单位", "计量单位"),
           "note": ("备注", "说明"), "source": ("来源", "数据来源")}

HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "activity": {**_COMMON, "category": ("类别", "排放类别", "分类"), "item": ("项目", "品种", "燃料品种"),
                 "quantity": ("数量", "活动水平", "活动水平数据"), "facility": ("设施", "企业", "设施名称")},
    "factors": {**_COMMON, "category": ("类别", "排放类别"), "item": ("项目", "品种"), "parameter": ("参数", "参数名称"),
                "value": ("数值", "值", "参数值")},
    "economy": {**_COMMON, "gdp": ("地区生产总值", "生产总值", "不变价地区生产总值", "gdp"),
                "price_base_year": ("价格基年", "不变价基年", "基年"), "gdp_current": ("现价地区生产总值", "现价生产总值"),
                "energy": ("能源消费量", "能源消费总量", "能耗"), "energy_unit": ("能源单位", "能源消费单位", "能耗单位"),
                "coal_share_pct": ("煤炭占比", "煤炭消费占比", "煤炭占比%"),
                "non_fossil_share_pct": ("非化石能源占比", "非化石占比", "非化石能源占比%"),
                "population": ("人口", "常住人口"), "population_unit": ("人口单位",),
                "energy_co2": ("能源活动二氧化碳排放", "能源二氧化碳排放", "能源co2"),
                "energy_co2_unit": ("排放单位", "能源二氧化碳排放单位")},
    "plan": {"code": ("代码", "指标代码", "编号"), "seq": ("序号",), "group_zh": ("分组", "指标类别", "类别"),
             "name_zh": ("指标名称", "名称"), "name_en": ("英文名称", "英文名"), "unit": ("单位", "计量单位"),
             "kind": ("属性", "指标属性"), "direction": ("方向", "变化方向"), "baseline_year": ("基期年份", "基准年"),
             "baseline": ("基期值", "基准值"), "target_year": ("目标年份", "目标年"), "target": ("目标值",),
             "target_text": ("目标说明", "目标描述"), "target_metric": ("目标指标", "考核指标"), "source": ("来源", "数据来源")},
    "results": {"region": ("地区", "地区代码"), "region_name": ("地区名称",), "year": ("年份",), "sector": ("领域",),
                "category": ("类别",), "crt_category": ("crt类别",), "category_name": ("类别名称",), "gas": ("气体",),
                "mass_t": ("排放量", "质量"), "co2e_t": ("二氧化碳当量", "co2当量"), "gwp_set": ("gwp", "增温潜势"),
                "memo": ("备忘项", "备忘"), "method": ("方法",), "note": ("备注",)},
}

# The header written in templates and shown in hints for each column (the first Chinese alias).
ZH_HEADERS: dict[str, dict[str, str]] = {kind: {col: names[0] for col, names in aliases.items()}
                                         for kind, aliases in HEADER_ALIASES.items()}

_BRACKETS = re.compile(r"[（(\[【].*?[）)\]】]")


def header_key(text: object) -> str:
    """A header as compared: trimmed, lower-case, a bracketed unit or note dropped (数量(吨) -> 数量), no inner spaces."""
    t = str(text).replace("\ufeff", "").strip().lower()
    t = _BRACKETS.sub("", t).replace(" ", "").replace("\u3000", "")
    return t


def _lookup(kind: str) -> dict[str, str]:
    if kind not in HEADER_ALIASES:
        raise ValueError(f"unknown file kind {kind!r}")
    table: dict[str, str] = {}
    for column, names in HEADER_ALIASES[kind].items():
        for name in names:
            table.setdefault(header_key(name), column)
    return table


def canonical_columns(columns: Iterable[object], kind: str) -> list[str]:
    """The file's headers as the English contract names: an English header stays as written (lower-case), a Chinese
    alias becomes its column; unknown headers are kept (lower-case). A column given twice (once in English, once in
    Chinese) is an error naming both headers."""
    table = _lookup(kind)
    out: list[str] = []
    origin: dict[str, str] = {}
    for raw in columns:
        text = str(raw).replace("\ufeff", "").strip()
        english = text.lower()
        name = english if english in HEADER_ALIASES[kind] else table.get(header_key(text), english)
        if name in origin and name:
            raise ImportRejected(errors=[RowError.keyed(1, name, "core_column_twice", first=origin[name], second=text)],
                                 what=f"{kind} file")
        origin[name] = text
        out.append(name)
    return out


def canonical_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` with its columns renamed by ``canonical_columns`` (attrs kept)."""
    columns = canonical_columns(frame.columns, kind)
    if list(frame.columns) != columns:
        attrs = dict(frame.attrs)
        frame = frame.set_axis(columns, axis=1)
        frame.attrs.update(attrs)
    return frame


def accepted_headers(kind: str, column: str) -> str:
    """'region or 地区 (also 区域, 旗区)': the headers accepted for a column, for a message."""
    names = HEADER_ALIASES.get(kind, {}).get(column, ())
    if not names:
        return column
    rest = f" (also {', '.join(names[1:])})" if len(names) > 1 else ""
    return f"{column} or {names[0]}{rest}"


def require_columns(frame_or_columns, required: Sequence[str], kind: str, *, what: str) -> None:
    """ImportRejected listing every required column missing, each with the headers accepted for it and the headers the
    file has (the hint that a Chinese header was misspelt or a file of another kind was chosen)."""
    columns = list(frame_or_columns.columns if isinstance(frame_or_columns, pd.DataFrame) else frame_or_columns)
    missing = [c for c in required if c not in columns]
    if not missing:
        return
    found = ", ".join(str(c) for c in columns) or "none"
    raise ImportRejected(errors=[RowError.keyed(1, c, "missing_column", headers=accepted_headers(kind, c), found=found)
                                 for c in missing], what=what)


# --- numbers written for people -------------------------------------------------------------------------------------

# Ten significant digits: a CSV shows 19778.968, not 19778.968000000003 (binary floating-point noise), and a file read
# back (intensity reads RESULTS.csv; tests compare at rel 1e-9) changes by at most 5e-10 of a value, far below the
# precision of any activity datum or factor. Six digits (the inputs' precision) would move a worked example's
# 19778.968 t to 19779.0 t, which a verifier checking it by hand should not see.
SIGNIFICANT_DIGITS = 10


def round_significant(values, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Each value rounded to ``digits`` significant digits, as the nearest float of its decimal text (so a CSV shows
    1234570.0, not 1234567.8912345); NaN and inf unchanged. For the written copy only, never the numbers computed on."""
    arr = np.asarray(values, dtype=float)
    out = arr.copy()
    finite = np.isfinite(arr) & (arr != 0)
    if finite.any():
        uniq, inverse = np.unique(arr[finite], return_inverse=True)
        rounded = np.array([float(f"{v:.{digits}g}") for v in uniq])
        out[finite] = rounded[inverse]
    return out


def rounded_for_csv(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """A copy of ``frame`` whose float columns are rounded to ``digits`` significant digits (integers and text
    untouched)."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    out = frame.copy()
    for c in floats:
        out[c] = round_significant(out[c].to_numpy(), digits)
    return out


def max_relative_rounding_error(digits: int = SIGNIFICANT_DIGITS) -> float:
    """The largest relative change of a value by ``round_significant``: half a unit in the last digit kept."""
    return 0.5 * math.pow(10, 1 - digits)
