"""Dimensionless parameters (issue 12 item 7): 1, %, ‰, dimensionless, 无量纲 or a blank unit, a percent or
per mille converted to a plain fraction before the plausibility check. An activity quantity still needs a unit."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core import units
from carbon.core.errors import FactorError, ImportRejected, UnitError
from carbon.inventory.io import read_activity, read_local_factors
from tests.factors.test_library import load, make_root

runner = CliRunner()

# 10 000 t raw coal in 1.A.1.a under the IPCC 2006 profile: 10 000 t × 25.8 GJ/t = 258 TJ;
# 258 TJ × 25.8 t C/TJ × 0.94 × 44/12 = 22 942.392 t CO2 (IPCC 2006 V2 Table 1.2 / 1.3, oxidation 0.94 local).
HAND_WORKED_CO2_T = 258 * 25.8 * 0.94 * 44 / 12
ACTIVITY = "region,year,category,item,quantity,unit\n鄂尔多斯市,2022,1.A.1.a,原煤,10000,t\n"

# (value, unit) spellings of an oxidation of 0.94
SPELLINGS = [("0.94", "dimensionless"), ("0.94", "1"), ("0.94", ""), ("0.94", "无量纲"), ("0.94", "-"),
             ("94", "%"), ("94", "％"), ("940", "‰"), ("94", "percent"), ("940", "permille")]


def test_hand_worked_number():
    assert HAND_WORKED_CO2_T == pytest.approx(22942.392, rel=1e-12)


@pytest.mark.parametrize("text, fraction", [("", 0.94), ("1", 0.94), ("dimensionless", 0.94), ("无量纲", 0.94),
                                            (None, 0.94), ("%", 0.0094), ("‰", 0.00094), ("  % ", 0.0094)])
def test_as_fraction(text, fraction):
    assert units.as_fraction(0.94, text) == pytest.approx(fraction, rel=1e-12)
    assert units.is_fraction_unit(text)


def test_percent_and_per_mille_convert_exactly():
    assert units.normalise_fraction(94, "%") == (0.94, "dimensionless")
    assert units.normalise_fraction(940, "‰") == (0.94, "dimensionless")
    assert units.normalise_fraction(0.94, "1") == (0.94, "dimensionless")
    assert units.normalise_fraction(25.8, "GJ/t") == (25.8, "GJ/t")  # any other unit untouched
    assert not units.is_fraction_unit("kg/t")
    with pytest.raises(UnitError, match="not a dimensionless unit"):
        units.as_fraction(1.0, "GJ/t")
    # pint knows the per mille sign itself
    assert units.multiplier(units.dimensionless_spelling("‰"), "dimensionless") == pytest.approx(0.001)


def _compile(tmp_path, value: str, unit: str) -> pd.DataFrame:
    act, local, out = tmp_path / "activity.csv", tmp_path / "local.csv", tmp_path / "results.csv"
    act.write_text(ACTIVITY, encoding="utf-8")
    local.write_text(f"category,item,parameter,value,unit,source\n1.A,原煤,oxidation,{value},{unit},地方实测\n",
                     encoding="utf-8")
    res = runner.invoke(app, ["compile", str(act), "--year", "2022", "--profile", "IPCC2006", "--factors", str(local),
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, dtype={"region": str}, keep_default_na=False)


def _co2(df: pd.DataFrame) -> float:
    sel = df[(df.region == "150600") & (df.category == "1.A.1.a") & (df.gas == "CO2")]
    assert len(sel) == 1, df
    return float(sel["mass_t"].iloc[0])


@pytest.mark.parametrize("value, unit", SPELLINGS)
def test_every_spelling_compiles_as_dimensionless(tmp_path, value, unit):
    reference = _compile(tmp_path, "0.94", "dimensionless")
    df = _compile(tmp_path, value, unit)
    assert _co2(df) == pytest.approx(HAND_WORKED_CO2_T, rel=1e-12)
    assert _co2(df) == _co2(reference)
    pd.testing.assert_frame_equal(df.drop(columns="factor_refs"), reference.drop(columns="factor_refs"))


@pytest.mark.parametrize("value, unit", SPELLINGS)
def test_local_row_is_stored_as_a_plain_fraction(value, unit):
    rows, _ = read_local_factors(f"category,item,parameter,value,unit\n1.A,原煤,oxidation,{value},{unit}\n".encode(), "l.csv")
    assert (rows[0].value, rows[0].unit) == (pytest.approx(0.94, rel=1e-15), "dimensionless")


@pytest.mark.parametrize("value, unit, reason", [
    ("94", "1", "a percentage? write the unit %"),  # 94 as a fraction is implausible: checked after conversion
    ("94", "", "a percentage? write the unit %"),
    ("150", "%", "outside the plausible range"),  # 1.5
    ("1500", "‰", "outside the plausible range"),
])
def test_plausibility_applies_after_conversion(value, unit, reason):
    with pytest.raises(ImportRejected) as exc:
        read_local_factors(f"category,item,parameter,value,unit\n1.A,原煤,oxidation,{value},{unit}\n".encode(), "l.csv")
    (err,) = exc.value.errors
    assert (err.row, err.column) == (2, "unit") and reason in err.reason
    assert err.value == unit  # the unit as the user wrote it


def test_a_parameter_with_a_dimension_still_needs_its_unit():
    bad = ("category,item,parameter,value,unit\n"
           "1.A,原煤,ncv,20.9,\n"   # blank
           "1.A,原煤,ncv,20.9,1\n"  # the SI "1"
           "1.A,原煤,ncv,20.9,%\n")
    with pytest.raises(ImportRejected) as exc:
        read_local_factors(bad.encode(), "l.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "unit"), (3, "unit"), (4, "unit")]
    assert "empty unit" in exc.value.errors[0].reason and "energy/mass" in exc.value.errors[0].reason
    assert "energy/mass" in exc.value.errors[2].reason


@pytest.mark.parametrize("unit", ["", "1", "%"])
def test_an_activity_quantity_still_needs_a_real_unit(unit):
    with pytest.raises(ImportRejected) as exc:
        read_activity(f"region,year,category,item,quantity,unit\n鄂尔多斯市,2022,1.A.1.a,原煤,10000,{unit}\n".encode(), "a.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "unit")]


@pytest.mark.parametrize("value, unit", [("0.98", "dimensionless"), ("98", "%"), ("980", "‰"), ("0.98", "1"),
                                         ("0.98", "")])
def test_factor_data_loader_reads_the_same_spellings(tmp_path, value, unit):
    root = make_root(tmp_path, f"OX1,1,IPCC2006,1.A,raw_coal,oxidation,CO2,{value},{unit},IPCC,T1.4,2006,,,,\n")
    (row,) = load(root).rows
    assert (row.value, row.unit) == (pytest.approx(0.98, rel=1e-15), "dimensionless")


def test_factor_data_loader_checks_plausibility_after_conversion(tmp_path):
    root = make_root(tmp_path, "OX1,1,IPCC2006,1.A,raw_coal,oxidation,CO2,98,1,IPCC,T1.4,2006,,,,\n")
    with pytest.raises(FactorError, match="plausible range"):
        load(root)
    root = make_root(tmp_path / "b", "NCV1,1,IPCC2006,1.A,raw_coal,ncv,,25.8,,IPCC,T1.2,2006,,,,\n")
    with pytest.raises(FactorError, match="NCV1"):
        load(root)


def test_a_bad_value_and_a_bad_unit_are_both_reported():
    with pytest.raises(ImportRejected) as exc:
        read_local_factors("category,item,parameter,value,unit\n1.A,原煤,ncv,lots,t\n".encode(), "l.csv")
    assert sorted(e.column for e in exc.value.errors) == ["unit", "value"]
