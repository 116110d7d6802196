"""Activity files read with their repeated text columns as pandas categoricals (carbon/inventory/io.py ``_read_csv``):
the same frame, the same row report, the same cell text as reading every cell as a string (the path before), for any
mix of names, codes, Chinese headers, blanks and bad values."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from carbon.core.errors import ImportRejected
from carbon.inventory import io as activity_io

REGIONS = ["东胜区", "150627", " 达拉特旗", "准格尔旗 ", "鄂尔多斯", "150602", "0150602", "X旗", ""]
CATEGORIES = ["1.A.1.a", "电力和热力生产", "1.A.4.b", "4.A", "1.B.1.a.ii", "9.Z", ""]
ITEMS = ["原煤", "natural_gas", "天然气", "柴油", "不存在", "1", ""]
QUANTITIES = ["1200", "\"1,200\"", "3.5", "-1", "NO", "abc", "0", ""]
UNITS = ["万t", "万吨", "亿m3", "t", "kg", "头", "2", ""]
NOTES = ["", "电厂", " 备注 ", "1", "True"]
HEADERS = [("region", "year", "category", "item", "quantity", "unit", "note"),
           ("地区", "年份", "类别", "项目", "数量", "单位", "备注")]


def _as_before(data: bytes) -> pd.DataFrame:
    """read_activity as it was: every cell a Python string, distinct values found by pd.factorize."""
    raw = activity_io.read_table(data, "a.csv", text_dtype=object)
    return activity_io.validate_activity(raw)


def _outcome(read):
    try:
        return "ok", read()
    except ImportRejected as exc:
        return "rejected", [(e.row, e.column, str(e)) for e in exc.errors]


rows = st.tuples(st.sampled_from(REGIONS), st.sampled_from(["2022", "2021", "02022", "20x2"]),
                 st.sampled_from(CATEGORIES), st.sampled_from(ITEMS), st.sampled_from(QUANTITIES),
                 st.sampled_from(UNITS), st.sampled_from(NOTES))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(HEADERS), st.lists(rows, min_size=1, max_size=25))
def test_categorical_read_is_the_string_read(header, body):
    data = (",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in body)).encode()
    new = _outcome(lambda: activity_io.read_activity(data, "a.csv"))
    old = _outcome(lambda: _as_before(data))
    assert new[0] == old[0]
    if new[0] == "ok":
        pd.testing.assert_frame_equal(new[1], old[1], check_categorical=False)
    else:
        assert new[1] == old[1]


def test_the_repeated_columns_come_as_categoricals_under_chinese_headers_too():
    data = "地区,年份,类别,项目,数量,单位,备注\n东胜区,2022,1.A.1.a,原煤,1,万t,电厂\n".encode()
    frame = activity_io.read_table(data, "a.csv", text_dtype=object, categorical=("activity", activity_io.CATEGORICAL))
    assert {c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)} == {"地区", "类别", "项目", "单位", "备注"}
    assert frame["年份"].dtype == object  # year as text: pandas would turn its categories into numbers


@pytest.mark.parametrize("cell", ["0150602", "+150602", "1.50602e5"])
def test_a_column_of_numbers_keeps_its_text(cell):
    """pandas makes the categories of an all-numeric column numbers; the reader then reads the file again as text."""
    data = f"region,year,category,item,quantity,unit\n{cell},2022,1.A.1.a,原煤,1,万t\n".encode()
    frame = activity_io.read_table(data, "a.csv", text_dtype=object, categorical=("activity", activity_io.CATEGORICAL))
    assert frame["region"].tolist() == [cell]
