"""Industrial processes (工业生产过程) through the engine. Expected values are computed by hand in the comments
from the cited factors of emission_factors/ippu/ipcc2006_ippu_v1.csv."""

import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.calc.base import LINEAR_METHODS, SERIES_METHODS
from carbon.inventory.catalog import load_catalog
from carbon.inventory.io import read_local_factors
from tests.inventory.helpers import compile_rows, value

BANNER = "150622"  # 准格尔旗


def refs(result, category, gas, region=BANNER):
    t = result.by_category().set_index(["region", "category", "gas"])
    return t.loc[(region, category, gas), "factor_refs"], t.loc[(region, category, gas), "basis"]


def local_library(csv_text: str):
    rows, fp = read_local_factors(csv_text.encode(), "local.csv")
    return load_library().with_local(rows, fp), fp


def test_i2_cement_clinker_from_cao_and_ckd():
    # I-2: 100 万t clinker. EF = 0.65 CaO × 44.01/56.08 × 1.02 CKD = 0.663 × 0.7847718 = 0.5203037 t CO2/t
    # → 520,303.7 t CO2, within 0.1% of the example's 520,000 (0.52 × 1e6)
    r = compile_rows([(BANNER, "2.A.1", "clinker", 100, "万t")])
    co2 = value(r, BANNER, "2.A.1", "CO2")
    assert co2 == pytest.approx(1e6 * 0.65 * 1.02 * 44.01 / 56.08, rel=1e-9)
    assert co2 == pytest.approx(520_000, rel=1e-3)
    assert value(r, "150600", "2.A.1", "CO2") == pytest.approx(co2)  # city roll-up
    factor_refs, _ = refs(r, "2.A.1", "CO2")
    assert "IPCC06-V3-EQ2.4-CAO@v1" in factor_refs and "IPCC06-V3-EQ2.4-CKD@v1" in factor_refs


def test_local_clinker_factor_replaces_the_derived_one():
    # a plant-measured 0.538 t CO2/t clinker: 10,000 t × 0.538 = 5,380 t
    lib, fp = local_library("category,item,parameter,value,unit\n2.A.1,水泥熟料,ef_CO2,0.538,t/t\n")
    r = compile_rows([(BANNER, "2.A.1", "clinker", 10000, "t")], library=lib)
    assert value(r, BANNER, "2.A.1", "CO2") == pytest.approx(5380, rel=1e-9)
    factor_refs, basis = refs(r, "2.A.1", "CO2")
    assert basis == "local" and fp in factor_refs


def test_lime_types_and_carbonate_flux_in_steel():
    # lime, type unknown: 20,000 t × 0.75 = 15,000; dolomitic 1,000 t × 0.77 = 770 → 2.A.2 = 15,770 t
    # flux: limestone 50,000 t × 0.43971 = 21,985.5; dolomite 10,000 t × 0.47732 = 4,773.2 → 2.C.1 = 26,758.7 t
    r = compile_rows([(BANNER, "2.A.2", "lime", 2, "万t"), (BANNER, "2.A.2", "dolomitic_lime", 1000, "t"),
                      (BANNER, "2.C.1", "limestone_flux", 5, "万吨"), (BANNER, "2.C.1", "dolomite_flux", 10000, "t")])
    assert value(r, BANNER, "2.A.2", "CO2") == pytest.approx(15_770, rel=1e-9)
    assert value(r, BANNER, "2.C.1", "CO2") == pytest.approx(26_758.7, rel=1e-9)


def test_ammonia_from_coal_less_co2_bound_in_urea():
    # 10,000 t NH3 from coal: 36.0 GJ/t × 26.8 kg C/GJ × COF 1 = 0.9648 t C/t → × 44/12 = 3.5376 t CO2/t → 35,376 t
    # 5,000 t urea made from the plant's CO2: −5,000 × 44/60 = −3,666.667 t → 2.B.1 net 31,709.333 t
    r = compile_rows([(BANNER, "2.B.1", "ammonia_coal", 10000, "t"), (BANNER, "2.B.1", "urea", 5000, "t")])
    assert value(r, BANNER, "2.B.1", "CO2") == pytest.approx(35_376 - 5000 * 44 / 60, rel=1e-9)
    # natural-gas route: 1,000 t × 30.2 GJ/t × 15.3 kg C/GJ × 44/12 = 1,694.22 t
    r = compile_rows([(BANNER, "2.B.1", "ammonia_gas", 1000, "t")])
    assert value(r, BANNER, "2.B.1", "CO2") == pytest.approx(1694.22, rel=1e-9)


def test_ammonia_from_coal_gasification_with_the_plant_energy_use():
    """A coal-gasification ammonia plant's measured total fuel requirement (its energy use per t NH3) and its
    coal's carbon content replace IPCC's 36 GJ/t and anthracite default (Eq. 3.1 with plant data, Tier 2)."""
    rows, fp = read_local_factors(("category,item,parameter,value,unit,region\n"
                                   f"2.B.1,合成氨(煤头),fuel_requirement,48.5,GJ/t,{BANNER}\n"
                                   f"2.B.1,合成氨(煤头),carbon_content,25.6,kg C/GJ,{BANNER}\n").encode(), "l.csv")
    r = compile_rows([(BANNER, "2.B.1", "ammonia_coal", 10000, "t")], library=load_library().with_local(rows, fp))
    # 10,000 t × 48.5 GJ/t × 25.6 kg C/GJ = 12,416 t C × COF 1 × 44/12 = 45,525.333 t CO2
    assert value(r, BANNER, "2.B.1", "CO2") == pytest.approx(12_416 * 44 / 12, rel=1e-9)
    t = r.by_category()
    basis = t[(t["region"] == BANNER) & (t["category"] == "2.B.1")]["basis"].iloc[0]
    assert basis == "default;local"  # COF stays the IPCC default


def test_nitric_and_adipic_acid_n2o():
    # nitric acid, high-pressure plant: 10,000 t × 9 kg = 90 t N2O (AR5 × 265 = 23,850 t CO2e)
    # plus 10,000 t from a plant with NSCR: × 2 kg = 20 t → 110 t; adipic acid 1,000 t × 300 kg = 300 t
    r = compile_rows([(BANNER, "2.B.2", "nitric_acid_hp", 10000, "t"), (BANNER, "2.B.2", "nitric_acid_nscr", 1, "万t"),
                      (BANNER, "2.B.3", "adipic_acid", 1000, "t")])
    assert value(r, BANNER, "2.B.2", "N2O") == pytest.approx(110, rel=1e-9)
    assert value(r, BANNER, "2.B.2", "N2O", "co2e_t") == pytest.approx(110 * 265, rel=1e-9)
    assert value(r, BANNER, "2.B.3", "N2O") == pytest.approx(300, rel=1e-9)


def test_calcium_carbide_and_ferroalloys():
    # carbide 10 万t × 1.090 = 109,000 t; ferrosilicon 75% 2 万t × 4.0 = 80,000 t + silicon metal 1,000 t × 5.0 = 5,000
    r = compile_rows([(BANNER, "2.B.5", "calcium_carbide", 10, "万t"), (BANNER, "2.C.2", "ferrosilicon_75", 2, "万t"),
                      (BANNER, "2.C.2", "silicon_metal", 1000, "t")])
    assert value(r, BANNER, "2.B.5", "CO2") == pytest.approx(109_000, rel=1e-9)
    assert value(r, BANNER, "2.C.2", "CO2") == pytest.approx(85_000, rel=1e-9)


def test_hcfc22_hfc23_generated_less_destroyed():
    # 5,000 t HCFC-22 × 0.03 = 150 t HFC-23 generated; 140 t destroyed → 10 t; AR5 12,400 → 124,000 t CO2e
    r = compile_rows([(BANNER, "2.B.9.a.1", "hcfc22", 5000, "t"), (BANNER, "2.B.9.a.1", "hfc23_destroyed", 140, "t")])
    assert value(r, BANNER, "2.B.9.a.1", "HFC-23") == pytest.approx(10, rel=1e-9)
    assert value(r, BANNER, "2.B.9.a.1", "HFC-23", "co2e_t") == pytest.approx(124_000, rel=1e-9)
    # reported under the canonical species name of carbon/core/gases.py
    assert set(r.detail[r.detail.category == "2.B.9.a.1"].gas) == {"HFC-23"}


def test_primary_aluminium_prebake_co2_and_pfcs():
    # 10 万t CWPB: CO2 1.6 t/t → 160,000 t; CF4 0.4 kg/t → 40 t; C2F6 0.04 kg/t → 4 t
    # AR5: CF4 40 × 6,630 = 265,200; C2F6 4 × 11,100 = 44,400 t CO2e
    item = load_catalog().item("预焙槽").code  # users name it by the cell type
    r = compile_rows([(BANNER, "2.C.3", item, 10, "万t")])
    assert value(r, BANNER, "2.C.3", "CO2") == pytest.approx(160_000, rel=1e-9)
    assert value(r, BANNER, "2.C.3", "CF4") == pytest.approx(40, rel=1e-9)
    assert value(r, BANNER, "2.C.3", "C2F6") == pytest.approx(4, rel=1e-9)
    assert value(r, BANNER, "2.C.3", "CF4", "co2e_t") == pytest.approx(265_200, rel=1e-9)
    assert value(r, BANNER, "2.C.3", "C2F6", "co2e_t") == pytest.approx(44_400, rel=1e-9)


def test_refrigerant_blends_are_reported_per_species():
    # servicing refills (mass balance: refill = emission): R-410A 2 t → HFC-32 1 t + HFC-125 1 t;
    # R-404A 1 t → HFC-125 0.44, HFC-143a 0.52, HFC-134a 0.04; mobile AC HFC-134a 0.5 t
    r = compile_rows([(BANNER, "2.F.1.a", "r410a", 2, "t"), (BANNER, "2.F.1.a", "r404a", 1000, "kg"),
                      (BANNER, "2.F.1.b", "hfc_134a", 0.5, "t")])
    assert value(r, BANNER, "2.F.1.a", "HFC-32") == pytest.approx(1.0)
    assert value(r, BANNER, "2.F.1.a", "HFC-125") == pytest.approx(1.44)
    assert value(r, BANNER, "2.F.1.a", "HFC-143a") == pytest.approx(0.52)
    assert value(r, BANNER, "2.F.1.a", "HFC-134a") == pytest.approx(0.04)
    assert value(r, BANNER, "2.F.1.b", "HFC-134a") == pytest.approx(0.5)
    # AR5 CO2e of the R-410A: 1 × 677 + 1 × 3,170 = 3,847 (its share of HFC-125 only: 1 of 1.44 t)
    assert value(r, BANNER, "2.F.1.a", "HFC-32", "co2e_t") == pytest.approx(677)
    assert value(r, BANNER, "2.F.1.a", "HFC-125", "co2e_t") == pytest.approx(1.44 * 3170)
    factor_refs, _ = refs(r, "2.F.1.a", "HFC-143a")
    assert "ASHRAE34-r404a-HFC-143a@v1" in factor_refs and "ASHRAE34-r410a-HFC-32@v1" not in factor_refs


def test_local_leak_rate_turns_the_activity_into_a_bank():
    # a local operating leak rate 10%/yr for R-410A: 10 t installed charge × 0.1/yr × 1 yr = 1 t → 0.5 t per species
    lib, _ = local_library("category,item,parameter,value,unit\n2.F.1.a,R-410A,emission_rate,0.1,1/yr\n")
    r = compile_rows([(BANNER, "2.F.1.a", "r410a", 10, "t")], library=lib)
    assert value(r, BANNER, "2.F.1.a", "HFC-32") == pytest.approx(0.5)
    assert value(r, BANNER, "2.F.1.a", "HFC-125") == pytest.approx(0.5)


def test_sf6_in_electrical_equipment():
    # HV switchgear bank 20 t × 0.026/yr = 0.52 t; MV bank 5 t × 0.002/yr = 0.01 t; net loss at servicing 0.3 t
    # → 0.83 t SF6; AR5 × 23,500 = 19,505 t CO2e
    r = compile_rows([(BANNER, "2.G.1", "sf6_hv_bank", 20, "t"), (BANNER, "2.G.1", "sf6_mv_bank", 5000, "kg"),
                      (BANNER, "2.G.1", "sf6_net_loss", 0.3, "t")])
    assert value(r, BANNER, "2.G.1", "SF6") == pytest.approx(0.83, rel=1e-9)
    assert value(r, BANNER, "2.G.1", "SF6", "co2e_t") == pytest.approx(19_505, rel=1e-9)


@pytest.mark.parametrize("category,item,unit", [
    ("2.A.1", "clinker", "头"),  # a head count is not a production mass
    ("2.C.3", "aluminium_cwpb", "MWh"),
    ("2.G.1", "sf6_hv_bank", "m3"),
    ("2.F.1.a", "r410a", "ha"),
])
def test_wrong_activity_dimension_is_rejected(category, item, unit):
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, category, item, 1, unit)])
    e = exc.value.errors[0]
    assert e.row == 2 and e.column == "unit" and "mass" in e.reason


def test_item_that_is_not_a_gas_cannot_be_used_in_fgas_categories():
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, "2.F.1.a", "clinker", 1, "t")])
    assert "no composition" in exc.value.errors[0].reason


@pytest.mark.parametrize("category", ["2.E.1"])
def test_not_implemented_categories_fail_clearly(category):
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, category, "clinker", 1, "t")])
    assert "not implemented" in exc.value.errors[0].reason


def test_every_ippu_category_with_a_method_is_registered():
    for c in load_catalog().leaf_categories("ippu"):
        assert c.method in LINEAR_METHODS or c.method in SERIES_METHODS, c.code
