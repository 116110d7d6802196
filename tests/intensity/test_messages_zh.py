"""Intensity errors in Chinese by default, in their former English under Accept-Language: en / CARBON_LANG=en
(issue 19, point 5): the machine ``code`` and ``field`` do not change."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.core.errors import ValidationError
from carbon.intensity import decomposition as dec
from carbon.intensity.io import read_economy
from tests.intensity.test_api import upload
from tests.inventory.store_helpers import energy_factors  # noqa: F401  (autouse fixture)

API = "/api/v1"
EN = {"Accept-Language": "en"}

TWICE = """region,year,gdp,unit,price_base_year
达拉特旗,2022,120,亿元,2020
达拉特旗,2022,121,亿元,2020
""".encode()


def test_no_economic_data_through_the_api(client, auth_headers):
    bureau = auth_headers("bureau")
    zh = client.get(f"{API}/intensity", params={"year": 2022}, headers=bureau)
    assert zh.status_code == 422
    error = zh.json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", "year")
    assert error["message"] == "没有 2022 年的经济数据; 请先导入"
    en = client.get(f"{API}/intensity", params={"year": 2022}, headers={**bureau, **EN}).json()["error"]
    assert (en["code"], en["field"], en["message"]) == ("validation_error", "year",
                                                        "no economic data for 2022; import them first")


def test_unknown_target_through_the_api(client, auth_headers):
    bureau = auth_headers("bureau")
    zh = client.get(f"{API}/intensity/targets/987", headers=bureau)
    assert zh.status_code == 404
    assert zh.json()["error"] == {"code": "not_found", "message": "没有编号为 987 的目标", "field": "target_id"}
    en = client.get(f"{API}/intensity/targets/987", headers={**bureau, **EN}).json()["error"]
    assert en["message"] == "no target with id 987"


def test_a_duplicate_economy_row_is_reported_in_chinese(client, auth_headers):
    bureau = auth_headers("bureau")
    zh = upload(client, "/intensity/economy", TWICE, bureau).json()["error"]
    assert zh["code"] == "import_rejected"
    assert zh["rows"] == [{"row": 3, "column": "region", "reason": "the same region, year and price basis as row 2",
                           "value": "达拉特旗"}]  # the machine-readable rows stay in English
    assert zh["row_messages"] == ["第 3 行, region 列: 与第 2 行的地区、年份和价格基年相同 (值 '达拉特旗')"]
    en = upload(client, "/intensity/economy", TWICE, {**bureau, **EN}).json()["error"]
    assert en["row_messages"] == ["row 3, column region: the same region, year and price basis as row 2 "
                                  "(value '达拉特旗')"]


def test_a_formatted_value_keeps_its_format_in_both_languages():
    # a banner with almost all the GDP and almost none of the emissions: weighting by GDP share asks the impossible
    banners = pd.DataFrame({"region": ["150621", "150622"], "base_value": [1.0, 1000.0], "base_gdp": [1000.0, 10.0],
                            "target_gdp": [1000.0, 10.0]})
    with pytest.raises(ValidationError) as exc:
        dec.decompose(banners, reduction=0.2, base_year=2020, target_year=2025, method="gdp_share", alpha=2)
    assert exc.value.field == "method"
    assert exc.value.message.startswith("gdp_share would require 达拉特旗 to cut its intensity by ")
    assert exc.value.message.endswith("% or more; choose another method or a smaller α")
    zh = exc.value.text("zh")
    assert zh.startswith("gdp_share 要求 达拉特旗 的强度下降 ") and zh.endswith("% 或以上; 请选择其他方法或更小的 α")
    # the same whole percentage in both languages
    assert exc.value.message.split(" by ")[1].split("%")[0] == zh.split("下降 ")[1].split("%")[0]


def test_the_cli_speaks_chinese_unless_told(tmp_path, monkeypatch):
    from carbon.cli import app

    results = tmp_path / "results.csv"
    results.write_text("region,year,sector,category,gas,co2e_t\n达拉特旗,2022,energy,1.A.1,CO2,100\n", encoding="utf-8")
    economy = tmp_path / "economy.csv"
    economy.write_text("region,year,gdp,unit,price_base_year\n达拉特旗,2022,120,亿元,2020\n", encoding="utf-8")
    args = ["intensity", str(results), str(economy), "--year", "2022", "--numerator", "everything"]
    monkeypatch.delenv("CARBON_LANG", raising=False)
    zh = CliRunner().invoke(app, args)
    assert zh.exit_code == 2, zh.output
    assert "未知的分子 'everything'; 应为以下之一: " in zh.output
    monkeypatch.setenv("CARBON_LANG", "en")
    en = CliRunner().invoke(app, args)
    assert en.exit_code == 2 and "unknown numerator 'everything'; expected one of " in en.output


def test_the_economic_data_file_without_rows():
    with pytest.raises(ValidationError) as exc:
        read_economy(b"region,year,gdp,unit,price_base_year\n", "economy.csv")
    assert (exc.value.message, exc.value.text("zh")) == ("the economic data file has no data rows", "经济数据文件没有数据行")
