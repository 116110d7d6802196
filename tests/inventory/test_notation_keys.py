"""Notation keys end to end (issue 19, point 1): rows with NO, NE, IE, C or NA (IPCC 2006 Vol 1 Ch 8 Table 8.1)
instead of a figure, and an empty unit, import, compile, export and import again unchanged, through the service,
the CLI and the API, on SQLite and (CARBON_TEST_DATABASE_URL) PostgreSQL. The stored record of a key has no
quantity (NULL) and an empty unit; migration 0011 moved the older records (quantity 0) there."""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from carbon.cli import app as cli_app
from carbon.core import migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.errors import ImportRejected
from carbon.inventory import service
from carbon.inventory.io import ACTIVITY_EXPORT_COLUMNS, read_activity
from carbon.inventory.models import ActivityRecord

API = "/api/v1/inventories"

# every key, in upper and lower case, with an empty unit or a unit that a key does not keep; one figure beside them
KEYS_CSV = """region,year,category,item,quantity,unit,note,facility
鄂尔多斯市,2022,1.B.2.a,原油,NO,,no crude oil production,
达拉特旗,2022,1.A.1.a,原煤,1000,t,电厂A,
达拉特旗,2022,1.A.1.a,原煤,0.1,万t,,
达拉特旗,2022,2.B.2,硝酸(高压法),NE,,未估算,
准格尔旗,2022,4.C.1,生活垃圾,IE,,included in 4.A,
东胜区,2022,2.A.1,水泥熟料,C,,企业保密,示例水泥厂
杭锦旗,2022,4.B,厨余垃圾,NA,,,
乌审旗,2022,1.B.2.b,天然气,no,万m3,"lower case, with a unit",
""".encode()

# (region, category, item, quantity, unit, notation, note, facility) as they must be stored, written by hand
EXPECTED = [
    ("150600", "1.B.2.a", "crude_oil", None, "", "NO", "no crude oil production", None),
    ("150621", "1.A.1.a", "raw_coal", 1000.0, "t", None, "电厂A", None),
    ("150621", "1.A.1.a", "raw_coal", 0.1, "万t", None, None, None),
    ("150621", "2.B.2", "nitric_acid_hp", None, "", "NE", "未估算", None),
    ("150622", "4.C.1", "msw", None, "", "IE", "included in 4.A", None),
    ("150602", "2.A.1", "clinker", None, "", "C", "企业保密", "示例水泥厂"),
    ("150625", "4.B", "food_waste", None, "", "NA", None, None),
    ("150626", "1.B.2.b", "natural_gas", None, "", "NO", "lower case, with a unit", None),
]
USER_KEYS = {(r, c, k) for r, c, _, q, _, k, _, _ in EXPECTED if k}


def stored(engine, inventory_id: int) -> list[tuple]:
    r = ActivityRecord
    with engine.connect() as conn:
        rows = conn.execute(select(r.region_code, r.category, r.item, r.quantity, r.unit, r.notation, r.note, r.facility)
                            .where(r.inventory_id == inventory_id).order_by(r.id)).all()
    return [tuple(row) for row in rows]


def user_keys(notation_keys: list[dict]) -> set[tuple]:
    return {(k["region"], k["category"], k["notation"]) for k in notation_keys if not str(k["note"] or "").startswith("自动")}


# --- pure: reading ----------------------------------------------------------------------------------------------

def test_read_gives_a_key_no_quantity_and_no_unit():
    frame = read_activity(KEYS_CSV, "keys.csv")
    assert frame["notation"].tolist() == ["NO", "", "", "NE", "IE", "C", "NA", "NO"]
    quantity = frame["quantity"].tolist()
    assert quantity[1:3] == [1000.0, 0.1] and all(math.isnan(q) for i, q in enumerate(quantity) if i not in (1, 2))
    assert frame["unit"].astype(str).tolist() == ["", "t", "万t", "", "", "", "", ""]


def test_an_empty_quantity_without_a_key_is_still_refused():
    bad = "region,year,category,item,quantity,unit\n达拉特旗,2022,1.A.1.a,原煤,,t\n".encode()
    with pytest.raises(ImportRejected) as caught:
        read_activity(bad, "bad.csv")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "quantity")]
    assert "not a number nor a notation key" in caught.value.errors[0].reason


# --- the store (service), both databases --------------------------------------------------------------------------

def test_store_import_compile_export_reimport(engine):
    with session_scope(engine) as session:
        iid = service.create_inventory(session, year=2022).id
        service.import_activity(session, inventory_id=iid, content=KEYS_CSV, filename="keys.csv")
    assert stored(engine, iid) == EXPECTED

    with session_scope(engine) as session:
        result = service.compile_inventory(session, inventory_id=iid)
        assert USER_KEYS <= {tuple(k) for k in result.notation[["region", "category", "notation"]].itertuples(index=False)}
    with session_scope(engine) as session:
        inventory = service.get_inventory(session, inventory_id=iid)
        assert user_keys(inventory.notation_keys) == USER_KEYS
        results = pd.read_csv(io.BytesIO(service.export_results(session, inventory_id=iid)), dtype=str,
                              keep_default_na=False)
        assert ("150600", "1.B.2.a", "NO") in set(zip(results["region"], results["category"], results["notation"]))
        exported = service.export_activity(session, inventory_id=iid)
        xlsx = service.export_activity(session, inventory_id=iid, fmt="xlsx")

    table = pd.read_csv(io.BytesIO(exported), dtype=str, keep_default_na=False)
    assert list(table.columns) == ACTIVITY_EXPORT_COLUMNS
    assert table["quantity"].tolist() == ["NO", "1000", "0.1", "NE", "IE", "C", "NA", "NO"]
    assert table["unit"].tolist() == ["", "t", "万t", "", "", "", "", ""]

    for content, name in ((exported, "exported.csv"), (xlsx, "exported.xlsx")):
        with session_scope(engine) as session:
            service.import_activity(session, inventory_id=iid, content=content, filename=name, replace=True)
        assert stored(engine, iid) == EXPECTED, name
    with session_scope(engine) as session:
        assert service.export_activity(session, inventory_id=iid) == exported
        compiled = service.compile_inventory(session, inventory_id=iid)
        assert compiled.detail["co2e_t"].sum() > 0


def test_a_record_has_a_figure_or_a_key_never_both_nor_neither(engine):
    with session_scope(engine) as session:
        iid = service.create_inventory(session, year=2022).id
        batch = service.import_activity(session, inventory_id=iid, content=KEYS_CSV, filename="keys.csv").id
    base = {"inventory_id": iid, "batch_id": batch, "region_code": "150600", "year": 2022, "category": "1.B.2.a",
            "item": "crude_oil", "unit": "", "source_row": 99}
    for values in ({"quantity": None, "notation": None}, {"quantity": 0.0, "notation": "NO"}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(ActivityRecord.__table__).values(**base, **values))


# --- CLI ------------------------------------------------------------------------------------------------------

def test_cli_import_compile_export_reimport(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("CARBON_DATABASE_URL", db_url)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli_app, list(args))
        assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
        return result.stdout

    run("db", "upgrade")
    keys = tmp_path / "keys.csv"
    keys.write_bytes(KEYS_CSV)
    iid = run("inventory", "create", "--year", "2022").strip()
    assert "imported 8 rows" in run("inventory", "import", iid, str(keys))
    run("inventory", "compile", iid)
    shown = run("inventory", "show", iid, "--category", "1.B.2")
    assert "NO" in shown
    out = tmp_path / "activity.csv"
    run("inventory", "export-activity", iid, "--out", str(out))
    first = out.read_bytes()
    assert run("inventory", "import", iid, str(out), "--replace").startswith("imported 8 rows")
    engine = make_engine(db_url)
    try:
        assert stored(engine, int(iid)) == EXPECTED
    finally:
        engine.dispose()
    run("inventory", "export-activity", iid, "--out", str(out))
    assert out.read_bytes() == first
    run("inventory", "compile", iid)


# --- API ------------------------------------------------------------------------------------------------------

def test_api_upload_compile_export_reupload(client, auth_headers, engine):
    bureau = auth_headers("bureau")
    iid = client.post(API, json={"year": 2022}, headers=bureau).json()["id"]
    r = client.post(f"{API}/{iid}/activity", files={"file": ("keys.csv", KEYS_CSV, "text/csv")}, headers=bureau)
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/{iid}/compile", headers=bureau)
    assert r.status_code == 200, r.text
    assert user_keys(r.json()["notation_keys"]) == USER_KEYS

    assert client.get(f"{API}/{iid}/activity").status_code == 401  # records name facilities: bureau only
    r = client.get(f"{API}/{iid}/activity", headers=bureau)
    assert r.status_code == 200, r.text
    exported = r.content
    assert pd.read_csv(io.BytesIO(exported), dtype=str, keep_default_na=False)["quantity"].iloc[0] == "NO"
    for fmt in ("csv", "xlsx"):
        content = client.get(f"{API}/{iid}/activity", params={"format": fmt}, headers=bureau).content
        r = client.post(f"{API}/{iid}/activity", params={"replace": "true"},
                        files={"file": (f"activity.{fmt}", content, "application/octet-stream")}, headers=bureau)
        assert r.status_code == 201, r.text
        assert stored(engine, iid) == EXPECTED, fmt
    assert client.get(f"{API}/{iid}/activity", headers=bureau).content == exported
    assert client.post(f"{API}/{iid}/compile", headers=bureau).status_code == 200


# --- migration 0012 -----------------------------------------------------------------------------------------

def test_migration_0012_moves_stored_keys_to_no_quantity_and_back(db_url):
    migrate.upgrade(db_url, "0011")
    engine = make_engine(db_url)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    try:
        with engine.begin() as conn:
            region = conn.execute(sa.text("SELECT id FROM regions WHERE code = '150600'")).scalar_one()
            conn.execute(sa.text(
                "INSERT INTO inventories (id, region_id, year, gwp_set, ch4_ar6, factor_profile, status, version, created_at)"
                " VALUES (1, :r, 2022, 'AR5', 'combined', 'CN', 'draft', 1, :t)"), {"r": region, "t": now})
            conn.execute(sa.text("INSERT INTO import_batches (id, inventory_id, filename, sha256, rows, created_at)"
                                 " VALUES (1, 1, 'a.csv', 'x', 2, :t)"), {"t": now})
            conn.execute(sa.text(
                "INSERT INTO activity_records (inventory_id, batch_id, region_code, year, category, item, quantity, unit,"
                " notation, source_row) VALUES (1, 1, '150600', 2022, '1.B.2.a', 'crude_oil', 0, '', 'NO', 2),"
                " (1, 1, '150621', 2022, '1.A.1.a', 'raw_coal', 0, 't', NULL, 3)"))
        query = sa.text("SELECT quantity, notation FROM activity_records ORDER BY source_row")
        migrate.upgrade(db_url, "0012")
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [(None, "NO"), (0.0, None)]
        migrate.downgrade(db_url, "0011")
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(query)] == [(0.0, "NO"), (0.0, None)]
    finally:
        engine.dispose()
