"""`carbon intensity RESULTS.csv ECONOMY.csv` with a RESULTS file of exactly the contract's columns (region, year,
sector, category, gas, mass_t, co2e_t, gwp_set): ``memo`` is optional, memo rows are known from the category
catalogue (issue 12 item 7); extra columns (crt_category, anything else) are ignored."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.intensity import io
from carbon.intensity.intensity import NUMERATORS, emissions_from_results

runner = CliRunner()

CONTRACT = ["region", "year", "sector", "category", "gas", "mass_t", "co2e_t", "gwp_set"]
# 达拉特旗 2022: energy CO2 1,000 t, CH4 28 t CO2e; IPPU CO2 500 t; memo: biomass CO2 70 t, electricity −200 t.
ROWS = [
    ("150621", 2022, "energy", "1.A.1.a", "CO2", 1000.0, 1000.0, "AR5"),
    ("150621", 2022, "energy", "1.A.1.a", "CH4", 1.0, 28.0, "AR5"),
    ("150621", 2022, "ippu", "2.A.1", "CO2", 500.0, 500.0, "AR5"),
    ("150621", 2022, "memo", "M.biomass_CO2", "CO2", 70.0, 70.0, "AR5"),
    ("150621", 2022, "memo", "M.electricity", "CO2", -200.0, -200.0, "AR5"),
]
ECONOMY = "region,year,gdp,unit,price_base_year\n达拉特旗,2022,1000,万元,2020\n"


def results_csv(tmp_path, frame: pd.DataFrame, name: str = "RESULTS.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def run_intensity(tmp_path, results_path, *args: str) -> pd.DataFrame:
    economy = tmp_path / "ECONOMY.csv"
    economy.write_text(ECONOMY, encoding="utf-8")
    out = tmp_path / "intensity.csv"
    res = runner.invoke(app, ["intensity", str(results_path), str(economy), "--year", "2022", "--out", str(out), *args])
    assert res.exit_code == 0, (res.output, res.exception)
    return pd.read_csv(out, dtype={"region": str}).set_index("region")


# energy_co2: 1,000 t / 1,000 万元 = 1.0; ghg_net: 1,000 + 28 + 500 = 1,528 (memo excluded);
# energy_co2_net_electricity: 1,000 − 200 = 800 (the electricity memo added on purpose)
@pytest.mark.parametrize("numerator, co2_t", [("energy_co2", 1000.0), ("ghg_net", 1528.0),
                                              ("energy_co2_net_electricity", 800.0)])
def test_contract_columns_only_are_accepted_and_memo_rows_come_from_the_catalogue(tmp_path, numerator, co2_t):
    path = results_csv(tmp_path, pd.DataFrame(ROWS, columns=CONTRACT))
    assert pd.read_csv(path).columns.tolist() == CONTRACT
    table = run_intensity(tmp_path, path, "--numerator", numerator)
    assert table.at["150621", "co2_t"] == pytest.approx(co2_t)
    assert table.at["150621", "intensity_t_per_10k_cny"] == pytest.approx(co2_t / 1000)


def test_with_crt_category_and_unknown_columns_the_result_is_the_same(tmp_path):
    plain = run_intensity(tmp_path, results_csv(tmp_path, pd.DataFrame(ROWS, columns=CONTRACT)), "--numerator", "ghg_net")
    wider = pd.DataFrame(ROWS, columns=CONTRACT).assign(crt_category=["1.A.1.a", "1.A.1.a", "2.A.1", "", ""],
                                                        reviewer="张三", 备注="x")
    table = run_intensity(tmp_path, results_csv(tmp_path, wider, "wide.csv"), "--numerator", "ghg_net")
    assert table.at["150621", "co2_t"] == plain.at["150621", "co2_t"] == pytest.approx(1528.0)


def test_full_compile_output_still_reads(tmp_path):
    # the memo column of `carbon compile --out` is kept as given
    frame = pd.DataFrame(ROWS, columns=CONTRACT).assign(memo=[False, False, False, True, True])
    read = io.read_results(results_csv(tmp_path, frame))
    assert read["memo"].tolist() == [False, False, False, True, True]


def test_memo_derived_where_absent_or_blank(tmp_path):
    read = io.read_results(results_csv(tmp_path, pd.DataFrame(ROWS, columns=CONTRACT)))
    assert read["memo"].tolist() == [False, False, False, True, True]
    # blank memo cells take the catalogue's flag; a category by its Chinese name too; a category the catalogue does
    # not know is a memo item when its sector says so
    frame = pd.DataFrame(ROWS, columns=CONTRACT).assign(memo=["", "False", "", "", "True"])
    frame.loc[3, "category"] = "生物质燃烧二氧化碳排放（信息项）"
    frame.loc[len(frame)] = ("150621", 2022, "memo", "M.bunkers", "CO2", 5.0, 5.0, "AR5", "")
    read = io.read_results(results_csv(tmp_path, frame, "blank.csv"))
    assert read["memo"].tolist() == [False, False, False, True, True, True]
    assert emissions_from_results(read, NUMERATORS["ghg_net"])["co2_t"].tolist() == [pytest.approx(1528.0)]


def test_a_required_column_missing_is_still_refused(tmp_path):
    path = results_csv(tmp_path, pd.DataFrame(ROWS, columns=CONTRACT).drop(columns="co2e_t"))
    economy = tmp_path / "ECONOMY.csv"
    economy.write_text(ECONOMY, encoding="utf-8")
    res = runner.invoke(app, ["intensity", str(path), str(economy), "--year", "2022"])
    assert res.exit_code != 0
    assert "co2e_t" in res.output + (res.stderr if res.stderr_bytes is not None else "")
