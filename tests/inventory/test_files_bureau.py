"""Files as the bureau has them (issue 19 point 4): CSVs saved by Excel on a Chinese Windows (GB18030/GBK), Chinese
column headers on every import, the XLSX template with Chinese headers, drop-down lists and examples on their own
sheet, CSV exports without floating-point noise."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ImportRejected, ValidationError
from carbon.core.tabular import decode_text, max_relative_rounding_error, round_significant
from carbon.intensity import io as intensity_io
from carbon.inventory.io import read_activity, read_local_factors, to_bytes
from carbon.inventory.templates import template_lists, template_xlsx

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "ordos_2022_synthetic.csv"
LOCAL = ROOT / "sample_data" / "ordos_local_factors.csv"
ECONOMY = ROOT / "sample_data" / "ordos_economy_synthetic.csv"
PLAN = ROOT / "sample_data" / "ordos_plan_indicators.csv"
runner = CliRunner()

ACTIVITY_ZH = {"region": "地区", "year": "年份", "category": "类别", "item": "项目", "quantity": "数量", "unit": "单位",
               "note": "备注", "facility": "设施"}
FACTORS_ZH = {"category": "类别", "item": "项目", "parameter": "参数", "value": "数值", "unit": "单位", "region": "地区",
              "year": "年份", "source": "来源"}
ECONOMY_ZH = {"region": "地区", "year": "年份", "gdp": "地区生产总值", "gdp_current": "现价地区生产总值", "unit": "单位",
              "price_base_year": "价格基年", "energy": "能源消费量", "energy_unit": "能源单位", "coal_share_pct": "煤炭占比(%)",
              "non_fossil_share_pct": "非化石能源占比(%)", "population": "常住人口", "population_unit": "人口单位",
              "energy_co2": "能源活动二氧化碳排放", "energy_co2_unit": "排放单位", "source": "来源"}
PLAN_ZH = {"code": "指标代码", "seq": "序号", "group_zh": "分组", "name_zh": "指标名称", "name_en": "英文名称", "unit": "单位",
           "kind": "指标属性", "direction": "方向", "baseline_year": "基期年份", "baseline": "基期值", "target_year": "目标年份",
           "target": "目标值", "target_text": "目标说明", "target_metric": "目标指标", "source": "来源"}


def run(*args: str, code: int = 0):
    res = runner.invoke(app, list(args))
    assert res.exit_code == code, (res.output, res.exception)
    return res


def as_excel_saves_it(path: Path, headers: dict[str, str], out: Path) -> Path:
    """The English UTF-8 file re-saved as Excel on a Chinese Windows does: Chinese headers, GBK (GB18030) bytes."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if not line.startswith("#"))
    lines[i] = ",".join(headers.get(h, h) for h in lines[i].rstrip("\r\n").split(",")) + "\r\n"
    text = "".join(lines)
    try:
        data = text.encode("gbk")
    except UnicodeEncodeError:
        data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8: the reader must detect GB18030
    out.write_bytes(data)
    return out


def totals(results: Path) -> pd.DataFrame:
    frame = pd.read_csv(results, dtype={"region": str})
    return frame.groupby(["region", "sector", "category", "gas"], dropna=False)[["mass_t", "co2e_t"]].sum()


# --- CLI: GB18030 and Chinese headers compile to the same totals ------------------------------------------------------

def test_gb18030_chinese_header_files_compile_to_the_same_totals(tmp_path):
    act = as_excel_saves_it(SAMPLE, ACTIVITY_ZH, tmp_path / "活动水平.csv")
    fac = as_excel_saves_it(LOCAL, FACTORS_ZH, tmp_path / "地方参数.csv")
    english, chinese = tmp_path / "en.csv", tmp_path / "zh.csv"
    run("compile", str(SAMPLE), "--year", "2022", "--factors", str(LOCAL), "--out", str(english))
    run("compile", str(act), "--year", "2022", "--factors", str(fac), "--out", str(chinese))
    en, zh = totals(english), totals(chinese)
    assert len(en) > 50 and en["co2e_t"].sum() > 1e7  # a real inventory, not two empty ones
    pd.testing.assert_frame_equal(en, zh)
    # the local rows were used in both (the Chinese factor file was read, not ignored)
    refs = pd.read_csv(chinese, dtype=str, keep_default_na=False)["factor_refs"]
    assert refs.str.contains("local-").any()


def test_gb18030_chinese_header_economy_gives_the_same_intensity(tmp_path):
    results = tmp_path / "RESULTS.csv"
    run("compile", str(SAMPLE), "--year", "2022", "--factors", str(LOCAL), "--out", str(results))
    eco = as_excel_saves_it(ECONOMY, ECONOMY_ZH, tmp_path / "经济.csv")
    en, zh = tmp_path / "i_en.csv", tmp_path / "i_zh.csv"
    run("intensity", str(results), str(ECONOMY), "--year", "2022", "--out", str(en))
    run("intensity", str(results), str(eco), "--year", "2022", "--out", str(zh))
    assert en.read_bytes() == zh.read_bytes() and len(pd.read_csv(en)) >= 10


def test_economy_plan_and_factors_read_alike_with_chinese_headers(tmp_path):
    pd.testing.assert_frame_equal(intensity_io.read_economy(ECONOMY),
                                  intensity_io.read_economy(as_excel_saves_it(ECONOMY, ECONOMY_ZH, tmp_path / "e.csv")))
    en = intensity_io.read_plan_indicators(PLAN)
    assert en == intensity_io.read_plan_indicators(as_excel_saves_it(PLAN, PLAN_ZH, tmp_path / "p.csv")) and len(en) > 5
    rows_en, _ = read_local_factors(LOCAL)
    rows_zh, _ = read_local_factors(as_excel_saves_it(LOCAL, FACTORS_ZH, tmp_path / "f.csv"))
    assert [(r.scope, r.item, r.parameter, r.value, r.unit) for r in rows_en] == \
           [(r.scope, r.item, r.parameter, r.value, r.unit) for r in rows_zh]


def test_results_file_with_chinese_headers_reads_alike():
    text = "region,year,sector,category,gas,co2e_t\n达拉特旗,2022,energy,1.A.1.a,CO2,1000\n"
    zh = "地区,年份,领域,类别,气体,二氧化碳当量(t)\n达拉特旗,2022,energy,1.A.1.a,CO2,1000\n"
    pd.testing.assert_frame_equal(intensity_io.read_results(text.encode(), "r.csv"),
                                  intensity_io.read_results(zh.encode("gbk"), "r.csv"))


# --- decoding: detected, never guessed ------------------------------------------------------------------------------

def test_gbk_bytes_that_are_also_valid_utf8_are_read_as_chinese():
    data = "region,year,category,item,quantity,unit\n150621,2022,1.A.1.a,原煤,10,t\n".encode("gbk")
    data.decode("utf-8")  # "原煤" in GBK is the valid UTF-8 "ԭú": a UTF-8-first reader sees an unknown item
    assert "原煤" in decode_text(data)
    assert list(read_activity(data, "a.csv")["item"]) == ["raw_coal"]


@pytest.mark.parametrize("data", [
    "地区,年份\n达拉特旗,2022\n".encode("utf-8"),
    b"\xef\xbb\xbf" + "地区,年份\n达拉特旗,2022\n".encode("utf-8"),
    "地区,年份\n达拉特旗,2022\n".encode("gbk"),
    "地区,年份\n达拉特旗,2022\n".encode("gb18030"),
    "note\n≈ 5000 kcal/kg, 94 %, 25 ℃, m³\n".encode("utf-8"),
])
def test_utf8_bom_and_gb18030_decode_alike(data):
    text = decode_text(data)
    assert not text.startswith("\ufeff") and ("达拉特旗" in text or "℃" in text)


@pytest.mark.parametrize("data, says", [
    ("地区\n达拉特旗\n".encode("utf-16"), "UTF-16"),
    (b"region\ncaf\xe9,\n", "neither UTF-8 nor GB18030"),  # Latin-1
    (b"\xef\xbb\xbfregion\n\xff\xfe\n", "byte-order mark but is not UTF-8"),
    (b"region\n\x81\x30\x81\x30\xfe\x01\n", "neither UTF-8 nor GB18030"),
])
def test_a_file_that_is_neither_is_a_clear_error(data, says):
    with pytest.raises(ValidationError) as exc:
        read_activity(data, "a.csv")
    assert says in exc.value.message and exc.value.field == "file" and "CSV UTF-8" in exc.value.message


def test_a_missing_column_names_the_accepted_headers():
    with pytest.raises(ImportRejected) as exc:
        read_activity("地区,年度,分类,品种,数目,单位\n达拉特旗,2022,1.A.1.a,原煤,10,t\n".encode("gbk"), "a.csv")
    [error] = exc.value.errors  # 年度, 分类, 品种 are accepted aliases; 数目 is not
    assert error.column == "quantity" and "quantity or 数量" in error.reason and "数目" in error.reason


def test_a_column_given_in_english_and_chinese_is_an_error():
    with pytest.raises(ImportRejected) as exc:
        read_activity("region,地区,year,category,item,quantity,unit\n1,2,2022,1.A.1.a,原煤,1,t\n".encode(), "a.csv")
    assert "given twice" in exc.value.errors[0].reason


def test_headers_with_a_unit_in_brackets_and_mixed_case():
    data = "地区,年份,类别,项目,数量（吨）,单位,Note\n达拉特旗,2022,电力和热力生产,原煤,10,t,x\n".encode("gbk")
    out = read_activity(data, "a.csv")
    assert list(out["quantity"]) == [10.0] and list(out["note"]) == ["x"]


# --- the XLSX template ----------------------------------------------------------------------------------------------

def test_template_has_chinese_headers_lists_and_examples_apart(tmp_path):
    path = tmp_path / "energy.xlsx"
    run("template", "energy", "--out", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "activity" and {"示例", "items", "lists"} <= set(wb.sheetnames)
    data = wb["activity"]
    assert [c.value for c in data[1]][:6] == ["地区(region)", "年份(year)", "类别(category)", "项目(item)",
                                               "数量(quantity)", "单位(unit)"]
    assert data.max_row == 1  # no example rows left to be imported by mistake
    assert wb["lists"].sheet_state == "hidden"
    formulas = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in data.data_validations.dataValidation}
    assert set(formulas) == {"A", "B", "C", "D", "F"}  # region, year, category, item, unit
    lists = wb["lists"]
    regions = [c.value for c in lists["A"][1:] if c.value]
    assert formulas["A"] == f"lists!$A$2:$A${len(regions) + 1}" and "达拉特旗" in regions and len(regions) == 10
    items = [c.value for c in lists["C"][1:] if c.value]
    assert "原煤" in items and "万m3" in [c.value for c in lists["D"][1:]]


def test_a_filled_in_template_imports_and_its_examples_too(tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx("energy")))
    examples = [r for r in wb["示例"].iter_rows(min_row=2, values_only=True)]
    rows = examples[:examples.index((None,) * len(examples[0]))] if (None,) * len(examples[0]) in examples else examples
    assert len(rows) >= 3
    data = wb["activity"]
    data.append(["准格尔旗", 2022, "电力和热力生产", "原煤", 1000, "t", "电厂", None])  # as picked from the lists
    for r in rows:
        data.append(list(r))
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    out = read_activity(path)
    assert len(out) == 1 + len(rows)
    assert (out["region"].iloc[0], out["category"].iloc[0], out["item"].iloc[0]) == ("150622", "1.A.1.a", "raw_coal")


@pytest.mark.parametrize("sector", ["energy", "ippu", "agriculture", "lulucf", "waste", "memo"])
def test_every_list_value_is_accepted_by_the_import(sector):
    lists = template_lists(sector)
    assert all(lists.values())
    rows = []
    for cat in lists["category"]:  # each category name and each unit resolve (the pairing need not be valid)
        rows.append(f"{lists['region'][0]},2022,{cat},{lists['item'][0]},NE,{lists['unit'][0]}")
    text = "地区,年份,类别,项目,数量,单位\n" + "\n".join(rows) + "\n"
    try:
        read_activity(text.encode(), "a.csv")
    except ImportRejected as exc:  # a unit of another dimension is fine here; names must all resolve
        assert not [e for e in exc.errors if e.column in ("region", "category", "item")], exc.errors


def test_template_api_xlsx_is_the_same_workbook(client):
    r = client.get("/api/v1/templates/waste", params={"format": "xlsx"})
    assert r.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames == \
           openpyxl.load_workbook(io.BytesIO(template_xlsx("waste"))).sheetnames


# --- CSV exports: values to their significant digits ---------------------------------------------------------------

def test_round_significant():
    assert list(round_significant([0.1 + 0.2, 19778.968000000003, 4169523.8095238097, -1e-12 / 3, 0.0])) == \
           [0.3, 19778.968, 4169523.81, -3.333333333e-13, 0.0]
    assert max_relative_rounding_error() == pytest.approx(5e-10)


def test_csv_export_rounds_floats_but_not_the_frame():
    frame = pd.DataFrame({"region": ["150621"], "co2e_t": [0.1 + 0.2], "year": [2022]})
    assert to_bytes({"r": frame}, "csv", excel=False) == b"region,co2e_t,year\n150621,0.3,2022\n"
    assert to_bytes({"r": frame}, "csv", excel=False, significant=None) == b"region,co2e_t,year\n150621,0.30000000000000004,2022\n"
    assert frame["co2e_t"].iloc[0] == 0.1 + 0.2


def test_rounded_results_keep_the_intensity_totals(tmp_path):
    from carbon.inventory.commands import compile_file
    from carbon.inventory.io import results_table

    exact = results_table(compile_file(SAMPLE, year=2022, factors=LOCAL))
    written = tmp_path / "RESULTS.csv"
    run("compile", str(SAMPLE), "--year", "2022", "--factors", str(LOCAL), "--out", str(written))
    back = intensity_io.read_results(written)
    a = pd.to_numeric(exact["co2e_t"]).groupby(exact["region"]).sum()
    b = pd.to_numeric(back["co2e_t"]).groupby(back["region"]).sum()
    assert (abs(a - b) <= max_relative_rounding_error() * a.abs() + 1e-9).all()
    cells = pd.read_csv(written, dtype=str, keep_default_na=False)[["mass_t", "co2e_t"]].to_numpy().ravel()
    digits = [len(c.lstrip("-").replace(".", "").lstrip("0").removesuffix("0")) for c in cells if c and "e" not in c]
    assert digits and max(digits) <= 10  # no 19778.968000000003
