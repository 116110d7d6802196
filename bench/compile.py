"""Compile throughput and memory: carbon's engine beside plain numpy doing the same arithmetic.

    .venv/bin/python bench/compile.py [--sizes 10000 100000 1000000] [--pg URL]

For each size N, a synthetic activity table of N records (energy combustion by sector × fuel, coal
mining, across the 10 regions, several units) is compiled:
- core: `compile_activity` (factor resolution with pint per combination, vectorised magnitudes,
  GWP weighting, two-tier roll-up), records/s and peak traced memory;
- numpy baseline: the same arithmetic (AD × unit × NCV × CC × OF × 44/12, CH4 and N2O from NCV × EF,
  mining CH4) on pre-resolved integer codes with per-key factor arrays and np.bincount.
With --pg (or CARBON_BENCH_PG_URL; THAT DATABASE IS WIPED), bench/load.py: the store load of the same
rows beside a bare psycopg COPY into an identical scratch table.
Targets (issue 2): core >= 1,000,000 records/s and <= 3x the numpy baseline; load <= 3x COPY.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np
import pandas as pd

from carbon.core.regions import BANNER_CODES, CITY_CODE
from carbon.factors.library import load_library
from carbon.inventory.engine import CompileOptions, compile_activity

FUELS = ["raw_coal", "cleaned_coal", "coke", "diesel", "gasoline", "fuel_oil", "lpg", "kerosene"]
SECTORS = ["1.A.1.a", "1.A.1.b", "1.A.1.c", "1.A.2", "1.A.3", "1.A.4.a", "1.A.4.b", "1.A.4.c"]
UNITS = {"t": 1.0, "万t": 1e4, "kg": 1e-3}
REGIONS = BANNER_CODES  # banner-level data; the city is their roll-up


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    combos = [(c, f) for c in SECTORS for f in FUELS] + [("1.B.1.a.i", "raw_coal"), ("1.B.1.a.ii", "raw_coal")]
    k = rng.integers(0, len(combos), n)
    cats = np.array([c for c, _ in combos], dtype=object)[k]
    items = np.array([f for _, f in combos], dtype=object)[k]
    unit_names = np.array(list(UNITS), dtype=object)[rng.integers(0, len(UNITS), n)]
    return pd.DataFrame({
        "region": pd.Categorical(np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), n)]),
        "year": np.full(n, 2022),
        "category": pd.Categorical(cats),
        "item": pd.Categorical(items),
        "quantity": rng.uniform(0, 1e4, n),
        "unit": pd.Categorical(unit_names),
        "row": np.arange(2, n + 2),
    })


def numpy_baseline(df: pd.DataFrame, lib) -> tuple[np.ndarray, float]:
    """The same arithmetic on pre-resolved codes: what a hand-written numpy loop would do."""
    cats = df["category"].cat.categories
    items = df["item"].cat.categories
    units_ = df["unit"].cat.categories
    cc_, ic_, uc_ = (df[c].cat.codes.to_numpy() for c in ("category", "item", "unit"))
    rc_ = df["region"].cat.codes.to_numpy()
    # factor arrays per (category, item), resolved once (outside the timed part, as a baseline would)
    shape = (len(cats), len(items))
    ncv, cc, of, ch4, n2o, mining = (np.zeros(shape) for _ in range(6))
    for a, c in enumerate(cats):
        for b, i in enumerate(items):
            if c.startswith("1.B"):
                if i == "raw_coal":
                    m = lib.resolve("ch4_mining", c, i).value + lib.resolve("ch4_post_mining", c, i).value
                    mining[a, b] = m * lib.resolve("ch4_density", c, i).value / 1000  # t CH4 per t coal
                continue
            r = lib.resolve("ncv", c, i, dims=("energy/mass",))
            if r is None:
                continue
            ncv[a, b] = r.value / 1000  # TJ per t
            cc[a, b] = lib.resolve("carbon_content", c, i).quantity().to("t/TJ").magnitude
            of[a, b] = lib.resolve("oxidation", c, i).value
            ch4[a, b] = lib.resolve("ef_CH4", c, i).quantity().to("t/TJ").magnitude
            n2o[a, b] = lib.resolve("ef_N2O", c, i).quantity().to("t/TJ").magnitude
    umult = np.array([UNITS[u] for u in units_])
    gwp_ch4, gwp_n2o = 28.0, 265.0
    start = time.perf_counter()
    q = df["quantity"].to_numpy() * umult[uc_]
    energy = q * ncv[cc_, ic_]
    co2 = energy * cc[cc_, ic_] * of[cc_, ic_] * (44 / 12)
    ch4_t = energy * ch4[cc_, ic_] + q * mining[cc_, ic_]
    n2o_t = energy * n2o[cc_, ic_]
    key = (rc_.astype(np.int64) * len(cats) + cc_) * len(items) + ic_
    nkeys = len(REGIONS) * len(cats) * len(items)
    co2e = (np.bincount(key, co2, nkeys) + gwp_ch4 * np.bincount(key, ch4_t, nkeys) + gwp_n2o * np.bincount(key, n2o_t, nkeys))
    elapsed = time.perf_counter() - start
    return co2e, elapsed


def measure(fn):
    """(result, seconds, peak traced bytes): timed without tracing, then run again under tracemalloc
    (tracing slows allocation-heavy Python several-fold, so it must not be inside the timing)."""
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, elapsed, peak


def bench_compile(sizes: list[int]) -> None:
    opts = CompileOptions(year=2022, gwp_set="AR5")
    print(f"{'records':>10} {'cold rec/s':>12} {'core rec/s':>14} {'core s':>8} {'core peak MB':>13} {'numpy rec/s':>14} {'numpy s':>8} "
          f"{'numpy peak MB':>14} {'core/numpy':>10} {'total diff':>11}")
    for n in sizes:
        df = synthetic(n)
        lib = load_library()  # a new library object: its factor resolution and coefficient caches start cold
        _, t_cold, _ = measure(lambda: compile_activity(df, lib, opts))
        res, t_core, peak_core = measure(lambda: compile_activity(df, lib, opts))
        (base, t_np_inner), t_np, peak_np = measure(lambda: numpy_baseline(df, lib))
        core_total = res.detail[(res.detail.region == CITY_CODE) & ~res.detail.memo]["co2e_t"].sum()
        diff = abs(core_total - base.sum()) / base.sum()
        print(f"{n:>10,} {n / t_cold:>12,.0f} {n / t_core:>14,.0f} {t_core:>8.3f} {peak_core / 2**20:>13.1f} {n / t_np_inner:>14,.0f} {t_np_inner:>8.3f} "
              f"{peak_np / 2**20:>14.1f} {t_core / t_np_inner:>10.2f} {diff:>11.1e}")
    print("cold: first compile with a new library (factor resolution and pint unit algebra per combination); core: the"
          " same compile again (warm caches), which is what the numpy baseline is compared with. numpy times only the"
          " arithmetic on pre-resolved factor arrays, per record; core groups records per (category, item, region, unit,"
          " year) with one hash pass, sums activity per group, then applies the factors per group (the same sum by"
          " distributivity; 'total diff' is the relative difference of the two city totals), and adds GWP weighting and"
          " the city roll-up.")


def bench_load(sizes: list[int], url: str) -> None:
    from bench.load import run as run_load  # noqa: PLC0415

    run_load(sizes, url)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--pg", default=os.environ.get("CARBON_BENCH_PG_URL"))
    args = ap.parse_args()
    bench_compile(args.sizes)
    if args.pg:
        bench_load(args.sizes, args.pg)
    else:
        print("store load vs COPY: pass --pg postgresql+psycopg://postgres@127.0.0.1:5432/test")


if __name__ == "__main__":
    main()
