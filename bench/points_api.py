"""Load on the 碳普惠 award endpoint vs a bare FastAPI endpoint, same server, same settings; then a ledger audit.

    .venv/bin/python -m bench.points_api                          # SQLite file in a temp dir
    .venv/bin/python -m bench.points_api --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    options: --requests 3000 --duration 20 --concurrency 8,16,32 --users N --workers 1 --replay-every 10
             --redis redis://127.0.0.1:6379/0 (rate limits counted in Redis, as with several API processes)

What it does:

1. Makes a scratch database (a temp SQLite file, or a new database ``carbon_bench_<pid>`` on the PostgreSQL
   server given, dropped at the end) and migrates it.
2. Starts uvicorn on 127.0.0.1 (a free port) with ``bench_app``: the real app plus two bare endpoints that parse the
   same JSON body and return a constant: ``POST /bench/bare`` (a plain ``def``: FastAPI runs it in its thread pool,
   as it runs every other endpoint of this API) and ``POST /bench/bare-async`` (an ``async def``: no thread, as the
   award endpoint now runs). Same process, same uvicorn settings, same workers, and the same place in the route table
   (the bare routes sit where the 碳普惠 routes are: FastAPI 0.16x spends microseconds per route it walks past:
   bench/award_route.py, in-process: a bare endpoint first in the table costs ~60 us of CPU a request, there ~145
   us): the only difference is what the endpoint does. The async one is the like-for-like floor for the award
   endpoint; both ratios are printed. The bare endpoints go through FastAPI's standard handler; the award endpoint
   answers plain claims through its fast path (api/fast_route.py: its JSON body, bearer token and Idempotency-Key
   read directly, not by FastAPI's per-request parameter solving), as it does in production. uvicorn runs through
   ``uvicorn_main``, which keeps TCP_NODELAY with ``--workers`` > 1 (uvicorn issue #3149: without it every response
   waited ~40 ms).
3. Logs ``--users`` residents in through the development login (by default enough that none reaches the bus cap of
   6 trips a day: a capped claim is awarded 0 points, which is less work).
4. Warms up: 200 requests to each endpoint (the award writer's first batches connect and prepare their statements).
5. Closed-loop load at each ``--concurrency`` (keep-alive connections; a minimal asyncio HTTP/1.1 client, so the
   client costs little CPU next to the server), bounded by ``--requests`` AND ``--duration`` per phase, loopback
   only: the two bare endpoints, then bus claims to ``/api/v1/puhui/behaviours``, each with its own
   Idempotency-Key and operator trip id; every ``--replay-every``-th request re-sends an earlier request byte for
   byte (a phone retrying), which must replay, not award again.
6. Prints for every load and endpoint requests/s, p50 and p99 latency, the server's CPU per request (and
   PostgreSQL's, when it runs on this machine; from /proc) and the ratios. Then each endpoint's capacity: the most
   requests/s it served at a load where its p99 stayed within 50 ms; the ratio of those is the issue's target. A
   batching endpoint needs enough requests in flight to fill its batches, a bare one is saturated by a few: at one
   fixed load, one of them would be measured below what it can serve.
7. Audits the ledger: one behaviour per distinct key that got 201 (warm-up included), one award journal each,
   every resident's balance equal to the points in their responses, ``SUM(postings) = 0`` per asset. Exit status
   1 if the audit finds a lost or duplicated award.

Targets (issue 5): award throughput >= 50 % of the bare endpoint, p99 <= 50 ms at that load, zero lost or
duplicated awards. The script prints the figures; it asserts only the ledger audit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOST = "127.0.0.1"  # loopback only: never point a load generator anywhere else
ROOT = Path(__file__).resolve().parents[1]


def bench_app():
    """The real app plus a bare endpoint (uvicorn --factory bench.points_api:bench_app)."""
    from api.main import create_app

    app = create_app()

    @app.post("/bench/bare")
    def bare(body: dict) -> dict:
        return {"ok": True}

    @app.post("/bench/bare-async")
    async def bare_async(body: dict) -> dict:
        return {"ok": True}

    # Matching a request walks the route table in order, and in FastAPI 0.16x each route passed costs microseconds:
    # the bare routes go where the 碳普惠 routes are, so that both phases pay for the same walk.
    routes = app.router.routes
    bare_routes = routes[-2:]
    del routes[-2:]
    puhui = next(i for i, route in enumerate(routes) if _is_puhui(route))
    routes[puhui:puhui] = bare_routes
    return app


def _is_puhui(route) -> bool:
    """The route (or the included router, FastAPI >= 0.16x keeps them whole) that serves ``/api/v1/puhui``."""
    router = getattr(route, "original_router", None)
    if router is not None:
        return router.prefix == "/puhui"
    return getattr(route, "path", "").startswith("/api/v1/puhui")


# --- a minimal keep-alive HTTP/1.1 client ----------------------------------------------------------------------

@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    bodies: dict[int, bytes] = field(default_factory=dict)  # request index -> response body
    elapsed: float = 0.0
    cpu: tuple[float, float] | None = None  # CPU seconds the phase cost the server and PostgreSQL (CpuMeter)
    load: int = 0  # keep-alive connections

    @property
    def p99(self) -> float:
        lat = sorted(self.latencies)
        return lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("inf")

    def line(self) -> str:
        n = len(self.latencies)
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = self.p99 * 1000 if lat else float("nan")
        cpu = ""
        if self.cpu is not None and n:
            cpu = f"  CPU per request: server {self.cpu[0] / n * 1000:.2f} ms"
            if self.cpu[1]:
                cpu += f", PostgreSQL {self.cpu[1] / n * 1000:.2f} ms"
        return (f"{self.name:<10} {n:>6} req  {n / self.elapsed:>8.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
                f"statuses {dict(sorted(self.statuses.items()))}{cpu}")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed


def request_bytes(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Content-Type: application/json",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


async def run_phase(name: str, port: int, requests: list[bytes], concurrency: int, duration: float,
                    keep_bodies: bool, meter: CpuMeter | None = None) -> Phase:
    phase = Phase(name)
    before = meter.read() if meter else None
    next_index = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal next_index
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while next_index < len(requests) and time.perf_counter() < deadline:
                i = next_index
                next_index += 1
                t0 = time.perf_counter()
                try:
                    writer.write(requests[i])
                    await writer.drain()
                    status, body = await read_response(reader)
                except (ConnectionError, asyncio.IncompleteReadError, IndexError, ValueError):
                    status, body = 599, b"{}"  # the server dropped the connection: count it, reconnect
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                phase.latencies.append(time.perf_counter() - t0)
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                if keep_bodies:
                    phase.bodies[i] = body
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.elapsed = time.perf_counter() - start
    after = meter.read() if meter else None
    if before is not None and after is not None:
        phase.cpu = (after[0] - before[0], after[1] - before[1])
    return phase


class CpuMeter:
    """CPU seconds used so far by the server (the uvicorn process and the workers it started) and, when PostgreSQL
    runs on this machine, by all its processes. Read from Linux's /proc: req/s depends on how busy the closed loop
    keeps the server, CPU per request says what a request costs (both drift with this machine's speed)."""

    def __init__(self, server_pid: int, with_database: bool):
        self.server_pid = server_pid
        self.with_database = with_database

    def read(self) -> tuple[float, float] | None:
        try:
            entries = os.listdir("/proc")
        except OSError:
            return None
        tick = os.sysconf("SC_CLK_TCK")
        parent: dict[int, int] = {}
        used: dict[int, float] = {}
        database = 0.0
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:  # the process has ended
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()  # from the state on: ppid is fields[1], utime fields[11]
            pid, seconds = int(entry), (int(fields[11]) + int(fields[12])) / tick
            parent[pid], used[pid] = int(fields[1]), seconds
            if self.with_database and comm == "postgres":
                database += seconds
        server = sum(seconds for pid, seconds in used.items() if self._descends(pid, parent))
        return server, database

    def _descends(self, pid: int, parent: dict[int, int]) -> bool:
        while pid > 1:
            if pid == self.server_pid:
                return True
            pid = parent.get(pid, 0)
        return False


# --- setup ------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def scratch_database(postgres: str | None, tmp: Path) -> tuple[str, callable]:
    if not postgres:
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"carbon_bench_{os.getpid()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(postgres).set(database=name).render_as_string(hide_password=False), drop


def start_server(url: str, port: int, workers: int, redis: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "CARBON_DATABASE_URL": url, "CARBON_PUHUI_DEV_LOGIN": "1",
           "CARBON_PUHUI_OPENID_SECRET": "bench-secret", "CARBON_PUHUI_RATE_USER_PER_MINUTE": "1000000",
           "CARBON_PUHUI_RATE_IP_PER_MINUTE": "1000000",
           "CARBON_PUHUI_EVIDENCE_CHECK": "0"}  # its bus trips are invented: measure the batched path as before
    env.pop("CARBON_PUHUI_REDIS_URL", None)
    if redis:  # the rate limiter of a multi-process deployment: counts shared through Redis
        env["CARBON_PUHUI_REDIS_URL"] = redis
    cmd = [sys.executable, "-c", "from bench.points_api import uvicorn_main; uvicorn_main()", "--factory",
           "bench.points_api:bench_app", "--host", HOST, "--port", str(port), "--workers", str(workers),
           "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    for _ in range(200):
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


def uvicorn_main() -> None:
    """uvicorn's command line (arguments from ``sys.argv``), with TCP_NODELAY on every connection of ``--workers``
    > 1 too. uvicorn binds that listening socket itself with ``proto`` 0; accepted sockets inherit it and asyncio
    sets TCP_NODELAY only when it reads IPPROTO_TCP, so every keep-alive response after the first waited ~40 ms for
    the client's delayed ACK (uvicorn issue #3149, measured here: 44 ms per request at --workers 2, 1 ms at 1)."""
    import uvicorn
    from uvicorn.config import Config

    bind = Config.bind_socket

    def bind_tcp(self):
        sock = bind(self)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock

    Config.bind_socket = bind_tcp
    uvicorn.main.main(args=sys.argv[1:], prog_name="uvicorn")


def login_all(port: int, users: int) -> list[tuple[int, str]]:
    import httpx

    out = []
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=10) as client:
        for i in range(users):
            r = client.post("/api/v1/puhui/login", json={"code": f"dev-bench{i}"})
            r.raise_for_status()
            out.append((r.json()["user_id"], r.json()["token"]))
    return out


def award_requests(users: list[tuple[int, str]], n: int, replay_every: int) -> tuple[list[bytes], list[int], list[str]]:
    """n requests; returns (bytes, user id per request, key per request). Every replay_every-th one repeats the
    request replay_every - 1 before it (same resident, same key, same body)."""
    when = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    reqs: list[bytes] = []
    owners: list[int] = []
    keys: list[str] = []
    for i in range(n):
        if replay_every and i % replay_every == replay_every - 1:
            j = i - (replay_every - 1)
            reqs.append(reqs[j])
            owners.append(owners[j])
            keys.append(keys[j])
            continue
        uid, token = users[i % len(users)]
        body = json.dumps({"type": "bus", "quantity": 8, "unit": "km", "occurred_at": when,
                           "evidence": {"operator": "bench-bus", "trip_id": f"trip-{i}"}}).encode()
        key = f"bench-{i}"
        reqs.append(request_bytes("/api/v1/puhui/behaviours", body,
                                  {"Authorization": f"Bearer {token}", "Idempotency-Key": key}))
        owners.append(uid)
        keys.append(key)
    return reqs, owners, keys


def audit(url: str, phase: Phase, owners: list[int], keys: list[str]) -> list[str]:
    """Compare the responses with the ledger. Returns the problems found (empty: no lost or duplicated award)."""
    from sqlalchemy import func, select

    from carbon.core.db import make_engine, session_scope
    from carbon.puhui import service
    from carbon.puhui.models import PuhuiAccount, PuhuiBehaviour, PuhuiJournal, PuhuiPosting

    problems: list[str] = []
    first: dict[str, dict] = {}  # key -> the response of its first 201
    expected: dict[int, int] = {}
    for i, raw in sorted(phase.bodies.items()):
        body = json.loads(raw)
        if "id" not in body:
            continue
        if keys[i] in first:
            if body != first[keys[i]]:
                problems.append(f"replay of {keys[i]} answered differently: {body} vs {first[keys[i]]}")
            continue
        first[keys[i]] = body
        expected[owners[i]] = expected.get(owners[i], 0) + body["points"]
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            behaviours = s.scalar(select(func.count()).select_from(PuhuiBehaviour))
            awards = s.scalar(select(func.count()).select_from(PuhuiJournal).where(PuhuiJournal.kind == "award"))
            ids = {b["id"] for b in first.values()}
            if behaviours != len(first) or len(ids) != len(first):
                problems.append(f"{behaviours} behaviours stored for {len(first)} distinct keys answered 201")
            if awards != sum(1 for b in first.values() if b["points"] > 0):
                problems.append(f"{awards} award journals for {len(first)} awards")
            for uid, points in expected.items():
                if service.user_balance(s, user_id=uid) != points:
                    problems.append(f"resident {uid}: ledger {service.user_balance(s, user_id=uid)} != responses {points}")
            for asset in ("points", "reduction_g"):
                total = s.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
                                 .join(PuhuiAccount, PuhuiAccount.id == PuhuiPosting.account_id)
                                 .where(PuhuiAccount.asset == asset))
                if total != 0:
                    problems.append(f"{asset} does not balance: {total}")
            print(f"ledger   {behaviours} behaviours, {awards} award journals, {len(first)} distinct keys answered 201, "
                  f"{len(phase.bodies) - len(first)} replays or errors; {len(expected)} residents checked")
    finally:
        engine.dispose()
    return problems


P99_BOUND_S = 0.050  # issue 5: p99 <= 50 ms at the load where the throughput is counted


def ratios(award: float, bare: float, bare_async: float) -> str:
    """Award requests/s against both bare endpoints' (the same line for one load and for the capacities)."""
    return (f"ratio    award / bare (def, thread pool) = {award / bare:.2f}; award / bare-async (async def, like for "
            f"like) = {award / bare_async:.2f}")


def capacity(phases: list[Phase]) -> Phase | None:
    """The phase with the most requests/s among those whose p99 is within the bound (None: none is)."""
    within = [phase for phase in phases if phase.p99 <= P99_BOUND_S]
    return max(within, key=lambda phase: phase.rate, default=None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgres", help="a PostgreSQL server URL; a scratch database is created and dropped on it")
    p.add_argument("--requests", type=int, default=3000, help="requests per phase and load (upper bound)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per phase and load (upper bound)")
    p.add_argument("--concurrency", default="8,16,32",
                   help="the loads: comma-separated numbers of keep-alive connections, each endpoint measured at each")
    p.add_argument("--users", type=int,
                   help="residents (default: enough that none reaches the bus cap of 6 trips a day)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--redis", help="count rate limits in this Redis (e.g. redis://127.0.0.1:6379/0), as a deployment "
                                   "with several API processes must; default: in-process counters")
    p.add_argument("--replay-every", type=int, default=10, help="every N-th award request is a retry (0: none)")
    args = p.parse_args(argv)
    try:
        loads = [int(n) for n in args.concurrency.split(",")]
    except ValueError:
        p.error("--concurrency: comma-separated integers, e.g. 8,16,32")
    if not (0 < args.requests <= 100_000 and 0 < args.duration <= 300 and all(0 < n <= 256 for n in loads)
            and 0 < len(loads) <= 8):
        p.error("bounds: requests 1..100000, duration 1..300 s, concurrency 1..256, at most 8 loads")
    warm_up = 200  # requests per endpoint before measuring (the writer's first batch also connects and prepares)
    users_needed = max(500, (args.requests * len(loads) + warm_up) // 5)
    if args.users is not None and args.users < users_needed:
        print(f"note     {args.users} residents for {args.requests * len(loads)} claims: some reach the daily cap "
              "and are awarded 0 points (less work than a real award)")

    from sqlalchemy.engine import make_url

    from carbon.core import migrate

    tmp = Path(tempfile.mkdtemp(prefix="carbon-bench-"))
    url, drop = scratch_database(args.postgres, tmp)
    proc = None
    try:
        migrate.upgrade(url)
        port = free_port()
        proc = start_server(url, port, args.workers, args.redis)
        users = login_all(port, args.users if args.users is not None else users_needed)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        limits = "rate limits in Redis" if args.redis else "rate limits in-process"
        print(f"server   uvicorn {args.workers} worker(s) on {HOST}:{port}, {backend}, {limits}, {len(users)} "
              f"residents; client: {', '.join(map(str, loads))} keep-alive connections, <= {args.requests} requests "
              f"and <= {args.duration:.0f} s per phase and load")

        n = args.requests
        award_reqs, owners, keys = award_requests(users, warm_up + n * len(loads), args.replay_every)
        bare_body = json.loads(award_reqs[0].split(b"\r\n\r\n", 1)[1])
        bare_reqs = [request_bytes("/bench/bare", json.dumps(bare_body).encode(), {"Authorization": "Bearer x"})
                     for _ in range(n)]
        async_reqs = [r.replace(b"POST /bench/bare ", b"POST /bench/bare-async ") for r in bare_reqs]
        meter = CpuMeter(proc.pid, with_database=bool(args.postgres)
                         and make_url(args.postgres).host in (None, "127.0.0.1", "localhost", "::1"))
        asyncio.run(run_phase("warm-up", port, bare_reqs[:warm_up] + async_reqs[:warm_up], loads[0], 5, False))
        every_award = asyncio.run(run_phase("warm-up", port, award_reqs[:warm_up], loads[0], 5, True))  # audited too
        measured: dict[str, list[Phase]] = {"bare": [], "bare-async": [], "award": []}
        for level, load in enumerate(loads):
            print(f"load     {load} connections")
            for name, reqs in (("bare", bare_reqs), ("bare-async", async_reqs),
                               ("award", award_reqs[warm_up + level * n:warm_up + (level + 1) * n])):
                phase = asyncio.run(run_phase(name, port, reqs, load, args.duration, name == "award", meter))
                phase.load = load
                measured[name].append(phase)
                every_award.bodies.update({warm_up + level * n + i: body for i, body in phase.bodies.items()})
                print(phase.line())
            print(ratios(*(measured[name][-1].rate for name in ("award", "bare", "bare-async"))))
        best = {name: capacity(phases) for name, phases in measured.items()}
        print(f"capacity the most requests/s with p99 <= {P99_BOUND_S * 1000:.0f} ms: " + "; ".join(
            f"{name} {phase.rate:.0f} req/s at {phase.load} connections (p99 {phase.p99 * 1000:.1f} ms)"
            if phase else f"{name} none" for name, phase in best.items()))
        if all(best.values()):
            print(ratios(*(best[name].rate for name in ("award", "bare", "bare-async"))) + " (target >= 0.50)")
        problems = audit(url, every_award, owners, keys)
        if problems:
            print("AUDIT FAILED:\n  " + "\n  ".join(problems[:20]))
            return 1
        print("audit    no lost or duplicated awards")
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
