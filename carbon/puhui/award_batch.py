"""Group commit for the award hot path (``POST /behaviours``): claims that arrive together share one transaction.

Why. Measured with bench/points_api.py on PostgreSQL: one award per transaction cost ~6 ms of server CPU, four
times a bare endpoint, and little of it in the database. It went on per-statement and per-transaction work in the
Python stack (pool checkout and ping, five statements through SQLAlchemy and psycopg, commit) and on handing each
request between the event loop and worker threads, which also made every round trip wait for the GIL.

How. ``AwardWriter`` lives in the API process's event loop. The endpoint hands it a claim and awaits the answer;
the writer takes everything queued (at most ``max_batch``) and, on PostgreSQL, runs ONE transaction for it on a
connection of its own, in two network round trips. Each round trip is one simple query of several statements, the
heavy ones prepared once per connection and run by name (``EXECUTE``), parameters quoted on the client, sent and read
straight through libpq (carbon/core/pg_simple_query.py). Measured per batch: psycopg's pipeline mode, used first,
cost three times the client CPU of its client-side cursor (1.1 ms against 0.37 ms); the cursor in turn made the
whole batch cost 0.90 ms of CPU for 3 claims and 1.57 ms for 8, against 0.72 ms and 1.29 ms now (alternated in
one process).

1. ``BEGIN``; authenticate every token and lock every resident in id order (one statement; two batches, or a batch
   and a redemption, cannot deadlock: everyone else locks one resident at a time); then one statement that
   reads, for every claim, what ``service._award_snapshot`` reads for one (methodology in force, earlier claims
   of the period, accounts and balances, the Idempotency-Key), whether its operator trip is claimed already,
   and draws the journal's and the behaviour's ids from their sequences. It runs after the locks are granted,
   so it sees every commit made before;
2. in Python: the rate-limit hook per resident (after authentication, as before), then ``service.plan_award``
   per claim (the same function as the single path);
3. one statement inserts every journal, posting, behaviour and key (rows passed as JSON), and ``COMMIT``. Only
   then are the answers handed out.

Two batches run at once (``LANES``), each on its own connection, so one batch's round trips overlap the next
one's work, and a batch that waits for a resident locked elsewhere does not hold up everyone else's. A token is
never in two running batches: that resident's next claim waits for the running one.

Same rules as one transaction per claim, because no two claims of one resident are decided in one batch: a
resident's second claim (a retry, or another behaviour sent at once) waits for the next batch, so it sees the
first one's key, caps and balance exactly as if it had waited for the row lock. A claim that breaks a rule gets
its error and the others go on. Anything that fails the batch as a whole (a resident's lock held elsewhere past
``residents.LOCK_WAIT_MS``, a trip claimed by another process between the read and the insert, a lost connection)
rolls it back, and its claims run one by one through the single path (``service.record_behaviour`` in a worker
thread), so each gets the answer it would have had alone and nothing is half-written. A claim whose type has no
methodology takes the single path too (for its error message).

The writer's connections are its own (not from the pool): ``lock_timeout`` is set on each once, and if one breaks,
the batch falls back as above and the next batch on that lane reconnects. SQLite (one writer, one lane): the batch
is one transaction too, in a worker thread, each claim through the single path in its own savepoint, so a claim
that fails is rolled back alone and a resident's claims run in order; one commit for all.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from carbon.core.db import session_scope, utcnow
from carbon.core.errors import CarbonError, Unauthorized
from carbon.core.pg_simple_query import SimpleQuery
from carbon.puhui import residents, rules, service
from carbon.puhui.claims import evidence_check_default
from carbon.puhui.ledger import ISSUANCE, REDUCTION_ISSUANCE
from carbon.puhui.models import PuhuiBehaviour, PuhuiIdempotencyKey, PuhuiJournal, PuhuiPosting
from carbon.puhui.privacy import trip_ref
from carbon.puhui.ratelimit import MemoryLimiter, RedisLimiter, refusal

log = logging.getLogger(__name__)

MAX_BATCH = 64
LANES = 2  # batches running at once on PostgreSQL, each on its own connection


@dataclass
class AwardRequest:
    """One claim as the API hands it over. ``limits`` gives, for the resident's id, the rate limits the claim counts
    against, as (key, limit) pairs; once the token is known the writer counts them (``count_limits``: a whole batch
    in one limiter call) and a claim over a limit gets RateLimited. A request is counted once: a claim that a failed
    batch hands to the single path is neither counted twice nor let through after a refusal."""

    token: str | None
    claim: service.Claim
    fingerprint: Any
    idempotency_key: str | None
    route: str
    limits: Callable[[int], list[tuple[str, int]]] | None = None
    _limit_outcome: tuple[int, BaseException | None] | None = None  # (resident, refusal or None) once counted

    def check_limit(self, user_id: int) -> None:
        """Raise the refusal counted for this request, if it was refused."""
        if self._limit_outcome is not None and self._limit_outcome[0] == user_id and self._limit_outcome[1]:
            raise self._limit_outcome[1]


def _uncounted(limiter, admitted: list[tuple[AwardRequest, int]]) -> tuple[list, list, list]:
    """The requests of ``admitted`` (request, resident) not counted yet, their checks, and all checks in one list."""
    if limiter is None:
        return [], [], []
    todo = [(r, user_id) for r, user_id in admitted
            if r.limits is not None and (r._limit_outcome is None or r._limit_outcome[0] != user_id)]
    checks = [r.limits(user_id) for r, user_id in todo]
    return todo, checks, [check for each in checks for check in each]


def _record(todo: list[tuple[AwardRequest, int]], checks: list, decisions: list) -> None:
    decided = iter(decisions)
    for (r, user_id), each in zip(todo, checks, strict=True):
        r._limit_outcome = (user_id, refusal(each, [next(decided) for _ in each]))


def count_limits(limiter: MemoryLimiter | RedisLimiter | None, admitted: list[tuple[AwardRequest, int]]) -> None:
    """Count every request of ``admitted`` (request, resident) not counted yet, in one ``hit_many`` call."""
    todo, checks, flat = _uncounted(limiter, admitted)
    if todo:
        _record(todo, checks, limiter.hit_many(flat))


async def count_limits_async(limiter: MemoryLimiter | RedisLimiter | None,
                             admitted: list[tuple[AwardRequest, int]]) -> None:
    """``count_limits`` on an event loop: waiting for Redis, the loop serves other requests and batches."""
    todo, checks, flat = _uncounted(limiter, admitted)
    if todo:
        _record(todo, checks, await limiter.hit_many_async(flat))


_SINGLE = object()  # a result meaning: decide this claim through the single path


class OutcomeUnknown(CarbonError):
    """The connection broke after a batch's writes and COMMIT were sent: they may or may not have been saved. A
    claim with an Idempotency-Key is simply decided again (a saved one replays); one without cannot be, safely."""

    code = "outcome_unknown"
    status = 503


@dataclass
class _Lane:
    """One of the writer's PostgreSQL connections and the state of the batch it runs."""

    conn: Any = None
    platform: str = ""  # the platform's source accounts, 'key|id|;...' (PLATFORM_SQL), read once per connection
    wire: SimpleQuery | None = None  # several statements in one round trip on conn
    writes_sent: bool = False  # the current batch's INSERT and COMMIT have been sent on the connection


class AwardWriter:
    """The award writer of one event loop. ``await submit(request)``: the Outcome, or the error the single path
    would have raised.

    On PostgreSQL up to ``lanes`` batches run at once, each on its own connection: while one batch waits for the
    database, the next is read and decided. A token is never in two running batches, so a resident's claims are
    still decided in the order they arrived; two tokens of one resident meet at the resident's row lock."""

    def __init__(self, factory: sessionmaker[Session], *, secret: str,
                 limiter: MemoryLimiter | RedisLimiter | None = None, max_batch: int = MAX_BATCH, lanes: int = LANES,
                 check_evidence: bool | None = None):
        self._factory = factory
        self._secret = secret
        # issue 17: evidence matched with operator records (operators.py); None: the setting (on by default)
        self._check_evidence = evidence_check_default() if check_evidence is None else check_evidence
        self._limiter = limiter  # counts each request's ``limits`` (None: no rate limits)
        self._max_batch = max_batch
        engine = factory.kw["bind"]
        self._conninfo = (engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                          if engine.dialect.name == "postgresql" else None)
        # SQLite has one writer: one batch at a time
        self._lanes = [_Lane() for _ in range(lanes if self._conninfo is not None else 1)]
        self._pending: deque[tuple[AwardRequest, asyncio.Future]] = deque()  # not yet in a batch, oldest first
        self._wake = asyncio.Event()  # set on a new claim, at the end of a batch and at close()
        self.loop = asyncio.get_running_loop()
        self._stopping = False
        self._task = self.loop.create_task(self._run(), name="puhui-award-writer")
        self.batches = 0  # counters for the bench and the tests
        self.fallbacks = 0

    async def submit(self, request: AwardRequest) -> service.Outcome:
        if self._stopping or self._task.done():
            raise RuntimeError("the award writer is stopped")
        future = self.loop.create_future()
        self._pending.append((request, future))
        self._wake.set()
        return await future

    async def close(self) -> None:
        """Decide what is queued, then stop."""
        self._stopping = True
        self._wake.set()
        await self._task
        for lane in self._lanes:
            await self._disconnect(lane)

    # --- the task ----------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        free = list(self._lanes)
        running: dict[asyncio.Task, frozenset[str]] = {}  # batch -> its tokens

        def finished(task: asyncio.Task, lane: _Lane, batch: list) -> None:
            del running[task]
            free.append(lane)
            if task.cancelled() or task.exception() is not None:  # never leave a caller waiting for ever
                exc = task.exception() if not task.cancelled() else RuntimeError("award batch cancelled")
                log.error("award writer: batch failed", exc_info=exc)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                self._pending.extendleft(reversed(task.result()))  # residents' second claims go first
            self._wake.set()

        while True:
            self._wake.clear()
            while free and self._pending:
                busy = frozenset().union(*running.values())
                batch = self._take(busy)
                if not batch:
                    break
                lane = free.pop()  # the lane used last: its connection is warm
                task = self.loop.create_task(self._process(batch, lane))
                running[task] = frozenset(r.token for r, _ in batch if r.token)
                task.add_done_callback(partial(finished, lane=lane, batch=batch))
            if self._stopping and not self._pending and not running:
                return
            await self._wake.wait()

    def _take(self, busy: frozenset[str]) -> list[tuple[AwardRequest, asyncio.Future]]:
        """The next batch: the oldest claims, at most ``max_batch``, none with a token of a running batch."""
        batch, rest = [], deque()
        while self._pending:
            item = self._pending.popleft()
            if len(batch) < self._max_batch and item[0].token not in busy:
                batch.append(item)
            else:
                rest.append(item)
        self._pending = rest
        return batch

    async def _process(self, batch: list[tuple[AwardRequest, asyncio.Future]], lane: _Lane) -> list:
        """Decide ``batch`` on ``lane``; returns what is deferred to the next one."""
        requests = [r for r, _ in batch]
        results: list = [_SINGLE] * len(batch)
        deferred: list = []
        if self._conninfo is not None:
            try:
                results, later = await self._batch(requests, lane)
                deferred = [batch[i] for i in later]
                self.batches += 1
            except Exception:  # noqa: BLE001 - rolled back as a whole: the claims go one by one
                log.warning("award batch of %d failed; deciding its claims one by one", len(batch), exc_info=True)
                self.fallbacks += 1
                unknown = lane.writes_sent and (lane.conn is None or lane.conn.broken)
                await self._disconnect(lane)
                results = [_SINGLE if r.idempotency_key is not None or not unknown
                           else OutcomeUnknown(key="puhui_outcome_unknown") for r in requests]
        else:  # SQLite: one transaction for the batch too, each claim in its own savepoint, in a worker thread
            try:
                results = await asyncio.to_thread(self._in_savepoints, requests)
                self.batches += 1
            except Exception:  # noqa: BLE001 - e.g. the commit failed: nothing was saved; one by one
                log.warning("award batch of %d failed; deciding its claims one by one", len(batch), exc_info=True)
                self.fallbacks += 1
                results = [_SINGLE] * len(batch)
        for (request, future), result in zip(batch, results, strict=True):
            if result is _SINGLE:
                result = await asyncio.to_thread(self._one, request)
            if result is not None and not future.done():
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
        return deferred

    def _one(self, request: AwardRequest) -> service.Outcome | BaseException:
        """The single path: one transaction for one claim (a worker thread)."""
        try:
            with session_scope(self._factory) as session:
                return self._decide_one(session, request)
        except Exception as exc:  # noqa: BLE001 - handed to the caller
            return exc

    def _in_savepoints(self, requests: list[AwardRequest]) -> list[service.Outcome | BaseException]:
        """The single path for each claim in its own savepoint of one transaction, committed once (SQLite: one
        writer, so one commit for the batch instead of one per claim; a resident's claims run in order)."""
        results: list[service.Outcome | BaseException] = []
        with session_scope(self._factory) as session:
            for request in requests:
                try:
                    with session.begin_nested():
                        results.append(self._decide_one(session, request))
                except Exception as exc:  # noqa: BLE001 - this claim's savepoint is rolled back; the others go on
                    results.append(exc)
        return results

    def _decide_one(self, session: Session, request: AwardRequest) -> service.Outcome:
        user_id = service.authenticate_and_lock(session, request.token)
        count_limits(self._limiter, [(request, user_id)])
        request.check_limit(user_id)
        return service.record_behaviour(session, user_id=user_id, claim=request.claim, secret=self._secret,
                                        idempotency_key=request.idempotency_key, fingerprint=request.fingerprint,
                                        route=request.route, locked=True, check_evidence=self._check_evidence)

    async def _connection(self, lane: _Lane) -> SimpleQuery:
        """The lane's connection, connecting first if needed: the statements are prepared once per connection."""
        if lane.conn is None or lane.conn.closed:
            import psycopg
            from psycopg.rows import namedtuple_row

            conn = await psycopg.AsyncConnection.connect(
                self._conninfo, options=f"-c lock_timeout={residents.LOCK_WAIT_MS}", row_factory=namedtuple_row,
                autocommit=True)  # the batch's own BEGIN and COMMIT travel with its statements
            for statement in _STATEMENTS:
                await conn.execute(statement.prepare)
            found = await (await conn.execute(PLATFORM_SQL, {"issuance": ISSUANCE,
                                                             "reduction_issuance": REDUCTION_ISSUANCE})).fetchone()
            lane.platform, lane.conn, lane.wire = found.accounts or "", conn, SimpleQuery(conn)
        return lane.wire

    @staticmethod
    async def _disconnect(lane: _Lane) -> None:
        if lane.conn is not None:
            try:
                await lane.conn.close()
            finally:
                lane.conn = None

    async def _batch(self, requests: list[AwardRequest], lane: _Lane) -> tuple[list, list[int]]:
        lane.writes_sent = False
        wire = await self._connection(lane)
        now = utcnow()
        claims = prepare(requests, secret=self._secret)
        hashes = sorted({c["token_hash"] for c in claims if c["token_hash"]})
        # round trip 1: BEGIN, lock, read (one simple query: each statement sees what committed before it ran)
        _, lock_rows, rows = await wire.run(b"BEGIN; " + LOCK.execute(wire.literal, hashes=hashes, now=now) + b"; "
                                            + SNAPSHOT.execute(wire.literal, claims=_dumps(claims), now=now))
        locked = {row.id for row in lock_rows}
        admitted = [(requests[i], rows[i].user_id) for i in admit(requests, rows, locked)[2]]
        await count_limits_async(self._limiter, admitted)  # one limiter call; Redis is awaited, not blocked on
        results, later, writes = decide(requests, rows, locked, secret=self._secret, now=now,
                                        check_evidence=self._check_evidence,
                                        platform_accounts=lane.platform)
        # round trip 2: write and COMMIT (a failing INSERT skips the COMMIT; the caller drops the connection)
        lane.writes_sent = writes is not None
        await wire.run(WRITE.execute(wire.literal, **writes) + b"; COMMIT" if writes is not None else b"COMMIT")
        return results, later


# --- the statements (PostgreSQL) ------------------------------------------------------------------------------------

LOCK_SQL = """
    SELECT u.id FROM (SELECT DISTINCT s.user_id
                      FROM unnest(CAST(%(hashes)s AS varchar[])) AS h(token_hash)
                      CROSS JOIN LATERAL (SELECT s0.user_id FROM puhui_sessions s0
                                          WHERE s0.token_hash = h.token_hash AND s0.expires_at > %(now)s LIMIT 1) s
                      ORDER BY s.user_id) AS ids
    CROSS JOIN LATERAL (SELECT u0.id FROM puhui_users u0 WHERE u0.id = ids.user_id AND u0.erased_at IS NULL
                        FOR UPDATE) u"""
"""Authenticate and lock, in id order: the nested loop walks the residents' ids sorted and locks each in turn.
Written so that no statistics can make the planner scan a whole table: each token and each resident is an index
lookup in a LATERAL subquery (``s.token_hash = ANY(...)`` and ``u.id = ANY(...)`` were planned as sequential
scans of small tables, 1 ms for 1,500 residents, against 0.1 ms); in SNAPSHOT_SQL likewise every lookup is a
LATERAL subquery with LIMIT, never a join the planner could turn into a hash join over a table (it did, estimating
100 claims per batch)."""

SNAPSHOT_SQL = f"""
    SELECT {", ".join(f"m.{c}" for c in service.METHOD_COLUMNS)}, m.id,
        (SELECT string_agg(CAST(b.local_date AS varchar) || '|' || b.eligible_quantity, ';') FROM puhui_behaviours b
         WHERE b.user_id = s.user_id AND b.code = v.code AND b.local_date >= v.first AND b.local_date <= v.last
        ) AS earlier,
        (SELECT string_agg(a.key || '|' || CAST(a.id AS varchar) || '|' || coalesce(CAST(
                (SELECT p.balance_after FROM puhui_postings p WHERE p.account_id = a.id ORDER BY p.id DESC LIMIT 1)
                AS varchar), ''), ';')
         FROM puhui_accounts a WHERE a.user_id = s.user_id) AS accounts,
        v.i, s.user_id, k.route, k.request_hash, k.status_code, k.response, t.taken AS trip_taken,
        nextval(pg_get_serial_sequence('puhui_journals', 'id')) AS new_journal_id,
        nextval(pg_get_serial_sequence('puhui_behaviours', 'id')) AS new_behaviour_id
    FROM json_to_recordset(CAST(%(claims)s AS json))
         AS v(i integer, token_hash varchar, code varchar, day date, first date, last date, key varchar,
              trip_ref varchar)
    LEFT JOIN LATERAL (SELECT s0.user_id FROM puhui_sessions s0
                       WHERE s0.token_hash = v.token_hash AND s0.expires_at > %(now)s LIMIT 1) s ON true
    LEFT JOIN LATERAL (SELECT * FROM puhui_methodologies m0 WHERE m0.code = v.code AND m0.valid_from <= v.day
                       ORDER BY m0.version DESC LIMIT 1) m ON true
    LEFT JOIN LATERAL (SELECT k0.route, k0.request_hash, k0.status_code, k0.response FROM puhui_idempotency_keys k0
                       WHERE k0.user_id = s.user_id AND k0.key = v.key LIMIT 1) k ON true
    LEFT JOIN LATERAL (SELECT true AS taken FROM puhui_behaviours t0 WHERE t0.trip_ref = v.trip_ref LIMIT 1) t ON true
    ORDER BY v.i"""
"""Everything the awards read, for every claim of the batch (run after LOCK_SQL, in the same transaction). The
resident's two accounts come with their latest balance; the platform's two source accounts, which are never
checked against zero (``service.TRACKED``) and never change, are read once per connection (PLATFORM_SQL)."""

PLATFORM_SQL = "SELECT string_agg(key || '|' || CAST(id AS varchar) || '|', ';') AS accounts FROM puhui_accounts " \
               "WHERE key IN (%(issuance)s, %(reduction_issuance)s)"

_JOURNAL_COLUMNS = ("id", "kind", "reference", "created_at")
_POSTING_COLUMNS = ("journal_id", "account_id", "amount", "balance_after", "created_at")
_BEHAVIOUR_COLUMNS = ("id", *service.BEHAVIOUR_COLUMNS, "journal_id")
_KEY_COLUMNS = ("user_id", "key", "route", "request_hash", "status_code", "response", "created_at")
_TABLES: tuple[tuple[Table, str, tuple[str, ...]], ...] = (
    (PuhuiJournal.__table__, "journals", _JOURNAL_COLUMNS), (PuhuiPosting.__table__, "postings", _POSTING_COLUMNS),
    (PuhuiBehaviour.__table__, "behaviours", _BEHAVIOUR_COLUMNS),
    (PuhuiIdempotencyKey.__table__, "keys", _KEY_COLUMNS))


def _write_sql() -> str:
    """Every row of the batch in one statement: per table one ``INSERT ... SELECT`` from a JSON array of rows typed
    by the table itself (``json_populate_recordset``), chained as data-modifying CTEs (the foreign keys are checked
    at the end of the statement, when every row exists)."""
    parts = []
    for table, name, columns in _TABLES:
        cols = ", ".join(columns)
        parts.append(f"INSERT INTO {table.name} ({cols}) SELECT {cols} "
                     f"FROM json_populate_recordset(NULL::{table.name}, CAST(%({name})s AS json))")
    ctes = ",\n".join(f"w{n} AS ({sql})" for n, sql in enumerate(parts[:-1]))
    return f"WITH {ctes}\n{parts[-1]}"


WRITE_SQL = _write_sql()


@dataclass(frozen=True)
class _Prepared:
    """A statement prepared once per connection (``prepare``) and run by name (``execute``: the SQL's named
    parameters quoted on the client, so that several statements travel in one simple query). The server plans it as
    it plans any prepared statement, as psycopg's own automatic preparation did."""

    name: str
    sql: str
    params: tuple[tuple[str, str], ...]  # (parameter, PostgreSQL type), in order

    @property
    def prepare(self) -> str:
        sql = self.sql
        for n, (param, _) in enumerate(self.params, 1):
            sql = sql.replace(f"%({param})s", f"${n}")
        return f"PREPARE {self.name} ({', '.join(t for _, t in self.params)}) AS {sql}"

    def execute(self, literal: Callable[[Any], bytes], **values: Any) -> bytes:
        """``EXECUTE`` with ``values`` (one per parameter, by name) quoted by ``literal``."""
        if values.keys() != {p for p, _ in self.params}:
            raise TypeError(f"{self.name} takes {', '.join(p for p, _ in self.params)}; got {', '.join(values)}")
        return b"EXECUTE %s (%s)" % (self.name.encode(), b", ".join(literal(values[p]) for p, _ in self.params))


LOCK = _Prepared("puhui_award_lock", LOCK_SQL, (("hashes", "varchar[]"), ("now", "timestamptz")))
SNAPSHOT = _Prepared("puhui_award_snapshot", SNAPSHOT_SQL, (("claims", "json"), ("now", "timestamptz")))
WRITE = _Prepared("puhui_award_write", WRITE_SQL, tuple((name, "json") for _, name, _ in _TABLES))
_STATEMENTS = (LOCK, SNAPSHOT, WRITE)


def _dumps(value: Any) -> str:
    """JSON for the statements' parameters: dates and datetimes as ISO 8601 (pydantic-core's encoder, several
    times faster than the standard library's with a ``default`` hook)."""
    return to_json(value).decode()


# --- deciding a batch (pure: no database) ---------------------------------------------------------------------------

def prepare(requests: list[AwardRequest], *, secret: str) -> list[dict]:
    """SNAPSHOT_SQL's input rows, one per request (no day when ``occurred_at`` is unusable: ``decide`` reports it
    after authentication, in the single path's order)."""
    claims = []
    for i, request in enumerate(requests):
        token_hash = service.hash_token(request.token) if request.token else None
        claim = request.claim
        has_evidence = bool(claim.operator and claim.trip_id)
        row = {"i": i, "token_hash": token_hash, "code": claim.type, "day": None, "first": None, "last": None,
               "key": request.idempotency_key,
               "trip_ref": trip_ref(secret, claim.operator, claim.trip_id) if has_evidence else None}
        try:
            day = rules.local_date(claim.occurred_at)
        except CarbonError:
            pass
        else:
            first = day.replace(day=1)
            row.update(day=day, first=first, last=(first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        claims.append(row)
    return claims


@dataclass
class _Writes:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for _, name, _ in _TABLES})

    def add(self, plan: service.PlannedAward, *, journal_id: int, behaviour_id: int, now: datetime) -> None:
        plan.body["id"] = behaviour_id
        if plan.journal is not None:
            self.rows["journals"].append({"id": journal_id, "kind": plan.journal.kind,
                                          "reference": plan.journal.reference, "created_at": now})
            self.rows["postings"] += [{**p, "journal_id": journal_id, "created_at": now} for p in plan.postings]
        self.rows["behaviours"].append({**plan.behaviour, "id": behaviour_id,
                                        "journal_id": journal_id if plan.journal is not None else None})
        if plan.key is not None:
            self.rows["keys"].append({**plan.key, "response": plan.body})

    def params(self) -> dict[str, str] | None:
        if not self.rows["behaviours"]:
            return None
        return {name: _dumps(rows) for name, rows in self.rows.items()}


def admit(requests: list[AwardRequest], rows: list[Any], locked: set[int]) -> tuple[list, list[int], list[int]]:
    """Which requests a batch decides: (results, with a 401 for each unknown, expired or erased token; the indexes
    deferred to the next batch, each a resident's second claim; the indexes decided now, one per resident)."""
    results: list = [None] * len(requests)
    later: list[int] = []
    admitted: list[int] = []
    users: set[int] = set()
    for i, (request, row) in enumerate(zip(requests, rows, strict=True)):
        user_id = row.user_id
        if user_id is None or user_id not in locked or not request.token:
            results[i] = Unauthorized(key="puhui_token_missing" if not request.token else "puhui_session_invalid")
        elif user_id in users:
            later.append(i)
        else:
            users.add(user_id)
            admitted.append(i)
    return results, later, admitted


def decide(requests: list[AwardRequest], rows: list[Any], locked: set[int], *, secret: str, now: datetime,
           platform_accounts: str, check_evidence: bool = False) -> tuple[list, list[int], dict | None]:
    """Each request's result (an Outcome, the error to raise, ``_SINGLE``, or None when deferred), the indexes
    deferred to the next batch, and the write statement's parameters (None: nothing to write).

    ``rows``: SNAPSHOT_SQL's rows (namedtuples, one per request, in order); ``locked``: the residents LOCK_SQL
    locked (a token whose resident is not among them is unknown, expired or erased); ``platform_accounts``:
    PLATFORM_SQL's ``key|id|;...``, added to each row's accounts. A request refused by its rate limits gets the
    RateLimited that ``count_limits`` recorded on it (the writer counts the batch's limits before it decides).
    ``check_evidence``: a claim with evidence or WeRun data goes to the single path (it reads operator records
    there); the others are self-reported claims, decided here with the policy's lower cap."""
    results, later, admitted = admit(requests, rows, locked)
    trips: set[str] = set()
    writes = _Writes()
    for i in admitted:
        request, row = requests[i], rows[i]
        user_id = row.user_id
        try:
            request.check_limit(user_id)
            claim = request.claim
            rules.local_date(claim.occurred_at)  # raises the 422 for an unusable time, as the single path does
            digest = service.request_hash(request.fingerprint if request.fingerprint is not None else claim.__dict__)
            if row.route is not None:  # the Idempotency-Key was used before (route, request_hash, status, response)
                results[i] = service.stored_outcome(row, request.route, digest)
                continue
            if row.id is None:  # no methodology of this type in force on that day: the single path words the 422
                results[i] = _SINGLE
                continue
            if check_evidence and ((claim.operator and claim.trip_id) or claim.werun is not None):
                results[i] = _SINGLE
                continue
            row = row._replace(accounts=f"{row.accounts or ''};{platform_accounts}")
            plan = service.plan_award(row, user_id=user_id, claim=claim, secret=secret, digest=digest,
                                      idempotency_key=request.idempotency_key, route=request.route, now=now,
                                      check_evidence=check_evidence)
            ref = plan.behaviour["trip_ref"]
            if ref is not None and (row.trip_taken or ref in trips):
                raise service.conflict("duplicate_trip", key="puhui_duplicate_trip", field="evidence.trip_id")
        except CarbonError as exc:
            results[i] = exc
            continue
        if ref is not None:
            trips.add(ref)
        writes.add(plan, journal_id=row.new_journal_id, behaviour_id=row.new_behaviour_id, now=now)
        results[i] = service.Outcome(201, plan.body)
    return results, later, writes.params()

