"""Benchmark: the console's results page of the bundled sample: server time to render it, and the bytes a browser
transfers for it gzip-compressed (the HTML, its CSS and JS, Apache ECharts included). Targets: < 300 ms, < 1 MB.

    .venv/bin/python bench/web.py [--repeat 20]

Builds a throwaway SQLite store with the sample (2022 city inventory compiled), signs a bureau token in through
the form, then times ``GET /console/inventories/{id}/results`` (and the sector, category and "why this number"
pages) in process (TestClient: the app's own time, no network), after one warm-up, and prints best and median.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from api.main import create_app  # noqa: E402
from carbon.core import migrate  # noqa: E402
from carbon.core.auth import create_token  # noqa: E402
from carbon.core.db import make_engine, session_scope  # noqa: E402
from carbon.core.settings import Settings  # noqa: E402
from carbon.sample import load_sample  # noqa: E402


def build(url: str) -> tuple[int, str]:
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as s:
        inventory_id = load_sample(s, label="synthetic sample")
        token = create_token(s, "bureau", "bench")
    engine.dispose()
    return inventory_id, token


def timed(client: TestClient, url: str, repeat: int) -> list[float]:
    assert client.get(url).status_code == 200, url  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def transferred(client: TestClient, url: str) -> tuple[int, int, list[tuple[str, int, int]]]:
    """(gzip bytes, raw bytes, per file) of the page and every same-site script and stylesheet it loads."""
    page = client.get(url, headers={"Accept-Encoding": "gzip"})
    files = [(url, page)]
    for asset in re.findall(r'(?:src|href)="(/console-static/[^"]+\.(?:js|css))"', page.text):
        files.append((asset, client.get(asset, headers={"Accept-Encoding": "gzip"})))
    rows = [(name, r.num_bytes_downloaded, len(r.content)) for name, r in files]
    return sum(r[1] for r in rows), sum(r[2] for r in rows), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        inventory_id, token = build(url)
        with TestClient(create_app(Settings(database_url=url))) as client:
            form = client.get("/console/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
            assert client.post("/console/login", data={"csrf": csrf, "token": token},
                               follow_redirects=False).status_code == 303
            base = f"/console/inventories/{inventory_id}"
            pages = {"results (city)": f"{base}/results", "results (energy)": f"{base}/results?sector=energy",
                     "results (1.A.1.a by banner)": f"{base}/results?category=1.A.1.a",
                     "why (达拉特旗 1.A.1.a)": f"{base}/explain?region=150621&category=1.A.1.a",
                     "why (city energy, 400+ terms)": f"{base}/explain?sector=energy"}
            print(f"server time per page, {args.repeat} runs after a warm-up (target for the results page: < 300 ms)")
            for name, page in pages.items():
                times = timed(client, page, args.repeat)
                print(f"  {name:32s} best {min(times) * 1000:7.1f} ms   median {statistics.median(times) * 1000:7.1f} ms")
            gz, raw, rows = transferred(client, f"{base}/results")
            print("transferred for the results page (gzip; target < 1 MB):")
            for name, g, r in rows:
                print(f"  {name:48s} {g / 1024:8.1f} KiB  (uncompressed {r / 1024:8.1f} KiB)")
            print(f"  {'total':48s} {gz / 1024:8.1f} KiB  (uncompressed {raw / 1024:8.1f} KiB)")


if __name__ == "__main__":
    main()
