"""The 碳普惠 award route alone, in-process: CPU per request of the route with and without its fast path, no HTTP.

    .venv/bin/python -m bench.award_route                    # options: --requests 10000 --rounds 2

Drives ``bench.points_api.bench_app`` (the real app with its two bare endpoints, in the same place in the route
table) through ASGI calls on one event loop, one request at a time, on a scratch SQLite file. The award writer is
stubbed out (``AwardWriter.submit`` returns a fixed 201 outcome), so what is measured is the route: matching,
reading the body and headers, validation, building the claim, the response. Four phases, in rounds:

- ``bare-first``: the same bare endpoint first in the route table (what walking the table to the 碳普惠 routes costs);
- ``bare-async``: ``POST /bench/bare-async`` (an ``async def`` taking the same JSON body as a dict);
- ``award``: ``POST /api/v1/puhui/behaviours`` as it runs, a plain claim answered by its fast path (api/fast_route.py);
- ``award-standard``: the same request with the fast path declining, so FastAPI's standard handler answers it.

Prints process CPU per request for each phase and the ratios. bench/points_api.py measures the whole endpoint over
HTTP (writer, PostgreSQL and all); bench/award_writer.py the writer alone. Nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BODY = json.dumps({"type": "bus", "quantity": 8, "unit": "km",
                   "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                   "evidence": {"operator": "bench-bus", "trip_id": "trip-1"}}).encode()


def scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000), "state": {},
            "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                        (b"content-length", str(len(BODY)).encode()), *headers]}


async def call(app, request_scope: dict) -> int:
    """One request through the ASGI app; its status."""
    sent = False
    status = 0

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": BODY, "more_body": False}
        await asyncio.Event().wait()  # no disconnect while the app runs
        return {}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(request_scope, receive, send)
    return status


async def measure(requests: int, rounds: int) -> None:
    from api.routes import puhui
    from bench.points_api import bench_app
    from carbon.puhui import service
    from carbon.puhui.award_batch import AwardWriter

    outcome = service.Outcome(201, {"id": 1, "reduction_g": 215, "points": 215,
                                    "methodology": {"code": "bus", "version": 1}, "capped": False, "cap_reason": None,
                                    "calculation": {"quantity": "8", "unit": "km"}})

    async def submit(self, request):  # the writer stubbed out: the route alone is measured
        return outcome

    async def declined(request):
        return None

    AwardWriter.submit = submit
    fast = puhui.BehaviourRoute.fast
    app = bench_app()

    @app.post("/bench/bare-first")
    async def bare_first(body: dict) -> dict:  # /bench/bare-async again, matched first in the route table
        return {"ok": True}

    app.router.routes.insert(0, app.router.routes.pop())
    award_headers = [(b"authorization", b"Bearer " + b"t" * 43), (b"idempotency-key", b"bench-key-1")]
    bare_headers = [(b"authorization", b"Bearer x")]
    phases = {"bare-first": ("/bench/bare-first", bare_headers, fast),
              "bare-async": ("/bench/bare-async", bare_headers, fast),
              "award": ("/api/v1/puhui/behaviours", award_headers, fast),
              "award-standard": ("/api/v1/puhui/behaviours", award_headers, declined)}
    cpu: dict[str, list[float]] = {name: [] for name in phases}
    async with app.router.lifespan_context(app):
        for _ in range(rounds):
            for name, (path, headers, fast_path) in phases.items():
                puhui.BehaviourRoute.fast = fast_path
                request_scope = scope(path, headers)
                for _ in range(min(500, requests)):  # warm up
                    await call(app, dict(request_scope))
                start = time.process_time()
                for _ in range(requests):
                    status = await call(app, dict(request_scope))
                cpu[name].append((time.process_time() - start) / requests * 1e6)
                if status not in (200, 201):
                    raise SystemExit(f"{name}: status {status}")
    puhui.BehaviourRoute.fast = fast
    best = {name: min(values) for name, values in cpu.items()}
    for name, values in cpu.items():
        print(f"{name:<15} CPU per request {' '.join(f'{v:6.1f}' for v in values)} us (best {best[name]:.1f})")
    print(f"ratio    award / bare-async = {best['award'] / best['bare-async']:.2f}; award-standard / bare-async = "
          f"{best['award-standard'] / best['bare-async']:.2f}; the fast path saves "
          f"{best['award-standard'] - best['award']:.0f} us a request")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=10_000, help="requests per phase and round")
    p.add_argument("--rounds", type=int, default=2, help="rounds of the four phases (the best round is compared)")
    args = p.parse_args(argv)
    if not (0 < args.requests <= 1_000_000 and 0 < args.rounds <= 20):
        p.error("bounds: requests 1..1000000, rounds 1..20")
    tmp = Path(tempfile.mkdtemp(prefix="carbon-bench-"))
    try:
        url = f"sqlite:///{tmp / 'bench.db'}"
        os.environ.update(CARBON_DATABASE_URL=url, CARBON_PUHUI_DEV_LOGIN="1", CARBON_PUHUI_OPENID_SECRET="bench",
                          CARBON_PUHUI_RATE_USER_PER_MINUTE="1000000000", CARBON_PUHUI_RATE_IP_PER_MINUTE="1000000000")
        from carbon.core import migrate

        migrate.upgrade(url)
        asyncio.run(measure(args.requests, args.rounds))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
