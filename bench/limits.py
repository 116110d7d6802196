"""Input bombs against the bounded readers (issue 19): time and memory until each is refused.

    .venv/bin/python bench/limits.py [--api]

Each bomb is built in a temporary directory, then read by ``carbon.inventory.io.read_table`` (the reader of
every upload and CLI import), and with --api also posted through the app (TestClient, scratch SQLite) to
``POST /inventories/{id}/activity`` or, for the text field, ``POST /puhui/rewards``:

- xlsx-declared: an XLSX whose one cell is at XFD1048576, declaring A1:XFD1048576 (was 1.7×10^10 cells, 23 GB);
- xlsx-undeclared: the same cell with no <dimension> (caught while reading);
- xlsx-lying: declares A1:B2 and has 300,000 rows;
- xlsx-zipbomb: a 500 MB sheet of blanks in a ~0.5 MB zip;
- csv-columns: a header of 10^6 columns;
- csv-rows: 10^6 rows;
- csv-text: a CSV cell of 50 MB (the upload limit answers) and of 15 MB (the text limit);
- text 50 MB / 15 MB (API only): a reward description (the body limit answers; then the schema's max_length).

Per bomb: the answer (the error's code, limit and actual, or the HTTP status), the seconds, the peak of Python
allocations during the read (tracemalloc) and the growth of the process's maximum resident set (ru_maxrss), next to
the file's size. No targets are asserted; the script prints figures (tests/test_upload_limits.py asserts).
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = "region,year,category,item,quantity,unit\n"
ROW = "150602,2022,1.A.1.a,原煤,100,t\n"


# --- builders (also used by tests/test_upload_limits.py) --------------------------------------------------

def _template() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["region", "year", "category", "item", "quantity", "unit"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def xlsx_with_sheet(write_sheet: Callable[[io.BufferedIOBase], None]) -> bytes:
    """A real openpyxl workbook whose xl/worksheets/sheet1.xml is replaced by what ``write_sheet`` streams."""
    src = zipfile.ZipFile(io.BytesIO(_template()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                member = zipfile.ZipInfo(info.filename)
                member.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(member, "w", force_zip64=True) as fh:
                    write_sheet(fh)
            else:
                dst.writestr(info, src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _sheet(dimension: str | None, rows: bytes) -> Callable[[io.BufferedIOBase], None]:
    def write(fh: io.BufferedIOBase) -> None:
        fh.write(SHEET_HEAD)
        if dimension:
            fh.write(f'<dimension ref="{dimension}"/>'.encode())
        fh.write(b"<sheetData>" + rows + b"</sheetData></worksheet>")
    return write


FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def xlsx_declared() -> bytes:
    return xlsx_with_sheet(_sheet("A1:XFD1048576", FAR_CELL))


def xlsx_undeclared() -> bytes:
    return xlsx_with_sheet(_sheet(None, FAR_CELL))


def xlsx_lying(n: int = 300_000) -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (i, i, i)
                    for i in range(1, n + 1))
    return xlsx_with_sheet(_sheet("A1:B2", rows))


def xlsx_zipbomb(megabytes: int = 500) -> bytes:
    def write(fh: io.BufferedIOBase) -> None:
        fh.write(SHEET_HEAD + b'<dimension ref="A1:B2"/><sheetData>')
        blank = b" " * (1024 * 1024)
        for _ in range(megabytes):
            fh.write(blank)
        fh.write(b"</sheetData></worksheet>")
    return xlsx_with_sheet(write)


def csv_columns(n: int = 1_000_000) -> bytes:
    return (",".join(f"c{i}" for i in range(n)) + "\n").encode()


def csv_rows(n: int = 1_000_000) -> bytes:
    return (HEADER + ROW * n).encode()


def csv_long_text(chars: int = 15 * 1024 * 1024) -> bytes:
    return (HEADER.rstrip("\n") + ",note\n" + ROW.rstrip("\n") + "," + "x" * chars + "\n").encode()


# --- measuring ---------------------------------------------------------------------------------------------

def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def measure(call: Callable[[], str]) -> tuple[str, float, float, float]:
    """(answer, seconds, tracemalloc peak MB, ru_maxrss growth MB). Timed on a first call without tracemalloc
    (which slows allocation-heavy code 2-5x), then called again under tracemalloc for the peak."""
    rss = _rss_kib()
    t = time.perf_counter()
    answer = call()
    seconds = time.perf_counter() - t
    grown = (_rss_kib() - rss) / 1024
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return answer, seconds, peak, grown


def read_answer(data: bytes, name: str) -> str:
    from carbon.core.errors import CarbonError, LimitExceeded
    from carbon.inventory.io import read_table

    try:
        frame = read_table(data, name)
    except LimitExceeded as exc:
        return f"{exc.code} {exc.limit} {exc.actual:,} > {exc.limit_value:,}"
    except CarbonError as exc:
        return f"{exc.code}: {exc.message[:60]}"
    return f"read {len(frame)} rows"


BOMBS: list[tuple[str, Callable[[], bytes], str]] = [
    ("xlsx-declared", xlsx_declared, "bomb.xlsx"),
    ("xlsx-undeclared", xlsx_undeclared, "bomb.xlsx"),
    ("xlsx-lying", xlsx_lying, "bomb.xlsx"),
    ("xlsx-zipbomb", xlsx_zipbomb, "bomb.xlsx"),  # 500 MB inflated: the total answers
    ("xlsx-ratio", lambda: xlsx_zipbomb(150), "bomb.xlsx"),  # 150 MB inflated: the member's ratio answers
    ("csv-columns", csv_columns, "bomb.csv"),
    ("csv-rows-1e6", csv_rows, "bomb.csv"),  # 33 MB: the upload limit answers
    ("csv-rows-6e5", lambda: csv_rows(600_000), "bomb.csv"),  # 19.8 MB: the row limit answers
    ("csv-text-50MB", lambda: csv_long_text(50 * 1024 * 1024), "bomb.csv"),
    ("csv-text-15MB", csv_long_text, "bomb.csv"),
]


def api_client(tmp: Path):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from carbon.core import migrate
    from carbon.core.auth import create_token
    from carbon.core.db import make_engine, session_scope
    from carbon.core.settings import Settings

    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        token = create_token(session, "bureau", "bench limits")
    engine.dispose()
    client = TestClient(create_app(Settings(database_url=url)))
    client.headers["Authorization"] = f"Bearer {token}"
    inventory = client.post("/api/v1/inventories", json={"year": 2022}).json()["id"]
    return client, inventory


def run(api: bool) -> None:
    print(f"{'bomb':<16} {'file MB':>8} {'s':>6} {'peak MB':>8} {'rss+ MB':>8}  answer")
    with tempfile.TemporaryDirectory(prefix="carbon-bench-") as d:
        tmp = Path(d)
        client, inventory = api_client(tmp) if api else (None, None)
        read_answer(csv_rows(2), "warm.csv")  # imports (pandas, openpyxl) outside the figures
        read_answer(_template(), "warm.xlsx")
        for label, build, name in BOMBS:
            path = tmp / name
            path.write_bytes(build())
            size = path.stat().st_size / 1e6
            data = path.read_bytes()
            answer, s, peak, rss = measure(lambda: read_answer(data, name))
            print(f"{label:<16} {size:>8.2f} {s:>6.2f} {peak:>8.1f} {rss:>8.1f}  {answer}")
            if client is not None:
                def post() -> str:
                    r = client.post(f"/api/v1/inventories/{inventory}/activity", files={"file": (name, data)})
                    e = r.json().get("error", {})
                    return f"HTTP {r.status_code} {e.get('code')} {e.get('limit')} {e.get('actual')}"
                answer, s, peak, rss = measure(post)
                print(f"{'  via API':<16} {size:>8.2f} {s:>6.2f} {peak:>8.1f} {rss:>8.1f}  {answer}")
            del data
        if client is not None:
            for mb in (50, 15):
                body = {"name": "bench", "description": "x" * (mb * 1024 * 1024), "points": 1, "stock": 1}

                def reward() -> str:
                    r = client.post("/api/v1/puhui/rewards", json=body)
                    e = r.json().get("error", {})
                    return f"HTTP {r.status_code} {e.get('code')} {e.get('field')}"
                answer, s, peak, rss = measure(reward)
                print(f"{f'text {mb} MB':<16} {mb * 1.048576:>8.2f} {s:>6.2f} {peak:>8.1f} {rss:>8.1f}  {answer}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api", action="store_true", help="also post each bomb through the app (TestClient)")
    run(ap.parse_args().api)


if __name__ == "__main__":
    main()
