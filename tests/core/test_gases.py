"""GWP-100 sets and CO2e as a pure function that refuses missing values."""

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from carbon.core.errors import GWPError, ValidationError
from carbon.core.gases import GWP_FILE, GWP_SETS, canonical_gas, co2e, family_of, gwp, gwp_table, load_gwp_table

# Spot values from ../shared/reference/gwp.md, one per set, so that a mislabelled set
# (CityCatalyst PR #1624: AR5 values labelled AR6) is caught.
SPOT = {
    ("CH4", "SAR"): 21, ("CH4", "AR4"): 25, ("CH4", "AR5"): 28, ("CH4", "AR6"): 27.9,
    ("N2O", "SAR"): 310, ("N2O", "AR4"): 298, ("N2O", "AR5"): 265, ("N2O", "AR6"): 273,
    ("HFC-23", "SAR"): 11700, ("HFC-23", "AR6"): 14600, ("HFC-134a", "AR4"): 1430,
    ("CF4", "AR5"): 6630, ("C2F6", "AR4"): 12200, ("SF6", "AR6"): 25200, ("NF3", "AR5"): 16100,
    ("HFC-143a", "AR6"): 5810, ("HFC-125", "SAR"): 2800, ("HFC-32", "AR5"): 677,
}


@pytest.mark.parametrize("key, value", SPOT.items())
def test_spot_values(key, value):
    assert gwp(*key) == value


@pytest.mark.parametrize("spelling", ["HFC-134a", "HFC134a", "hfc-134a", "HFC 134a"])
def test_hyphens_optional(spelling):
    assert canonical_gas(spelling) == "HFC-134a"


def test_required_species_present_in_every_later_set():
    required = ["CO2", "CH4", "N2O", "SF6", "NF3", "HFC-23", "HFC-32", "HFC-125", "HFC-134a", "HFC-143a",
                "HFC-152a", "HFC-227ea", "HFC-236fa", "HFC-245fa", "CF4", "C2F6", "C3F8", "c-C4F8"]
    for sp in required:
        for s in ("AR4", "AR5", "AR6"):
            assert gwp(sp, s) > 0
    assert family_of("c-C4F8") == "PFCs" and family_of("HFC-23") == "HFCs"


def test_sar_nf3_is_an_error_never_nan_or_zero():
    with pytest.raises(GWPError, match="NF3 has no GWP-100 value in SAR"):
        co2e([1.0, 2.0], ["CO2", "NF3"], "SAR")


def test_ar6_methane_split_is_explicit():
    assert co2e([540], ["CH4"], "AR6")[0] == pytest.approx(540 * 27.9)
    assert co2e([540], ["CH4"], "AR6", ch4_ar6="split", fossil=False)[0] == pytest.approx(14580)
    assert co2e([1], ["CH4"], "AR6", ch4_ar6="split", fossil=True)[0] == pytest.approx(29.8)


def test_unknown_set_or_gas():
    with pytest.raises(ValidationError):
        co2e([1], ["CO2"], "AR7")
    with pytest.raises(ValidationError):
        co2e([1], ["XYZ"], "AR5")


@given(
    masses=st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=20),
    k=st.floats(min_value=0, max_value=1e3, allow_nan=False),
    gas=st.sampled_from(["CO2", "CH4", "N2O", "HFC-23", "CF4", "SF6", "NF3"]),
    gwp_set=st.sampled_from(["AR4", "AR5", "AR6"]),
)
def test_co2e_is_linear_in_mass(masses, k, gas, gwp_set):
    m = np.array(masses)
    lhs = co2e(k * m, [gas] * len(m), gwp_set)
    rhs = k * co2e(m, [gas] * len(m), gwp_set)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(co2e(m[:1] + m[-1:], [gas], gwp_set), co2e(m[:1], [gas], gwp_set) + co2e(m[-1:], [gas], gwp_set), rtol=1e-12)


def test_table_matches_oracle_package_where_both_define_a_value():
    """Edition v1 (read from that CSV) equals the CC0 globalwarmingpotentials CSV wherever both have a value, and has
    none the CSV lacks. Later editions add values from other sources (gwp100_v2: AR4 HFC-134/-143/-41 from AR4 Table
    2.14, which the GHG Protocol table leaves blank): those must be pairs the CSV lacks, never a changed value."""
    gwp_pkg = pytest.importorskip("globalwarmingpotentials")
    path = Path(gwp_pkg.__file__).with_name("globalwarmingpotentials.csv")
    rows = list(csv.DictReader(line for line in path.open() if not line.startswith("#")))
    table = load_gwp_table(GWP_FILE)
    later = {k: v for k, v in gwp_table().values.items() if table.values.get(k) != v}
    assert later == {("HFC-134", "AR4"): 1100, ("HFC-143", "AR4"): 353, ("HFC-41", "AR4"): 92}
    checked = 0
    for r in rows:
        try:
            sp = table.species(r["Species"])
        except ValidationError:
            continue
        for s in GWP_SETS:
            v = r[f"{s}GWP100"].strip()
            if v and (sp, s) in table.values:
                assert table.values[(sp, s)] == float(v), (sp, s)
                checked += 1
            elif not v:
                assert (sp, s) not in table.values, f"{sp} {s}: we have a value the oracle lacks"
    assert checked > 80
