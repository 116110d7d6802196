"""Cross-sector checks (carbon.inventory.calc.cross_checks): a reductant or feedstock fuel of production-based
IPPU also burnt in 1.A.2 of the same region, and its exclusion from 1.A on the user's word only.

Every expected figure is worked by hand from the IPCC 2006 default rows (profile IPCC2006, full oxidation):
  coke      28.2 GJ/t × 29.2 kg C/GJ × 44/12 = 3.01928 t CO2/t  → 10,000 t: 30,192.8 t CO2
  raw coal  25.8 GJ/t × 25.8 kg C/GJ × 44/12 = 2.44068 t CO2/t  → 10,000 t: 24,406.8 t CO2
  natural gas 48.0 GJ/t × 15.3 kg C/GJ × 44/12 = 2.6928 t CO2/t → 1,000 t: 2,692.8 t CO2
  other petroleum products 40.2 GJ/t × 20.0 kg C/GJ × 44/12 = 2.948 t CO2/t
  coke CH4 in 1.A.2: 10 kg/TJ → 10,000 t = 282 TJ: 2.82 t CH4
  ferrosilicon 75% 4.0 t CO2/t (V3 Table 4.5) → 5,000 t: 20,000 t CO2; silicon metal 5.0
  calcium carbide 1.09 t CO2/t (V3 Table 3.8); aluminium CWPB 1.6 t CO2/t (V3 Table 4.10)
  ammonia from gas 30.2 GJ/t × 15.3 kg C/GJ × 44/12 = 1.69422 t CO2/t; from coal 36.0 × 26.8 × 44/12 = 3.5376
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from carbon.cli import app
from carbon.core.errors import ValidationError
from carbon.core.regions import BANNER_CODES, CITY_CODE
from carbon.factors.library import load_library
from carbon.inventory.calc import coal_chemicals, cross_checks
from carbon.inventory.calc.cross_checks import (EXCLUSION_METHOD, FEEDSTOCK_IN_1A, REDUCTANT_IN_1A,
                                                combustion_category, reductant_double_counts)
from carbon.inventory.catalog import Catalog, Category, load_catalog
from carbon.inventory.engine import CompileOptions

from .helpers import compile_rows, value
from .test_coal_chemicals import METHANOL, ZGE, local_library

IPCC = load_library(profile="IPCC2006")
DS = "150602"   # 东胜区
DLT = "150621"  # 达拉特旗
CITY = CITY_CODE

FESI = (DS, "2.C.2", "ferrosilicon_75", 5_000, "t")      # 20,000 t CO2
COKE = (DS, "1.A.2", "coke", 10_000, "t")                 # 30,192.8 t CO2
RAW_COAL = (DS, "1.A.2", "raw_coal", 10_000, "t")         # 24,406.8 t CO2


def run(rows, **kw):
    return compile_rows(rows, library=IPCC, **kw)


def reductant(result):
    return [f for f in result.cross_sector if f["check"] == REDUCTANT_IN_1A]


def co2(result, region, category, item):
    d = result.detail
    sel = d[(d.region == region) & (d.category == category) & (d["item"] == item) & (d.gas == "CO2")]
    return float(sel["mass_t"].sum())


# --------------------------------------------------------------------------------------------------
# Flagged, with the rows and the CO2 at stake; nothing excluded by default
# --------------------------------------------------------------------------------------------------

def test_ferroalloy_beside_coke_in_1a2_is_flagged_with_its_rows_and_the_co2_at_stake():
    r = run([FESI, COKE])
    (f,) = reductant(r)
    assert (f["region"], f["ippu_category"], f["ippu_items"]) == (DS, "2.C.2", ["ferrosilicon_75"])
    assert f["ippu_co2_t"] == pytest.approx(20_000, rel=1e-12)
    assert f["combustion_categories"] == ["1.A.2"] and f["combustion_items"] == ["coke"]
    assert f["combustion_co2_t"] == pytest.approx(30_192.8, rel=1e-9)
    assert f["co2_at_stake_t"] == pytest.approx(20_000, rel=1e-12)  # min(30,192.8, 20,000)
    assert f["ippu_rows"] == [{"category": "2.C.2", "item": "ferrosilicon_75", "co2_t": pytest.approx(20_000)}]
    assert f["combustion_rows"] == [{"category": "1.A.2", "item": "coke", "co2_t": pytest.approx(30_192.8),
                                     "key": f"{DS}:2.C.2:coke"}]
    assert f["key"] == f"{DS}:2.C.2" and f["excluded"] is False
    assert "nothing was excluded" in f["message"] and f"--exclude-double-count {DS}:2.C.2" in f["message"]
    # both sides stay in the inventory
    assert value(r, DS, "1.A.2", "CO2") == pytest.approx(30_192.8, rel=1e-9)
    assert value(r, DS, "2.C.2", "CO2") == pytest.approx(20_000, rel=1e-12)
    assert not (r.detail["method"] == EXCLUSION_METHOD).any()


def test_carbide_larger_than_the_coke_puts_the_coke_at_stake():
    # 100,000 t carbide × 1.09 = 109,000 t CO2 > coke 30,192.8 t CO2
    (f,) = reductant(run([(DS, "2.B.5", "calcium_carbide", 100_000, "t"), COKE]))
    assert f["ippu_co2_t"] == pytest.approx(109_000, rel=1e-12)
    assert f["co2_at_stake_t"] == pytest.approx(30_192.8, rel=1e-9)


def test_gas_ammonia_is_compared_with_natural_gas_and_coal_ammonia_with_coal():
    gas_nh3 = (DS, "2.B.1", "ammonia_gas", 10_000, "t")   # 16,942.2 t CO2
    gas = (DS, "1.A.2", "natural_gas", 1_000, "t")         # 2,692.8 t CO2
    (f,) = reductant(run([gas_nh3, gas]))
    assert f["ippu_co2_t"] == pytest.approx(16_942.2, rel=1e-9)
    assert f["combustion_items"] == ["natural_gas"]
    assert f["co2_at_stake_t"] == pytest.approx(2_692.8, rel=1e-9)
    assert reductant(run([gas_nh3, RAW_COAL])) == []       # a gas plant takes no coal as feedstock
    (f,) = reductant(run([(DS, "2.B.1", "ammonia_coal", 1_000, "t"), RAW_COAL]))  # 3,537.6 t CO2
    assert f["co2_at_stake_t"] == pytest.approx(3_537.6, rel=1e-9)


def test_coal_and_gas_ammonia_in_one_banner_are_two_findings():
    rows = [(DS, "2.B.1", "ammonia_gas", 10_000, "t"), (DS, "2.B.1", "ammonia_coal", 1_000, "t"),
            (DS, "1.A.2", "natural_gas", 1_000, "t"), RAW_COAL]
    got = sorted((f["ippu_items"][0], f["co2_at_stake_t"]) for f in reductant(run(rows)))
    # gas: min(2,692.8, 16,942.2); coal: min(24,406.8, 3,537.6)
    assert got == [("ammonia_coal", pytest.approx(3_537.6)), ("ammonia_gas", pytest.approx(2_692.8))]


def test_aluminium_anodes_are_compared_with_other_petroleum_products_not_coke():
    alu = (DS, "2.C.3", "aluminium_cwpb", 10_000, "t")     # 16,000 t CO2
    pet = (DS, "1.A.2", "other_petroleum_products", 1_000, "t")  # 2,948 t CO2
    (f,) = reductant(run([alu, pet, COKE]))
    assert f["combustion_items"] == ["other_petroleum_products"]
    assert f["co2_at_stake_t"] == pytest.approx(2_948, rel=1e-9)
    assert reductant(run([alu, COKE])) == []


@pytest.mark.parametrize("rows", [
    [FESI, (DLT, "1.A.2", "coke", 10_000, "t")],           # the coke is in another banner
    [FESI, (DS, "1.A.4.b", "coke", 10_000, "t")],          # households, not the plant
    [FESI, (DS, "1.A.1.a", "raw_coal", 10_000, "t")],      # a power plant
    [FESI, (DS, "1.A.2", "diesel", 1_000, "t")],           # not a reductant
    [(DS, "2.C.1", "limestone_flux", 10_000, "t"), COKE],  # carbonate flux carries no reductant carbon
    [FESI],                                                # IPPU only
    [COKE],                                                # 1.A only
])
def test_a_fuel_in_one_place_only_is_not_flagged(rows):
    assert reductant(run(rows)) == []


# --------------------------------------------------------------------------------------------------
# Exclusion: only when the user names the finding
# --------------------------------------------------------------------------------------------------

def test_excluding_the_finding_takes_the_co2_at_stake_out_of_1a2_and_keeps_a_trace():
    r = run([FESI, COKE], exclude_double_counts=(f"{DS}:2.C.2",))
    (f,) = reductant(r)
    assert f["excluded"] is True and f["excluded_by"] == [f"{DS}:2.C.2"]
    assert f["excluded_co2_t"] == pytest.approx(20_000, rel=1e-12)
    assert f["excluded_rows"] == [{"category": "1.A.2", "item": "coke", "co2_t": pytest.approx(20_000)}]
    assert "nothing was excluded" not in f["message"] and "excluded from 1.A" in f["message"]
    # 30,192.8 − 20,000 = 10,192.8 t CO2 left in 1.A.2, in the banner and in the city; IPPU untouched
    assert value(r, DS, "1.A.2", "CO2") == pytest.approx(10_192.8, rel=1e-9)
    assert value(r, CITY, "1.A.2", "CO2") == pytest.approx(10_192.8, rel=1e-9)
    assert value(r, DS, "2.C.2", "CO2") == pytest.approx(20_000, rel=1e-12)
    assert value(r, DS, "1.A.2", "CH4") == pytest.approx(2.82, rel=1e-9)  # only CO2 is removed
    # the trace: one negative row in the item-level detail, the method in the category rows (RESULTS.csv)
    adj = r.detail[(r.detail.region == DS) & (r.detail.method == EXCLUSION_METHOD)]
    assert list(zip(adj.category, adj["item"], adj.gas)) == [("1.A.2", "coke", "CO2")]
    assert float(adj.mass_t.iloc[0]) == pytest.approx(-20_000) and float(adj.co2e_t.iloc[0]) == pytest.approx(-20_000)
    row = r.by_category()
    row = row[(row.region == DS) & (row.category == "1.A.2") & (row.gas == "CO2")]
    assert EXCLUSION_METHOD in row["method"].iloc[0]
    # territorial city CO2: 20,000 + 30,192.8 before, 20,000 + 10,192.8 after
    assert r.totals().query("gas == 'CO2'")["mass_t"].sum() == pytest.approx(30_192.8, rel=1e-9)


def test_names_are_resolved_in_the_key():
    r = run([FESI, COKE], exclude_double_counts=("东胜区:铁合金生产:焦炭",))
    (f,) = reductant(r)
    assert f["excluded_by"] == [f"{DS}:2.C.2:coke"]
    assert value(r, DS, "1.A.2", "CO2") == pytest.approx(10_192.8, rel=1e-9)


def test_two_fuels_share_the_removal_in_proportion_to_their_co2():
    # at stake min(30,192.8 + 24,406.8 = 54,599.6, 20,000) = 20,000; coke 20,000 × 30,192.8/54,599.6 = 11,059.7147,
    # raw coal 20,000 × 24,406.8/54,599.6 = 8,940.2853
    r = run([FESI, COKE, RAW_COAL], exclude_double_counts=("all",))
    assert co2(r, DS, "1.A.2", "coke") == pytest.approx(30_192.8 - 11_059.714723, rel=1e-9)
    assert co2(r, DS, "1.A.2", "raw_coal") == pytest.approx(24_406.8 - 8_940.285277, rel=1e-9)
    assert value(r, DS, "1.A.2", "CO2") == pytest.approx(34_599.6, rel=1e-9)


def test_a_fuel_key_removes_that_fuel_only():
    # min(raw coal 24,406.8, 20,000) = 20,000 from the raw coal; coke untouched
    r = run([FESI, COKE, RAW_COAL], exclude_double_counts=(f"{DS}:2.C.2:raw_coal",))
    assert co2(r, DS, "1.A.2", "raw_coal") == pytest.approx(4_406.8, rel=1e-9)
    assert co2(r, DS, "1.A.2", "coke") == pytest.approx(30_192.8, rel=1e-9)


def test_findings_sharing_the_same_coke_never_remove_more_than_it_holds():
    # carbide 10,000 t × 1.09 = 10,900 and ferrosilicon 20,000 against the same 30,192.8 t CO2 of coke:
    # 2.B.5 first (10,900; 19,292.8 left), then 2.C.2 takes the 19,292.8 left; 1.A.2 ends at zero
    r = run([(DS, "2.B.5", "calcium_carbide", 10_000, "t"), FESI, COKE], exclude_double_counts=("all",))
    got = {f["ippu_category"]: f["excluded_co2_t"] for f in reductant(r)}
    assert got == {"2.B.5": pytest.approx(10_900), "2.C.2": pytest.approx(19_292.8)}
    assert value(r, DS, "1.A.2", "CO2") == pytest.approx(0, abs=1e-6)


def test_the_feedstock_finding_can_be_excluded_too():
    # METHANOL: feedstock carbon 600,000 t C × 44/12 = 2,200,000 t CO2; 1.A.2 raw coal 10,000 t × 20.908 GJ/t (local)
    # × 94.6 t CO2/TJ = 19,778.968 t CO2 → all of it at stake and removed
    rows = [*METHANOL, (ZGE, "1.A.2", "raw_coal", 10_000, "t")]
    r = compile_rows(rows, library=local_library(), exclude_double_counts=(f"{ZGE}:2.B.8.a",))
    (f,) = [c for c in r.cross_sector if c["check"] == FEEDSTOCK_IN_1A]
    assert f["excluded"] is True and f["excluded_co2_t"] == pytest.approx(19_778.968, rel=1e-6)
    assert value(r, ZGE, "1.A.2", "CO2") == pytest.approx(0, abs=1e-6)
    assert value(r, ZGE, "2.B.8.a", "CO2") == pytest.approx(1_100_000, rel=1e-9)


def test_a_key_that_matches_no_finding_is_an_error():
    with pytest.raises(ValidationError, match=f"{DLT}:2.C.2"):
        run([FESI, COKE], exclude_double_counts=(f"{DLT}:2.C.2",))
    with pytest.raises(ValidationError, match="matches no cross-sector finding"):
        run([FESI, COKE], exclude_double_counts=(f"{DS}:2.C.2:diesel",))


@pytest.mark.parametrize("key", ["150602", "150602:2.C.2:coke:x", ":2.C.2", "nowhere:2.C.2", "150602:9.Z"])
def test_a_malformed_key_is_rejected_by_the_options(key):
    with pytest.raises(ValidationError):
        CompileOptions(year=2022, exclude_double_counts=(key,))


def test_the_options_normalise_the_keys():
    opts = CompileOptions(year=2022, exclude_double_counts=("ALL", "东胜区:2.C.2", "150602：电石生产：焦炭", "东胜区:2.C.2"))
    assert opts.exclude_double_counts == ("all", f"{DS}:2.C.2", f"{DS}:2.B.5:coke")
    assert CompileOptions(year=2022).exclude_double_counts == ()


# --------------------------------------------------------------------------------------------------
# Module layout and the 1.A.2 sub-category mapping
# --------------------------------------------------------------------------------------------------

def test_the_checks_live_in_cross_checks_and_coal_chemicals_re_exports_them():
    assert coal_chemicals.feedstock_double_counts is cross_checks.feedstock_double_counts
    assert coal_chemicals.bottom_up_overlaps is cross_checks.bottom_up_overlaps
    assert (coal_chemicals.FEEDSTOCK_IN_1A, coal_chemicals.BOTTOM_UP_OVERLAP) == ("feedstock_in_1A", "bottom_up_overlap")


def _with_subcategories() -> Catalog:
    real = load_catalog()
    cats = dict(real.categories)
    base = real.categories["1.A.2"]
    for code in ("1.A.2.a", "1.A.2.b", "1.A.2.c"):
        cats[code] = Category(code=code, sector="energy", name_zh=code, name_en=code, method=base.method,
                              activity=base.activity, gases=base.gases, ch4_fossil=False, memo=False)
    return Catalog(cats, real.items, real._category_names, real._item_names)


def test_the_1a2_sub_category_of_each_ippu_product():
    sub, real = _with_subcategories(), load_catalog()
    assert combustion_category("2.C.2", "ferrosilicon_75", sub) == "1.A.2.a"  # ferrous metallurgy
    assert combustion_category("2.C.2", "silicon_metal", sub) == "1.A.2.b"
    assert combustion_category("2.C.3", "aluminium_cwpb", sub) == "1.A.2.b"
    assert combustion_category("2.B.5", "calcium_carbide", sub) == "1.A.2.c"
    assert combustion_category("2.B.1", "ammonia_coal", sub) == "1.A.2.c"
    for cat, item in (("2.C.2", "ferrosilicon_75"), ("2.C.3", "aluminium_cwpb"), ("2.B.5", "calcium_carbide")):
        assert combustion_category(cat, item, real) == "1.A.2"  # the catalogue has no sub-categories today


def _detail(rows):
    """A weighted detail frame by hand: (region, category, item, CO2 t)."""
    return pd.DataFrame([{"region": r, "year": 2022, "sector": "ippu" if c.startswith("2") else "energy", "category": c,
                          "item": i, "gas": "CO2", "mass_t": m, "co2e_t": m, "gwp_set": "AR5", "memo": False,
                          "method": "", "factor_refs": "", "basis": "", "records": 1} for r, c, i, m in rows])


def test_with_sub_categories_a_ferroalloy_is_compared_with_iron_and_steel_only():
    sub = _with_subcategories()
    d = _detail([(DS, "2.C.2", "ferrosilicon_75", 20_000.0), (DS, "1.A.2.b", "coke", 5_000.0)])
    assert reductant_double_counts(d, sub) == []
    d = _detail([(DS, "2.C.2", "ferrosilicon_75", 20_000.0), (DS, "1.A.2.a", "coke", 5_000.0),
                 (DS, "1.A.2.b", "coke", 7_000.0)])
    (f,) = reductant_double_counts(d, sub)
    assert f["combustion_category"] == "1.A.2.a" and f["co2_at_stake_t"] == 5_000.0


# --------------------------------------------------------------------------------------------------
# Properties: a fuel in both places is always flagged, in one place never
# --------------------------------------------------------------------------------------------------

# IPPU product -> (t CO2 per t, the 1.A fuels it takes as reductant or feedstock), worked in the module docstring
IPPU = {("2.C.2", "ferrosilicon_75"): (4.0, {"coke", "raw_coal"}),
        ("2.B.5", "calcium_carbide"): (1.09, {"coke", "raw_coal"}),
        ("2.C.3", "aluminium_cwpb"): (1.6, {"other_petroleum_products"}),
        ("2.B.1", "ammonia_gas"): (1.69422, {"natural_gas"})}
FUEL = {"coke": 3.01928, "raw_coal": 2.44068, "natural_gas": 2.6928, "other_petroleum_products": 2.948, "diesel": None}
WHERE = ("1.A.2", "1.A.1.a", "1.A.4.b")
QTY = st.floats(min_value=1, max_value=1e6, allow_nan=False)
ROWS = st.lists(st.one_of(
    st.tuples(st.sampled_from(BANNER_CODES), st.sampled_from(sorted(IPPU)), QTY).map(lambda t: (t[0], *t[1], t[2], "t")),
    st.tuples(st.sampled_from(BANNER_CODES), st.sampled_from(WHERE), st.sampled_from(sorted(FUEL)), QTY)
    .map(lambda t: (*t, "t"))), min_size=1, max_size=14)


def expected(rows):
    """{(region, IPPU category, item): (IPPU CO2, 1.A.2 CO2 of its fuels)} where both are present."""
    ippu, fuel = {}, {}
    for region, cat, item, q, _ in rows:
        if (cat, item) in IPPU:
            ippu[(region, cat, item)] = ippu.get((region, cat, item), 0) + q * IPPU[(cat, item)][0]
        elif cat == "1.A.2" and FUEL[item] is not None:
            fuel[(region, item)] = fuel.get((region, item), 0) + q * FUEL[item]
    out = {}
    for (region, cat, item), c in ippu.items():
        burnt = sum(v for (r, i), v in fuel.items() if r == region and i in IPPU[(cat, item)][1])
        if burnt > 0:
            out[(region, cat, item)] = (c, burnt)
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS)
def test_a_fuel_in_both_places_is_always_flagged_and_in_one_place_never(rows):
    want = expected(rows)
    got = {(f["region"], f["ippu_category"], f["ippu_items"][0]): f for f in reductant(run(rows))}
    assert set(got) == set(want)
    for k, (c_ippu, c_1a) in want.items():
        assert got[k]["ippu_co2_t"] == pytest.approx(c_ippu, rel=1e-9)
        assert got[k]["combustion_co2_t"] == pytest.approx(c_1a, rel=1e-9)
        assert got[k]["co2_at_stake_t"] == pytest.approx(min(c_ippu, c_1a), rel=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS)
def test_excluding_all_removes_what_the_findings_say_and_never_drives_1a_negative(rows):
    before, after = run(rows), run(rows, exclude_double_counts=("all",))
    found = reductant(after)
    removed = sum(f["excluded_co2_t"] for f in found)
    for f in found:
        assert f["excluded"] and f["excluded_co2_t"] <= f["co2_at_stake_t"] * (1 + 1e-9) + 1e-6
    co2_city = lambda r: r.totals().query("gas == 'CO2'")["mass_t"].sum()  # noqa: E731
    assert co2_city(before) - co2_city(after) == pytest.approx(removed, rel=1e-9, abs=1e-6)
    d = after.detail[(after.detail.gas == "CO2") & after.detail.category.str.startswith("1.A.")]
    assert (d.groupby(["region", "category", "item"])["mass_t"].sum() >= -1e-6).all()
    # a finding whose fuels no other finding of its banner shares gets its whole CO2 at stake removed
    for f in found:
        if not any(g is not f and g["region"] == f["region"] and set(g["combustion_items"]) & set(f["combustion_items"])
                   for g in found):
            assert f["excluded_co2_t"] == pytest.approx(f["co2_at_stake_t"], rel=1e-9)


# --------------------------------------------------------------------------------------------------
# carbon compile --exclude-double-count
# --------------------------------------------------------------------------------------------------

ACT = "region,year,category,item,quantity,unit\n东胜区,2022,2.C.2,硅铁,5000,t\n东胜区,2022,1.A.2,焦炭,10000,t\n"


def cli(tmp_path, *extra, env=None):
    act = tmp_path / "a.csv"
    act.write_text(ACT, encoding="utf-8")
    out = tmp_path / "r.csv"
    res = CliRunner().invoke(app, ["compile", str(act), "--year", "2022", "--profile", "IPCC2006", "--out", str(out), *extra],
                               env=env)
    return res, (pd.read_csv(out, dtype={"region": str}) if out.exists() else None)


def _pick(df, region, category):
    sel = df[(df.region == region) & (df.category == category) & (df.gas == "CO2")]
    assert len(sel) == 1, df
    return sel.iloc[0]


def test_cli_lists_the_finding_and_excludes_it_only_when_told(tmp_path):
    res, df = cli(tmp_path)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "还原剂或原料是否也计入了燃料燃烧" in text and f"--exclude-double-count {DS}:2.C.2" in text  # Chinese by default
    assert _pick(df, DS, "1.A.2")["mass_t"] == pytest.approx(30_192.8, rel=1e-9)
    en, _ = cli(tmp_path, env={"CARBON_LANG": "en"})
    assert "还原剂重复计算" in en.output and f"--exclude-double-count {DS}:2.C.2" in " ".join(en.output.split())
    res, df = cli(tmp_path, "--exclude-double-count", f"{DS}:2.C.2")
    assert res.exit_code == 0, res.output
    assert "已按用户指定从1.A扣除 20,000 t CO2" in " ".join(res.output.split())
    en, _ = cli(tmp_path, "--exclude-double-count", f"{DS}:2.C.2", env={"CARBON_LANG": "en"})
    assert "excluded from 1.A on the user's instruction" in " ".join(en.output.split())
    row = _pick(df, DS, "1.A.2")
    assert row["mass_t"] == pytest.approx(10_192.8, rel=1e-9) and EXCLUSION_METHOD in row["method"]
    assert _pick(df, CITY, "1.A.2")["mass_t"] == pytest.approx(10_192.8, rel=1e-9)
    assert _pick(df, DS, "2.C.2")["mass_t"] == pytest.approx(20_000, rel=1e-12)


def test_cli_rejects_a_key_without_a_finding(tmp_path):
    res, _ = cli(tmp_path, "--exclude-double-count", f"{DLT}:2.C.2", env={"CARBON_LANG": "en"})
    assert res.exit_code == 2
    assert "matches no cross-sector finding" in " ".join(res.output.split())
