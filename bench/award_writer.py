"""The 碳普惠 award writer alone (carbon/puhui/award_batch.py): CPU per claim by batch size, no HTTP.

    .venv/bin/python -m bench.award_writer --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    options: --claims 3000 --submitters 1,3,8,16 --lanes 2

``--submitters`` tasks each submit claims one after the other (bus trips of distinct residents, each with its own
Idempotency-Key) to one ``AwardWriter`` on a scratch database (created on the server given, dropped at the end);
claims that wait together share a batch, so N submitters make batches of about N. Per setting it prints the
average batch, the writer process's CPU per claim and per batch, and the wall time per claim; the PostgreSQL
server's CPU is not counted. What bench/points_api.py measures through HTTP minus what a bare endpoint costs is
roughly this plus the award route's validation: use this one to see what a change to the writer does, as the HTTP
bench's figures drift with the machine (on this VM by tens of percent within a minute). Every claim must be
awarded (201); nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bench.points_api import scratch_database
from carbon.core import migrate
from carbon.core.db import make_engine, session_scope, utcnow
from carbon.puhui import service
from carbon.puhui.award_batch import AwardRequest, AwardWriter
from carbon.puhui.wechat import Code2Session

SECRET = "bench-secret"
WARM_UP = 50  # claims per submitter before measuring: connect, prepare the statements, warm up


async def measure(factory, tokens: list[str], numbers, claims: int, submitters: int, lanes: int) -> str:
    """``numbers``: an iterator shared by all settings, so that every claim has its own key, trip and turn."""
    writer = AwardWriter(factory, secret=SECRET, lanes=lanes, check_evidence=False)  # invented trips: the ledger alone
    when = utcnow() - timedelta(hours=1)

    async def submitter(count: int) -> None:
        for _ in range(count):
            n = next(numbers)
            claim = service.Claim(type="bus", quantity=Decimal(8), unit="km", occurred_at=when, operator="bench-bus",
                                  trip_id=f"trip-{n}")
            outcome = await writer.submit(AwardRequest(token=tokens[n % len(tokens)], claim=claim,
                                                       fingerprint={"n": n}, idempotency_key=f"key-{n}",
                                                       route="POST /puhui/behaviours"))
            if outcome.status != 201:
                raise AssertionError(f"claim {n}: {outcome.status} {outcome.body}")

    try:
        each = max(1, claims // submitters)
        await asyncio.gather(*(submitter(min(each, WARM_UP)) for _ in range(submitters)))
        batches, cpu, wall = writer.batches, time.process_time(), time.perf_counter()
        await asyncio.gather(*(submitter(each) for _ in range(submitters)))
        cpu, wall, batches = time.process_time() - cpu, time.perf_counter() - wall, writer.batches - batches
    finally:
        await writer.close()
    done = each * submitters
    return (f"submitters {submitters:>3}  batch {done / batches:5.1f} claims  CPU {cpu / done * 1000:.3f} ms/claim, "
            f"{cpu / batches * 1000:.3f} ms/batch  wall {wall / done * 1000:.3f} ms/claim  "
            f"fallbacks {writer.fallbacks}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgres", required=True,
                   help="a PostgreSQL server URL; a scratch database is created and dropped on it (the batched "
                        "writer is PostgreSQL's; SQLite decides claim by claim)")
    p.add_argument("--claims", type=int, default=3000, help="claims per setting")
    p.add_argument("--submitters", default="1,3,8,16", help="comma-separated numbers of concurrent submitters")
    p.add_argument("--lanes", type=int, default=2, help="batches at once (award_batch.LANES)")
    args = p.parse_args(argv)
    settings = [int(n) for n in args.submitters.split(",")]
    if not (0 < args.claims <= 100_000 and all(0 < n <= 256 for n in settings) and 0 < args.lanes <= 8):
        p.error("bounds: claims 1..100000, submitters 1..256, lanes 1..8")

    tmp = Path(tempfile.mkdtemp(prefix="carbon-bench-"))
    url, drop = scratch_database(args.postgres, tmp)
    engine = make_engine(url)
    try:
        migrate.upgrade(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        # residents enough that none reaches the bus cap (6 trips a day): every claim earns, as in the HTTP bench
        total = sum(args.claims + WARM_UP * n for n in settings)
        with session_scope(factory) as session:
            tokens = [service.login(session, identity=Code2Session(openid=f"bench{i}"), secret=SECRET)[0]
                      for i in range(max(total // 5, max(settings)))]
        print(f"writer   {args.lanes} lane(s), PostgreSQL, {args.claims} claims per setting, {len(tokens)} residents")
        numbers = iter(range(total))
        for submitters in settings:
            print(asyncio.run(measure(factory, tokens, numbers, args.claims, submitters, args.lanes)))
        return 0
    finally:
        engine.dispose()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
