"""carbon/core/pg_simple_query.py on a real PostgreSQL (skipped without CARBON_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.core.pg_simple_query import SimpleQuery
from tests.conftest import PG_URL_ENV

pytestmark = pytest.mark.skipif(not os.environ.get(PG_URL_ENV), reason=f"{PG_URL_ENV} not set")


def _conninfo() -> str:
    return os.environ[PG_URL_ENV].replace("postgresql+psycopg://", "postgresql://", 1)


def on_connection(work):
    """Run ``await work(conn, wire)`` on a new autocommit connection."""
    async def main():
        async with await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True) as conn:
            return await work(conn, SimpleQuery(conn))
    return asyncio.run(main())


def test_each_statement_gives_its_rows_or_none_typed_as_a_psycopg_cursor_would():
    select = "SELECT d, n, j, s, ts FROM t ORDER BY d"

    async def work(conn, wire):
        results = await wire.run(
            b"CREATE TEMP TABLE t (d date, n numeric, j json, s varchar, ts timestamptz); "
            b"INSERT INTO t VALUES ('2026-12-01', 26.9, '{\"a\": [1, 2]}', 'bus', '2026-12-01 08:00+08'), "
            b"('2026-12-02', NULL, NULL, NULL, NULL); SELECT 1 AS one, 'x' AS two; " + select.encode())
        expected = await (await conn.execute(select)).fetchall()
        return results, expected

    (create, insert, constants, rows), expected = on_connection(work)
    assert create is None and insert is None
    assert constants == [(1, "x")] and constants[0].one == 1 and constants[0].two == "x"
    assert rows == expected
    assert rows[0].d == date(2026, 12, 1) and rows[0].n == Decimal("26.9") and rows[0].j == {"a": [1, 2]}
    assert rows[0].ts == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert rows[1].n is None and rows[1].j is None


def test_an_error_skips_the_rest_of_the_query_and_is_raised_as_psycopgs_exception():
    """A failing statement aborts the query; nothing before it in the same implicit transaction stays, nothing after
    it runs, and the connection answers the next query."""
    async def work(conn, wire):
        with pytest.raises(psycopg.errors.DivisionByZero):
            await wire.run(b"CREATE TEMP TABLE before_error (x int); SELECT 1 / 0; "
                           b"CREATE TEMP TABLE after_error (x int)")
        return await wire.run(b"SELECT to_regclass('pg_temp.before_error') AS a, "
                              b"to_regclass('pg_temp.after_error') AS b")

    [[row]] = on_connection(work)
    assert row.a is None and row.b is None


def test_an_error_inside_begin_leaves_the_transaction_to_the_caller():
    async def work(conn, wire):
        with pytest.raises(psycopg.errors.UniqueViolation):
            await wire.run(b"BEGIN; CREATE TEMP TABLE u (x int PRIMARY KEY); INSERT INTO u VALUES (1), (1); COMMIT")
        status = conn.pgconn.transaction_status
        await wire.run(b"ROLLBACK")
        return status, conn.pgconn.transaction_status

    in_error, after = on_connection(work)
    assert in_error == psycopg.pq.TransactionStatus.INERROR and after == psycopg.pq.TransactionStatus.IDLE


def test_a_query_larger_than_the_socket_buffer_is_sent_whole():
    """With a 4 kB send buffer a 4.5 MB query goes out in pieces, each after waiting until the socket takes more."""
    text = "碳" * 1_500_000  # 4.5 MB in UTF-8

    async def work(conn, wire):
        with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:  # the same socket, through a second descriptor
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return await wire.run(b"SELECT length(" + wire.literal(text) + b") AS n, md5(" + wire.literal(text) + b") AS h")

    [[row]] = on_connection(work)
    assert row.n == len(text) and row.h == hashlib.md5(text.encode()).hexdigest()


def test_a_lost_connection_raises_operational_error():
    async def work(conn, wire):
        [[row]] = await wire.run(b"SELECT pg_backend_pid() AS pid")
        async with await psycopg.AsyncConnection.connect(_conninfo(), autocommit=True) as other:
            await other.execute("SELECT pg_terminate_backend(%s)", [row.pid])
        with pytest.raises(psycopg.OperationalError):
            await wire.run(b"SELECT 1")
        return conn.broken

    assert on_connection(work) is True


_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200)  # what can be sent


@settings(max_examples=60, deadline=None)
@given(s=_text, items=st.lists(_text, max_size=5),
       when=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
       number=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_literals_come_back_as_they_went(s, items, when, number):
    """Quotes, backslashes, non-ASCII text, arrays, times and big integers survive ``literal`` and the query."""
    async def work(conn, wire):
        lit = wire.literal
        return await wire.run(b"SELECT " + lit(s) + b"::text AS s, CAST(" + lit(items) + b" AS varchar[]) AS items, "
                              + lit(when) + b" AS when_, CAST(" + lit(number) + b" AS bigint) AS number")

    [[row]] = on_connection(work)
    assert (row.s, row.items, row.when_, row.number) == (s, items, when, number)
