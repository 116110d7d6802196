"""The data-collection template: CSV and XLSX, names or codes, all-or-nothing with a row report."""

import pandas as pd
import pytest

from carbon.core.errors import ImportRejected
from carbon.inventory.io import blank_template, items_sheet, read_activity, to_bytes, write_table

GOOD = (
    "region,year,category,item,quantity,unit,note\n"
    "达拉特旗,2022,电力和热力生产,原煤,\"1,200\",万吨,电厂\n"
    "150627,2022,1.A.4.b,natural_gas,3.5,亿m3,\n"
    "东胜区,2022,1.B.1.a.ii,原煤,900,万t,\n"
)


def test_names_and_codes_resolve():
    df = read_activity(GOOD.encode(), "a.csv")
    assert list(df["region"]) == ["150621", "150627", "150602"]
    assert list(df["category"]) == ["1.A.1.a", "1.A.4.b", "1.B.1.a.ii"]
    assert list(df["item"]) == ["raw_coal", "natural_gas", "raw_coal"]
    assert list(df["quantity"]) == [1200.0, 3.5, 900.0]
    assert list(df["row"]) == [2, 3, 4]


def test_xlsx_reads_the_same_as_csv(tmp_path):
    raw = pd.read_csv(pd.io.common.StringIO(GOOD), dtype=str, keep_default_na=False)
    path = tmp_path / "a.xlsx"
    write_table({"activity": raw}, path)
    a = read_activity(path)
    b = read_activity(GOOD.encode(), "a.csv")
    pd.testing.assert_frame_equal(a.drop(columns="note"), b.drop(columns="note"), check_categorical=False)


def test_every_bad_row_is_reported_and_nothing_returned():
    bad = (
        "region,year,category,item,quantity,unit\n"
        "达拉特旗,2022,1.A.1.a,原煤,100,t\n"       # good
        "呼和浩特,2022,1.A.1.a,原煤,100,t\n"       # region outside Ordos
        "达拉特旗,2022,1.A.1.a,原煤,100,kWh-x\n"   # unit does not parse
        "达拉特旗,2022,1.B.1.a.ii,原煤,100,TJ\n"   # wrong dimension for coal production
        "达拉特旗,2022,1.A,原煤,100,t\n"           # heading
        "达拉特旗,twenty,1.A.1.a,黄金,-1,t\n"      # year, item, quantity
    )
    with pytest.raises(ImportRejected) as exc:
        read_activity(bad.encode(), "bad.csv")
    cells = [(e.row, e.column) for e in exc.value.errors]
    assert cells == [(3, "region"), (4, "unit"), (5, "unit"), (6, "category"), (7, "year"), (7, "item"), (7, "quantity")]
    wrong_dim = exc.value.errors[2]
    assert "energy" in wrong_dim.reason and "expects mass" in wrong_dim.reason and wrong_dim.value == "TJ"
    assert "nothing was imported" in exc.value.message


def test_missing_columns_rejected():
    with pytest.raises(ImportRejected) as exc:
        read_activity(b"region,year,category\n150621,2022,1.A.1.a\n", "x.csv")
    assert {e.column for e in exc.value.errors} == {"item", "quantity", "unit"}


def test_blank_templates_per_sector(tmp_path):
    t = blank_template("energy")
    assert list(t.columns) == ["region", "year", "category", "item", "quantity", "unit", "note", "facility"]
    assert "1.A.1.a" in set(t["category"])
    data = to_bytes({"activity": t, "items": items_sheet("energy")}, "xlsx")
    path = tmp_path / "t.xlsx"
    path.write_bytes(data)
    sheets = pd.read_excel(path, sheet_name=None)
    assert set(sheets) == {"activity", "items"} and "原煤" in set(sheets["items"]["名称"])


def test_gbk_csv_from_excel_on_chinese_windows_reads_like_utf8():
    gbk = read_activity(GOOD.encode("gbk"), "a.csv")
    utf8 = read_activity(GOOD.encode("utf-8-sig"), "a.csv")
    pd.testing.assert_frame_equal(gbk, utf8)
    assert list(gbk["region"]) == ["150621", "150627", "150602"]
