"""Waste sector (废弃物处理) through the engine, with hand-computed expectations from the cited factors.

Default factors used below (emission_factors/waste/*.csv):
  landfill (4.A): DOC food 0.15, paper 0.40 (Vol 5 Table 2.4); DOCf food 0.7, paper 0.5 (2019 Refinement);
                  MCF 1.0 (managed anaerobic, Table 3.1); k dry temperate food 0.06, paper 0.04 /yr (Table 3.3);
                  F 0.5; OX 0 (Table 3.2).
  incineration (4.C.1): plastics dm 1.0, CF 0.75, FCF 1.0; paper dm 0.9, CF 0.46, FCF 0.01 (Table 2.4);
                  OF 1.0 (Table 5.2); CH4 0.2 kg/Gg, N2O 47 g/t wet waste (continuous stoker);
                  bulk 生活垃圾 (CN 2011): CCW 0.20, FCF 0.39, burn-out 0.95.
  wastewater (4.D): B0 0.6 kg CH4/kg BOD, 0.25 kg CH4/kg COD; MCF aerobic plant 0.03, discharge 0.11,
                  anaerobic reactor 0.8; EF effluent 0.005 kg N2O-N/kg N.
"""

import time

import numpy as np
import pandas as pd
import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library, load_parameter_catalogue
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import read_local_factors, validate_activity
from tests.inventory.helpers import value

BANNER = "150621"
OTHER = "150622"
CITY = "150600"


# The engine caches coefficients by id(library): a library freed by one test and another built at the same
# address by the next would hit stale entries. Keep every library these tests build alive.
_LIBS: list = []


def compile_rows(rows, year=2022, gwp_set="AR5", library=None, **kw):
    """rows: (region, category, item, quantity, unit[, year]) as a user writes them (codes or Chinese
    names), read through the import validation and compiled, as `carbon compile` does."""
    raw = pd.DataFrame({
        "region": [r[0] for r in rows], "year": [str(r[5] if len(r) > 5 else year) for r in rows],
        "category": [r[1] for r in rows], "item": [r[2] for r in rows], "quantity": [str(r[3]) for r in rows],
        "unit": [r[4] for r in rows],
    })
    library = library or load_library()
    _LIBS.append(library)
    return compile_activity(validate_activity(raw), library, CompileOptions(year=year, gwp_set=gwp_set, **kw))


def compile_codes(rows, year=2022):
    """The engine alone (codes, no import validation): its own unit checks must hold too."""
    df = pd.DataFrame({"region": [r[0] for r in rows], "year": year, "category": [r[1] for r in rows],
                       "item": [r[2] for r in rows], "quantity": [float(r[3]) for r in rows], "unit": [r[4] for r in rows]})
    df["row"] = range(2, len(df) + 2)
    _LIBS.append(load_library())
    return compile_activity(df, _LIBS[-1], CompileOptions(year=year))


def local(text: str):
    rows, fp = read_local_factors(text.encode(), "local.csv")
    _LIBS.append(load_library().with_local(rows, fp))
    return _LIBS[-1], fp


# ------------------------------------------------------------------------------------------- 4.A FOD

THREE_YEARS = [(BANNER, "4.A", "厨余垃圾", 1000, "t", 2020), (BANNER, "4.A", "厨余垃圾", 2000, "t", 2021),
               (BANNER, "4.A", "厨余垃圾", 500, "t", 2022)]


def test_fod_three_year_history_by_hand():
    # DDOCm per t of food waste = DOC × DOCf × MCF = 0.15 × 0.7 × 1.0 = 0.105 t C/t
    # deposited DDOCm: 2020 105 t C, 2021 210 t C, 2022 52.5 t C
    # e^-0.06 = 0.94176453358; 1 - e^-0.06 = 0.05823546642
    # DDOCma(2020) = 105
    # DDOCma(2021) = 210 + 105 × 0.94176453358 = 308.88527603
    # decomposed(2022) = DDOCma(2021) × 0.05823546642 = 17.98807812 t C   (the 2022 deposit has not started)
    # CH4 generated = 17.98807812 × F 0.5 × 16/12 = 11.99205208 t; emitted × (1 - OX 0) = 11.99205208 t
    r = compile_rows(THREE_YEARS)
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(11.99205208, rel=1e-8)
    assert value(r, CITY, "4.A", "CH4") == pytest.approx(11.99205208, rel=1e-8)
    # AR5: 11.99205208 × 28 = 335.7774582 t CO2e
    assert value(r, BANNER, "4.A", "CH4", "co2e_t") == pytest.approx(335.7774582, rel=1e-8)
    row = r.detail[(r.detail["region"] == BANNER) & (r.detail["category"] == "4.A")].iloc[0]
    assert row["records"] == 3 and row["method"] == "landfill_fod"
    for ref in ("IPCC06-V5-T2.4-DOC-food_waste@v1", "IPCC19-V5-DOCF-food_waste@v1", "IPCC06-V5-T3.1-MCF-managed@v1",
                "IPCC06-V5-T3.3-K-food_waste@v1", "IPCC06-V5-S3.2.3-F@v1", "IPCC06-V5-T3.2-OX@v1"):
        assert ref in row["factor_refs"]


def test_deposit_in_year_t_gives_nothing_in_t_and_k_dependent_emissions_in_t_plus_1():
    # 1000 t paper deposited in 2021. Inventory 2021: decay starts the year after, so 0.
    r = compile_rows([(BANNER, "4.A", "纸类", 1000, "t", 2021)], year=2021)
    assert value(r, BANNER, "4.A", "CH4") == 0.0
    # Inventory 2022: DDOCm = 1000 × 0.40 × 0.5 × 1.0 = 200 t C; decomposed = 200 × (1 - e^-0.04)
    # = 200 × 0.03921056085 = 7.84211217 t C; CH4 = 7.84211217 × 0.5 × 16/12 = 5.22807478 t
    r = compile_rows([(BANNER, "4.A", "纸类", 1000, "t", 2021)], year=2022)
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(5.22807478, rel=1e-8)


def test_k_is_a_local_parameter_per_banner():
    # 1000 t food waste in 2021, banner with a wet-climate local k = 0.185 /yr:
    # 105 t C × (1 - e^-0.185) = 105 × 0.16889571615 = 17.73405020 t C; CH4 = × 0.5 × 16/12 = 11.82270013 t
    # the other banner keeps k = 0.06: 105 × 0.05823546642 × 0.5 × 16/12 = 4.07648265 t
    lib, fp = local(f"category,item,parameter,value,unit,region\n4.A,厨余垃圾,k,0.185,1/yr,{BANNER}\n")
    r = compile_rows([(BANNER, "4.A", "food_waste", 1000, "t", 2021), (OTHER, "4.A", "food_waste", 1000, "t", 2021)],
                     library=lib)
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(11.82270013, rel=1e-8)
    assert value(r, OTHER, "4.A", "CH4") == pytest.approx(4.07648265, rel=1e-8)
    assert value(r, CITY, "4.A", "CH4") == pytest.approx(11.82270013 + 4.07648265, rel=1e-8)
    t = r.by_category().set_index(["region", "category", "gas"])
    assert fp in t.loc[(BANNER, "4.A", "CH4"), "factor_refs"] and "local" in t.loc[(BANNER, "4.A", "CH4"), "basis"]
    assert fp not in t.loc[(OTHER, "4.A", "CH4"), "factor_refs"]


def test_year_specific_local_mcf_applies_to_that_years_deposit_only():
    # The 2020 deposit went to a well-managed semi-aerobic site: local mcf 0.5 for year 2020 only.
    # DDOCmd 2020 = 1000 × 0.15 × 0.7 × 0.5 = 52.5; 2021 = 210 (MCF 1.0)
    # DDOCma(2021) = 210 + 52.5 × 0.94176453358 = 259.44263801; × 0.05823546642 = 15.10876303 t C
    # CH4 = 15.10876303 × 0.5 × 16/12 = 10.07250869 t
    lib, _ = local(f"category,item,parameter,value,unit,region,year\n4.A,*,mcf,0.5,dimensionless,{BANNER},2020\n")
    r = compile_rows(THREE_YEARS, library=lib)
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(10.07250869, rel=1e-8)


def test_recovery_is_subtracted_before_oxidation():
    # Eq. 3.1 with local OX 0.1 and 2 t CH4 recovered in 2022: (11.99205208 - 2) × (1 - 0.1) = 8.99284687 t
    lib, _ = local("category,item,parameter,value,unit\n4.A,*,ox,0.1,dimensionless\n")
    r = compile_rows(THREE_YEARS + [(BANNER, "4.A", "填埋气甲烷回收", 2, "t", 2022),
                                    (BANNER, "4.A", "填埋气甲烷回收", 99, "t", 2021)],  # another year's recovery: ignored
                     library=lib)
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(8.99284687, rel=1e-8)
    d = r.detail[(r.detail["region"] == BANNER) & (r.detail["category"] == "4.A")].set_index("item")
    assert d.loc["landfill_gas_recovered", "mass_t"] == pytest.approx(-2 * 0.9)
    assert d.loc["food_waste", "mass_t"] == pytest.approx(11.99205208 * 0.9, rel=1e-8)


def test_recovery_larger_than_generation_is_rejected():
    with pytest.raises(ImportRejected) as exc:
        compile_rows(THREE_YEARS + [(BANNER, "4.A", "landfill_gas_recovered", 50, "t", 2022)])
    assert "exceeds the CH4 generated" in exc.value.errors[0].reason


def test_future_deposits_are_ignored_and_units_convert():
    # 0.1 万t = 1000 t paper in 2021 (as test above), plus a 2023 deposit that is not history of 2022
    r = compile_rows([(BANNER, "4.A", "paper_waste", 0.1, "万t", 2021), (BANNER, "4.A", "paper_waste", 7, "万t", 2023)])
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(5.22807478, rel=1e-8)


def test_landfill_ch4_is_non_fossil_under_ar6_split():
    r = compile_rows(THREE_YEARS, gwp_set="AR6", ch4_ar6="split")
    assert value(r, BANNER, "4.A", "CH4", "co2e_t") == pytest.approx(11.99205208 * 27.0, rel=1e-8)


def test_bulk_msw_uses_its_own_doc():
    # 1000 t 生活垃圾 in 2021: DOC 0.1394 × DOCf 0.5 × MCF 1 = 69.7 t C; k 0.05: 1 - e^-0.05 = 0.04877057550
    # decomposed 3.39930911 t C; CH4 = × 0.5 × 16/12 = 2.26620607 t
    r = compile_rows([(BANNER, "4.A", "生活垃圾", 1000, "t", 2021)])
    assert value(r, BANNER, "4.A", "CH4") == pytest.approx(2.26620607, rel=1e-8)


def test_fod_is_vectorised_over_regions_items_and_a_long_history():
    # 9 banners × 7 waste types × 33 years (1990-2022), each year split over 20 rows: 41,580 rows.
    # Splitting a year's deposit over many rows, or shuffling them, must not change anything, and a
    # banner's result must equal the same banner computed alone.
    rng = np.random.default_rng(1)
    banners = ["150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627"]
    items = ["food_waste", "garden_waste", "paper_waste", "wood_waste", "textile_waste", "nappies", "msw"]
    grid = pd.MultiIndex.from_product([banners, items, range(1990, 2023), range(20)]).to_frame(index=False)
    grid.columns = ["region", "item", "year", "part"]
    act = pd.DataFrame({"region": grid["region"], "year": grid["year"], "category": "4.A", "item": grid["item"],
                        "quantity": rng.uniform(0, 500, len(grid)), "unit": "t"})
    act["row"] = range(2, len(act) + 2)
    lib = load_library()
    _LIBS.append(lib)
    t0 = time.perf_counter()
    full = compile_activity(act, lib, CompileOptions(year=2022)).by_category()
    assert time.perf_counter() - t0 < 20
    alone = act[act["region"] == "150626"].sample(frac=1, random_state=3)
    one = compile_activity(alone, lib, CompileOptions(year=2022)).by_category()
    a = full[(full["region"] == "150626") & (full["category"] == "4.A")]["mass_t"].iloc[0]
    b = one[(one["region"] == "150626") & (one["category"] == "4.A")]["mass_t"].iloc[0]
    assert a == pytest.approx(b, rel=1e-12) and a > 0
    city = full[(full["region"] == CITY) & (full["category"] == "4.A")]["mass_t"].iloc[0]
    assert city == pytest.approx(full[(full["region"] != CITY) & (full["category"] == "4.A")]["mass_t"].sum(), rel=1e-12)


def test_fod_parameter_names_are_declared_as_users_write_them():
    cat = load_parameter_catalogue()
    for name in ("doc", "docf", "mcf", "f", "ox"):
        assert cat[name].dimensions == ("dimensionless",)
    assert cat["k"].dimensions == ("1/time",)
    # and a local file with every one of them parses
    text = "category,item,parameter,value,unit\n" + "".join(
        f"4.A,厨余垃圾,{p},{v},{u}\n" for p, v, u in
        (("doc", 0.16, "dimensionless"), ("docf", 0.5, "dimensionless"), ("mcf", 0.8, "dimensionless"),
         ("k", 0.1, "1/yr"), ("f", 0.55, "dimensionless"), ("ox", 0.1, "dimensionless")))
    rows, _ = read_local_factors(text.encode(), "l.csv")
    assert [r.parameter for r in rows] == ["doc", "docf", "mcf", "k", "f", "ox"]


def test_k_with_a_wrong_dimension_is_rejected_in_a_local_file():
    with pytest.raises(ImportRejected) as exc:
        read_local_factors("category,item,parameter,value,unit\n4.A,厨余垃圾,k,0.06,t\n".encode(), "l.csv")
    assert exc.value.errors[0].column == "unit"


# ------------------------------------------------------------------------------------------- 4.C incineration

def test_incineration_fossil_co2_ch4_n2o_and_biogenic_memo():
    # plastics 1000 t: CO2 = 1000 × 1.0 × 0.75 × 1.0 × 1.0 × 44/12 = 2750 t; no biogenic carbon
    # paper 1000 t: C = 1000 × 0.9 × 0.46 × 1.0 = 414 t C; fossil 1%: 4.14 t C → 15.18 t CO2 (territorial);
    #   99%: 409.86 t C → 1502.82 t CO2 to the memo M.biomass_CO2
    # CH4 = 2000 t = 2 Gg × 0.2 kg/Gg = 0.4 kg = 0.0004 t; N2O = 2000 t × 47 g/t = 94 kg = 0.094 t
    r = compile_rows([(BANNER, "4.C.1", "塑料", 1000, "t"), (BANNER, "固体废弃物焚烧处理", "paper_waste", 1000, "t")])
    assert value(r, BANNER, "4.C.1", "CO2") == pytest.approx(2750 + 15.18, rel=1e-9)
    assert value(r, BANNER, "M.biomass_CO2", "CO2") == pytest.approx(1502.82, rel=1e-9)
    assert value(r, BANNER, "4.C.1", "CH4") == pytest.approx(0.0004, rel=1e-9)
    assert value(r, BANNER, "4.C.1", "N2O") == pytest.approx(0.094, rel=1e-9)
    terr = r.territorial()
    assert not (terr["category"] == "M.biomass_CO2").any()
    totals = r.totals(BANNER).set_index(["sector", "gas"])
    assert totals.loc[("waste", "CO2"), "mass_t"] == pytest.approx(2765.18, rel=1e-9)


def test_bulk_msw_incineration_under_the_cn_profile():
    # CN 2011 form: 1000 t × CCW 0.20 × FCF 0.39 × burn-out 0.95 × 44/12 = 271.7 t fossil CO2
    r = compile_rows([(BANNER, "4.C.1", "生活垃圾", 1000, "t")], library=load_library(profile="CN"))
    assert value(r, BANNER, "4.C.1", "CO2") == pytest.approx(271.7, rel=1e-9)
    # memo: 1000 × 0.20 × 0.61 × 0.95 × 44/12 = 424.96667 t
    assert value(r, BANNER, "M.biomass_CO2", "CO2") == pytest.approx(424.9666667, rel=1e-9)


def test_local_dm_and_cf_replace_the_cn_wet_carbon_content():
    # local dm 0.5, CF 0.5 for 生活垃圾: 1000 × 0.5 × 0.5 × FCF 0.39 × OF 0.95 × 44/12 = 339.625 t
    lib, fp = local("category,item,parameter,value,unit\n4.C.1,生活垃圾,dm_fraction,0.5,dimensionless\n"
                    "4.C.1,生活垃圾,carbon_fraction,0.5,dimensionless\n")
    r = compile_rows([(BANNER, "4.C.1", "msw", 1000, "t")], library=lib.with_profile("CN"))
    assert value(r, BANNER, "4.C.1", "CO2") == pytest.approx(339.625, rel=1e-9)
    refs = r.by_category().set_index(["region", "category", "gas"]).loc[(BANNER, "4.C.1", "CO2"), "factor_refs"]
    assert "carbon_fraction_wet" not in refs and fp in refs


# ------------------------------------------------------------------------------------------- 4.D wastewater

def test_domestic_wastewater_ch4_by_pathway_and_n2o_from_effluent_nitrogen():
    # aerobic plant: 1000 t BOD × 0.6 × 0.03 = 18 t CH4; discharged: 200 t BOD × 0.6 × 0.11 = 13.2 t
    # septic: 10,000 kg BOD × 0.6 × 0.5 = 3000 kg = 3 t; recovered 4 t → CH4 = 18 + 13.2 + 3 - 4 = 30.2 t
    # N2O: 100 t N × 0.005 × 44/28 = 0.78571429 t
    r = compile_rows([(BANNER, "生活污水处理", "污水好氧处理", 1000, "t"), (BANNER, "4.D.1", "ww_discharged", 200, "t"),
                      (BANNER, "4.D.1", "化粪池", 10000, "kg"), (BANNER, "4.D.1", "污水处理甲烷回收", 4, "t"),
                      (BANNER, "4.D.1", "出水总氮", 100, "t")])
    assert value(r, BANNER, "4.D.1", "CH4") == pytest.approx(30.2, rel=1e-9)
    assert value(r, BANNER, "4.D.1", "N2O") == pytest.approx(0.78571429, rel=1e-8)


def test_wastewater_treatment_plant_n2o_2019_refinement():
    # 2019 Refinement Eq. 6.9 (Updated): 400 t N entering the plants × EF_PLANT 0.016 × 44/28 = 10.05714286 t N2O
    # plus the effluent's 100 t N × 0.005 × 44/28 = 0.78571429 t: 10.84285714 t N2O in 4.D.1
    r = compile_rows([(BANNER, "4.D.1", "进水总氮", 400_000, "kg"), (BANNER, "4.D.1", "出水总氮", 100, "t")])
    assert value(r, BANNER, "4.D.1", "N2O") == pytest.approx(10.84285714, rel=1e-8)
    refs = set(r.detail.loc[r.detail["item"] == "plant_influent_nitrogen", "factor_refs"])
    assert refs == {"IPCC19-V5-EF-N2O-plant@v1"}
    with pytest.raises(ImportRejected):  # plant N2O is domestic (4.D.1), as the effluent's
        compile_rows([(BANNER, "4.D.2", "plant_influent_nitrogen", 10, "t")])


def test_industrial_wastewater_ch4_from_cod():
    # 1000 t COD to an anaerobic reactor: 1000 × 0.25 × 0.8 = 200 t CH4; 50 t recovered → 150 t
    # 3000 t COD discharged: 3000 × 0.25 × 0.11 = 82.5 t; aerobic (well managed) 0
    r = compile_rows([(BANNER, "工业废水处理", "污水厌氧处理", 1000, "t"), (BANNER, "4.D.2", "ww_ch4_recovered", 50, "t"),
                      (BANNER, "4.D.2", "ww_discharged", 3000, "t"), (BANNER, "4.D.2", "ww_aerobic_plant", 5000, "t")])
    assert value(r, BANNER, "4.D.2", "CH4") == pytest.approx(232.5, rel=1e-9)


def test_items_of_the_wrong_kind_are_rejected():
    with pytest.raises(ImportRejected):
        compile_rows([(BANNER, "4.A", "ww_aerobic_plant", 10, "t")])
    with pytest.raises(ImportRejected):
        compile_rows([(BANNER, "4.D.1", "food_waste", 10, "t")])
    with pytest.raises(ImportRejected):
        compile_rows([(BANNER, "4.D.2", "effluent_nitrogen", 10, "t")])
    with pytest.raises(ImportRejected):  # no septic MCF for industrial wastewater: a clear missing factor
        compile_rows([(BANNER, "4.D.2", "ww_septic", 10, "t")])


# ------------------------------------------------------------------------------------------- units

@pytest.mark.parametrize("category,item,unit", [
    ("4.A", "food_waste", "m3"),
    ("4.A", "landfill_gas_recovered", "万m3"),
    ("4.C.1", "msw", "m3"),
    ("4.D.1", "ww_aerobic_plant", "头"),
    ("4.D.2", "ww_anaerobic_reactor", "TJ"),
])
def test_wrong_dimension_activity_unit_is_rejected(category, item, unit):
    with pytest.raises(ImportRejected) as exc:  # at import
        compile_rows([(BANNER, category, item, 10, unit)])
    assert exc.value.errors[0].column == "unit"
    with pytest.raises(ImportRejected) as exc:  # and by the engine itself
        compile_codes([(BANNER, category, item, 10, unit)])
    assert exc.value.errors[0].column == "unit"
