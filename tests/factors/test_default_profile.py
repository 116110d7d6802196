"""Issue 12 item 2 "Chinese defaults first": CN is the default profile everywhere, IPCC 2006 fills the gaps, and
every result says which profile its rows came from (the ``profile`` column of RESULTS and of the item detail)."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.routes.inventory import InventoryCreate
from carbon.cli import app
from carbon.factors.library import DEFAULT_PROFILE, load_library, profiles_of_refs
from carbon.intensity.io import read_results
from carbon.inventory import service as inventory_service
from carbon.inventory.commands import compile_file
from carbon.inventory.io import RESULTS_COLUMNS, results_table

runner = CliRunner()

# 10,000 t raw coal in power plants under CN: 20.908 GJ/t × 26.37 t C/TJ × 0.94 × 44/12 (China's statistical NCV and
# the provincial guideline's carbon content and oxidation rate); CH4 and N2O from IPCC 2006 Table 2.2 (gap filled)
RAW_COAL = "region,year,category,item,quantity,unit\n鄂尔多斯市,2022,1.A.1.a,原煤,10000,t\n"
CN_CO2 = 10_000 * 20.908e-3 * 26.37 * 0.94 * 44 / 12
IPCC_CO2 = 10_000 * 25.8e-3 * 25.8 * 1.0 * 44 / 12  # Table 1.2 NCV 25.8 GJ/t, Table 1.3 25.8 t C/TJ, oxidation 1


def test_the_default_profile_is_cn_everywhere():
    assert DEFAULT_PROFILE == "CN"
    assert load_library().profile == "CN"
    assert InventoryCreate(year=2022).factor_profile == "CN"
    assert load_library().resolve("ncv", "1.A.1.a", "raw_coal").ref == "CN2011-NCV-raw_coal@v1"
    # IPCC 2006 fills the gaps: CN has no CH4 factor for coal combustion
    assert load_library().resolve("ef_CH4", "1.A.1.a", "raw_coal").profile == "IPCC2006"


def test_create_inventory_defaults_to_cn(session):
    inv = inventory_service.create_inventory(session, year=2022, label="t")
    assert inv.factor_profile == "CN"


def test_compile_cli_defaults_to_cn_and_results_carry_the_profile(tmp_path):
    act = tmp_path / "a.csv"
    act.write_text(RAW_COAL, encoding="utf-8")
    out = {}
    for name, extra in (("default", []), ("ipcc", ["--profile", "IPCC2006"])):
        path = tmp_path / f"{name}.csv"
        res = runner.invoke(app, ["compile", str(act), "--year", "2022", "--out", str(path), *extra])
        assert res.exit_code == 0, res.output
        out[name] = pd.read_csv(path, dtype={"region": str}).fillna({"profile": ""})
    d = out["default"]
    assert list(d.columns) == RESULTS_COLUMNS and RESULTS_COLUMNS[-2:] == ["profile", "note"]
    city = d[d.region == "150600"].set_index("gas")
    assert city.loc["CO2", "mass_t"] == pytest.approx(CN_CO2, rel=1e-9)
    assert city.loc["CO2", "profile"] == "CN"
    assert city.loc["CH4", "profile"] == "CN;IPCC2006"  # CN NCV, IPCC CH4 factor
    ipcc = out["ipcc"][out["ipcc"].region == "150600"].set_index("gas")
    assert ipcc.loc["CO2", "mass_t"] == pytest.approx(IPCC_CO2, rel=1e-9)
    assert ipcc.loc["CO2", "profile"] == "IPCC2006"
    # carbon intensity's RESULTS reader takes the file with the new column
    frame = read_results(tmp_path / "default.csv")
    assert "profile" in frame.columns and frame["co2e_t"].notna().any()


def test_profile_of_local_rows_is_left_to_basis(tmp_path):
    act = tmp_path / "a.csv"
    act.write_text(RAW_COAL, encoding="utf-8")
    local = tmp_path / "l.csv"
    local.write_text("category,item,parameter,value,unit\n1.A,原煤,ncv,20.0,GJ/t\n1.A,原煤,carbon_content,26.0,t C/TJ\n"
                     "1.A,原煤,oxidation,0.98,dimensionless\n", encoding="utf-8")
    t = results_table(compile_file(act, year=2022, factors=local))
    co2 = t[(t.region == "150600") & (t.gas == "CO2")].iloc[0]
    assert co2["basis"] == "local" and co2["profile"] == ""
    assert profiles_of_refs("nonsense@v1;" + co2["factor_refs"]) == ""
