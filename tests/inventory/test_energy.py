"""Energy sector through the engine, with hand-computed expectations from the cited factors."""

import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.io import read_local_factors
from tests.inventory.helpers import compile_rows, value

BANNER = "150621"


def test_natural_gas_by_volume_uses_volumetric_ncv():
    # 1 亿m3 natural gas in residential use. IPCC profile has NCV per mass only, so the CN NCV per
    # volume (389.31 GJ/万m3) fills the gap: energy = 1e4 万m3 × 389.31 GJ = 3.8931e6 GJ = 3893.1 TJ
    # CO2 = 3893.1 TJ × 15.3 t C/TJ × 1.0 × 44/12 = 218,404.91 t; CH4 = 3893.1 × 5 kg = 19.4655 t
    r = compile_rows([(BANNER, "1.A.4.b", "natural_gas", 1, "亿m3")])
    assert value(r, BANNER, "1.A.4.b", "CO2") == pytest.approx(3893.1 * 15.3 * 44 / 12, rel=1e-9)
    assert value(r, BANNER, "1.A.4.b", "CH4") == pytest.approx(19.4655, rel=1e-9)
    refs = r.by_category().set_index(["region", "category", "gas"]).loc[(BANNER, "1.A.4.b", "CO2"), "factor_refs"]
    assert "CN2011-NCV-natural_gas@v1" in refs and "IPCC06-V2-T1.3-CC-natural_gas@v1" in refs


def test_energy_units_skip_ncv():
    # 1 万tce of diesel in transport: 293.076 TJ × 20.2 × 44/12 = 21,706.83 t CO2
    r = compile_rows([(BANNER, "1.A.3", "diesel", 1, "万tce")])
    assert value(r, BANNER, "1.A.3", "CO2") == pytest.approx(293.076 * 20.2 * 44 / 12, rel=1e-9)


def test_biomass_co2_is_memo_only():
    # 1000 t firewood, residential: 15.6 TJ; CO2 15.6 × 30.5 × 44/12 = 1744.6 t goes to the memo item
    r = compile_rows([(BANNER, "1.A.4.b", "firewood", 1000, "t")])
    assert value(r, BANNER, "M.biomass_CO2", "CO2") == pytest.approx(15.6 * 30.5 * 44 / 12, rel=1e-9)
    assert value(r, BANNER, "1.A.4.b", "CH4") == pytest.approx(15.6 * 0.3, rel=1e-9)
    terr = r.territorial()
    assert not ((terr["gas"] == "CO2") & (terr["item"] == "firewood")).any()


def test_coal_mining_underground_and_surface():
    # 100 万t underground: mining 1e6 × 18 m3/t × 0.67 kg/m3 = 12,060 t CH4; post-mining 2.5 → 1,675 t
    # 100 万t surface: 1.2 → 804 t; 0.1 → 67 t
    r = compile_rows([(BANNER, "1.B.1.a.i", "raw_coal", 100, "万t"), (BANNER, "1.B.1.a.ii", "raw_coal", 100, "万t")])
    assert value(r, BANNER, "1.B.1.a.i.1", "CH4") == pytest.approx(12060)
    assert value(r, BANNER, "1.B.1.a.i.2", "CH4") == pytest.approx(1675)
    assert value(r, BANNER, "1.B.1.a.ii.1", "CH4") == pytest.approx(804)
    assert value(r, BANNER, "1.B.1.a.ii.2", "CH4") == pytest.approx(67)


def test_fugitive_ch4_is_fossil_under_ar6_split():
    r = compile_rows([(BANNER, "1.B.1.a.ii", "raw_coal", 100, "万t")], gwp_set="AR6", ch4_ar6="split")
    assert value(r, BANNER, "1.B.1.a.ii.1", "CH4", "co2e_t") == pytest.approx(804 * 29.8)


def test_electricity_transfer_is_a_memo_never_in_the_total():
    # export 100 亿kWh = 1e7 MWh × 0.6849 t/MWh = 6,849,000 t (negative: leaves the city)
    r = compile_rows([(BANNER, "M.electricity", "electricity_export", 100, "亿千瓦时"),
                      (BANNER, "M.electricity", "electricity_import", 10, "亿千瓦时")])
    assert value(r, BANNER, "M.electricity", "CO2") == pytest.approx(-6_849_000 + 684_900)
    assert r.territorial().empty


def test_local_oxidation_rate_overrides_and_is_recorded():
    rows, fp = read_local_factors("category,item,parameter,value,unit\n1.A,原煤,oxidation,0.94,dimensionless\n".encode(), "l.csv")
    lib = load_library(profile="IPCC2006").with_local(rows, fp)
    r = compile_rows([(BANNER, "1.A.1.a", "raw_coal", 10000, "t")], library=lib)
    # 10000 t × 25.8 GJ/t = 258 TJ × 25.8 × 0.94 × 44/12
    assert value(r, BANNER, "1.A.1.a", "CO2") == pytest.approx(258 * 25.8 * 0.94 * 44 / 12, rel=1e-9)
    t = r.by_category().set_index(["region", "category", "gas"])
    assert "local" in t.loc[(BANNER, "1.A.1.a", "CO2"), "basis"]
    assert fp in t.loc[(BANNER, "1.A.1.a", "CO2"), "factor_refs"]


def test_missing_factor_names_the_row_and_the_parameter():
    # raw coal has an NCV per mass only: a volume cannot be converted
    with pytest.raises(ImportRejected) as exc:
        compile_rows([(BANNER, "1.A.1.a", "raw_coal", 5, "万m3")])
    e = exc.value.errors[0]
    assert e.row == 2 and "no 'ncv' per volume and no 'density'" in e.reason


def test_heading_category_cannot_take_data():
    with pytest.raises(ImportRejected, match="compile"):
        compile_rows([(BANNER, "1.A", "raw_coal", 5, "t")])


def test_oil_and_gas_systems_fugitive_ch4():
    # gas: 1 亿m3 = 1e4 万m3 × 0.021 t/万m3 = 210 t CH4; oil: 100 万t × 0.00088 t/t = 880 t CH4
    r = compile_rows([(BANNER, "1.B.2.b", "natural_gas", 1, "亿m3"), (BANNER, "1.B.2.a", "crude_oil", 100, "万t")])
    assert value(r, BANNER, "1.B.2.b", "CH4") == pytest.approx(210)
    assert value(r, BANNER, "1.B.2.a", "CH4") == pytest.approx(880)
