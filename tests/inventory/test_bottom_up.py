"""ETS-verified process CO2 of chemical plants in the inventory (bottom-up rows, item ets_verified_co2)."""

from __future__ import annotations

import pytest

from carbon.core.errors import ImportRejected
from carbon.factors.library import load_library
from carbon.inventory.calc.coal_chemicals import BOTTOM_UP_OVERLAP, category_of_plant
from carbon.inventory.engine import CompileOptions, compile_activity
from tests.inventory.helpers import activity

LOCAL = "150626"  # 乌审旗


def _compile(rows, facilities, notes=None):
    act = activity(rows)
    act["facility"] = facilities
    act["note"] = notes or [""] * len(rows)
    return compile_activity(act, load_library(), CompileOptions(year=2022, gwp_set="AR5"))


def test_verified_facility_is_taken_as_verified():
    r = _compile([(LOCAL, "2.B.8.b", "ets_verified_co2", 4_079_070, "t")], ["91150626MA0000000X 烯烃装置"],
                 ["ETS核查 engagement 7"])
    t = r.by_category()
    got = t[(t["region"] == LOCAL) & (t["category"] == "2.B.8.b") & (t["gas"] == "CO2")]["mass_t"]
    assert float(got.iloc[0]) == 4_079_070
    (b,) = r.balances
    assert b["method"] == "ets_verified" and b["facility"] == "91150626MA0000000X 烯烃装置"
    assert "engagement 7" in b["source"] and b["co2"] == {"value": 4_079_070.0, "unit": "t"}


def test_verified_in_kt_converted():
    r = _compile([(LOCAL, "2.B.8.a", "ets_verified_co2", 1100, "kt")], ["甲醇厂"])
    assert r.balances[0]["co2"]["value"] == pytest.approx(1_100_000)


def test_verified_and_own_flows_of_one_facility_rejected():
    with pytest.raises(ImportRejected) as exc:
        _compile([(LOCAL, "2.B.8.a", "ets_verified_co2", 1_100_000, "t"),
                  (LOCAL, "2.B.8.a", "feedstock_coal", 1_000_000, "t"),
                  (LOCAL, "2.B.8.a", "methanol", 800_000, "t")], ["甲醇厂"] * 3)
    msg = " ".join(e.reason for e in exc.value.errors)
    assert "甲醇厂" in msg and "ETS-verified" in msg and "feedstock_coal" in msg


def test_verified_plant_beside_region_rows_flagged_not_excluded():
    r = _compile([(LOCAL, "2.B.8.a", "ets_verified_co2", 1_100_000, "t"),
                  (LOCAL, "2.B.8.a", "feedstock_coal", 1_000_000, "t"),
                  (LOCAL, "2.B.8.a", "methanol", 800_000, "t")], ["甲醇厂", "", ""])
    (flag,) = [c for c in r.cross_sector if c["check"] == BOTTOM_UP_OVERLAP]
    assert flag["facility"] == "甲醇厂" and flag["region"] == LOCAL and flag["verified_co2_t"] == 1_100_000
    # both counted: 1,100,000 verified + (1e6 × 0.551344 − 8e5 × 12/32) × 44/12 for the region-level rows
    # (default feedstock coal 0.551344 t C/t: CN 20.908 GJ/t × 26.37 kg C/GJ as rounded in carbon_balance_v1.csv)
    region_level = (1_000_000 * 0.551344 - 800_000 * 12 / 32) * 44 / 12
    t = r.by_category()
    got = float(t[(t["region"] == LOCAL) & (t["category"] == "2.B.8.a") & (t["gas"] == "CO2")]["mass_t"].iloc[0])
    assert got == pytest.approx(1_100_000 + region_level, rel=1e-9)


def test_no_flag_when_facilities_differ_in_category():
    r = _compile([(LOCAL, "2.B.8.a", "ets_verified_co2", 1_100_000, "t"),
                  (LOCAL, "2.B.8.b", "feedstock_coal", 1_000_000, "t"),
                  (LOCAL, "2.B.8.b", "ethylene", 100_000, "t")], ["甲醇厂", "", ""])
    assert not [c for c in r.cross_sector if c["check"] == BOTTOM_UP_OVERLAP]


@pytest.mark.parametrize("products, category", [
    ({"ethylene", "propylene", "methanol"}, "2.B.8.b"), ({"methanol"}, "2.B.8.a"), ({"ctl_oil_products", "coal_tar"}, "1.B.3.a"),
    ({"coal_sng", "sulphur"}, "1.B.3.b"), ({"ethylene_glycol"}, "2.B.8.g"), (set(), "2.B.8.g")])
def test_category_of_plant(products, category):
    assert category_of_plant(products) == category


def test_feedstock_check_compares_only_where_a_plants_fuel_is_booked():
    """Coal burnt by power plants (1.A.1.a) and households (1.A.4.b) is not the plant's feedstock; coal in
    1.A.2 (manufacturing, chemicals) is, and so is 1.A.1.c."""
    rows = [(LOCAL, "2.B.8.a", "feedstock_coal", 1_000_000, "t"), (LOCAL, "2.B.8.a", "methanol", 800_000, "t"),
            (LOCAL, "1.A.1.a", "raw_coal", 5_000_000, "t"), (LOCAL, "1.A.4.b", "raw_coal", 10_000, "t")]
    r = _compile(rows, [""] * 4)
    assert r.cross_sector == []
    r = _compile(rows + [(LOCAL, "1.A.1.c", "raw_coal", 1_000, "t")], [""] * 5)
    (flag,) = r.cross_sector
    assert flag["combustion_categories"] == ["1.A.1.c"] and "原料煤重复计算" in flag["message"]
