"""Land-use change and forestry (土地利用变化和林业) through the engine: sinks are negative CO2. Expected values
are computed by hand in the comments from emission_factors/lulucf/ipcc2006_lulucf_v1.csv:
CF 0.47, R 0.40, G_W 3.0 t d.m./ha/yr, D 0.42 t/m3, BEF 1.3, B_before 120 t d.m./ha, C_f 0.45,
G_ef CH4 4.7 and N2O 0.26 g/kg d.m."""

import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.calc.base import LINEAR_METHODS
from carbon.inventory.catalog import load_catalog
from carbon.inventory.io import read_local_factors
from tests.inventory.helpers import compile_rows, value

BANNER = "150626"  # 乌审旗


def item_value(result, region, category, item, gas):
    d = result.detail
    sel = d[(d["region"] == region) & (d["category"] == category) & (d["item"] == item) & (d["gas"] == gas)]
    assert len(sel) == 1, sel
    return float(sel["mass_t"].iloc[0])


def with_local(csv_text: str):
    rows, fp = read_local_factors(("category,item,parameter,value,unit\n" + csv_text).encode(), "forestry.csv")
    return load_library().with_local(rows, fp)


def test_arbor_forest_growth_by_area_is_a_sink():
    # 1 万ha arbor forest: 10,000 × 3.0 × (1 + 0.40) × 0.47 = 19,740 t C → × 44/12 = 72,380 t CO2 removed
    r = compile_rows([(BANNER, "3.B.1.a", "arbor_forest", 1, "万公顷")])
    assert value(r, BANNER, "3.B.1.a", "CO2") == pytest.approx(-72_380, rel=1e-9)
    assert value(r, "150600", "3.B.1.a", "CO2") == pytest.approx(-72_380, rel=1e-9)
    totals = r.totals()
    lulucf = totals[(totals.sector == "lulucf") & (totals.gas == "CO2")]
    assert float(lulucf.co2e_t.iloc[0]) == pytest.approx(-72_380, rel=1e-9)


def test_growth_from_growing_stock_with_local_growth_rate():
    # 100 万m3 growing stock, local growth rate 5%/yr: 1e6 × 0.05 × 0.42 × 1.3 × 1.4 × 0.47 = 17,963.4 t C
    # → −65,865.8 t CO2
    lib = with_local("3.B.1.a,乔木林,volume_growth_rate,0.05,1/yr\n")
    r = compile_rows([(BANNER, "3.B.1.a", "arbor_forest", 100, "万m3")], library=lib)
    assert value(r, BANNER, "3.B.1.a", "CO2") == pytest.approx(-17_963.4 * 44 / 12, rel=1e-9)


def test_shrub_forest_needs_local_growth_and_uses_it():
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, "3.B.1.a", "shrub_forest", 10000, "ha")])
    assert "biomass_growth" in exc.value.errors[0].reason and "地方实测" in exc.value.errors[0].reason
    # local: G_W 1.5 t/ha/yr, R 1.0 → 10,000 × 1.5 × 2 × 0.47 = 14,100 t C → −51,700 t CO2
    lib = with_local("3.B.1.a,灌木林,biomass_growth,1.5,t/ha/yr\n3.B,灌木林,root_shoot,1.0,dimensionless\n")
    r = compile_rows([(BANNER, "3.B.1.a", "shrub_forest", 10000, "ha")], library=lib)
    assert value(r, BANNER, "3.B.1.a", "CO2") == pytest.approx(-51_700, rel=1e-9)


def test_wood_removals_are_a_positive_emission():
    # 1 万m3 consumed: 10,000 × 0.42 × 1.3 × 1.4 × 0.47 = 3,592.68 t C → 13,173.16 t CO2
    # growth and removals are one IPCC 2006 category (3.B.1.a, gain-loss; before the recode 4.A.1 and 4.A.2), kept
    # apart by item
    r = compile_rows([(BANNER, "3.B.1.a", "stock_consumption", 1, "万立方米"), (BANNER, "3.B.1.a", "arbor_forest", 10000, "ha")])
    assert item_value(r, BANNER, "3.B.1.a", "stock_consumption", "CO2") == pytest.approx(3592.68 * 44 / 12, rel=1e-9)
    # the net change of forest land remaining forest land: −72,380 + 13,173.16 = −59,206.84 t CO2
    assert (item_value(r, BANNER, "3.B.1.a", "arbor_forest", "CO2") + item_value(r, BANNER, "3.B.1.a", "stock_consumption", "CO2")
            == pytest.approx(-59_206.84, rel=1e-9))
    assert value(r, BANNER, "3.B.1.a", "CO2") == pytest.approx(-59_206.84, rel=1e-9)


def test_forest_conversion_co2_and_on_site_burning():
    # 100 ha converted: 100 × 120 × 1.4 × 0.47 = 7,896 t C → 28,952 t CO2
    # 100 ha of it burnt on site: 100 × 120 × 0.45 = 5,400 t d.m. burnt → CH4 5,400 × 4.7 g/kg = 25.38 t,
    # N2O 5,400 × 0.26 g/kg = 1.404 t; no CO2 in 3.C.1.d (it is the carbon already counted in 3.B.5.b.i)
    r = compile_rows([(BANNER, "3.B.5.b.i", "arbor_forest", 100, "ha"), (BANNER, "3.C.1.d", "arbor_forest", 100, "ha")])
    assert value(r, BANNER, "3.B.5.b.i", "CO2") == pytest.approx(7896 * 44 / 12, rel=1e-9)
    assert value(r, BANNER, "3.C.1.d", "CH4") == pytest.approx(25.38, rel=1e-9)
    assert value(r, BANNER, "3.C.1.d", "N2O") == pytest.approx(1.404, rel=1e-9)
    assert not ((r.detail.category == "3.C.1.d") & (r.detail.gas == "CO2")).any()
    # burning CH4 is non-fossil: AR6 split × 27.0 = 685.26 t CO2e
    r6 = compile_rows([(BANNER, "3.C.1.d", "arbor_forest", 100, "ha")], gwp_set="AR6", ch4_ar6="split")
    assert value(r6, BANNER, "3.C.1.d", "CH4", "co2e_t") == pytest.approx(25.38 * 27.0, rel=1e-9)


@pytest.mark.parametrize("category,item,unit", [
    ("3.B.1.a", "arbor_forest", "t"),  # a mass is neither an area nor a growing stock
    ("3.B.1.a", "stock_consumption", "ha"),
    ("3.B.5.b.i", "arbor_forest", "m3"),
    ("3.C.1.d", "arbor_forest", "头"),
])
def test_wrong_activity_dimension_is_rejected(category, item, unit):
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, category, item, 1, unit)])
    e = exc.value.errors[0]
    assert e.row == 2 and e.column == "unit"


def test_every_lulucf_category_with_a_method_is_registered():
    for c in load_catalog().leaf_categories("lulucf"):
        assert c.method in LINEAR_METHODS, c.code
