"""carbon/inventory/years.py: rows of other years, without a database (issue 19 point 5)."""

from __future__ import annotations

import pytest

from carbon.core.errors import ImportRejected, ValidationError
from carbon.inventory.io import read_activity
from carbon.inventory.years import check_inventory_year, describe_skipped, rows_for_year

HEADER = "region,year,category,item,quantity,unit\n"
COAL = "达拉特旗,{year},1.A.1.a,原煤,10,t\n"
LANDFILL = "达拉特旗,{year},4.A,厨余垃圾,100,t\n"


def activity(*lines: str):
    return read_activity((HEADER + "".join(lines)).encode(), "a.csv")


def test_earlier_years_of_a_time_series_are_history_other_rows_are_not():
    act = activity(COAL.format(year=2022), LANDFILL.format(year=2020), LANDFILL.format(year=2021),
                   COAL.format(year=2021), COAL.format(year=2019), LANDFILL.format(year=2023))
    kept, skipped = rows_for_year(act, 2022)
    assert skipped == {2019: 1, 2021: 1, 2023: 1}  # earlier coal, later landfill; earlier landfill is history
    assert sorted(kept["row"]) == [2, 3, 4]
    with pytest.raises(ImportRejected) as caught:
        check_inventory_year(act, 2022)
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(5, "year", "2021"), (6, "year", "2019"),
                                                                         (7, "year", "2023")]
    assert "第 5 行, year 列: 2021 年的数据不属于 2022 年清单" in caught.value.problems("zh")[1]
    assert "row 5, column year: the inventory is for 2022; rows of 2021" in caught.value.problems("en")[1]


def test_a_file_of_one_year_passes_and_nothing_left_is_an_error():
    act = activity(COAL.format(year=2022), COAL.format(year=2022))
    check_inventory_year(act, 2022)
    assert rows_for_year(act, 2022)[1] == {}
    with pytest.raises(ValidationError) as caught:
        rows_for_year(act, 2023, source="f.csv")
    assert caught.value.key == "no_rows_of_year" and caught.value.field == "year"
    assert caught.value.text("zh") == "文件 f.csv 没有 2023 年的数据 (文件中的年份: 2022)"


def test_skip_note():
    assert describe_skipped({2021: 12, 2023: 3}, "zh") == "跳过 15 行其他年份的数据 (2021: 12 行, 2023: 3 行)"
    assert describe_skipped({2021: 12}, "en") == "skipped 12 rows of other years (2021: 12 rows)"
