"""Coal mining and handling (1.B.1.a): IPCC leaves, depth classes, gas grades, per-mine measured rates, recovered
and flared coal mine methane. Every expected number is worked by hand from the inputs and the cited factors:

  CH4 density 0.67 kg/m3 = 0.67e-3 t/m3 (IPCC, 20 °C, 1 atm)
  underground mining low / average / high 10 / 18 / 25 m3/t, post-mining 0.9 / 2.5 / 4.0 m3/t
  surface mining 0.3 / 1.2 / 2.0 m3/t, post-mining 0 / 0.1 / 0.2 m3/t
  flaring: CO2 = 0.98 × CH4 flared × 44/16
"""

import pandas as pd
import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.catalog import load_catalog
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import read_activity, read_local_factors

LIB = load_library(profile="IPCC2006")  # explicit: the service default profile may be CN
BANNER = "150627"  # 伊金霍洛旗
OTHER = "150622"  # 准格尔旗
UG, SF = "1.B.1.a.i", "1.B.1.a.ii"
RHO = 0.67e-3  # t CH4 per m3


def frame(rows, year=2022):
    """rows: (region, category, item, quantity, unit[, facility]); items by Chinese name, as the bureau writes them"""
    catalog = load_catalog()
    df = pd.DataFrame([dict(region=r[0], category=r[1], item=catalog.item(r[2]).code, quantity=float(r[3]), unit=r[4],
                            facility=r[5] if len(r) > 5 else "", year=year) for r in rows])
    df["row"] = range(2, len(df) + 2)
    return df


def run(rows, library=LIB, gwp_set="AR5"):
    return compile_activity(frame(rows), library, CompileOptions(year=2022, gwp_set=gwp_set))


def total(result, region, category, gas="CH4", column="mass_t"):
    t = result.by_category()
    sel = t[(t["region"] == region) & (t["category"] == category) & (t["gas"] == gas)]
    assert len(sel) == 1, (region, category, gas, t)
    return float(sel[column].iloc[0])


def item_mass(result, region, category, item, gas="CH4"):
    d = result.detail
    sel = d[(d["region"] == region) & (d["category"] == category) & (d["item"] == item) & (d["gas"] == gas)]
    assert len(sel) == 1, (region, category, item, gas, d)
    return float(sel["mass_t"].iloc[0])


def categories(result, region):
    d = result.detail
    return set(d.loc[d["region"] == region, "category"])


def rejected(rows, library=LIB):
    with pytest.raises(ImportRejected) as exc:
        run(rows, library)
    return exc.value.errors


# --- IPCC leaves -------------------------------------------------------------------------------------

def test_each_ipcc_leaf_takes_production_with_its_own_factor():
    # 100 万t = 1e6 t each
    # 1.B.1.a.i.1: 1e6 × 18 × 0.67e-3 = 12,060 t;   1.B.1.a.i.2: 1e6 × 2.5 × 0.67e-3 = 1,675 t
    # 1.B.1.a.ii.1: 1e6 × 1.2 × 0.67e-3 = 804 t;    1.B.1.a.ii.2: 1e6 × 0.1 × 0.67e-3 = 67 t
    r = run([(BANNER, "1.B.1.a.i.1", "原煤", 100, "万t"), (OTHER, "1.B.1.a.i.2", "原煤", 100, "万t"),
             (BANNER, "1.B.1.a.ii.1", "原煤", 100, "万t"), (OTHER, "1.B.1.a.ii.2", "原煤", 100, "万t")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(12060)
    assert total(r, OTHER, "1.B.1.a.i.2") == pytest.approx(1675)
    assert total(r, BANNER, "1.B.1.a.ii.1") == pytest.approx(804)
    assert total(r, OTHER, "1.B.1.a.ii.2") == pytest.approx(67)
    # a leaf computes its own part only
    assert categories(r, BANNER) == {"1.B.1.a.i.1", "1.B.1.a.ii.1"}
    assert categories(r, OTHER) == {"1.B.1.a.i.2", "1.B.1.a.ii.2"}
    refs = r.by_category().set_index(["region", "category", "gas"]).loc[(BANNER, "1.B.1.a.i.1", "CH4"), "factor_refs"]
    assert refs == "IPCC06-V2-4.1-CH4-DENSITY@v1;IPCC06-V2-4.1-UG-MINING@v1"


def test_parent_still_computes_both_parts_and_equals_its_two_leaves():
    # parent 1.B.1.a.i in one banner, the two leaves in the other, the same 100 万t: the same 12,060 + 1,675 t
    r = run([(BANNER, UG, "原煤", 100, "万t"),
             (OTHER, "1.B.1.a.i.1", "原煤", 100, "万t"), (OTHER, "1.B.1.a.i.2", "原煤", 100, "万t")])
    for region in (BANNER, OTHER):
        assert total(r, region, "1.B.1.a.i.1") == pytest.approx(12060)
        assert total(r, region, "1.B.1.a.i.2") == pytest.approx(1675)
    assert total(r, "150600", "1.B.1.a.i.1") == pytest.approx(2 * 12060)


def test_parent_and_its_leaf_in_the_same_region_is_a_double_count_naming_the_rows():
    errors = rejected([(BANNER, UG, "原煤", 100, "万t"), (OTHER, UG, "原煤", 5, "万t"),
                       (BANNER, "1.B.1.a.i.1", "原煤", 100, "万t")])
    assert sorted(e.row for e in errors) == [2, 4]  # not the other banner's row 3
    assert all("double count" in e.reason and "1.B.1.a.i.1" in e.reason for e in errors)


def test_parent_and_leaf_of_the_same_mine_is_a_double_count_other_mines_are_not():
    # same facility: error; a region-level parent row beside a mine's leaf row: error (it may include the mine)
    errors = rejected([(BANNER, UG, "原煤", 100, "万t", "A矿"), (BANNER, "1.B.1.a.i.2", "原煤", 100, "万t", "A矿")])
    assert sorted(e.row for e in errors) == [2, 3] and "A矿" in errors[0].reason
    errors = rejected([(BANNER, SF, "原煤", 100, "万t"), (BANNER, "1.B.1.a.ii.1", "原煤", 100, "万t", "B矿")])
    assert sorted(e.row for e in errors) == [2, 3]
    # mine A under the parent, mine B under the mining leaf only: no double count
    # .1 = 1e6 × 18 × 0.67e-3 (A) + 1e6 × 18 × 0.67e-3 (B) = 24,120 t; .2 = A's 1,675 t only
    r = run([(BANNER, UG, "原煤", 100, "万t", "A矿"), (BANNER, "1.B.1.a.i.1", "原煤", 100, "万t", "B矿")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(24120)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(1675)


# --- depth classes and gas grades ---------------------------------------------------------------------

def test_underground_depth_classes():
    # 100 万t each, in three banners
    # < 200 m (low):   1e6 × 10 × 0.67e-3 = 6,700 t;  1e6 × 0.9 × 0.67e-3 = 603 t
    # 200-400 m (avg): 12,060 t; 1,675 t
    # > 400 m (high):  1e6 × 25 × 0.67e-3 = 16,750 t; 1e6 × 4.0 × 0.67e-3 = 2,680 t
    r = run([(BANNER, UG, "原煤(井工<200m)", 100, "万t"), (OTHER, UG, "原煤（中深开采）", 100, "万t"),
             ("150621", UG, "原煤(深部开采)", 100, "万t")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(6700)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(603)
    assert total(r, OTHER, "1.B.1.a.i.1") == pytest.approx(12060)
    assert total(r, OTHER, "1.B.1.a.i.2") == pytest.approx(1675)
    assert total(r, "150621", "1.B.1.a.i.1") == pytest.approx(16750)
    assert total(r, "150621", "1.B.1.a.i.2") == pytest.approx(2680)
    refs = r.by_category().set_index(["region", "category", "gas"])["factor_refs"]
    assert "IPCC06-V2-4.1-UG-MINING-LOW@v1" in refs[(BANNER, "1.B.1.a.i.1", "CH4")]
    assert "IPCC06-V2-4.1-UG-POST-HIGH@v1" in refs[("150621", "1.B.1.a.i.2", "CH4")]


def test_surface_overburden_classes():
    # 100 万t each: < 25 m: 1e6 × 0.3 × 0.67e-3 = 201 t, post-mining 0 t; > 50 m: 1e6 × 2.0 × 0.67e-3 = 1,340 t, 134 t
    r = run([(BANNER, SF, "原煤(露天剥离<25m)", 100, "万t"), (OTHER, SF, "原煤(露天剥离>50m)", 100, "万t")])
    assert total(r, BANNER, "1.B.1.a.ii.1") == pytest.approx(201)
    assert total(r, BANNER, "1.B.1.a.ii.2") == pytest.approx(0, abs=1e-12)
    assert total(r, OTHER, "1.B.1.a.ii.1") == pytest.approx(1340)
    assert total(r, OTHER, "1.B.1.a.ii.2") == pytest.approx(134)


def test_gas_grade_selects_the_ipcc_class():
    # 低瓦斯 200 万t: 2e6 × 10 × 0.67e-3 = 13,400 t; 2e6 × 0.9 × 0.67e-3 = 1,206 t
    # 高瓦斯 50 万t:  5e5 × 18 × 0.67e-3 = 6,030 t;  5e5 × 2.5 × 0.67e-3 = 837.5 t
    # 突出 10 万t:    1e5 × 25 × 0.67e-3 = 1,675 t;  1e5 × 4.0 × 0.67e-3 = 268 t
    r = run([(BANNER, UG, "原煤(低瓦斯矿井)", 200, "万t", "甲矿"), (BANNER, UG, "原煤(高瓦斯矿井)", 50, "万t", "乙矿"),
             (BANNER, UG, "原煤(突出矿井)", 10, "万t", "丙矿")])
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "coal_low_gas") == pytest.approx(13400)
    assert item_mass(r, BANNER, "1.B.1.a.i.2", "coal_low_gas") == pytest.approx(1206)
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "coal_high_gas") == pytest.approx(6030)
    assert item_mass(r, BANNER, "1.B.1.a.i.2", "coal_high_gas") == pytest.approx(837.5)
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "coal_outburst") == pytest.approx(1675)
    assert item_mass(r, BANNER, "1.B.1.a.i.2", "coal_outburst") == pytest.approx(268)
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(13400 + 6030 + 1675)


def test_gas_grade_of_a_surface_mine_is_refused():
    errors = rejected([(BANNER, SF, "原煤(低瓦斯矿井)", 10, "万t")])
    assert errors[0].row == 2 and errors[0].column == "item" and "underground" in errors[0].reason


# --- Tier 2 per mine ----------------------------------------------------------------------------------

def test_a_mines_measured_relative_gas_emission_replaces_the_mining_factor():
    # A矿: 300 万t, 相对瓦斯涌出量 3.2 m3/t: mining 3e6 × 3.2 × 0.67e-3 = 6,432 t; post-mining default 3e6 × 2.5 × 0.67e-3 = 5,025 t
    # B矿 (no measurement): 100 万t: 12,060 t and 1,675 t
    r = run([(BANNER, UG, "原煤", 300, "万t", "A矿"), (BANNER, UG, "相对瓦斯涌出量", 3.2, "m3/t", "A矿"),
             (BANNER, UG, "原煤", 100, "万t", "B矿")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(6432 + 12060)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(5025 + 1675)
    assert "local" in r.by_category().set_index(["region", "category", "gas"]).loc[(BANNER, "1.B.1.a.i.1", "CH4"), "basis"]


def test_measured_rate_beats_the_gas_grade_and_local_factors_beat_class_defaults():
    # 丙矿 突出 (high class 25 m3/t) but measured 12 m3/t: 1e5 × 12 × 0.67e-3 = 804 t; post-mining high 1e5 × 4.0 × 0.67e-3 = 268 t
    r = run([(BANNER, UG, "原煤(突出矿井)", 10, "万t", "丙矿"), (BANNER, UG, "矿井相对瓦斯涌出量", 12, "m3/t", "丙矿")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(804)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(268)
    # a regional measured ch4_mining (地方实测, item 原煤) of 3.0 m3/t overrides the deep-class default 25:
    # 100 万t 原煤(深部开采): 1e6 × 3.0 × 0.67e-3 = 2,010 t; post-mining keeps the high default: 2,680 t
    rows, fp = read_local_factors("category,item,parameter,value,unit\n1.B.1.a.i,原煤,ch4_mining,3.0,m3/t\n".encode(), "l.csv")
    r = run([(BANNER, UG, "原煤(深部开采)", 100, "万t")], library=LIB.with_local(rows, fp))
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(2010)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(2680)


def test_two_different_measured_rates_for_one_mine_are_refused():
    errors = rejected([(BANNER, UG, "原煤", 10, "万t", "A矿"), (BANNER, UG, "相对瓦斯涌出量", 3, "m3/t", "A矿"),
                       (BANNER, UG, "相对瓦斯涌出量", 4, "m3/t", "A矿")])
    assert sorted(e.row for e in errors) == [3, 4] and "A矿" in errors[0].reason


# --- recovered and flared coal mine methane -----------------------------------------------------------

def test_recovery_and_flaring_are_subtracted_and_flared_ch4_becomes_co2():
    # C矿 高瓦斯 500 万t: mining 5e6 × 18 × 0.67e-3 = 60,300 t; post-mining 5e6 × 2.5 × 0.67e-3 = 8,375 t
    # utilised 3000 万m3 = 3e7 m3 × 0.67e-3 = 20,100 t CH4; flared 1000 万m3 = 1e7 m3 → 6,700 t CH4
    # CH4 of 1.B.1.a.i.1 = 60,300 − 20,100 − 6,700 = 33,500 t; CO2 = 0.98 × 6,700 × 44/16 = 18,056.5 t, reported in
    # 1.B.1.a.i.4 (flaring of drained methane, IPCC 2006 Vol 1 Table 8.2)
    r = run([(BANNER, UG, "原煤(高瓦斯矿井)", 500, "万t", "C矿"), (BANNER, UG, "瓦斯抽采利用量", 3000, "万m3", "C矿"),
             (BANNER, "1.B.1.a.i.1", "瓦斯火炬燃烧量", 1000, "万m3", "C矿")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(33500)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(8375)
    assert total(r, BANNER, "1.B.1.a.i.4", "CO2") == pytest.approx(18056.5)
    assert categories(r, BANNER) == {"1.B.1.a.i.1", "1.B.1.a.i.2", "1.B.1.a.i.4"}
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "coal_high_gas") == pytest.approx(60300)
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "cmm_utilised") == pytest.approx(-20100)
    assert item_mass(r, BANNER, "1.B.1.a.i.1", "cmm_flared") == pytest.approx(-6700)
    assert item_mass(r, BANNER, "1.B.1.a.i.4", "cmm_flared", "CO2") == pytest.approx(18056.5)
    # AR5: 33,500 × 28 + 8,375 × 28 + 18,056.5 × 1
    assert r.totals(BANNER)["co2e_t"].sum() == pytest.approx(33500 * 28 + 8375 * 28 + 18056.5)
    co2_refs = r.by_category().set_index(["region", "category", "gas"]).loc[(BANNER, "1.B.1.a.i.4", "CO2"), "factor_refs"]
    assert "IPCC06-V2-4.1-FLARE-EFF@v1" in co2_refs


def test_flaring_at_a_surface_mine_stays_in_its_mining_leaf():
    # 100 万t surface: mining 1e6 × 1.2 × 0.67e-3 = 804 t; flared 10 万m3 = 1e5 m3 × 0.67e-3 = 67 t CH4
    # CH4 804 − 67 = 737 t; CO2 0.98 × 67 × 44/16 = 180.565 t in 1.B.1.a.ii.1 (no surface flaring leaf in IPCC 2006)
    r = run([(BANNER, SF, "原煤", 100, "万t"), (BANNER, SF, "瓦斯火炬燃烧量", 10, "万m3")])
    assert total(r, BANNER, "1.B.1.a.ii.1") == pytest.approx(737)
    assert total(r, BANNER, "1.B.1.a.ii.1", "CO2") == pytest.approx(180.565)


def test_recovery_given_as_a_mass_of_ch4():
    # 100 万t 原煤: mining 12,060 t; utilised 500 t CH4 → 11,560 t
    r = run([(BANNER, UG, "原煤", 100, "万t"), (BANNER, UG, "瓦斯抽采利用量", 500, "t")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(11560)


def test_recovery_larger_than_the_mines_mining_ch4_is_an_error_naming_the_mine():
    # D矿 < 200 m, 10 万t: mining 1e5 × 10 × 0.67e-3 = 670 t; recovered 120 万m3 = 1.2e6 × 0.67e-3 = 804 t > 670 t
    errors = rejected([(BANNER, UG, "原煤(浅部开采)", 10, "万t", "D矿"), (BANNER, UG, "瓦斯抽采利用量", 120, "万m3", "D矿")])
    assert [e.row for e in errors] == [3]
    assert "D矿" in errors[0].reason and "exceeds" in errors[0].reason and "804" in errors[0].reason
    # exactly the mining CH4 (100 万m3 = 670 t) is allowed and leaves zero
    r = run([(BANNER, UG, "原煤(浅部开采)", 10, "万t", "D矿"), (BANNER, UG, "瓦斯抽采利用量", 100, "万m3", "D矿")])
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(0, abs=1e-9)


def test_recovery_of_another_mine_is_not_subtracted_from_this_one():
    # E矿 has no production of its own: its recovery cannot be netted against F矿's mining CH4
    errors = rejected([(BANNER, UG, "原煤", 100, "万t", "F矿"), (BANNER, UG, "瓦斯火炬燃烧量", 10, "万m3", "E矿")])
    assert [e.row for e in errors] == [3] and "E矿" in errors[0].reason


def test_recovery_under_post_mining_is_refused():
    errors = rejected([(BANNER, "1.B.1.a.i.1", "原煤", 100, "万t"), (BANNER, "1.B.1.a.i.2", "瓦斯抽采利用量", 10, "万m3")])
    assert [e.row for e in errors] == [3] and errors[0].column == "category"


def test_coal_production_as_a_volume_is_refused():
    errors = rejected([(BANNER, UG, "原煤", 100, "万m3")])
    assert errors[0].column == "unit" and "mass" in errors[0].reason


def test_a_mine_file_through_the_reader():
    # the bureau's template: Chinese names, a facility column, 万m3 and m3/t units
    # 甲矿 (井工<200m): 150 万t, measured 4 m3/t: mining 1.5e6 × 4 × 0.67e-3 = 4,020 t, post 1.5e6 × 0.9 × 0.67e-3 = 904.5 t
    # flared 200 万m3 = 2e6 m3 × 0.67e-3 = 1,340 t CH4 → CH4 4,020 − 1,340 = 2,680 t; CO2 0.98 × 1,340 × 44/16 = 3,611.3 t
    csv = ("region,year,category,item,quantity,unit,facility\n"
           "伊金霍洛旗,2022,井工开采,原煤(井工<200m),150,万t,甲矿\n"
           "伊金霍洛旗,2022,井工开采,相对瓦斯涌出量,4,m3/t,甲矿\n"
           "伊金霍洛旗,2022,井工开采-开采,瓦斯火炬燃烧量,200,万m3,甲矿\n")
    r = compile_activity(read_activity(csv.encode(), "mines.csv"), LIB, CompileOptions(year=2022))
    assert total(r, BANNER, "1.B.1.a.i.1") == pytest.approx(2680)
    assert total(r, BANNER, "1.B.1.a.i.2") == pytest.approx(904.5)
    assert total(r, BANNER, "1.B.1.a.i.4", "CO2") == pytest.approx(3611.3)
