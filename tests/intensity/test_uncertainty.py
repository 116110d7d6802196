"""Uncertainty: Approach 1 by hand, Monte Carlo reproducible with a seed, defaults resolved from the cited table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from carbon.core.errors import ValidationError
from carbon.intensity import io
from carbon.intensity.uncertainty import UncertaintyDefault, approach1, assign, combine_product, monte_carlo
from carbon.inventory.catalog import load_catalog

ROWS = pd.DataFrame({"emissions": [1000.0, 200.0, -100.0], "u_activity_pct": [3.0, 5.0, 10.0],
                     "u_factor_pct": [4.0, 12.0, 24.0]})


def test_approach1_by_hand():
    # Eq. 3.1: √(3²+4²) = 5 %; √(5²+12²) = 13 %; √(10²+24²) = 26 %.
    # Eq. 3.2: √((5×1000)² + (13×200)² + (26×100)²) / |1000 + 200 − 100|
    #        = √(25,000,000 + 6,760,000 + 6,760,000) / 1100 = √38,520,000 / 1100 = 6206.45 / 1100 = 5.6422 %
    per_row, total = approach1(ROWS)
    assert per_row["u_combined_pct"].tolist() == pytest.approx([5.0, 13.0, 26.0])
    expected = math.sqrt(38_520_000) / 1100
    assert total.u_low_pct == pytest.approx(expected) and total.u_high_pct == pytest.approx(expected)
    assert total.total == pytest.approx(1100.0)
    assert (total.low, total.high) == (pytest.approx(1100 * (1 - expected / 100)), pytest.approx(1100 * (1 + expected / 100)))
    assert per_row["variance_share"].tolist() == pytest.approx([25 / 38.52, 6.76 / 38.52, 6.76 / 38.52])


def test_combine_product_is_quadrature():
    assert combine_product(3.0, 4.0) == pytest.approx(5.0)
    assert combine_product(5.4, 0.0, 2.0) == pytest.approx(math.sqrt(5.4**2 + 4))


def test_monte_carlo_is_reproducible_with_a_seed():
    a_totals, a = monte_carlo(ROWS, draws=5000, seed=42)
    b_totals, b = monte_carlo(ROWS, draws=5000, seed=42)
    c_totals, c = monte_carlo(ROWS, draws=5000, seed=43)
    assert np.array_equal(a_totals, b_totals) and a.as_dict() == b.as_dict()
    assert not np.array_equal(a_totals, c_totals)
    assert (a.draws, a.seed, a.method) == (5000, 42, "approach2_monte_carlo")


def test_monte_carlo_agrees_with_approach1_for_small_independent_uncertainties():
    _, a1 = approach1(ROWS)
    _, mc = monte_carlo(ROWS, draws=200_000, seed=7)
    assert mc.total == pytest.approx(1100.0)
    # 5.64 % by error propagation; sampling error of a 2.5 % quantile at 200,000 draws is well under 0.2 points
    assert mc.u_low_pct == pytest.approx(a1.u_low_pct, abs=0.25)
    assert mc.u_high_pct == pytest.approx(a1.u_high_pct, abs=0.25)


def test_shared_factor_draws_widen_the_interval():
    # Two equal sources with the same factor row: independent draws give √2 × 10 %·500 / 1000 = 7.07 %, one shared
    # draw gives 10 % (fully correlated): Approach 1 cannot see this, Approach 2 does.
    rows = pd.DataFrame({"emissions": [500.0, 500.0], "u_activity_pct": [0.0, 0.0], "u_factor_pct": [10.0, 10.0]})
    _, independent = monte_carlo(rows, draws=100_000, seed=1)
    _, shared = monte_carlo(rows.assign(factor_group=["coal", "coal"]), draws=100_000, seed=1)
    assert independent.u_high_pct == pytest.approx(10 / math.sqrt(2), abs=0.2)
    assert shared.u_high_pct == pytest.approx(10.0, abs=0.2)


def test_large_uncertainties_draw_lognormal_never_negative():
    rows = pd.DataFrame({"emissions": [100.0], "u_activity_pct": [0.0], "u_factor_pct": [150.0]})
    totals, mc = monte_carlo(rows, draws=50_000, seed=3)
    assert totals.min() > 0
    assert totals.mean() == pytest.approx(100.0, rel=0.03)  # mean preserved
    assert mc.u_high_pct > mc.u_low_pct  # right-skewed


def test_bad_inputs_are_refused():
    with pytest.raises(ValidationError):
        approach1(ROWS.assign(u_factor_pct=[1.0, -1.0, 2.0]))
    with pytest.raises(ValidationError):
        monte_carlo(ROWS, draws=10)


DEFAULTS = [
    UncertaintyDefault("*", "*", "*", 20, 50, "s", "catch-all"),
    UncertaintyDefault("1.A", "CO2", "*", 5, 7, "s", "1.A CO2"),
    UncertaintyDefault("1.A", "CO2", "raw_coal", 5, 5.4, "s", "1.A CO2 raw coal"),
    UncertaintyDefault("1.A.1", "CO2", "*", 2, 7, "s", "1.A.1 CO2"),
]


def test_defaults_resolve_most_specific_and_library_overrides_factor():
    rows = pd.DataFrame({"category": ["1.A.1.a", "1.A.2", "1.A.2", "3.A.1", "1.A.2"],
                         "item": ["raw_coal", "raw_coal", "diesel", "sheep", "coke"],
                         "gas": ["CO2", "CO2", "CO2", "CH4", "CO2"],
                         "co2e_t": [1.0, 1.0, 1.0, 1.0, 1.0],
                         "factor_refs": ["cc@v1;of@v1", "cc@v1", "x@v1", "", "ncv@v1;cc2@v1"]})
    out = assign(rows, DEFAULTS, {"ncv@v1": 3.0, "cc2@v1": 4.0})
    # 1.A.1.a raw coal: the longer scope 1.A.1 wins over the item-specific 1.A row
    assert out["u_source"].tolist()[:4] == ["1.A.1 CO2", "1.A CO2 raw coal", "1.A CO2", "catch-all"]
    assert out["u_factor_pct"].tolist()[:4] == [7, 5.4, 7, 50]
    # coke: both factor rows carry uncertainty -> √(3² + 4²) = 5 %, activity still from the default
    assert out["u_factor_pct"].iloc[4] == pytest.approx(5.0) and out["u_activity_pct"].iloc[4] == 5
    assert out["factor_group"].iloc[0] == out["factor_group"].iloc[0] and out["factor_group"].iloc[1] != out["factor_group"].iloc[0]


def test_the_cited_default_table_loads_and_covers_every_category_and_gas():
    table = io.load_uncertainty_defaults()
    assert table.files == ("ipcc2006_defaults_v1.csv",)
    assert all(r.source and r.source_table for r in table.rows)
    catalog = load_catalog()
    rows = [(c.code, "*", g) for c in catalog.leaf_categories() if not c.memo for g in c.gases]
    frame = pd.DataFrame(rows, columns=["category", "item", "gas"]).assign(co2e_t=1.0, factor_refs="")
    out = assign(frame, list(table.rows), {})
    # every energy-combustion CO2 row gets an IPCC-cited range, not the catch-all project default
    combustion = out[out["category"].str.startswith("1.A") & (out["gas"] == "CO2")]
    assert len(combustion) and not combustion["u_source"].str.contains("conservative project default").any()
