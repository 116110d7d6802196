"""Ingest of HJ 212 frames into cems_hourly: service, CLI and API on a real database; re-sending is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from carbon.core.auth import hash_token
from carbon.core.db import session_scope
from carbon.core.models import ApiToken
from carbon.ets import service as ets
from carbon.monitoring import service
from carbon.monitoring.hj212 import BEIJING, build_frame
from tests.ets.helpers import EMITTER_A, EMITTER_B

START = datetime(2024, 1, 31, 16, 0, tzinfo=UTC)  # 2024-02-01 00:00 Beijing: the day spans two UTC months


def hourly_frame(mn: str, hour_utc: datetime, co2: float, flow: float, flag: str = "N") -> str:
    t = hour_utc.astimezone(BEIJING)
    data = (f"QN={t:%Y%m%d%H%M%S}000;ST=31;CN=2061;PW=123456;MN={mn};Flag=4;CP=&&DataTime={t:%Y%m%d%H%M%S};"
            f"a05001-Avg={co2},a05001-Flag={flag};a00000-Avg={flow},a00000-Cou={flow * 3600:.0f},a00000-Flag=N;"
            f"a01014-Avg=8.0,a01014-Flag=N&&")
    return build_frame(data)


def day_frames(mn: str, hours: int = 24) -> list[str]:
    # CO2 ± 1000 mg/m3 and flow ± 10 m3/s (periods 2 and 4 h): 4k hours have the mass of 250 000 × 500 m3/s
    return [hourly_frame(mn, START + timedelta(hours=i), 250_000.0 + (1000 if i % 2 == 0 else -1000),
                         500.0 + (10 if i % 4 < 2 else -10)) for i in range(hours)]


@pytest.fixture
def stacks(engine):
    with session_scope(engine) as s:
        ets.create_emitter(s, uscc=EMITTER_A, name="鄂尔多斯甲电厂", region="东胜区", actor="test")
        ets.create_emitter(s, uscc=EMITTER_B, name="鄂尔多斯乙电厂", region="准格尔旗", actor="test")
        a = service.register_stack(s, uscc=EMITTER_A, code="1#", mn="MN-A-1")
        b = service.register_stack(s, uscc=EMITTER_B, code="1#", mn="MN-B-1")
        return a.id, b.id


def test_service_ingest_is_idempotent(engine, stacks):
    frames = day_frames("MN-A-1")
    with session_scope(engine) as s:
        r = service.ingest_frames(s, frames=frames)
    assert (r.frames, r.hourly_frames, r.records, r.stored, r.duplicates) == (24, 24, 72, 72, 0)
    assert r.method in ("copy", "executemany") and r.errors == []
    with session_scope(engine) as s:  # the same day again, plus one new hour
        r = service.ingest_frames(s, frames=frames + [hourly_frame("MN-A-1", START + timedelta(hours=24), 1.0, 1.0)])
    assert (r.records, r.stored, r.duplicates) == (75, 3, 72)
    with session_scope(engine) as s:  # duplicates inside one request are stored once too
        r = service.ingest_frames(s, frames=[frames[0], frames[0]])
        assert (r.stored, r.duplicates) == (0, 6)
        assert service.count_hourly(s) == 75
        m = service.stack_emissions(s, stack=service.get_stack(s, ref="MN-A-1"), start=START,
                                    end=START + timedelta(hours=24))
    # 24 h × 250 000 mg/m3 × 1 800 000 m3/h × 1e-9 = 24 × 450 t = 10 800 t
    assert m.hours_valid == 24 and m.total_t == pytest.approx(10_800.0)


def test_rejected_frames_are_reported_not_fatal(engine, stacks):
    good = day_frames("MN-A-1", 2)
    bad_crc = good[1][:-6] + "0000\r\n"
    realtime = build_frame("QN=1;ST=31;CN=2011;PW=1;MN=MN-A-1;CP=&&DataTime=20240201000000;a05001-Rtd=1.0&&")
    with session_scope(engine) as s:
        r = service.ingest_frames(s, frames=[good[0], bad_crc, hourly_frame("MN-X", START, 1, 1), realtime])
    assert r.stored == 3 and [e["line"] for e in r.errors] == [2, 3]
    assert "bad CRC" in r.errors[0]["message"] and "unknown MN MN-X" in r.errors[1]["message"]
    assert r.skipped == [{"line": 4, "reason": "CN=2011 (realtime): only hourly data (CN=2061) is stored"}]
    with session_scope(engine) as s:  # an emitter reaches only its own stacks
        r = service.ingest_frames(s, frames=day_frames("MN-B-1", 1), emitter_id=ets.get_emitter(s, uscc=EMITTER_A).id)
    assert r.stored == 0 and "unknown MN MN-B-1" in r.errors[0]["message"]


def test_partitions_on_postgresql(engine, stacks, backend):
    if backend != "postgresql":
        pytest.skip("partitions are PostgreSQL only")
    with session_scope(engine) as s:
        service.ingest_frames(s, frames=day_frames("MN-A-1"))
    with engine.connect() as conn:
        parts = dict(conn.execute(text(
            "SELECT c.relname, (SELECT count(*) FROM cems_hourly h WHERE h.tableoid = c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'cems_hourly'::regclass")).all())
    # 16:00–23:00 UTC on Jan 31 (8 h × 3 pollutants) and 00:00–15:00 UTC on Feb 1 (16 h × 3)
    assert parts == {"cems_hourly_default": 0, "cems_hourly_202401": 24, "cems_hourly_202402": 48}
    # a row that landed in the default partition moves when its month's partition is made
    with session_scope(engine) as s:
        s.execute(text("INSERT INTO cems_hourly VALUES (:s, '2024-03-05 00:00+00', 'a05001', 1.0, 'N')"),
                  {"s": stacks[0]})
    with session_scope(engine) as s:
        r = service.ingest_frames(s, frames=[hourly_frame("MN-A-1", datetime(2024, 3, 5, 1, tzinfo=UTC), 2, 2)])
        assert r.stored == 3
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cems_partitions.cems_hourly_202403")).scalar() == 4
        assert conn.execute(text("SELECT count(*) FROM cems_partitions.cems_hourly_default")).scalar() == 0


def test_cli_ingest_file_twice(engine, stacks, migrated_url, monkeypatch, tmp_path):
    from carbon.cli import app

    monkeypatch.setenv("CARBON_DATABASE_URL", migrated_url)
    path = tmp_path / "frames.txt"
    path.write_text("".join(day_frames("MN-A-1", 4)), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["monitoring", "ingest", str(path), "--stack", f"{EMITTER_A}:1#"])
    assert first.exit_code == 0, first.output
    assert '"stored": 12' in first.output
    again = runner.invoke(app, ["monitoring", "ingest", str(path), "--stack", "MN-A-1"])
    assert again.exit_code == 0 and '"stored": 0' in again.output and '"duplicates": 12' in again.output
    wrong = runner.invoke(app, ["monitoring", "ingest", str(path), "--stack", "MN-B-1"])
    assert wrong.exit_code == 1 and "is not stack 1# (MN MN-B-1)" in wrong.output


@pytest.fixture
def dau_headers(engine, stacks, make_token):
    tokens = {"bureau": make_token("bureau"), "emitter_a": make_token("emitter", "DAU A"),
              "verifier": make_token("verifier"), "citizen": make_token("citizen")}
    with session_scope(engine) as s:
        tid = s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(tokens["emitter_a"])))
        ets.bind_principal(s, token_id=tid, uscc=EMITTER_A, actor="test")
    return {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def test_api_frames_idempotent_resend(client, dau_headers):
    url = "/api/v1/monitoring/frames"
    frames = day_frames("MN-A-1")
    r = client.post(url, json={"frames": frames}, headers=dau_headers["emitter_a"])
    assert r.status_code == 200, r.text
    assert (r.json()["stored"], r.json()["duplicates"]) == (72, 0)
    r = client.post(url, json={"frames": frames}, headers=dau_headers["emitter_a"])  # the DAU re-sends
    assert (r.json()["stored"], r.json()["duplicates"]) == (0, 72)
    # with an Idempotency-Key, a retry gets the first response replayed
    h = {**dau_headers["emitter_a"], "Idempotency-Key": "k1"}
    one = client.post(url, json={"frames": frames[:1] + [hourly_frame("MN-A-1", START - timedelta(hours=1), 1, 1)]},
                      headers=h)
    assert one.json()["stored"] == 3
    replay = client.post(url, json={"frames": frames[:1] + [hourly_frame("MN-A-1", START - timedelta(hours=1), 1, 1)]},
                         headers=h)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == one.json()
    # the emitter's DAU cannot write another emitter's stack; the bureau can
    r = client.post(url, json={"frames": day_frames("MN-B-1", 1)}, headers=dau_headers["emitter_a"])
    assert r.json()["stored"] == 0 and "unknown MN MN-B-1" in r.json()["errors"][0]["message"]
    r = client.post(url, json={"frames": day_frames("MN-B-1", 1)}, headers=dau_headers["bureau"])
    assert r.json()["stored"] == 3


def test_api_auth_and_validation(client, dau_headers):
    url = "/api/v1/monitoring/frames"
    frames = day_frames("MN-A-1", 1)
    assert client.post(url, json={"frames": frames}).status_code == 401
    assert client.post(url, json={"frames": frames}, headers=dau_headers["citizen"]).status_code == 403
    assert client.post(url, json={"frames": frames}, headers=dau_headers["verifier"]).status_code == 403
    assert client.post(url, json={"frames": []}, headers=dau_headers["bureau"]).status_code == 422
    r = client.post(url, json={"frames": ["##0004abcd0000"]}, headers=dau_headers["bureau"])
    assert r.status_code == 200 and r.json()["errors"][0]["field"] in ("CP", "crc")


def test_api_emissions_and_comparison(client, dau_headers):
    client.post("/api/v1/monitoring/frames", json={"frames": day_frames("MN-A-1")}, headers=dau_headers["emitter_a"])
    params = {"start": START.isoformat(), "end": (START + timedelta(hours=24)).isoformat()}
    r = client.get("/api/v1/monitoring/stacks/MN-A-1/emissions", params=params, headers=dau_headers["emitter_a"])
    assert r.status_code == 200, r.text
    assert r.json()["total_t"] == pytest.approx(10_800.0) and r.json()["hours_valid"] == 24
    assert client.get("/api/v1/monitoring/stacks/MN-B-1/emissions", params=params,
                      headers=dau_headers["emitter_a"]).status_code == 404
    # measured 10 800 t vs calculated 9 600 t: +12.5 % > 10 % (power) → finding
    r = client.get(f"/api/v1/monitoring/emitters/{EMITTER_A}/comparison", params={**params, "calculated_t": 9600},
                   headers=dau_headers["bureau"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deviation_pct"] == pytest.approx(12.5) and body["exceeds"]
    assert body["finding"]["kind"] == "cems_deviation" and body["finding"]["stacks"] == ["1#"]
    r = client.get(f"/api/v1/monitoring/emitters/{EMITTER_A}/comparison",
                   params={**params, "calculated_t": 9600, "threshold_pct": 15}, headers=dau_headers["bureau"])
    assert r.json()["finding"] is None
    naive = {"start": "2024-01-31T16:00:00", "end": "2024-02-01T16:00:00"}
    assert client.get("/api/v1/monitoring/stacks/MN-A-1/emissions", params=naive,
                      headers=dau_headers["bureau"]).status_code == 422
