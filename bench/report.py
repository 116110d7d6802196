"""Benchmark: pages per second of the sample inventory report, ours (data + templating + charts + WeasyPrint)
beside WeasyPrint alone rendering the same HTML, in one run. Target: our overhead ≤ 20 % on top of WeasyPrint.

    .venv/bin/python bench/report.py [--repeat 3]

Builds a throwaway SQLite store with the bundled synthetic sample (2022 inventory, economy, plan indicators),
then times each pipeline ``repeat`` times (after one warm-up) and prints the best and median runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carbon.core import migrate  # noqa: E402
from carbon.core.db import make_engine, session_scope  # noqa: E402
from carbon.sample import load_sample  # noqa: E402
from carbon.reporting import service as report_service  # noqa: E402
from carbon.reporting.render import TEMPLATES, html_to_pdf  # noqa: E402



def build(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        load_sample(s, label="synthetic sample")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from weasyprint import HTML

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        build(url)
        engine = make_engine(url)

        def ours() -> tuple[int, float, float]:
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                html = report_service.report_html(s, year=2022)
            t1 = time.perf_counter()
            pages = html_to_pdf(html).pages
            return pages, time.perf_counter() - t0, t1 - t0

        with session_scope(engine) as s:
            html = report_service.report_html(s, year=2022)

        def weasyprint_alone() -> tuple[int, float, float]:
            t0 = time.perf_counter()
            doc = HTML(string=html, base_url=str(TEMPLATES) + "/").render()
            doc.write_pdf()
            return len(doc.pages), time.perf_counter() - t0, 0.0

        ours()  # warm-up: fonts, caches, imports
        weasyprint_alone()
        runs_ours, runs_wp = [], []
        for _ in range(args.repeat):  # interleaved, so machine noise hits both alike
            runs_ours.append(ours())
            runs_wp.append(weasyprint_alone())
        engine.dispose()

    pages = runs_ours[0][0]
    best_o, best_w = min(r[1] for r in runs_ours), min(r[1] for r in runs_wp)
    med_o, med_w = statistics.median(r[1] for r in runs_ours), statistics.median(r[1] for r in runs_wp)
    data = statistics.median(r[2] for r in runs_ours)
    print(f"sample inventory report: {pages} pages, {args.repeat} runs each (after a warm-up)")
    print(f"  ours (data + templating + charts + WeasyPrint): best {best_o:.2f} s = {pages / best_o:.2f} pages/s; "
          f"median {med_o:.2f} s = {pages / med_o:.2f} pages/s")
    print(f"  WeasyPrint alone, same HTML:                    best {best_w:.2f} s = {pages / best_w:.2f} pages/s; "
          f"median {med_w:.2f} s = {pages / med_w:.2f} pages/s")
    print(f"  our overhead: {(med_o / med_w - 1) * 100:+.1f}% (median), {(best_o / best_w - 1) * 100:+.1f}% (best); "
          f"data + templating + charts {data:.2f} s; target <= +20%")


if __name__ == "__main__":
    main()
