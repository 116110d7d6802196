"""Small builders shared by the inventory tests."""

import pandas as pd

from carbon.factors.library import load_library
from carbon.inventory.engine import CompileOptions, compile_activity


def activity(rows, year=2022):
    """rows: (region, category, item, quantity, unit[, year])"""
    recs = [dict(region=r[0], category=r[1], item=r[2], quantity=float(r[3]), unit=r[4], year=r[5] if len(r) > 5 else year)
            for r in rows]
    df = pd.DataFrame(recs)
    df["row"] = range(2, len(df) + 2)
    return df


def compile_rows(rows, year=2022, gwp_set="AR5", library=None, profile="IPCC2006", **kw):
    """Compile with ``library``, else the bundled library under ``profile``: IPCC2006 by default here (not the
    service's CN default), because the hand-worked numbers of the tests use the IPCC 2006 tables."""
    return compile_activity(activity(rows, year), library or load_library(profile=profile),
                            CompileOptions(year=year, gwp_set=gwp_set, **kw))


def value(result, region, category, gas, column="mass_t"):
    t = result.by_category()
    sel = t[(t["region"] == region) & (t["category"] == category) & (t["gas"] == gas)]
    assert len(sel) == 1, (region, category, gas, t)
    return float(sel[column].iloc[0])
