"""Agriculture (农业活动) through the engine. Expected values are computed by hand in the comments from the
cited factors of emission_factors/agriculture/*.csv."""

import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.calc.base import LINEAR_METHODS
from carbon.inventory.catalog import load_catalog
from carbon.inventory.io import read_local_factors
from tests.inventory.helpers import compile_rows, value

BANNER = "150624"  # 鄂托克旗


def column(result, category, gas, col, region=BANNER):
    t = result.by_category().set_index(["region", "category", "gas"])
    return t.loc[(region, category, gas), col]


def test_i3_enteric_other_cattle_ar5_and_ar6_split():
    # I-3: 1 万头 other cattle × 54 kg CH4/head/yr (2019 Refinement Table 10.11, Asia) = 540 t CH4
    # AR5 × 28 = 15,120 t CO2e; AR6 with the fossil/non-fossil split: enteric CH4 is non-fossil, × 27.0 = 14,580
    r = compile_rows([(BANNER, "3.A.1", "other_cattle", 1, "万头")])
    assert value(r, BANNER, "3.A.1", "CH4") == pytest.approx(540, rel=1e-9)
    assert value(r, BANNER, "3.A.1", "CH4", "co2e_t") == pytest.approx(15_120, rel=1e-9)
    r6 = compile_rows([(BANNER, "3.A.1", "other_cattle", 1, "万头")], gwp_set="AR6", ch4_ar6="split")
    assert value(r6, BANNER, "3.A.1", "CH4", "co2e_t") == pytest.approx(14_580, rel=1e-9)
    assert "IPCC19-V4-T10.11-ENT-other_cattle@v1" in column(r, "3.A.1", "CH4", "factor_refs")


def test_enteric_defaults_for_the_other_animals():
    # dairy 2,000 head × 78 = 156 t; sheep 100 万只 × 5 = 5,000 t; goats 50 万只 × 5 = 2,500 t;
    # camels 1,000 峰 × 46 = 46 t; horses 1,000 匹 × 18 = 18 t; donkeys and mules 500 each × 10 = 10 t
    # swine 10,000 头 × 1.0 = 10 t → 7,740 t CH4
    r = compile_rows([(BANNER, "3.A.1", "dairy_cattle", 2000, "头"), (BANNER, "3.A.1", "sheep", 100, "万只"),
                      (BANNER, "3.A.1", "goat", 50, "万只"), (BANNER, "3.A.1", "camel", 1000, "峰"),
                      (BANNER, "3.A.1", "horse", 1000, "匹"), (BANNER, "3.A.1", "donkey", 500, "头"),
                      (BANNER, "3.A.1", "mule", 500, "头"), (BANNER, "3.A.1", "swine", 1, "万头")])
    assert value(r, BANNER, "3.A.1", "CH4") == pytest.approx(156 + 5000 + 2500 + 46 + 18 + 10 + 10, rel=1e-9)


def test_local_enteric_factor_overrides_the_default():
    # 地方实测 60 kg/head/yr: 1 万头 × 60 = 600 t CH4
    rows, fp = read_local_factors("category,item,parameter,value,unit\n3.A.1,非奶牛,ef_enteric,60,kg CH4/head/yr\n".encode(), "l.csv")
    r = compile_rows([(BANNER, "3.A.1", "other_cattle", 1, "万头")], library=load_library().with_local(rows, fp))
    assert value(r, BANNER, "3.A.1", "CH4") == pytest.approx(600, rel=1e-9)
    assert column(r, "3.A.1", "CH4", "basis") == "local"


def test_manure_management_ch4_and_n2o_per_head():
    # provincial guideline, 华北: other cattle 10,000 head × 2.82 kg CH4 = 28.2 t; × 0.794 kg N2O = 7.94 t
    # sheep 100,000 × 0.15 = 15 t CH4, × 0.093 = 9.3 t N2O → CH4 43.2 t, N2O 17.24 t
    r = compile_rows([(BANNER, "3.A.2", "other_cattle", 1, "万头"), (BANNER, "3.A.2", "sheep", 10, "万只")])
    assert value(r, BANNER, "3.A.2", "CH4") == pytest.approx(43.2, rel=1e-9)
    assert value(r, BANNER, "3.A.2", "N2O") == pytest.approx(17.24, rel=1e-9)
    # the IPCC2006 profile has no per-head manure rows: the CN rows are used and named
    assert "CN2011-MAN-N2O-NC-sheep@v1" in column(r, "3.A.2", "N2O", "factor_refs")
    assert "CN2011-MAN-CH4-NC-sheep@v1" not in column(r, "3.A.2", "N2O", "factor_refs")  # provenance per gas


def test_managed_soils_direct_and_indirect_from_one_entry():
    # synthetic N 1,000 t: direct 1,000 × EF1 0.005 × 44/28 = 7.857143 t N2O (3.C.4)
    #   indirect 1,000 × (Frac_GASF 0.11 × EF4 0.005 + Frac_LEACH 0.24 × EF5 0.011) × 44/28
    #          = 1,000 × (0.00055 + 0.00264) × 44/28 = 5.012857 t (3.C.5)
    # manure N 1,000 t: direct 7.857143; indirect 1,000 × (0.21 × 0.005 + 0.00264) × 44/28 = 5.798571
    # crop residue N 1,000 t: direct 7.857143; indirect (no volatilisation term) 1,000 × 0.00264 × 44/28 = 4.148571
    r = compile_rows([(BANNER, "3.C.4", "synthetic_n", 1000, "t"), (BANNER, "3.C.4", "manure_n", 1000, "t"),
                      (BANNER, "3.C.4", "crop_residue_n", 1000, "t")])
    assert value(r, BANNER, "3.C.4", "N2O") == pytest.approx(3 * 5 * 44 / 28, rel=1e-9)
    assert value(r, BANNER, "3.C.5", "N2O") == pytest.approx((3.19 + 3.69 + 2.64) * 44 / 28, rel=1e-9)
    assert value(r, "150600", "3.C.5", "N2O") == pytest.approx((3.19 + 3.69 + 2.64) * 44 / 28, rel=1e-9)


def test_indirect_category_takes_no_activity_of_its_own():
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, "3.C.5", "synthetic_n", 1000, "t")])
    assert "takes no activity" in exc.value.errors[0].reason


def test_local_leaching_fraction_for_rainfed_dryland():
    # a banner without irrigation sets Frac_LEACH 0 under the indirect category: 1,000 t synthetic N →
    # indirect 1,000 × 0.11 × 0.005 × 44/28 = 0.864286 t
    rows, fp = read_local_factors("category,item,parameter,value,unit\n3.C.5,*,frac_leach,0,dimensionless\n".encode(), "l.csv")
    r = compile_rows([(BANNER, "3.C.4", "synthetic_n", 1000, "t")], library=load_library().with_local(rows, fp))
    assert value(r, BANNER, "3.C.5", "N2O") == pytest.approx(0.55 * 44 / 28, rel=1e-9)


def test_rice_per_hectare_and_season():
    # 1,000 ha single-season rice × 234.0 kg CH4/ha = 234 t; AR6 split (non-fossil 27.0) = 6,318 t CO2e
    r = compile_rows([(BANNER, "3.C.7", "rice_single", 1000, "公顷")], gwp_set="AR6", ch4_ar6="split")
    assert value(r, BANNER, "3.C.7", "CH4") == pytest.approx(234, rel=1e-9)
    assert value(r, BANNER, "3.C.7", "CH4", "co2e_t") == pytest.approx(6318, rel=1e-9)
    # 15 亩 = 1 ha: 1.5 万亩 = 1,000 ha gives the same
    r2 = compile_rows([(BANNER, "3.C.7", "rice_single", 1.5, "万亩")])
    assert value(r2, BANNER, "3.C.7", "CH4") == pytest.approx(234, rel=1e-9)


def test_urea_co2_made_in_ammonia_returns_when_applied():
    # 1,000 t urea applied: 1,000 × 0.20 t C × 44/12 = 733.333 t CO2 (3.C.3); the same urea made on site
    # took −1,000 × 44/60 = −733.333 t out of 2.B.1: together zero
    r = compile_rows([(BANNER, "3.C.3", "urea", 1000, "t"), (BANNER, "2.B.1", "urea", 1000, "t")])
    assert value(r, BANNER, "3.C.3", "CO2") == pytest.approx(1000 * 0.2 * 44 / 12, rel=1e-9)
    assert value(r, BANNER, "3.C.3", "CO2") + value(r, BANNER, "2.B.1", "CO2") == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("category,item,unit,expects", [
    ("3.A.1", "other_cattle", "t", "livestock"),  # a mass is not a head count
    ("3.A.2", "sheep", "ha", "livestock"),
    ("3.C.7", "rice_single", "头", "area"),
    ("3.C.4", "synthetic_n", "ha", "mass"),
])
def test_wrong_activity_dimension_is_rejected(category, item, unit, expects):
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, category, item, 1, unit)])
    e = exc.value.errors[0]
    assert e.row == 2 and e.column == "unit" and expects in e.reason


def test_every_agriculture_category_with_a_method_is_registered():
    for c in load_catalog().leaf_categories("agriculture"):
        assert c.method in LINEAR_METHODS, c.code
