"""Bulk load and read of big tables (activity records, results) inside the caller's transaction.

- PostgreSQL: ``COPY table (cols) FROM STDIN`` through psycopg 3's ``cursor.copy()`` / ``write_row``,
  on the DBAPI connection underneath the session's connection. The COPY is part of the session's
  transaction: a failure anywhere before the caller's commit leaves nothing behind. Reading uses
  ``COPY (SELECT ...) TO STDOUT``.
- SQLite: ``executemany`` of one Core INSERT per chunk (no per-row ORM objects, no RETURNING).

Values are converted column by column (``tolist()``) before the loop, so the per-row work is one tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import String, Select, Table, insert
from sqlalchemy.orm import Session

CHUNK = 20_000  # rows per executemany on SQLite, and per progress report
COPY_CHUNK = CHUNK  # rows per CSV block sent to COPY (and per progress report)


@dataclass(frozen=True)
class Loaded:
    rows: int
    method: str  # 'copy' (PostgreSQL) or 'executemany' (SQLite); tests assert the path taken


def _python(values: object, n: int) -> list:
    """A column as a list of plain Python values (NaN -> None), or a constant repeated ``n`` times."""
    if isinstance(values, pd.Series):
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        out = values.tolist()
    elif isinstance(values, np.ndarray):
        out = values.tolist()
    elif isinstance(values, list | tuple):
        out = list(values)
    else:
        return [values] * n
    if any(isinstance(v, float) and v != v for v in out):
        out = [None if isinstance(v, float) and v != v else v for v in out]
    return out


def rows_of(columns: dict[str, object], n: int) -> Iterator[tuple]:
    lists = [_python(v, n) for v in columns.values()]
    return zip(*lists, strict=True)


def insert_columns(session: Session, table: Table, columns: dict[str, object], n: int,
                   progress: Callable[[int, int], None] | None = None) -> Loaded:
    """Insert ``n`` rows given as {column name: array-like or constant} into ``table``.

    Pending ORM changes are flushed first, so parent rows (the batch, the inventory) exist for the
    foreign keys. Nothing is committed. ``progress(done, n)`` is called every ``CHUNK`` rows.
    """
    session.flush()
    if n == 0:
        return Loaded(0, "none")
    names = list(columns)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, names, columns, n, progress)
    stmt = insert(table)
    done = 0
    batch: list[dict] = []
    for row in rows_of(columns, n):
        batch.append(dict(zip(names, row)))
        if len(batch) >= CHUNK:
            connection.execute(stmt, batch)
            done += len(batch)
            batch = []
            if progress:
                progress(done, n)
    if batch:
        connection.execute(stmt, batch)
        done += len(batch)
        if progress:
            progress(done, n)
    return Loaded(done, "executemany")


def _copy(connection, table: Table, names: list[str], columns: dict[str, object], n: int,
          progress: Callable[[int, int], None] | None) -> Loaded:
    """COPY ... FROM STDIN in CSV, the text made by pandas per chunk (no Python loop over rows)."""
    dbapi = connection.connection.driver_connection  # psycopg.Connection, in the session's transaction
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in names)
    frame = pd.DataFrame({c: _column(v, n) for c, v in columns.items()}, columns=names)
    # CSV's empty field is NULL; in a NOT NULL text column it is the empty string (a factor_refs of a row that used
    # no factor, such as an ETS-verified figure), as the SQLite path stores it
    texts = [connection.dialect.identifier_preparer.quote(c) for c in names
             if not table.c[c].nullable and isinstance(table.c[c].type, String)]
    force = f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else ""
    done = 0
    with dbapi.cursor() as cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN WITH (FORMAT csv{force})") as copy:
        for start in range(0, n, COPY_CHUNK):
            part = frame.iloc[start:start + COPY_CHUNK]
            copy.write(part.to_csv(index=False, header=False, na_rep="", lineterminator="\n").encode("utf-8"))
            done += len(part)
            if progress:
                progress(done, n)
    return Loaded(done, "copy")


def _column(values: object, n: int):
    """A column for the COPY frame: categoricals as their values, text NULLs as NaN (CSV empty = NULL)."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=object) if isinstance(values.dtype, pd.CategoricalDtype) else values.to_numpy()
    elif isinstance(values, list | tuple):
        values = pd.array(values, dtype=object)
    elif not isinstance(values, np.ndarray):
        return [values] * n if values is not None else [None] * n
    return values


def read_frame(session: Session, query: Select, dtypes: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows of ``query`` as a DataFrame (column names = the query's labels).

    On PostgreSQL through ``COPY (query) TO STDOUT`` in CSV, parsed by pandas (much faster than row
    tuples for millions of rows); elsewhere through the cursor.
    """
    session.flush()
    connection = session.connection()
    names = [c.name for c in query.selected_columns]
    if connection.dialect.name == "postgresql":
        import io

        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        dbapi = connection.connection.driver_connection
        with dbapi.cursor() as cursor, cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        if buffer.getbuffer().nbytes == 0:
            frame = pd.DataFrame({n: [] for n in names})
        else:
            frame = pd.read_csv(buffer, header=None, names=names, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        result = connection.execute(query)
        frame = pd.DataFrame(result.fetchall(), columns=names)
    for column, dtype in (dtypes or {}).items():
        frame[column] = _as(frame[column], dtype)
    return frame


def _as(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == "int":
        return pd.to_numeric(series).astype("int64") if len(series) else series.astype("int64")
    if dtype == "float":
        return pd.to_numeric(series).astype(float) if len(series) else series.astype(float)
    if dtype == "bool":
        if series.dtype == bool:
            return series
        if len(series) and isinstance(series.iloc[0], str):  # PostgreSQL CSV: 't' / 'f'
            return series.str.lower().isin(["t", "true", "1"])
        return series.astype(bool)
    if dtype == "category":
        return series.astype(str).astype("category")
    if dtype == "str":
        return series.astype(object).where(series.notna(), "").astype(str)
    raise ValueError(f"unknown dtype {dtype!r}")
