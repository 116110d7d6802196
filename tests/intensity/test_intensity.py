"""Intensity calculators: ratios of sums (examples.md I-4), the numerator, price bases."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.core.errors import ValidationError
from carbon.intensity.intensity import NUMERATORS, emissions_from_results, intensity_table, ratio_of_sums

A, B = "150621", "150622"  # 达拉特旗, 准格尔旗


def economy(rows):
    return pd.DataFrame(rows, columns=["region", "year", "gdp_10k_cny", "price_base_year", "energy_tce"])


def test_i4_city_intensity_is_a_ratio_of_sums():
    # examples.md I-4: A emits 10,000,000 t with GDP 1.0e7 万元 (1.0 t/万元); B 2,000,000 t with 5.0e6 万元
    # (0.4 t/万元). City = 12,000,000 / 1.5e7 = 0.8 t/万元, not the mean of the ratios (0.7).
    em = pd.DataFrame({"region": [A, B], "year": [2022, 2022], "co2_t": [10_000_000.0, 2_000_000.0]})
    econ = economy([(A, 2022, 1.0e7, 2020, None), (B, 2022, 5.0e6, 2020, None)])
    table = intensity_table(em, econ, year=2022).set_index("region")
    assert table.at[A, "intensity_t_per_10k_cny"] == pytest.approx(1.0)
    assert table.at[B, "intensity_t_per_10k_cny"] == pytest.approx(0.4)
    assert table.at["150600", "intensity_t_per_10k_cny"] == pytest.approx(0.8)
    assert table.at["150600", "intensity_t_per_10k_cny"] != pytest.approx(0.7)
    assert "ratio of sums" in table.at["150600", "note"]
    assert set(table["numerator"]) == {"energy_co2"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(1e3, 1e8), st.floats(1e3, 1e8)), min_size=2, max_size=9))
def test_rollup_equals_total_over_total_for_any_banners(pairs):
    codes = ["150602", "150603", "150621", "150622", "150623", "150624", "150625", "150626", "150627"][:len(pairs)]
    em = pd.DataFrame({"region": codes, "year": 2022, "co2_t": [p[0] for p in pairs]})
    econ = economy([(c, 2022, p[1], 2020, None) for c, p in zip(codes, pairs)])
    city = intensity_table(em, econ, year=2022).set_index("region").at["150600", "intensity_t_per_10k_cny"]
    assert city == pytest.approx(sum(p[0] for p in pairs) / sum(p[1] for p in pairs), rel=1e-9)
    assert city == pytest.approx(ratio_of_sums([p[0] for p in pairs], [p[1] for p in pairs]), rel=1e-12)


def test_city_rows_given_are_used_and_said():
    em = pd.DataFrame({"region": [A, B, "150600"], "year": 2022, "co2_t": [10.0, 2.0, 13.0]})
    econ = economy([(A, 2022, 10.0, 2020, 4.0), (B, 2022, 5.0, 2020, 1.0), ("150600", 2022, 16.0, 2020, 6.0)])
    city = intensity_table(em, econ, year=2022).set_index("region").loc["150600"]
    assert city["intensity_t_per_10k_cny"] == pytest.approx(13 / 16)
    assert city["energy_intensity_tce_per_10k_cny"] == pytest.approx(6 / 16)
    assert "city's own total" in city["note"] and "banners sum to 93.8%" in city["note"]  # 15/16


def test_change_against_the_base_year():
    # A: 2020 100 t / 100 万元 = 1.0; 2022 99 t / 110 万元 = 0.9 -> −10 %. B: 50/50 = 1.0 -> 60/50 = 1.2 -> +20 %.
    # City: 2020 150/150 = 1.0; 2022 159/160 = 0.99375 -> −0.625 %.
    em = pd.DataFrame({"region": [A, B, A, B], "year": [2020, 2020, 2022, 2022], "co2_t": [100.0, 50, 99, 60]})
    econ = economy([(A, 2020, 100.0, 2020, None), (B, 2020, 50.0, 2020, None),
                    (A, 2022, 110.0, 2020, None), (B, 2022, 50.0, 2020, None)])
    t = intensity_table(em, econ, year=2022, base_year=2020).set_index("region")
    assert t.at[A, "change_vs_base_pct"] == pytest.approx(-10.0)
    assert t.at[B, "change_vs_base_pct"] == pytest.approx(20.0)
    assert t.at["150600", "change_vs_base_pct"] == pytest.approx(-0.625)


def test_gdp_at_different_price_bases_is_refused():
    em = pd.DataFrame({"region": [A, A], "year": [2020, 2022], "co2_t": [1.0, 1.0]})
    econ = economy([(A, 2020, 1.0, 2020, None), (A, 2022, 1.2, 2022, None)])  # current prices each year
    with pytest.raises(ValidationError, match="several years") as exc:
        intensity_table(em, econ, year=2022, base_year=2020)
    assert exc.value.field == "price_base_year"


RESULTS = pd.DataFrame([
    # region, year, sector, category, gas, co2e_t, memo
    (A, 2022, "energy", "1.A.1.a", "CO2", 1000.0, False),
    (A, 2022, "energy", "1.A.1.a", "CH4", 28.0, False),
    (A, 2022, "energy", "1.B.1.a.i", "CH4", 280.0, False),
    (A, 2022, "ippu", "2.A.1", "CO2", 500.0, False),
    (A, 2022, "lulucf", "3.B.1.a", "CO2", -300.0, False),
    (A, 2022, "memo", "M.biomass_CO2", "CO2", 70.0, True),
    (A, 2022, "memo", "M.electricity", "CO2", -200.0, True),
    (A, 2022, "energy", "1.A.3", "", float("nan"), False),  # a notation-key row: no figure
], columns=["region", "year", "sector", "category", "gas", "co2e_t", "memo"])


@pytest.mark.parametrize("key, expected", [
    ("energy_co2", 1000.0),  # energy CO2 only: no CH4, no memo, no IPPU
    ("energy_co2_net_electricity", 800.0),  # + the electricity memo (−200: an exporter)
    ("energy_ippu_co2", 1500.0),
    ("ghg_excl_lulucf", 1808.0),  # 1000 + 28 + 280 + 500
    ("ghg_net", 1508.0),  # − 300 sink
])
def test_numerators_count_what_they_say(key, expected):
    out = emissions_from_results(RESULTS, NUMERATORS[key])
    assert out["co2_t"].tolist() == [pytest.approx(expected)]


def test_memo_read_from_csv_text_is_still_excluded():
    as_text = RESULTS.assign(memo=RESULTS["memo"].map({True: "True", False: "False"}))
    assert emissions_from_results(as_text, NUMERATORS["energy_co2"])["co2_t"].iloc[0] == pytest.approx(1000.0)
