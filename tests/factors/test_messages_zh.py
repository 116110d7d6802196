"""Factor-library errors in Chinese by default, in their former English under Accept-Language: en (issue 19,
point 5). A bad row of a factor file is named precisely in both languages: file, line and the row itself."""

from __future__ import annotations

import pytest

from carbon.core.errors import FactorError, ImportRejected
from carbon.factors.library import load_verification
from carbon.inventory.io import read_local_factors
from tests.factors.test_library import load, make_root
from tests.factors.test_verification import root_with

API = "/api/v1"
EN = {"Accept-Language": "en"}


def load_error(tmp_path, body: str) -> FactorError:
    with pytest.raises(FactorError) as exc:
        load(make_root(tmp_path, body))
    return exc.value


def test_an_implausible_value_names_its_row_in_both_languages(tmp_path):
    exc = load_error(tmp_path, "F1,1,IPCC2006,1.B.1,*,ch4_density,CH4,0.67,t/m3,x,y,z,,,,\n")
    assert exc.message.startswith("x/test_v1.csv line 2 (F1, ch4_density=0.67 t/m3): ch4_density = 670 kg/m3 is "
                                  "outside the plausible range [")
    zh = exc.text("zh")
    assert zh.startswith("x/test_v1.csv 第 2 行 (F1, ch4_density=0.67 t/m3): ch4_density = 670 kg/m3 超出合理范围 [")
    assert "line" not in zh and "outside" not in zh
    assert exc.message.split("range ")[1] == zh.split("合理范围 ")[1]  # the same bounds and unit


def test_a_wrong_dimension_names_its_row_in_chinese(tmp_path):
    exc = load_error(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,t/GJ,IPCC,T1.2,2006,,,,\n")
    assert exc.message.startswith("x/test_v1.csv line 2 (F1, ncv=25.8 t/GJ): ")
    zh = exc.text("zh")
    assert zh.startswith("x/test_v1.csv 第 2 行 (F1, ncv=25.8 t/GJ): ") and "量纲" in zh and "energy/mass" in zh


def test_a_value_that_does_not_parse_keeps_the_parser_words(tmp_path):
    exc = load_error(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,abc,GJ/t,x,y,e,,,,\n")
    assert exc.message == "x/test_v1.csv line 2 (F1, ncv=abc GJ/t): could not convert string to float: 'abc'"
    assert exc.text("zh") == "x/test_v1.csv 第 2 行 (F1, ncv=abc GJ/t): 无法解析 (could not convert string to float: 'abc')"


def test_an_uncited_row_and_a_derived_mismatch(tmp_path):
    exc = load_error(tmp_path, "F1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,GJ/t,,y,e,,,,\n")
    assert exc.message == ("x/test_v1.csv line 2 (F1, ncv=25.8 GJ/t): empty source: every factor row must cite "
                           "its source")
    assert exc.text("zh") == "x/test_v1.csv 第 2 行 (F1, ncv=25.8 GJ/t): source 为空: 每一行排放因子都必须注明来源"
    body = ("C1,1,CN,1.A,raw_coal,carbon_content,CO2,26.37,t C/TJ,x,y,e,,,,\n"
            "O1,1,CN,1.A,raw_coal,oxidation,CO2,0.94,dimensionless,x,y,e,,,,\n"
            "E1,1,CN,1.A,raw_coal,ef_CO2,CO2,94.6,t CO2/TJ,x,y,e,,,,\n")
    exc = load_error(tmp_path / "derived", body)
    assert exc.message.startswith("derived factor mismatch:\ntest_v1.csv: E1@v1 ef_CO2 for raw_coal is 94.6 t/TJ but ")
    assert exc.text("zh").startswith("派生排放因子与其组成参数不符:\ntest_v1.csv: E1@v1 中 raw_coal 的 ef_CO2 为 94.6 t/TJ, "
                                     "但 含碳量 × 碳氧化率 × 44/12 = ")


def test_a_verification_line_naming_no_row(tmp_path):
    root = root_with(tmp_path, "F9,1,verified,Doc,T,p,2026-12-07,\n")
    with pytest.raises(FactorError) as exc:
        load_verification(root)
    assert exc.value.message == "verification/verification_v1.csv line 2 (F9@v1): no factor row F9@v1 in emission_factors/"
    assert exc.value.text("zh") == "verification/verification_v1.csv 第 2 行 (F9@v1): emission_factors/ 中没有因子行 F9@v1"


def test_local_factor_rows_in_both_languages():
    content = "category,item,parameter,value,unit,year\n1.A.1,raw_coal,ncv_typo,20,GJ/t,2022\n1.A.1,raw_coal,ncv,x,GJ/t,y\n"
    with pytest.raises(ImportRejected) as exc:
        read_local_factors(content.encode(), "local.csv")
    en, zh = exc.value.problems("en"), exc.value.problems("zh")
    assert en[1].startswith("row 2, column parameter: unknown parameter; known: ")
    assert zh[1].startswith("第 2 行, parameter 列: 未知参数; 已知参数: ")
    assert en[2:] == ["row 3, column value: not a number (value 'x')", "row 3, column year: not a whole year (value 'y')"]
    assert zh[2:] == ["第 3 行, value 列: 不是数字 (值 'x')", "第 3 行, year 列: 不是整数年份 (值 'y')"]


def test_factor_references_through_the_api(client, auth_headers):
    bureau = auth_headers("bureau")
    bad = client.get(f"{API}/factors/bogus", headers=bureau)
    assert bad.status_code == 422
    assert bad.json()["error"] == {"code": "validation_error", "field": "ref",
                                   "message": "'bogus' 不是因子引用: 应为 'factor_id@vN'"}
    en = client.get(f"{API}/factors/bogus", headers={**bureau, **EN}).json()["error"]
    assert en["message"] == "not a factor reference 'bogus': expected 'factor_id@vN'"
    missing = client.get(f"{API}/factors/NOPE@v1", headers=bureau)
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "not_found", "field": "ref", "message": "数据库中没有已保存的因子行 NOPE@v1"}
    en = client.get(f"{API}/factors/NOPE@v1", headers={**bureau, **EN}).json()["error"]
    assert en["message"] == "no stored factor row NOPE@v1"
