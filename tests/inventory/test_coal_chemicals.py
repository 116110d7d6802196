"""Coal chemicals and fuel transformation in the city inventory (series method `carbon_balance`:
2.B.8.a/b/g, 1.B.3.a/b/c), through compile_activity and through the `carbon compile` CLI.

Every expected figure is worked by hand from the inputs of the test (comments), with the default carbon
contents of emission_factors/ippu/carbon_balance_v1.csv where a test does not give a local value:
methanol 12/32, ethylene and propylene 12/14, urea 12/60, recovered CO2 12/44, coal_sng 389.31 GJ/万m3 ×
15.32 t C/TJ, feedstock_coal 0.551344.
"""

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import read_activity, read_local_factors

from .helpers import activity, compile_rows, value

runner = CliRunner()

ZGE = "150622"   # 准格尔旗
DLT = "150621"   # 达拉特旗
CITY = "150600"  # 鄂尔多斯市 (the roll-up of the banners)

LOCAL = ("category,item,parameter,value,unit,source\n"
         "2.B.8.a,原料煤,carbon_fraction,0.60,dimensionless,地方实测 (plant lab)\n"
         "2.B.8.b,原料煤,carbon_fraction,0.55,dimensionless,地方实测 (plant lab)\n"
         "1.B.3,原料煤,carbon_fraction,0.60,dimensionless,地方实测 (plant lab)\n"
         "1.A,原煤,ncv,20.908,GJ/t,地方实测\n")


def local_library(text: str = LOCAL):
    rows, fingerprint = read_local_factors(text.encode("utf-8"), "local.csv")
    return load_library(profile="IPCC2006").with_local(rows, fingerprint)


def compile_with_facility(rows, facilities, library=None, year=2022):
    """rows as for compile_rows, plus one facility name per row."""
    act = activity(rows, year)
    act["facility"] = facilities
    return compile_activity(act, library or local_library(), CompileOptions(year=year, gwp_set="AR5"))


def balance_of(result, facility):
    sel = [b for b in result.balances if b["facility"] == facility]
    assert len(sel) == 1, [b["facility"] for b in result.balances]
    return sel[0]


def item_co2(result, region, category, item):
    d = result.detail
    sel = d[(d.region == region) & (d.category == category) & (d["item"] == item) & (d.gas == "CO2")]
    assert len(sel) == 1, d
    return float(sel["mass_t"].iloc[0])


def rejection_text(exc: ImportRejected) -> str:
    return exc.report()


METHANOL = [(ZGE, "2.B.8.a", "feedstock_coal", 1_000_000, "t"), (ZGE, "2.B.8.a", "methanol", 800_000, "t")]


# --------------------------------------------------------------------------------------------------
# Worked examples through compile_activity
# --------------------------------------------------------------------------------------------------

def test_coal_to_methanol_with_measured_carbon_fraction():
    # coal 1,000,000 t × 0.60 (local) = 600,000 t C; methanol 800,000 t × 12/32 = 300,000 t C
    # (600,000 − 300,000) × 44/12 = 1,100,000 t CO2
    r = compile_rows(METHANOL, library=local_library())
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_100_000, rel=1e-9)
    assert value(r, CITY, "2.B.8.a", "CO2") == pytest.approx(1_100_000, rel=1e-9)
    # per item: the coal's carbon as CO2 (+), the methanol's (−)
    assert item_co2(r, ZGE, "2.B.8.a", "feedstock_coal") == pytest.approx(600_000 * 44 / 12, rel=1e-9)
    assert item_co2(r, ZGE, "2.B.8.a", "methanol") == pytest.approx(-300_000 * 44 / 12, rel=1e-9)
    b = balance_of(r, f"{ZGE} 2.B.8.a")
    assert b["co2"]["value"] == pytest.approx(1_100_000, rel=1e-9)
    assert b["carbon_in"]["value"] == pytest.approx(600_000, rel=1e-9)
    assert b["carbon_products"]["value"] == pytest.approx(300_000, rel=1e-9)
    src = {f["item"]: (f["source"], f["source_zh"]) for f in b["flows"]}
    assert src["feedstock_coal"] == ("measured", "实测")
    assert src["methanol"] == ("default", "缺省")


def test_default_carbon_fraction_without_local_value():
    # coal 1,000,000 t × 0.551344 (CN2011-CB-feedstock_coal: 20.908 GJ/t × 26.37 t C/TJ) = 551,344 t C
    # (551,344 − 300,000) × 44/12 = 921,594.666... t CO2
    r = compile_rows(METHANOL)
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(251_344 * 44 / 12, rel=1e-9)
    b = balance_of(r, f"{ZGE} 2.B.8.a")
    assert {f["item"]: f["source"] for f in b["flows"]}["feedstock_coal"] == "default"


@pytest.mark.parametrize("unit, number", [("dimensionless", "0.60"), ("", "0.60"), ("1", "0.60"), ("%", "60")])
def test_local_carbon_fraction_units(unit, number):
    """A measured carbon fraction may be written with a blank unit, '1', '%' or 'dimensionless'."""
    lib = local_library(f"category,item,parameter,value,unit\n2.B.8.a,原料煤,carbon_fraction,{number},{unit}\n")
    r = compile_rows(METHANOL, library=lib)
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_100_000, rel=1e-9)
    assert {f["item"]: f["source"] for f in balance_of(r, f"{ZGE} 2.B.8.a")["flows"]}["feedstock_coal"] == "measured"


def test_coal_to_olefins_with_recovered_co2():
    # coal 3,000,000 t × 0.55 (local) = 1,650,000 t C
    # ethylene 350,000 t × 12/14 = 300,000 t C; propylene 350,000 t × 12/14 = 300,000 t C
    # recovered 440,000 t CO2 × 12/44 = 120,000 t C
    # (1,650,000 − 600,000 − 120,000) × 44/12 = 930,000 × 44/12 = 3,410,000 t CO2
    r = compile_rows([(ZGE, "2.B.8.b", "feedstock_coal", 300, "万t"), (ZGE, "2.B.8.b", "ethylene", 350_000, "t"),
                      (ZGE, "2.B.8.b", "propylene", 350_000, "t"), (ZGE, "2.B.8.b", "co2_recovered", 440_000, "t")],
                     library=local_library())
    assert value(r, ZGE, "2.B.8.b", "CO2") == pytest.approx(3_410_000, rel=1e-9)
    assert item_co2(r, ZGE, "2.B.8.b", "feedstock_coal") == pytest.approx(1_650_000 * 44 / 12, rel=1e-9)  # 6,050,000
    assert item_co2(r, ZGE, "2.B.8.b", "ethylene") == pytest.approx(-1_100_000, rel=1e-9)
    assert item_co2(r, ZGE, "2.B.8.b", "propylene") == pytest.approx(-1_100_000, rel=1e-9)
    assert item_co2(r, ZGE, "2.B.8.b", "co2_recovered") == pytest.approx(-440_000, rel=1e-9)
    b = balance_of(r, f"{ZGE} 2.B.8.b")
    assert b["carbon_recovered"]["value"] == pytest.approx(120_000, rel=1e-9)


def test_methanol_plant_making_urea_from_its_co2():
    # 600,000 t C in; methanol 300,000 t C; urea CO(NH2)2 60,000 t × 12/60 = 12,000 t C
    # (600,000 − 312,000) × 44/12 = 1,056,000 t CO2
    r = compile_rows([*METHANOL, (ZGE, "2.B.8.a", "urea", 60_000, "t")], library=local_library())
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_056_000, rel=1e-9)


def test_coal_to_sng_in_volume():
    # coal 1,000,000 t × 0.60 (local, 1.B.3) = 600,000 t C
    # SNG 50,000 万m3 × 389.31 GJ/万m3 × 15.32 t C/TJ = 50,000 × 0.38931 × 15.32 = 298,211.46 t C
    # (600,000 − 298,211.46) × 44/12 = 1,106,557.98 t CO2
    r = compile_rows([(DLT, "1.B.3.b", "feedstock_coal", 1_000_000, "t"), (DLT, "1.B.3.b", "coal_sng", 50_000, "万m3")],
                     library=local_library())
    assert value(r, DLT, "1.B.3.b", "CO2") == pytest.approx(1_106_557.98, rel=1e-9)
    assert balance_of(r, f"{DLT} 1.B.3.b")["carbon_products"]["value"] == pytest.approx(298_211.46, rel=1e-9)


def test_negative_balance_is_rejected_naming_the_plant():
    # coal 100,000 t × 0.60 = 60,000 t C < methanol 200,000 t × 12/32 = 75,000 t C
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(ZGE, "2.B.8.a", "feedstock_coal", 100_000, "t"), (ZGE, "2.B.8.a", "methanol", 200_000, "t")],
                     library=local_library())
    text = rejection_text(exc.value)
    assert f"{ZGE} 2.B.8.a" in text and "negative" in text


# --------------------------------------------------------------------------------------------------
# Per facility
# --------------------------------------------------------------------------------------------------

TWO_PLANTS = [
    (ZGE, "2.B.8.a", "feedstock_coal", 1_000_000, "t"),  # A: 600,000 t C in
    (ZGE, "2.B.8.a", "methanol", 800_000, "t"),          # A: 300,000 t C out → 1,100,000 t CO2
    (ZGE, "2.B.8.a", "feedstock_coal", 500_000, "t"),    # B: 300,000 t C in
    (ZGE, "2.B.8.a", "methanol", 400_000, "t"),          # B: 150,000 t C out → 550,000 t CO2
]
TWO_NAMES = ["A煤化工", "A煤化工", "B甲醇厂", "B甲醇厂"]


def test_two_facilities_each_close_their_own_balance():
    r = compile_with_facility(TWO_PLANTS, TWO_NAMES)
    assert balance_of(r, "A煤化工")["co2"]["value"] == pytest.approx(1_100_000, rel=1e-9)
    assert balance_of(r, "B甲醇厂")["co2"]["value"] == pytest.approx(550_000, rel=1e-9)
    assert balance_of(r, "B甲醇厂")["carbon_in"]["value"] == pytest.approx(300_000, rel=1e-9)
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_650_000, rel=1e-9)


NEGATIVE_B = [
    (ZGE, "2.B.8.a", "feedstock_coal", 1_000_000, "t"),  # A: 600,000 t C in
    (ZGE, "2.B.8.a", "methanol", 800_000, "t"),          # A: 300,000 t C out (surplus 300,000)
    (ZGE, "2.B.8.a", "feedstock_coal", 100_000, "t"),    # B: 60,000 t C in
    (ZGE, "2.B.8.a", "methanol", 200_000, "t"),          # B: 75,000 t C out (15,000 t C more out than in)
]


def test_one_negative_facility_fails_even_if_another_hides_it():
    with pytest.raises(ImportRejected) as exc:
        compile_with_facility(NEGATIVE_B, TWO_NAMES)
    text = rejection_text(exc.value)
    assert "B甲醇厂" in text and "negative" in text
    assert "A煤化工" not in text


def test_without_facility_the_region_pools_the_plants():
    # the same rows without a facility: one balance, (660,000 − 375,000) × 44/12 = 1,045,000 t CO2
    r = compile_rows(NEGATIVE_B, library=local_library())
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_045_000, rel=1e-9)


def test_blank_facility_and_named_facility_are_separate_balances():
    r = compile_with_facility(TWO_PLANTS, ["", "", "B甲醇厂", "B甲醇厂"])
    assert balance_of(r, f"{ZGE} 2.B.8.a")["co2"]["value"] == pytest.approx(1_100_000, rel=1e-9)
    assert balance_of(r, "B甲醇厂")["co2"]["value"] == pytest.approx(550_000, rel=1e-9)


def csv_text(rows, facilities, header=True):
    lines = ["region,year,category,item,quantity,unit,facility"] if header else []
    lines += [f"{r[0]},2022,{r[1]},{r[2]},{r[3]!r},{r[4]},{f}" for r, f in zip(rows, facilities)]
    return "\n".join(lines) + "\n"


def compile_files(*texts):
    acts = [read_activity(tx.encode("utf-8"), f"part{i}.csv") for i, tx in enumerate(texts)]
    act = pd.concat(acts, ignore_index=True)
    return compile_activity(act, local_library(), CompileOptions(year=2022, gwp_set="AR5"))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_split_across_files_and_permuted_rows_give_the_same_balances(data):
    rows, names = [], []
    for row, name in zip(TWO_PLANTS, TWO_NAMES):  # each row split into 1-3 records
        k = data.draw(st.integers(1, 3))
        cuts = sorted(data.draw(st.lists(st.floats(0.05, 0.95), min_size=k - 1, max_size=k - 1)))
        bounds = [0.0, *cuts, 1.0]
        for lo, hi in zip(bounds, bounds[1:]):
            rows.append((*row[:3], float(row[3]) * (hi - lo), row[4]))
            names.append(name)
    order = data.draw(st.permutations(range(len(rows))))
    rows, names = [rows[i] for i in order], [names[i] for i in order]
    cut = data.draw(st.integers(1, len(rows) - 1))
    r = compile_files(csv_text(rows[:cut], names[:cut]), csv_text(rows[cut:], names[cut:]))
    assert balance_of(r, "A煤化工")["co2"]["value"] == pytest.approx(1_100_000, rel=1e-9)
    assert balance_of(r, "B甲醇厂")["co2"]["value"] == pytest.approx(550_000, rel=1e-9)
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_650_000, rel=1e-9)
    assert value(r, CITY, "2.B.8.a", "CO2") == pytest.approx(1_650_000, rel=1e-9)


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (2, 0, 3, 1)])
def test_negative_facility_fails_in_any_order_and_file_split(order):
    rows, names = [NEGATIVE_B[i] for i in order], [TWO_NAMES[i] for i in order]
    with pytest.raises(ImportRejected) as exc:
        compile_files(csv_text(rows[:2], names[:2]), csv_text(rows[2:], names[2:]))
    assert "B甲醇厂" in rejection_text(exc.value)


# --------------------------------------------------------------------------------------------------
# Cross-sector check: feedstock coal in a balance and coal in 1.A of the same region
# --------------------------------------------------------------------------------------------------

def test_feedstock_coal_and_raw_coal_in_1a2_of_the_same_region_are_flagged():
    # balance input: 600,000 t C × 44/12 = 2,200,000 t CO2
    # 1.A.2 raw coal: 10,000 t × 20.908 GJ/t (local) = 209.08 TJ × 94.6 t CO2/TJ = 19,778.968 t CO2 (example I-1)
    r = compile_rows([*METHANOL, (ZGE, "1.A.2", "raw_coal", 10_000, "t")], library=local_library())
    assert len(r.cross_sector) == 1
    f = r.cross_sector[0]
    assert f["region"] == ZGE
    assert f["balance_category"] == "2.B.8.a"
    assert f["balance_item"] == "feedstock_coal"
    assert f["combustion_categories"] == ["1.A.2"]
    assert f["combustion_items"] == ["raw_coal"]
    assert f["balance_input_co2_t"] == pytest.approx(2_200_000, rel=1e-9)
    assert f["combustion_co2_t"] == pytest.approx(19_778.968, rel=1e-6)
    assert f["co2_at_stake_t"] == pytest.approx(19_778.968, rel=1e-6)
    # nothing is excluded: the balance and the combustion both stay in the inventory
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_100_000, rel=1e-9)
    assert value(r, ZGE, "1.A.2", "CO2") == pytest.approx(19_778.968, rel=1e-6)


def test_feedstock_coal_in_1b3_is_flagged_too():
    r = compile_rows([(DLT, "1.B.3.a", "feedstock_coal", 1_000_000, "t"), (DLT, "1.B.3.a", "ctl_oil_products", 100_000, "t"),
                      (DLT, "1.A.2", "raw_coal", 10_000, "t")], library=local_library())
    assert [(f["region"], f["balance_category"], f["balance_item"]) for f in r.cross_sector] == [(DLT, "1.B.3.a", "feedstock_coal")]


def test_raw_coal_in_another_region_is_not_flagged():
    r = compile_rows([*METHANOL, (DLT, "1.A.2", "raw_coal", 10_000, "t")], library=local_library())
    assert r.cross_sector == []


def test_no_flag_without_coal_in_1a():
    r = compile_rows(METHANOL, library=local_library())
    assert r.cross_sector == []


# --------------------------------------------------------------------------------------------------
# Items that are not part of a carbon balance
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, item, qty, unit, name", [
    ("2.B.8.a", "electricity_import", 1_000_000, "kWh", "电力调入"),
    ("2.B.8.b", "clinker", 1_000, "t", "水泥熟料"),
    ("2.B.8.g", "other_cattle", 100, "t", "非奶牛"),
])
def test_non_carbon_balance_item_is_rejected(category, item, qty, unit, name):
    rows = [(ZGE, category, "feedstock_coal", 1_000_000, "t"), (ZGE, category, item, qty, unit)]
    with pytest.raises(ImportRejected) as exc:
        compile_rows(rows, library=local_library())
    text = rejection_text(exc.value)
    assert name in text and "not an input or output of a carbon balance" in text


def test_rejection_points_at_the_offending_row():
    """The row report names the row, column and value of the bad item, not the first row of the series."""
    rows = [(ZGE, "2.B.8.a", "feedstock_coal", 1_000_000, "t"), (ZGE, "2.B.8.a", "methanol", 800_000, "t"),
            (ZGE, "2.B.8.b", "feedstock_coal", 1_000_000, "t"), (ZGE, "2.B.8.b", "clinker", 1_000, "t")]
    with pytest.raises(ImportRejected) as exc:
        compile_rows(rows, library=local_library())
    errs = exc.value.errors
    assert len(errs) == 1
    assert errs[0].row == 5  # rows are numbered from 2 (the header is line 1)
    assert errs[0].column == "item"


def test_negative_balance_points_at_a_row_of_that_facility():
    with pytest.raises(ImportRejected) as exc:
        compile_with_facility(NEGATIVE_B, TWO_NAMES)
    assert exc.value.errors[0].row in (4, 5)  # B's rows (the 3rd and 4th records)


# --------------------------------------------------------------------------------------------------
# The `carbon compile` CLI with CSV files
# --------------------------------------------------------------------------------------------------

def compile_cli(tmp_path, act_text: str, local_text: str | None = LOCAL, env: dict | None = None):
    act = tmp_path / "activity.csv"
    act.write_text(act_text, encoding="utf-8")
    out = tmp_path / "results.csv"
    argv = ["compile", str(act), "--year", "2022", "--gwp", "AR5", "--out", str(out)]
    if local_text is not None:
        (tmp_path / "local.csv").write_text(local_text, encoding="utf-8")
        argv += ["--factors", str(tmp_path / "local.csv")]
    res = runner.invoke(app, argv, env=env)
    return res, (pd.read_csv(out, dtype={"region": str}) if out.exists() else None)


def pick(df, category, region, gas="CO2", column="mass_t"):
    sel = df[(df.region == region) & (df.category == category) & (df.gas == gas)]
    assert len(sel) == 1, df
    return float(sel[column].iloc[0])


def test_cli_coal_to_methanol(tmp_path):
    # 1,000,000 t × 0.60 − 80 万t × 12/32 = 600,000 − 300,000 t C; × 44/12 = 1,100,000 t CO2
    res, df = compile_cli(tmp_path, "region,year,category,item,quantity,unit\n"
                                    "准格尔旗,2022,2.B.8.a,原料煤,1000000,t\n"
                                    "准格尔旗,2022,甲醇生产,甲醇,80,万t\n")
    assert res.exit_code == 0, res.output
    assert pick(df, "2.B.8.a", ZGE) == pytest.approx(1_100_000, rel=1e-9)
    assert pick(df, "2.B.8.a", CITY) == pytest.approx(1_100_000, rel=1e-9)
    assert pick(df, "2.B.8.a", ZGE, column="co2e_t") == pytest.approx(1_100_000, rel=1e-9)
    row = df[(df.region == ZGE) & (df.category == "2.B.8.a")].iloc[0]
    assert "local" in row["basis"] and "default" in row["basis"]
    assert row["method"] == "carbon_balance"


def test_cli_olefins_with_facility_column(tmp_path):
    # A: 3,000,000 t × 0.55 − 600,000 (ethylene + propylene, 12/14) − 120,000 (440,000 t CO2 × 12/44) = 930,000 t C
    #    → 3,410,000 t CO2
    # B: 1,000,000 t × 0.55 − 400,000 t ethylene × 12/14 = 550,000 − 342,857.142857... = 207,142.857142... t C
    #    → 759,523.80952... t CO2
    act = ("region,year,category,item,quantity,unit,facility\n"
           "准格尔旗,2022,2.B.8.b,原料煤,3000000,t,A烯烃\n"
           "准格尔旗,2022,2.B.8.b,乙烯,350000,t,A烯烃\n"
           "准格尔旗,2022,2.B.8.b,丙烯,350000,t,A烯烃\n"
           "准格尔旗,2022,2.B.8.b,回收CO2,440000,t,A烯烃\n"
           "准格尔旗,2022,2.B.8.b,原料煤,1000000,t,B烯烃\n"
           "准格尔旗,2022,2.B.8.b,乙烯,400000,t,B烯烃\n")
    res, df = compile_cli(tmp_path, act)
    assert res.exit_code == 0, res.output
    b_c = 550_000 - 400_000 * 12 / 14
    assert pick(df, "2.B.8.b", ZGE) == pytest.approx(3_410_000 + b_c * 44 / 12, rel=1e-9)


def test_cli_negative_facility_is_rejected_with_its_name(tmp_path):
    act = ("region,year,category,item,quantity,unit,facility\n"
           "准格尔旗,2022,2.B.8.a,原料煤,1000000,t,A煤化工\n"
           "准格尔旗,2022,2.B.8.a,甲醇,800000,t,A煤化工\n"
           "准格尔旗,2022,2.B.8.a,原料煤,100000,t,B甲醇厂\n"
           "准格尔旗,2022,2.B.8.a,甲醇,200000,t,B甲醇厂\n")
    res, df = compile_cli(tmp_path, act, env={"CARBON_LANG": "en"})
    assert res.exit_code == 2
    assert "B甲醇厂" in res.output and "negative" in res.output
    assert df is None  # nothing written


def test_cli_non_carbon_balance_item_is_rejected(tmp_path):
    act = ("region,year,category,item,quantity,unit\n"
           "准格尔旗,2022,2.B.8.a,原料煤,1000000,t\n"
           "准格尔旗,2022,2.B.8.a,电力调入,1000000,kWh\n")
    res, df = compile_cli(tmp_path, act, env={"CARBON_LANG": "en"})
    assert res.exit_code == 2
    assert "电力调入" in res.output and "carbon balance" in res.output
    assert df is None


@pytest.mark.parametrize("unit, number", [("dimensionless", "0.60"), ("", "0.60"), ("1", "0.60"), ("%", "60")])
def test_cli_local_carbon_fraction_units(tmp_path, unit, number):
    res, df = compile_cli(tmp_path, "region,year,category,item,quantity,unit\n"
                                    "准格尔旗,2022,2.B.8.a,原料煤,1000000,t\n"
                                    "准格尔旗,2022,2.B.8.a,甲醇,800000,t\n",
                          local_text=f"category,item,parameter,value,unit\n2.B.8.a,原料煤,carbon_fraction,{number},{unit}\n")
    assert res.exit_code == 0, res.output
    assert pick(df, "2.B.8.a", ZGE) == pytest.approx(1_100_000, rel=1e-9)


def test_natural_gas_feedstock_in_volume_takes_a_volume_ncv():
    """Gas-based methanol: 天然气 as feedstock in 万m3. The default profile (IPCC 2006) has natural gas only per
    tonne; the volume NCV comes from the CN rows (389.31 GJ/万m3), the carbon content stays IPCC's 15.3 kg C/GJ.
    100,000 万m3 × 389.31 GJ/万m3 = 38,931,000 GJ × 15.3 kg C/GJ = 595,644.3 t C; methanol 800,000 t × 12/32 =
    300,000 t C; (595,644.3 − 300,000) × 44/12 = 1,084,029.1 t CO2."""
    r = compile_rows([(ZGE, "2.B.8.a", "natural_gas", 100_000, "万m3"), (ZGE, "2.B.8.a", "methanol", 800_000, "t")])
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx((38_931_000 * 15.3 / 1000 - 300_000) * 44 / 12, rel=1e-9)
    gas = next(f for f in r.balances[0]["flows"] if f["item"] == "natural_gas")
    assert gas["carbon_content"]["unit"] == "kg / m ** 3" and "CN2011-NCV-natural_gas@v1" in gas["ref"]
