"""The mini-program contract through HTTP, on SQLite and PostgreSQL: P-1, every methodology, caps, rules,
idempotency, duplicate trips, ledger, redemption, erasure, export, rate limits, bureau endpoints."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.puhui.conftest import API, ago, bus, puhui_settings

keys = (f"key-{i}" for i in itertools.count())


def post(client, path, body, headers, key=None):
    h = dict(headers)
    if key is not False:
        h["Idempotency-Key"] = key or next(keys)
    return client.post(f"{API}{path}", json=body, headers=h)


def test_example_p1_bus_trip_8_km(pclient, resident):
    """P-1: 8 km x 26.9 g/pkm = 215.2 g -> 215 points."""
    alice = resident("alice")
    r = post(pclient, "/behaviours", bus(8), alice)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["points"] == 215 and body["reduction_g"] == 215
    assert body["methodology"] == {"code": "bus", "version": 1}
    assert body["capped"] is False
    assert body["calculation"]["reduction_g_exact"] == "215.2"
    me = pclient.get(f"{API}/me", headers=alice).json()
    assert (me["points_balance"], me["reduction_g_total"]) == (215, 215)


@pytest.mark.parametrize(("body", "points"), [
    ({"type": "cycling", "quantity": 10, "unit": "km", "duration_s": 2400}, 400),  # 10 x 40; 15 km/h
    ({"type": "walking", "quantity": 12345, "unit": "steps"}, 246),  # 12345 x 0.02 = 246.9
    ({"type": "electricity_saving", "quantity": 10, "unit": "kWh"}, 6849),  # 10 x 684.9
    ({"type": "nev_driving", "quantity": 24, "unit": "km"}, 168),  # 24 x 7
])
def test_each_methodology(pclient, resident, body, points):
    evidence = None if body["type"] == "walking" else {"operator": "op", "trip_id": f"{body['type']}-1"}
    r = post(pclient, "/behaviours", {**body, "occurred_at": ago(hours=2), "evidence": evidence}, resident())
    assert r.status_code == 201, r.text
    assert r.json()["points"] == points


def test_daily_caps(pclient, resident):
    alice = resident()
    results = [post(pclient, "/behaviours", bus(5, trip=f"T{i}"), alice).json() for i in range(7)]
    assert [r["points"] for r in results] == [134] * 6 + [0]  # 5 x 26.9 = 134.5 -> 134; the 7th trip earns none
    assert results[-1]["capped"] is True and results[-1]["cap_reason"] == "cap_claims"
    walk = {"type": "walking", "unit": "steps", "occurred_at": ago(hours=1)}
    assert post(pclient, "/behaviours", {**walk, "quantity": 15000}, alice).json()["points"] == 300
    capped = post(pclient, "/behaviours", {**walk, "quantity": 10000}, alice).json()
    assert (capped["points"], capped["capped"]) == (100, True)  # only 5000 of the 10000 steps earn
    me = pclient.get(f"{API}/me", headers=alice).json()
    assert me["points_balance"] == 6 * 134 + 300 + 100
    ledger = pclient.get(f"{API}/me/ledger", headers=alice).json()
    assert ledger["total"] == 8  # the fully capped trip posts nothing


@pytest.mark.parametrize(("changes", "status", "code", "field"), [
    ({"duration_s": 60}, 422, "speed_too_high", "duration_s"),  # 8 km in a minute by bus
    ({"occurred_at": ago(days=-1)}, 422, "occurred_in_future", "occurred_at"),
    ({"occurred_at": ago(days=8)}, 422, "claim_too_old", "occurred_at"),
    ({"evidence": None}, 422, "evidence_required", "evidence"),
    ({"unit": "steps"}, 422, "unit_error", "unit"),
    ({"unit": "kWh"}, 422, "unit_error", "unit"),
    ({"quantity": 0}, 422, "quantity_not_positive", "quantity"),
    ({"quantity": 500}, 422, "quantity_too_large", "quantity"),
    ({"type": "metro"}, 422, "validation_error", "type"),  # Ordos has no metro
    ({"occurred_at": "2025-05-01T08:00:00"}, 422, "validation_error", "body.occurred_at"),  # no time zone
    ({"track": [[39.6, 109.8], [39.61, 109.81]]}, 422, "validation_error", "body.track"),  # never GPS tracks
])
def test_rejected_claims(pclient, resident, changes, status, code, field):
    alice = resident()
    r = post(pclient, "/behaviours", {**bus(8), **changes}, alice)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["field"] == field
    assert pclient.get(f"{API}/me", headers=alice).json()["points_balance"] == 0  # nothing half-written


def test_idempotency(pclient, resident):
    alice = resident("alice")
    first = post(pclient, "/behaviours", bus(8), alice, key="k-1")
    body = first.request.read()  # the very same bytes again, as a retrying phone would send them
    replay = pclient.post(f"{API}/behaviours", content=body, headers={**alice, "Idempotency-Key": "k-1",
                                                                        "Content-Type": "application/json"})
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    # the same key after a new login (a new token) still replays: keys belong to the resident
    alice2 = resident("alice")
    assert alice2 != alice
    replay2 = pclient.post(f"{API}/behaviours", content=body, headers={**alice2, "Idempotency-Key": "k-1",
                                                                         "Content-Type": "application/json"})
    assert replay2.json() == first.json()
    other = post(pclient, "/behaviours", bus(9, trip="T-2"), alice, key="k-1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    # another resident may use the same key string
    assert post(pclient, "/behaviours", bus(8, trip="T-3"), resident("bob"), key="k-1").status_code == 201
    me = pclient.get(f"{API}/me", headers=alice).json()
    assert me["points_balance"] == 215 and me["behaviours"] == 1


def test_duplicate_operator_trip(pclient, resident):
    assert post(pclient, "/behaviours", bus(8, trip="T-9"), resident("alice")).status_code == 201
    for who in ("alice", "bob"):
        r = post(pclient, "/behaviours", bus(3, trip="T-9"), resident(who))
        assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_trip"
    # operators are compared without case: the same trip spelled ORDOS-BUS is the same trip
    r = post(pclient, "/behaviours", {**bus(8), "evidence": {"operator": "ORDOS-BUS", "trip_id": "T-9"}}, resident("c"))
    assert r.status_code == 409
    # another operator's T-9 is another trip
    assert post(pclient, "/behaviours", {**bus(8), "evidence": {"operator": "dongsheng-bus", "trip_id": "T-9"}},
                resident("d")).status_code == 201


def test_login_rules(migrated_url):
    with TestClient(create_app(puhui_settings(migrated_url, puhui_dev_login=False))) as client:
        r = client.post(f"{API}/login", json={"code": "dev-alice"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "wechat_unavailable"  # not configured
    with TestClient(create_app(puhui_settings(migrated_url))) as client:
        a = client.post(f"{API}/login", json={"code": "dev-alice"}).json()
        b = client.post(f"{API}/login", json={"code": "dev-alice"}).json()
        assert a["user_id"] == b["user_id"] and a["token"] != b["token"]
        assert "session_key" not in str(a) and "alice" not in str(a)
        assert client.get(f"{API}/me", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert client.get(f"{API}/me").status_code == 401


def test_openid_is_stored_keyed(pclient, resident, engine):
    from sqlalchemy import text

    resident("alice-openid")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT openid_hash FROM puhui_users")).scalars().all()
    assert len(stored) == 1 and len(stored[0]) == 64 and "alice" not in stored[0]


def test_bureau_token_is_not_a_resident_token(pclient, bureau_token, resident):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    assert pclient.get(f"{API}/me", headers=bureau).status_code == 401
    assert pclient.get(f"{API}/stats", headers=resident()).status_code == 401


def test_redemption(pclient, resident, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    r = post(pclient, "/rewards", {"name": "公交乘车券", "cost_points": 200, "stock": 1}, bureau)
    assert r.status_code == 201, r.text
    reward = r.json()["id"]
    assert pclient.get(f"{API}/rewards").json() == [
        {"id": reward, "name": "公交乘车券", "description": "", "cost_points": 200, "stock": 1, "active": True}]
    alice, bob = resident("alice"), resident("bob")
    poor = post(pclient, "/redemptions", {"reward_id": reward}, alice)
    assert poor.status_code == 409 and poor.json()["error"]["code"] == "insufficient_points"
    post(pclient, "/behaviours", bus(8, trip="A"), alice)  # 215
    post(pclient, "/behaviours", bus(8, trip="B"), bob)  # 215
    r = post(pclient, "/redemptions", {"reward_id": reward}, alice, key="redeem-1")
    assert r.status_code == 201, r.text
    assert (r.json()["points_spent"], r.json()["balance_after"]) == (200, 15)
    assert post(pclient, "/redemptions", {"reward_id": reward}, alice, key="redeem-1").json() == r.json()  # replay
    sold_out = post(pclient, "/redemptions", {"reward_id": reward}, bob)
    assert sold_out.status_code == 409 and sold_out.json()["error"]["code"] == "out_of_stock"
    assert pclient.get(f"{API}/me", headers=bob).json()["points_balance"] == 215  # nothing taken
    assert pclient.get(f"{API}/me", headers=alice).json()["points_balance"] == 15
    assert post(pclient, "/redemptions", {"reward_id": 999}, bob).status_code == 404
    # the bureau restocks (relative, never absolute) and bob can buy
    r = pclient.patch(f"{API}/rewards/{reward}", json={"stock_add": 2}, headers=bureau)
    assert r.json()["stock"] == 2
    assert post(pclient, "/redemptions", {"reward_id": reward}, bob).status_code == 201
    ledger = pclient.get(f"{API}/me/ledger", headers=alice).json()
    assert [(i["kind"], i["amount"], i["balance_after"]) for i in ledger["items"]] == [
        ("redemption", -200, 15), ("award", 215, 215)]
    stats = pclient.get(f"{API}/stats", headers=bureau).json()
    assert (stats["points_issued"], stats["points_redeemed"]) == (430, 400)
    assert stats["conservation"] == {"points": 0, "reduction_g": 0}


def test_resident_cannot_manage_rewards(pclient, resident):
    r = post(pclient, "/rewards", {"name": "x", "cost_points": 1, "stock": 1}, resident())
    assert r.status_code == 401


def test_ledger_pagination(pclient, resident):
    alice = resident()
    for i in range(5):
        post(pclient, "/behaviours", bus(1, trip=f"P{i}"), alice)  # 26.9 -> 26 each
    page = pclient.get(f"{API}/me/ledger?limit=2&offset=1", headers=alice).json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert [i["balance_after"] for i in page["items"]] == [104, 78]  # newest first: 130, [104, 78], 52, 26
    grams = pclient.get(f"{API}/me/ledger?asset=reduction_g", headers=alice).json()
    assert grams["total"] == 5 and grams["items"][0]["balance_after"] == 130


def test_erase_keeps_anonymous_totals(pclient, resident, bureau_token, engine):
    from sqlalchemy import text

    alice = resident("alice")
    post(pclient, "/behaviours", bus(8, trip="E-1", duration_s=1200), alice)
    pclient.patch(f"{API}/me", json={"display_name": "王小明"}, headers=alice)
    r = pclient.delete(f"{API}/me", headers=alice)
    assert r.status_code == 200 and r.json()["points_forfeited"] == 215
    assert pclient.get(f"{API}/me", headers=alice).status_code == 401  # the token is gone
    with engine.connect() as conn:
        user = conn.execute(text("SELECT openid_hash, display_name, erased_at FROM puhui_users")).one()
        behaviour = conn.execute(text("SELECT trip_id, duration_s, reduction_g, code FROM puhui_behaviours")).one()
        sessions = conn.execute(text("SELECT count(*) FROM puhui_sessions")).scalar()
    assert user[0] is None and user[1] is None and user[2] is not None
    assert behaviour == (None, None, 215, "bus")
    assert sessions == 0
    stats = pclient.get(f"{API}/stats", headers={"Authorization": f"Bearer {bureau_token}"}).json()
    assert (stats["points_issued"], stats["points_forfeited"], stats["reduction_g_recorded"]) == (215, 215, 215)
    assert stats["erased"] == 1 and stats["conservation"] == {"points": 0, "reduction_g": 0}
    # the erased account's trip stays claimed; logging in again is a new, empty account
    again = resident("alice")
    assert pclient.get(f"{API}/me", headers=again).json()["points_balance"] == 0
    assert post(pclient, "/behaviours", bus(8, trip="E-1"), again).status_code == 409


def test_export(pclient, resident):
    alice = resident()
    post(pclient, "/behaviours", bus(8, trip="X-1"), alice)
    r = pclient.get(f"{API}/me/export", headers=alice)
    assert r.status_code == 200
    data = r.json()
    assert data["behaviours"][0]["trip_id"] == "X-1" and data["behaviours"][0]["points"] == 215
    assert data["ledger"]["points"][0]["amount"] == 215
    assert len(data["sessions"]) == 1 and data["idempotency_keys"]
    assert "session_key" in " ".join(data["not_held"]) and "token" not in str(data["sessions"])


def test_rate_limits(migrated_url):
    settings = puhui_settings(migrated_url, puhui_rate_user_per_minute=3, puhui_rate_ip_per_minute=5)
    with TestClient(create_app(settings)) as client:
        token = client.post(f"{API}/login", json={"code": "dev-alice"}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        codes = [client.get(f"{API}/me", headers=h).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get(f"{API}/me", headers=h)
        assert r.json()["error"]["code"] == "rate_limited" and 1 <= int(r.headers["Retry-After"]) <= 60
        # the IP limit (5 a minute): login + 5 /me calls already counted from this address
        r = client.get(f"{API}/rewards")
        assert r.status_code == 429 and "Retry-After" in r.headers


def test_bureau_adds_a_methodology_version(pclient, resident, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    v1 = [m for m in pclient.get(f"{API}/methodologies?code=bus").json()]
    assert [m["version"] for m in v1] == [1] and v1[0]["factor"] == "26.9"
    new = {k: v1[0][k] for k in ("code", "name_zh", "behaviour", "quantity_unit", "factor_unit", "baseline",
                                 "cap_period", "cap_claims", "window_days", "evidence_required", "speed_max_kmh",
                                 "max_quantity_per_claim")}
    new.update(factor="30", confidence="medium", source="鄂尔多斯 local derivation (test)")
    r = post(pclient, "/methodologies", new, bureau)
    assert r.status_code == 201, r.text
    assert (r.json()["version"], r.json()["factor_g_per_unit"]) == (2, "30")
    again = post(pclient, "/methodologies", {**new, "version": 2}, bureau)
    assert again.status_code == 409 and again.json()["error"]["code"] == "methodology_exists"
    bad = post(pclient, "/methodologies", {**new, "factor_unit": "g/kWh"}, bureau)
    assert bad.status_code == 422
    claim = post(pclient, "/behaviours", bus(8, trip="V2"), resident()).json()
    assert claim["methodology"] == {"code": "bus", "version": 2} and claim["points"] == 240  # 8 x 30
    assert post(pclient, "/methodologies", new, resident()).status_code == 401


def test_closed_loop_pool_and_offset(pclient, resident, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    alice, bob = resident("alice"), resident("bob")
    post(pclient, "/behaviours", bus(8, trip="L1"), alice)  # 215 g
    post(pclient, "/behaviours", bus(4, trip="L2"), bob)  # 107.6 -> 107 g
    assert post(pclient, "/me/contributions", {}, alice).json()["reduction_g"] == 215
    assert post(pclient, "/me/contributions", {"reduction_g": 100}, bob).json()["reduction_g_available"] == 7
    assert pclient.get(f"{API}/pool").json() == {"available_g": 315, "retired_g": 0, "claims": 0}
    too_much = post(pclient, "/offsets", {"name": "2025 马拉松", "beneficiary": "鄂尔多斯马拉松组委会",
                                          "reduction_g": 316}, bureau)
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_pool"
    r = post(pclient, "/offsets", {"name": "2025 马拉松", "beneficiary": "组委会", "reduction_g": 300}, bureau)
    assert r.status_code == 201, r.text
    claim = r.json()
    assert [(a["grams"], a["methodology"]["code"]) for a in claim["allocations"]] == [(215, "bus"), (85, "bus")]
    assert pclient.get(f"{API}/offsets/{claim['id']}").json() == claim  # public, no token
    assert "user" not in str(claim)
    second = post(pclient, "/offsets", {"name": "会议", "beneficiary": "某单位", "reduction_g": 16}, bureau)
    assert second.status_code == 409  # 15 g left: no gram is retired twice
    assert post(pclient, "/offsets", {"name": "会议", "beneficiary": "某单位", "reduction_g": 15}, bureau).json()[
        "allocations"] == [{"behaviour_id": claim["allocations"][1]["behaviour_id"], "grams": 15,
                            "methodology": {"code": "bus", "version": 1},
                            "date": claim["allocations"][1]["date"]}]
    assert pclient.get(f"{API}/pool").json() == {"available_g": 0, "retired_g": 315, "claims": 2}
    # points are a separate asset: pooling grams did not touch them
    assert pclient.get(f"{API}/me", headers=alice).json()["points_balance"] == 215


def test_footprint_and_summary(pclient, resident):
    alice = resident()
    year = int(ago(hours=1)[:4])
    post(pclient, "/behaviours", bus(8, trip="F1"), alice)
    r = pclient.put(f"{API}/me/footprint", headers=alice, json={
        "year": year, "household_size": 2, "electricity": {"quantity": 2400, "unit": "kWh"}, "diet": "vegan"})
    assert r.status_code == 200, r.text
    # 2400 x 0.6849 / 2 = 821.88 -> 822; vegan 2.89 x 365 = 1054.85 -> 1055
    assert r.json()["total_kg"] == 822 + 1055
    bad = pclient.put(f"{API}/me/footprint", headers=alice, json={"year": year, "electricity": {"quantity": 1, "unit": "km"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "electricity.unit"
    summary = pclient.get(f"{API}/me/summary?year={year}", headers=alice).json()
    assert summary["reduction_g"] == 215 and summary["points_earned"] == 215
    assert summary["by_methodology"] == [{"code": "bus", "behaviours": 1, "reduction_g": 215}]
    assert summary["reduction_share_of_footprint_pct"] == "0.01"  # 215 g / 1 877 000 g = 0.0115 %


def test_certificate_pdf(pclient, resident):
    pytest.importorskip("weasyprint")
    import shutil
    import subprocess

    alice = resident()
    post(pclient, "/behaviours", bus(8, trip="C1"), alice)
    year = int(ago(hours=1)[:4])
    r = pclient.get(f"{API}/me/certificate?year={year}&name=王小明", headers=alice)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils not installed: cannot check the embedded fonts")
    fonts = subprocess.run(["pdffonts", "-"], input=r.content, capture_output=True, check=False).stdout.decode()
    if not any(name in fonts for name in ("CJK", "WenQuanYi", "Hei")):
        pytest.skip(f"no CJK font installed (scripts/bootstrap installs one): {fonts!r}")
