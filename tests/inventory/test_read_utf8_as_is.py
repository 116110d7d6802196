"""A CSV read from its UTF-8 bytes without decoding the whole file first (carbon/inventory/io.py
``_read_utf8_as_is``) gives exactly the frame of the full path (``_read_decoded``: decode, detect GB18030, check the
characters, check the shape, read), and stands aside (None) whenever the full path would decide otherwise: GBK
bytes, characters a bureau file would not hold, control characters, quotes, limits, parser errors."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from carbon.core.errors import CarbonError
from carbon.core.input_limits import InputLimits, current_limits
from carbon.core.tabular import UTF8_BOM
from carbon.inventory import io as activity_io

CATEGORICAL = ("activity", activity_io.CATEGORICAL)
# ASCII the parser cares about, Chinese, characters a bureau file would not hold (Cyrillic "ԭ", Latin "ú": "原煤" in
# GBK read as UTF-8), control characters, a BOM inside the text, an emoji
ALPHABET = list("ab19.,\"\n\r# \t-") + ["\x00", "\x0c", "\x7f", "东胜区", "原煤", "万t", "电厂", "ԭ", "ú", "°", "℃",
                                         "😀", "\ufeff", "，", "　"]
HEADERS = ["region,year,category,item,quantity,unit,note\n", "地区,年份,类别,项目,数量,单位,备注\n", "a,b\n", ""]


def _outcome(read):
    try:
        return "ok", read()
    except CarbonError as exc:
        return "error", (exc.key, exc.params)
    except Exception as exc:  # noqa: BLE001 - what read_table turns into file_parse, or EmptyDataError
        return "error", type(exc).__name__


def _both(data: bytes, limits: InputLimits, text_dtype=object, categorical=CATEGORICAL):
    fast = activity_io._read_utf8_as_is(data, limits, text_dtype, categorical)
    full = _outcome(lambda: activity_io._read_decoded(data, limits, text_dtype, categorical))
    return fast, full


def _same(fast: pd.DataFrame, full) -> None:
    assert full[0] == "ok", full
    pd.testing.assert_frame_equal(fast, full[1])
    assert fast.attrs == full[1].attrs


texts = st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["", "# 来源: 统计局\n", "#x\n#ú\n", "#\x00\n"]), st.sampled_from(HEADERS), texts,
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.sampled_from([object, str]),
       st.booleans(), st.binary(max_size=3))
def test_as_is_is_the_decoded_read_or_stands_aside(comments, header, body, encoding, text_dtype, categorical, noise):
    text = comments + header + body
    data = text.encode(encoding, errors="ignore") + (noise if encoding == "utf-8" and noise[:1] != b"\n" else b"")
    fast, full = _both(data, current_limits(), text_dtype, CATEGORICAL if categorical else None)
    if fast is not None:
        _same(fast, full)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["东胜区", "150627", "达拉特旗", "X"]), st.sampled_from(["2022", "02022"]),
                          st.sampled_from(["1.A.1.a", "电力"]), st.sampled_from(["原煤", "天然气", "1"]),
                          st.sampled_from(["1200", "3.5", "", "NO"]), st.sampled_from(["万t", "t", "2"]),
                          st.sampled_from(["", "电厂", "1"])), min_size=1, max_size=20),
       st.booleans())
def test_a_plain_chinese_file_is_read_as_is_and_alike(rows, bom):
    """The files the bureau sends (UTF-8, Chinese names, no quotes) take this path, and give the same frame."""
    data = ("region,year,category,item,quantity,unit,note\n" + "".join(",".join(r) + "\n" for r in rows)).encode()
    data = (UTF8_BOM if bom else b"") + data
    fast, full = _both(data, current_limits())
    assert fast is not None
    _same(fast, full)


@pytest.mark.parametrize("data, why", [
    ("region,item\n东胜区,原煤\n".encode("gbk"), "GBK bytes that are not UTF-8"),
    ("region,item\n原煤,原煤\n".encode("gbk")[:12] + "ԭú\n".encode(), "valid UTF-8, but Cyrillic and Latin: GBK"),
    ("region,item\n东胜区,原煤\x0c\n".encode(), "a control character"),
    ("region,item\n\"东胜区\",原煤\n".encode(), "quotes: the csv module decides the shape"),
    (b"\xff\xferegion", "a UTF-16 mark"),
    ("# 注\x00释\nregion,item\n东胜区,原煤\n".encode(), "a control character in a comment line"),
    ("region,item\n东胜区,原煤,多余\n".encode(), "a record wider than the header: pandas would index by it"),
])
def test_stands_aside_for_the_full_path(data, why):
    assert activity_io._read_utf8_as_is(data, current_limits(), object, CATEGORICAL) is None, why


def test_gbk_that_is_valid_utf8_still_reads_as_chinese():
    data = "region,year,category,item,quantity,unit\n150621,2022,1.A.1.a,原煤,10,t\n".encode("gbk")
    data.decode("utf-8")  # the point of the case: these bytes are valid UTF-8 ("ԭú")
    assert activity_io._read_utf8_as_is(data, current_limits(), object, CATEGORICAL) is None
    frame = activity_io.read_table(data, "a.csv", text_dtype=object, categorical=CATEGORICAL)
    assert frame["item"].tolist() == ["原煤"]


def test_a_limit_in_reach_goes_to_the_full_path_which_words_it():
    data = "region,item\n东胜区,原煤\n达拉特旗,原煤\n".encode()
    fast, full = _both(data, dataclasses.replace(current_limits(), rows=1))
    assert fast is None
    assert full[0] == "error" and full[1][0] == "limit_file_at_least"
