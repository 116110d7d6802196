"""The command line's speed: start-up, and `carbon compile` beside `pandas.read_csv` of the same file.

    PYTHONPATH=. .venv/bin/python bench/cli.py [--sizes 10000 100000 1000000] [--repeat 3]

Prints, each the median of --repeat runs, alternated A B A B so that machine noise falls on both:
- `carbon --help` and `carbon --version`: wall time of the whole process (target, issue 17: < 0.3 s), beside a bare
  `python -c pass` as the interpreter's own start-up;
- for each size N, a CSV of N activity rows (the bundled sample's rows repeated across the ten regions, every
  row valid): wall time of `carbon compile FILE --year 2022 --factors LOCAL --out RESULTS.csv`, and of a process that imports
  pandas and reads the same file with `pandas.read_csv` (the baseline), and their ratio (target: <= 3).
Both are whole processes, so the interpreter and the imports count on both sides. carbon's own modules are
byte-compiled first, as pip does when it installs the wheel: pandas comes byte-compiled, and in a checkout run with
PYTHONDONTWRITEBYTECODE=1 every run of carbon would compile its sources again (about 0.1 s).
- the import and compile of the smallest file, with the garbage collector paused and frozen during the import (what
  `carbon compile` does, carbon/cli_lazy.py) and with a plain import: the figure that keeps the pause in the code.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "ordos_2022_synthetic.csv"
FACTORS = ROOT / "sample_data" / "ordos_local_factors.csv"  # the coal-chemical plants' measured carbon contents
CARBON = [str(Path(sys.executable).with_name("carbon"))]


def activity_file(n: int, folder: Path) -> Path:
    """N rows of the sample's 2022 records, in the sample's columns, repeated in order."""
    sample = pd.read_csv(SAMPLE, comment="#", dtype=str, keep_default_na=False)
    sample = sample[(sample["year"] == "2022") & sample["quantity"].str.match(r"^[0-9.]+$")]
    reps = -(-n // len(sample))
    rows = pd.concat([sample] * reps, ignore_index=True).iloc[:n]
    path = folder / f"activity_{n}.csv"
    rows.to_csv(path, index=False)
    return path


# 10^6 rows are past the default input limits (200,000 rows, 20 MiB; carbon/core/input_limits.py): raised here
ENV = {**os.environ, "CARBON_INPUT_MAX_UPLOAD_BYTES": str(2**30), "CARBON_INPUT_MAX_ROWS": str(10**7),
       "CARBON_INPUT_MAX_CELLS": str(10**8)}


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, text=True, env=ENV)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def alternate(a: list[str], b: list[str], repeat: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(wall(a))
        tb.append(wall(b))
    return statistics.median(ta), statistics.median(tb)


# carbon/cli_lazy.py imports a command's modules with the garbage collector paused, then freezes them: the same
# import and compile of one file, that way and with a plain import (the figure that keeps the pause in the code)
GC_SCRIPT = """
import sys
from pathlib import Path
if sys.argv[1] == "paused":
    from carbon.cli_lazy import _import_paused
    _import_paused("carbon.inventory.commands")
from carbon.inventory.commands import compile_file
compile_file(Path(sys.argv[2]), year=2022, factors=Path(sys.argv[3]))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "carbon", quiet=1)

    bare = [sys.executable, "-c", "pass"]
    t_help, t_bare = alternate([*CARBON, "--help"], bare, args.repeat)
    t_version, _ = alternate([*CARBON, "--version"], bare, args.repeat)
    print(f"python -c pass       {t_bare:7.3f} s")
    print(f"carbon --help        {t_help:7.3f} s   (target < 0.3 s)")
    print(f"carbon --version     {t_version:7.3f} s   (target < 0.3 s)")
    print()
    print(f"{'rows':>10} {'compile s':>10} {'read_csv s':>11} {'ratio':>7}   (target ratio <= 3)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            path = activity_file(n, folder)
            out = folder / f"results_{n}.csv"
            compile_cmd = [*CARBON, "compile", str(path), "--year", "2022", "--factors", str(FACTORS), "--out", str(out)]
            read_cmd = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
            t_compile, t_read = alternate(compile_cmd, read_cmd, args.repeat)
            print(f"{n:>10,} {t_compile:10.2f} {t_read:11.2f} {t_compile / t_read:7.2f}")
        path = activity_file(args.sizes[0], folder)
        paused, plain = alternate(*([sys.executable, "-c", GC_SCRIPT, how, str(path), str(FACTORS)]
                                    for how in ("paused", "plain")), args.repeat)
        print()
        print(f"import and compile of {args.sizes[0]:,} rows, collector paused and frozen during the import "
              f"(carbon/cli_lazy.py): {paused:.2f} s, plain import: {plain:.2f} s, ratio {paused / plain:.2f}")


if __name__ == "__main__":
    main()
