"""Worked examples I-1 to I-3 of ../shared/reference/examples.md, through `carbon compile`."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app

runner = CliRunner()


def compile_cli(tmp_path, activity: str, *args: str, local: str | None = None):
    act = tmp_path / "activity.csv"
    act.write_text(activity, encoding="utf-8")
    out = tmp_path / "results.csv"
    # the worked examples are computed by hand from the IPCC 2006 tables: pin that profile (the default is CN)
    argv = ["compile", str(act), "--out", str(out), "--profile", "IPCC2006", *args]
    if local:
        (tmp_path / "local.csv").write_text(local, encoding="utf-8")
        argv += ["--factors", str(tmp_path / "local.csv")]
    res = runner.invoke(app, argv)
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, dtype={"region": str}), res.output


def pick(df, category, gas, region="150600", column="mass_t"):
    sel = df[(df.region == region) & (df.category == category) & (df.gas == gas)]
    assert len(sel) == 1, df
    return float(sel[column].iloc[0])


def test_i1_raw_coal_ipcc_tier1_with_local_ncv(tmp_path):
    df, out = compile_cli(
        tmp_path, "region,year,category,item,quantity,unit\n鄂尔多斯市,2022,1.A.1.a,原煤,10000,t\n",
        "--year", "2022", "--gwp", "AR5",
        local="category,item,parameter,value,unit,source\n1.A,原煤,ncv,20.908,GJ/t,地方实测\n",
    )
    assert pick(df, "1.A.1.a", "CO2") == pytest.approx(19778.968, rel=1e-6)
    assert pick(df, "1.A.1.a", "CH4") == pytest.approx(0.20908, rel=1e-6)
    assert pick(df, "1.A.1.a", "N2O") == pytest.approx(0.31362, rel=1e-6)
    non_co2 = pick(df, "1.A.1.a", "CH4", column="co2e_t") + pick(df, "1.A.1.a", "N2O", column="co2e_t")
    assert non_co2 == pytest.approx(88.96, rel=1e-3)
    assert set(df.gwp_set) == {"AR5"}
    assert "能源活动" in out


def test_i1_non_co2_under_sar(tmp_path):
    df, _ = compile_cli(
        tmp_path, "region,year,category,item,quantity,unit\n150600,2022,1.A.1.a,原煤,10000,t\n",
        "--year", "2022", "--gwp", "SAR", local="category,item,parameter,value,unit\n1.A,原煤,ncv,20.908,GJ/t\n",
    )
    non_co2 = pick(df, "1.A.1.a", "CH4", column="co2e_t") + pick(df, "1.A.1.a", "N2O", column="co2e_t")
    assert non_co2 == pytest.approx(101.61, rel=1e-4)


def test_i2_cement_clinker(tmp_path):
    df, _ = compile_cli(tmp_path, "region,year,category,item,quantity,unit\n准格尔旗,2022,2.A.1,水泥熟料,100,万t\n", "--year", "2022")
    assert pick(df, "2.A.1", "CO2", region="150622") == pytest.approx(520_000, rel=1e-3)
    assert pick(df, "2.A.1", "CO2") == pytest.approx(520_000, rel=1e-3)  # the city roll-up


def test_i3_enteric_fermentation_ar5_and_ar6_split(tmp_path):
    act = "region,year,category,item,quantity,unit\n鄂托克旗,2022,3.A.1,非奶牛,1,万头\n"
    df, _ = compile_cli(tmp_path, act, "--year", "2022", "--gwp", "AR5")
    assert pick(df, "3.A.1", "CH4") == pytest.approx(540, rel=1e-6)
    assert pick(df, "3.A.1", "CH4", column="co2e_t") == pytest.approx(15_120, rel=1e-6)
    df6, _ = compile_cli(tmp_path, act, "--year", "2022", "--gwp", "AR6", "--ch4-ar6", "split")
    assert pick(df6, "3.A.1", "CH4", column="co2e_t") == pytest.approx(14_580, rel=1e-6)


def test_bad_input_exits_nonzero_reports_rows_and_writes_nothing(tmp_path):
    act = tmp_path / "bad.csv"
    act.write_text("region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,10,kWh/t\n达拉特旗,2022,1.A.1.a,原煤,abc,t\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    res = runner.invoke(app, ["compile", str(act), "--year", "2022", "--out", str(out)])
    assert res.exit_code == 2
    assert "第 2 行, unit 列" in res.output and "第 3 行, quantity 列" in res.output  # Chinese by default (issue 19)
    assert not out.exists()


def test_notation_keys_say_why_a_row_is_empty(tmp_path):
    act = (
        "region,year,category,item,quantity,unit,note\n"
        "达拉特旗,2022,1.A.1.a,原煤,100,t,\n"
        "达拉特旗,2022,1.B.2.a,原油,NO,,no oil production\n"
        "杭锦旗,2022,1.B.2.a,原油,IE,,included in 1.B.2.b\n"
    )
    df, _ = compile_cli(tmp_path, act, "--year", "2022")
    keyed = df[df.notation.fillna("") != ""].set_index(["region", "category"])["notation"]
    assert keyed[("150621", "1.B.2.a")] == "NO"
    assert keyed[("150625", "1.B.2.a")] == "IE"
    assert keyed[("150600", "1.B.2.a")] == "IE,NO"
    assert df[(df.category == "1.B.2.a")]["mass_t"].isna().all()
