"""Aggregation invariants of the engine (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from carbon.core.regions import BANNER_CODES, CITY_CODE
from carbon.factors.library import load_library
from carbon.inventory.engine import CompileOptions, compile_activity

LIB = load_library()
ROWS = st.tuples(
    st.sampled_from(BANNER_CODES + [CITY_CODE]),
    st.sampled_from([("1.A.1.a", "raw_coal", "t"), ("1.A.1.a", "raw_coal", "万t"), ("1.A.2", "coke", "t"),
                     ("1.A.4.b", "natural_gas", "万m3"), ("1.A.3", "diesel", "tce"), ("1.B.1.a.ii", "raw_coal", "万t"),
                     ("1.A.4.b", "straw", "t"), ("M.electricity", "electricity_export", "MWh")]),
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
)


def frame(rows):
    return pd.DataFrame({
        "region": [r[0] for r in rows], "year": 2022, "category": [r[1][0] for r in rows], "item": [r[1][1] for r in rows],
        "quantity": [r[2] for r in rows], "unit": [r[1][2] for r in rows], "row": range(2, len(rows) + 2),
    })


def run(df):
    return compile_activity(df, LIB, CompileOptions(year=2022, gwp_set="AR5")).by_category()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROWS, min_size=1, max_size=30), seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_does_not_change_results(rows, seed):
    df = frame(rows)
    shuffled = df.sample(frac=1, random_state=np.random.RandomState(seed)).reset_index(drop=True)
    a, b = run(df), run(shuffled)
    pd.testing.assert_frame_equal(a[["region", "category", "gas"]], b[["region", "category", "gas"]])
    np.testing.assert_allclose(a["mass_t"], b["mass_t"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a["co2e_t"], b["co2e_t"], rtol=1e-9, atol=1e-9)
    assert list(a["factor_refs"]) == list(b["factor_refs"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROWS, min_size=1, max_size=30))
def test_city_is_sum_of_banners_plus_city_only_rows(rows):
    df = frame(rows)
    res = compile_activity(df, LIB, CompileOptions(year=2022, gwp_set="AR5"))
    detail = res.detail
    banners = detail[detail["region"] != CITY_CODE]
    city = detail[detail["region"] == CITY_CODE]
    is_city = (df["region"] == CITY_CODE).to_numpy()
    banner_keys = set(zip(df["category"][~is_city], df["item"][~is_city]))
    overlap = np.array([(c, i) in banner_keys for c, i in zip(df["category"], df["item"])], dtype=bool)
    city_only_input = df[is_city & ~overlap]
    parts = [banners]
    if len(city_only_input):
        parts.append(compile_activity(city_only_input, LIB, CompileOptions(year=2022, gwp_set="AR5")).detail)
    expected = pd.concat(parts).assign(region=CITY_CODE).groupby(["category", "gas"])["co2e_t"].sum()
    got = city.groupby(["category", "gas"])["co2e_t"].sum()
    pd.testing.assert_index_equal(got.index, expected.index)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-6)
    # every city-level row that a banner also reports is listed as a possible double count
    reported = {(d["category"], d["item"]) for d in res.double_counts}
    reported |= {(c.rsplit(".", 1)[0], i) for c, i in reported}  # coal mining results sit in sub-categories
    assert set(zip(df["category"][is_city & overlap], df["item"][is_city & overlap])) <= reported


# two banners with measured values of their own: their coefficients differ from the other regions', which share
LOCAL = ("category,item,parameter,value,unit,region,year,source\n"
         f"1.A,原煤,ncv,25.1,GJ/t,{BANNER_CODES[0]},,test\n"
         f"1.A.1,原煤,oxidation,0.91,dimensionless,{BANNER_CODES[1]},,test\n").encode()


def _regional_library():
    from carbon.inventory.io import read_local_factors

    return LIB.with_local(*read_local_factors(LOCAL, "local.csv"))  # a new library: its own coefficient cache


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROWS, min_size=1, max_size=30))
def test_regions_share_coefficients_only_where_they_resolve_alike(rows):
    """One compile of every region (the engine caches a coefficient per combination, shared by the regions without
    rows of their own) gives each region what it gets compiled alone, with a cache of its own."""
    df = frame(rows)
    together = compile_activity(df, _regional_library(), CompileOptions(year=2022, gwp_set="AR5")).detail
    for region in df["region"].unique():
        if region == CITY_CODE:
            continue
        alone = compile_activity(df[df["region"] == region], _regional_library(),
                                 CompileOptions(year=2022, gwp_set="AR5")).detail
        mine = together[together["region"] == region]
        columns = ["category", "item", "gas", "mass_t", "factor_refs", "basis"]
        pd.testing.assert_frame_equal(mine[columns].reset_index(drop=True), alone[alone["region"] == region][columns]
                                      .reset_index(drop=True), check_exact=False, rtol=1e-12)
