"""Completeness: every catalogue category without sub-categories appears in every compiled result, with a figure
or a notation key and a reason (IPCC 2006 Vol 1 Ch 8 Table 8.1)."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon.core.regions import CITY_CODE
from carbon.factors.library import load_library
from carbon.inventory.catalog import load_catalog
from carbon.inventory.completeness import AUTO, complete
from carbon.inventory.engine import CompileOptions, compile_activity
from carbon.inventory.io import results_table, validate_activity

CATALOG = load_catalog()
LIB = load_library(profile="IPCC2006")
REPORTING = {c.code for c in CATALOG.reporting_categories()}
# linear rows that compile on their own (no history, no facility), as users write them
POOL = [
    ("达拉特旗", "1.A.1.a", "原煤", "1000", "t"), ("准格尔旗", "1.A.2", "焦炭", "50", "t"),
    ("东胜区", "1.A.3", "汽油", "200", "t"), ("准格尔旗", "1.B.1.a.ii", "原煤", "100000", "t"),
    ("鄂托克旗", "2.A.1", "熟料", "5000", "t"), ("杭锦旗", "3.A.1", "绵羊", "3", "万只"),
    ("乌审旗", "1.B.2.a", "原油", "NO", ""), ("伊金霍洛旗", "2.C.2", "硅铁(75%Si)", "1000", "t"),
]


def compile_pool(rows):
    raw = pd.DataFrame({"region": [r[0] for r in rows], "year": "2022", "category": [r[1] for r in rows],
                        "item": [r[2] for r in rows], "quantity": [r[3] for r in rows], "unit": [r[4] for r in rows],
                        "note": ["no oil" if r[3] == "NO" else "" for r in rows]})
    return compile_activity(validate_activity(raw), LIB, CompileOptions(year=2022))


def test_reporting_categories_are_the_childless_ones():
    assert "4.A" in REPORTING and "1.B.1.a.i.1" in REPORTING and "3.B.2" in REPORTING
    assert "1.A" not in REPORTING and "1.B.1.a.i" not in REPORTING  # headings and parents of leaves
    assert len(REPORTING) == sum(1 for c in CATALOG.categories if not CATALOG.children(c))


def test_complete_adds_ne_with_a_reason_and_keeps_the_users_keys():
    detail = pd.DataFrame({"region": ["150621"], "category": ["1.A.1.a"]})
    notation = pd.DataFrame([("150622", "1.B.2.a", "crude_oil", "NO", "no oil")],
                            columns=["region", "category", "item", "notation", "note"])
    out = complete(detail, notation, CATALOG)
    key = {(r, c): (k, n) for r, c, k, n in zip(out.region, out.category, out.notation, out.note)}
    assert key[("150622", "1.B.2.a")] == ("NO", "no oil")  # the user's own key stands
    assert ("150621", "1.A.1.a") not in key  # a figure
    assert key[("150621", "4.A")][0] == "NE" and "no activity data" in key[("150621", "4.A")][1]
    assert "does not compute" in key[("150621", "3.B.2")][1]  # an IPCC category without a method
    assert "computed from 3.C.4" in key[("150621", "3.C.5")][1]
    assert ("150600", "1.B.2.a") not in key  # the city inherits the banner's NO (notation_rows)
    assert all(n.startswith(AUTO) for (r, c), (k, n) in key.items() if k == "NE")


def test_a_figure_or_key_at_a_parent_covers_its_sub_categories():
    detail = pd.DataFrame({"region": ["150621"], "category": ["1.B.1.a.i"]})
    notation = pd.DataFrame([("150622", "1.B.1.a.i", "raw_coal", "NO", "")],
                            columns=["region", "category", "item", "notation", "note"])
    out = complete(detail, notation, CATALOG)
    covered = set(zip(out.region, out.category))
    for leaf in ("1.B.1.a.i.1", "1.B.1.a.i.2"):
        assert ("150621", leaf) not in covered and ("150622", leaf) not in covered


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(POOL), min_size=0, max_size=6, unique=True))
def test_every_catalogue_category_appears_in_every_compiled_result(rows):
    result = compile_pool(rows)
    table = results_table(result)
    regions = {CITY_CODE} | {r for r in table.region}
    for region in regions:
        mine = table[table.region == region]
        with_figure = set(mine.loc[mine.notation.fillna("") == "", "category"])
        keyed = set(mine.loc[mine.notation.fillna("") != "", "category"])
        for code in REPORTING:
            lineage = {code, *CATALOG.ancestors(code)}
            assert lineage & (with_figure | keyed), (region, code)
        # a category has a figure or a key, never both
        assert not (with_figure & keyed), (region, with_figure & keyed)
        assert (mine.loc[mine.notation.fillna("") != "", "note"].fillna("") != "").all()  # and a reason
