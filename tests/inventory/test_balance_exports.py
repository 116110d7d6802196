"""The carbon mass balances leave the engine with every flow: carbon compile --balances / --out .xlsx."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app

# 1,000,000 t feedstock coal at a measured 0.60 → 600,000 t C; 800,000 t methanol × 12/32 = 300,000 t C;
# (600,000 − 300,000) × 44/12 = 1,100,000 t CO2.
ACTIVITY = ("region,year,category,item,quantity,unit,facility\n"
            "乌审旗,2022,2.B.8.a,原料煤,1000000,t,示例甲醇厂\n乌审旗,2022,2.B.8.a,甲醇,800000,t,示例甲醇厂\n")
LOCAL = "category,item,parameter,value,unit,region\n2.B.8.a,原料煤,carbon_fraction,0.60,1,乌审旗\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.csv").write_text(ACTIVITY, encoding="utf-8")
    (tmp_path / "l.csv").write_text(LOCAL, encoding="utf-8")
    return tmp_path


def test_balances_json_and_xlsx_sheet(files):
    res = CliRunner().invoke(app, ["compile", str(files / "a.csv"), "--year", "2022", "--factors", str(files / "l.csv"),
                                   "--out", str(files / "r.xlsx"), "--balances", str(files / "b.json")])
    assert res.exit_code == 0, res.output
    (b,) = json.loads((files / "b.json").read_text(encoding="utf-8"))
    assert b["facility"] == "示例甲醇厂" and b["co2"] == {"value": pytest.approx(1_100_000), "unit": "t"}
    coal = next(f for f in b["flows"] if f["item"] == "feedstock_coal")
    assert (coal["carbon_content"]["value"], coal["source_zh"], coal["carbon"]["value"]) == (0.6, "实测", pytest.approx(600_000))
    sheet = pd.read_excel(files / "r.xlsx", sheet_name="carbon_balances", dtype={"region": str})
    assert list(sheet["role"]) == ["input", "product", "total"]
    assert sheet["carbon_t"].tolist() == pytest.approx([600_000, 300_000, 300_000])
    assert sheet.loc[2, "co2_t"] == pytest.approx(1_100_000)
    assert list(sheet["source_zh"].iloc[:2]) == ["实测", "缺省"]
