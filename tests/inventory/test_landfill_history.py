"""Landfill FOD history (IPCC 2006 Vol 5 Ch 3 §3.2.2): a warning when deposits start after the first year the model
needs (50 years before, or 1950), and --backcast population|gdp from a proxy series. The back-cast results are
checked against compiles given the same deposits explicitly, a path that does not back-cast anything."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ImportRejected, ValidationError
from carbon.factors.library import load_library
from carbon.inventory.calc.waste import LANDFILL_BACKCAST, LANDFILL_HISTORY_SHORT, required_first_year
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import validate_activity
from carbon.inventory.proxy import read_proxy
from tests.inventory.helpers import value

BANNER = "150621"  # 达拉特旗
CITY = "150600"
LIB = load_library(profile="IPCC2006")
runner = CliRunner()


def compile_rows(rows, year=2022, proxy=None, **kw):
    raw = pd.DataFrame({"region": [r[0] for r in rows], "year": [str(r[4]) for r in rows],
                        "category": "4.A", "item": [r[1] for r in rows], "quantity": [str(r[2]) for r in rows],
                        "unit": [r[3] for r in rows]})
    return compile_activity(validate_activity(raw), LIB, CompileOptions(year=year, **kw), proxy=proxy)


def findings(result, check):
    return [f for f in result.cross_sector if f["check"] == check]


def test_required_first_year():
    assert required_first_year(2022) == 1973  # 2022 - 50 + 1
    assert required_first_year(1990) == 1950  # back to 1950 is fewer than 50 years


def test_only_the_target_years_deposits_is_a_warning_not_a_silent_zero():
    r = compile_rows([(BANNER, "厨余垃圾", 1000, "t", 2022)])
    assert value(r, BANNER, "4.A", "CH4") == 0.0  # a deposit decays from the year after
    (w,) = findings(r, LANDFILL_HISTORY_SHORT)
    assert (w["region"], w["category"], w["first_year"], w["required_first_year"]) == (BANNER, "4.A", 2022, 1973)
    assert w["missing_years"] == 49 and "understated" in w["message"] and "低估" in w["message_zh"]


def test_a_full_history_gives_no_warning():
    rows = [(BANNER, "厨余垃圾", 100, "t", y) for y in range(1973, 2023)]
    assert findings(compile_rows(rows), LANDFILL_HISTORY_SHORT) == []
    assert findings(compile_rows(rows[1:]), LANDFILL_HISTORY_SHORT)  # from 1974: one year short


def test_one_warning_per_site_lists_its_waste_types():
    r = compile_rows([(BANNER, "厨余垃圾", 100, "t", 2010), (BANNER, "纸类", 50, "t", 2010),
                      ("150622", "纸类", 50, "t", 2015)])
    w = findings(r, LANDFILL_HISTORY_SHORT)
    assert sorted((f["region"], tuple(f["items"])) for f in w) == [
        (BANNER, ("food_waste", "paper_waste")), ("150622", ("paper_waste",))]


def test_backcast_with_a_constant_proxy_equals_the_same_deposits_given_explicitly():
    # population constant: every missing year deposits what the first year did (W(t) = W(2005) x P(t)/P(2005))
    proxy = {(BANNER, y): 58.0 for y in range(1973, 2023)}
    given = [(BANNER, "厨余垃圾", 100 + 10 * (y - 2005), "t", y) for y in range(2005, 2023)]
    back = compile_rows(given, backcast="population", proxy=proxy)
    explicit = compile_rows([(BANNER, "厨余垃圾", 100, "t", y) for y in range(1973, 2005)] + given)
    assert value(back, BANNER, "4.A", "CH4") == pytest.approx(value(explicit, BANNER, "4.A", "CH4"), rel=1e-12)
    assert value(back, BANNER, "4.A", "CH4") > value(compile_rows(given), BANNER, "4.A", "CH4")
    (f,) = findings(back, LANDFILL_BACKCAST)
    assert f["backcast_t"] == pytest.approx(32 * 100) and f["proxy"] == "population" and f["proxy_region"] == BANNER
    assert findings(back, LANDFILL_HISTORY_SHORT) == []
    row = back.detail[(back.detail.region == BANNER) & (back.detail.category == "4.A")]
    assert row["basis"].str.contains("backcast_population").all()  # the rows say they rest on a back-cast


def test_backcast_scales_with_the_proxy_and_falls_back_to_the_citys_series():
    # GDP doubles from 2004 to 2005: 2004's deposit is half of 2005's 80 t; the banner has no series of its own
    proxy = {(CITY, y): 1000.0 for y in range(1973, 2004)} | {(CITY, 2004): 500.0, (CITY, 2005): 1000.0}
    back = compile_rows([(BANNER, "纸类", 80, "t", 2005)], year=2022, backcast="gdp", proxy=proxy)
    explicit = compile_rows([(BANNER, "纸类", 80, "t", y) for y in range(1973, 2004)]
                            + [(BANNER, "纸类", 40, "t", 2004), (BANNER, "纸类", 80, "t", 2005)])
    assert value(back, BANNER, "4.A", "CH4") == pytest.approx(value(explicit, BANNER, "4.A", "CH4"), rel=1e-12)
    (f,) = findings(back, LANDFILL_BACKCAST)
    assert f["proxy_region"] == CITY and f["backcast_t"] == pytest.approx(31 * 80 + 40)


def test_a_missing_proxy_year_is_an_error_naming_it():
    proxy = {(BANNER, y): 1.0 for y in range(1980, 2023)}
    with pytest.raises(ImportRejected) as exc:  # pinned on the site's first record, nothing compiled
        compile_rows([(BANNER, "厨余垃圾", 100, "t", 2005)], backcast="population", proxy=proxy)
    (err,) = exc.value.errors
    assert err.row == 2 and "1973, 1974" in err.reason and "proxy series lacks" in err.reason
    with pytest.raises(ValidationError) as exc:
        compile_rows([(BANNER, "厨余垃圾", 100, "t", 2005)], backcast="population")
    assert exc.value.field == "proxy"
    with pytest.raises(ValidationError):
        compile_rows([(BANNER, "厨余垃圾", 100, "t", 2005)], backcast="households", proxy=proxy)


def test_proxy_reader_takes_the_economy_file_and_refuses_mixed_units():
    series = read_proxy("sample_data/ordos_economy_synthetic.csv", "population")
    assert series[(CITY, 2020)] == 215.0
    bad = "region,year,population,population_unit\n达拉特旗,2000,30,万人\n达拉特旗,2001,310000,人\n达拉特旗,x,1,万人\n"
    with pytest.raises(Exception) as exc:
        read_proxy(bad.encode(), "population", "p.csv")
    text = str(exc.value.errors)
    assert "mixes units" in text and "year" in text


def test_cli_backcast_on_the_sample(tmp_path):
    base = ["compile", "sample_data/ordos_2022_synthetic.csv", "--year", "2022", "--factors",
            "sample_data/ordos_local_factors.csv"]
    plain = runner.invoke(app, [*base, "--out", str(tmp_path / "a.csv")], env={"CARBON_LANG": "en"})
    assert plain.exit_code == 0, plain.output
    assert "landfill history too short" in plain.output
    back = runner.invoke(app, [*base, "--out", str(tmp_path / "b.csv"), "--backcast", "population",
                               "--proxy", "sample_data/ordos_population_history_synthetic.csv"], env={"CARBON_LANG": "en"})
    assert back.exit_code == 0, back.output
    assert "landfill back-cast" in back.output and "landfill history too short" not in back.output
    zh = runner.invoke(app, [*base, "--out", str(tmp_path / "c.csv")], env={"CARBON_LANG": "zh"})
    assert zh.exit_code == 0, zh.output
    text = " ".join(zh.output.split())
    # the notices in Chinese (items by their Chinese names), the English words gone
    assert "填埋历史数据不足: 东胜区：4.A 厨余垃圾" in text and "填埋量从" in text
    assert "landfill history too short" not in text and "deposits start" not in text
    a, b = (pd.read_csv(tmp_path / f, dtype={"region": str}) for f in ("a.csv", "b.csv"))
    pick = lambda d: float(d[(d.region == CITY) & (d.category == "4.A") & (d.gas == "CH4")]["mass_t"].iloc[0])  # noqa: E731
    assert pick(b) > pick(a)
    no_backcast = runner.invoke(app, [*base, "--proxy", "sample_data/ordos_population_history_synthetic.csv"])
    assert no_backcast.exit_code == 2 and "--backcast" in no_backcast.output
