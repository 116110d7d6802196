"""Issue 17 point 5: 碳普惠 evidence that is checked (carbon/puhui/operators.py, carbon/puhui/werun.py).

Through the API with the check on (the production default): operators registered by the bureau push or sign
records; a claim earns only when it matches one; self-reported claims are capped and marked; WeRun data is
decrypted from a test vector built here with AES-128-CBC + PKCS#7 (cryptography's encryptor, not our decrypt).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi.testclient import TestClient

from api.main import create_app
from carbon.puhui import operators, rules, werun
from carbon.puhui.wechat import Code2Session, WeChatClient
from tests.puhui.conftest import API, ago, puhui_settings

APPID = "wx-test-appid"
SERVER = "s" * 48  # a CARBON_PUHUI_OPENID_SECRET


@pytest.fixture
def client(migrated_url):
    with TestClient(create_app(puhui_settings(migrated_url, puhui_evidence_check=True,
                                              puhui_wechat_app_id=APPID))) as c:
        yield c


def login(client, name: str) -> dict:
    r = client.post(f"{API}/login", json={"code": f"dev-{name}"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def bus_operator(client, bureau_token) -> dict:
    r = client.post(f"{API}/operators", json={"code": "ordos-bus", "name_zh": "鄂尔多斯公交", "kinds": ["bus"]},
                    headers={"Authorization": f"Bearer {bureau_token}"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def record(record_id="C-1", openid="alice", km="8", kind="bus") -> dict:
    return {"record_id": record_id, "kind": kind, "openid": openid, "quantity": km, "unit": "km",
            "occurred_at": ago(hours=1)}


def claim(trip="C-1", km=8, **evidence) -> dict:
    return {"type": "bus", "quantity": km, "unit": "km", "occurred_at": ago(hours=1),
            "evidence": {"operator": "ordos-bus", "trip_id": trip, **evidence}}


def points(client, headers) -> int:
    return client.get(f"{API}/me", headers=headers).json()["points_balance"]


def error(r) -> str:
    return r.json()["error"]["code"]


def test_invented_operator_or_trip_earns_nothing(client, bus_operator):
    alice = login(client, "alice")
    r = client.post(f"{API}/behaviours", json={**claim(), "evidence": {"operator": "my-own-bus", "trip_id": "X"}},
                    headers=alice)
    assert r.status_code == 422 and error(r) == "evidence_unverified", r.text
    r = client.post(f"{API}/behaviours", json=claim("INVENTED-7"), headers=alice)
    assert r.status_code == 422 and error(r) == "evidence_unverified"
    assert points(client, alice) == 0
    assert client.get(f"{API}/me/ledger", headers=alice).json()["total"] == 0


def test_a_pushed_record_earns_once_and_only_for_its_resident(client, bus_operator):
    alice, bob = login(client, "alice"), login(client, "bob")
    rec = record()
    r = client.post(f"{API}/operator/records", json={"records": [rec]}, headers=bus_operator)
    assert r.status_code == 201 and r.json()["created"] == 1, r.text
    again = client.post(f"{API}/operator/records", json={"records": [rec]}, headers=bus_operator)
    assert again.status_code == 200 and again.json() == {"operator": "ordos-bus", "created": 0, "unchanged": 1}
    changed = client.post(f"{API}/operator/records", json={"records": [{**rec, "quantity": "9"}]},
                          headers=bus_operator)
    assert changed.status_code == 409 and error(changed) == "record_conflict"
    # another resident presenting alice's record: refused, nothing earned
    r = client.post(f"{API}/behaviours", json=claim(), headers=bob)
    assert r.status_code == 422 and error(r) == "evidence_mismatch"
    # a distance outside the 10 % tolerance of the record's 8 km
    r = client.post(f"{API}/behaviours", json=claim(km=12), headers=alice)
    assert r.status_code == 422 and error(r) == "evidence_mismatch"
    r = client.post(f"{API}/behaviours", json=claim(km="8.5"), headers=alice)
    assert r.status_code == 201, r.text
    assert r.json()["verification"] == "operator" and r.json()["points"] > 0
    earned = points(client, alice)
    r = client.post(f"{API}/behaviours", json=claim(), headers=alice)
    assert r.status_code == 409 and error(r) == "duplicate_trip"
    assert points(client, alice) == earned and points(client, bob) == 0


def test_a_claim_far_from_its_records_time_is_refused(client, bus_operator):
    """The claim's time must be within operators.CLAIM_TIME_TOLERANCE (2 h) of the record's: a trip of yesterday
    cannot be claimed as today's (today's cap), nor a record used for another trip."""
    alice = login(client, "alice")
    assert client.post(f"{API}/operator/records", json={"records": [{**record("D-1"), "occurred_at": ago(hours=30)}]},
                       headers=bus_operator).status_code == 201
    r = client.post(f"{API}/behaviours", json=claim("D-1"), headers=alice)  # claimed at 1 h ago, record 30 h ago
    assert r.status_code == 422 and error(r) == "evidence_mismatch" and r.json()["error"]["field"] == "occurred_at"
    assert points(client, alice) == 0
    r = client.post(f"{API}/behaviours", json={**claim("D-1"), "occurred_at": ago(hours=29)}, headers=alice)
    assert r.status_code == 201, r.text  # an hour off the record's time: within the tolerance
    assert r.json()["verification"] == "operator"


def test_the_service_checks_evidence_unless_told_not_to(session, monkeypatch):
    """The check is on at the service too (the setting, not only the API's): a caller that forgets to ask still
    gets an invented operator refused; only an explicit check_evidence=False takes evidence as given."""
    from carbon.core.settings import get_settings
    from carbon.puhui import service
    from carbon.puhui.wechat import Code2Session
    from tests.puhui.test_concurrency import bus_claim

    monkeypatch.delenv("CARBON_PUHUI_EVIDENCE_CHECK", raising=False)
    get_settings.cache_clear()
    _, user = service.login(session, identity=Code2Session(openid="forgetful-caller"), secret="s")
    with pytest.raises(rules.ClaimRejected) as exc:
        service.record_behaviour(session, user_id=user.id, claim=bus_claim("INVENTED-1"), secret="s")
    assert exc.value.code == "evidence_unverified"
    body = service.record_behaviour(session, user_id=user.id, claim=bus_claim("INVENTED-1"), secret="s",
                                    check_evidence=False).body
    assert body["points"] > 0


def test_a_record_of_another_kind_or_a_bad_push_is_refused(client, bus_operator):
    r = client.post(f"{API}/operator/records", json={"records": [record("G-1"), record("G-2", kind="cycling")]},
                    headers=bus_operator)
    assert r.status_code == 422 and r.json()["error"]["field"] == "records[1].kind"
    # nothing half-written: G-1 was not stored either
    alice = login(client, "alice")
    assert error(client.post(f"{API}/behaviours", json=claim("G-1"), headers=alice)) == "evidence_unverified"
    # a resident token is not an operator token
    assert client.post(f"{API}/operator/records", json={"records": [record()]}, headers=alice).status_code == 401


def _signed(secret_b64: str, rec: dict) -> str:
    return hmac.new(base64.b64decode(secret_b64), operators.canonical(rec), hashlib.sha256).hexdigest()


def test_signed_records_wrong_signature_refused_replay_refused(client, bus_operator):
    alice, bob = login(client, "alice"), login(client, "bob")
    key = client.post(f"{API}/operator/keys", json={"algorithm": "hmac-sha256"}, headers=bus_operator).json()
    rec = {"operator": "ordos-bus", **record("S-1")}
    good = _signed(key["secret"], rec)
    wrong = _signed(base64.b64encode(os.urandom(32)).decode(), rec)
    r = client.post(f"{API}/behaviours", json=claim("S-1", record=rec, key_id=key["key_id"], signature=wrong),
                    headers=alice)
    assert r.status_code == 422 and error(r) == "signature_invalid"
    tampered = {**rec, "quantity": "80"}
    r = client.post(f"{API}/behaviours", json=claim("S-1", km=80, record=tampered, key_id=key["key_id"],
                                                    signature=good), headers=alice)
    assert r.status_code == 422 and error(r) == "signature_invalid"
    assert points(client, alice) == 0
    r = client.post(f"{API}/behaviours", json=claim("S-1", record=rec, key_id=key["key_id"], signature=good),
                    headers=alice)
    assert r.status_code == 201 and r.json()["verification"] == "signed", r.text
    # bob replays alice's signed record: refused
    r = client.post(f"{API}/behaviours", json=claim("S-1", record=rec, key_id=key["key_id"], signature=good),
                    headers=bob)
    assert r.status_code == 422 and error(r) == "evidence_mismatch"
    assert points(client, bob) == 0
    # after a rotation the old key still verifies during the grace period
    new = client.post(f"{API}/operator/keys", json={"algorithm": "hmac-sha256"}, headers=bus_operator).json()
    assert new["key_id"] != key["key_id"]
    rec2 = {"operator": "ordos-bus", **record("S-2")}
    r = client.post(f"{API}/behaviours", json=claim("S-2", record=rec2, key_id=key["key_id"],
                                                    signature=_signed(key["secret"], rec2)), headers=alice)
    assert r.status_code == 201, r.text


def test_a_record_can_be_claimed_once_by_a_db_constraint(client, bus_operator, engine):
    """The UNIQUE on puhui_behaviours.operator_record_id is a control of its own, beside the service's checks."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    alice = login(client, "alice")
    client.post(f"{API}/operator/records", json={"records": [record("U-1")]}, headers=bus_operator)
    assert client.post(f"{API}/behaviours", json=claim("U-1"), headers=alice).status_code == 201
    assert client.post(f"{API}/behaviours", json={"type": "walking", "quantity": 100, "unit": "step",
                                                  "occurred_at": ago(hours=1)}, headers=alice).status_code == 201
    with engine.connect() as conn:
        claimed = conn.execute(text("SELECT operator_record_id FROM puhui_behaviours "
                                    "WHERE operator_record_id IS NOT NULL")).scalar_one()
        other = conn.execute(text("SELECT id FROM puhui_behaviours WHERE operator_record_id IS NULL")).scalar_one()
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE puhui_behaviours SET operator_record_id = :r WHERE id = :b"),
                     {"r": claimed, "b": other})


def test_ed25519_signature(session, migrated_url):
    from carbon.core.db import session_factory
    from sqlalchemy import create_engine

    engine = create_engine(migrated_url)
    with session_factory(engine)() as s:
        _, op = operators.register_operator(s, code="bike", name_zh="共享单车", kinds=["cycling"])
        private = Ed25519PrivateKey.generate()
        public = base64.b64encode(private.public_key().public_bytes_raw()).decode()
        key, secret = operators.rotate_key(s, operator=op, algorithm="ed25519", public_key=public, secret=SERVER)
        assert secret is None
        rec = {"operator": "bike", **record("B-1", kind="cycling")}
        sig = base64.b64encode(private.sign(operators.canonical(rec))).decode()
        now = datetime.now(UTC)
        operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=sig, now=now, secret=SERVER)
        other = base64.b64encode(Ed25519PrivateKey.generate().sign(operators.canonical(rec))).decode()
        with pytest.raises(rules.ClaimRejected) as exc:
            operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=other, now=now,
                                       secret=SERVER)
        assert exc.value.code == "signature_invalid"
        # once the grace period of a rotated key is over, it is refused
        operators.rotate_key(s, operator=op, algorithm="ed25519", public_key=public, secret=SERVER)
        later = now + operators.KEY_GRACE + timedelta(minutes=1)
        with pytest.raises(rules.ClaimRejected):
            operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=sig, now=later,
                                       secret=SERVER)
    engine.dispose()


def test_hmac_secrets_are_stored_sealed(session, migrated_url):
    """The HMAC secret an operator is given once is not in the database: its row holds it sealed (AES-256-GCM
    under a key derived from CARBON_PUHUI_OPENID_SECRET, bound to the row), so a copy of the table cannot sign;
    another server secret or another row cannot open it; a row stored plain before sealing still verifies."""
    from sqlalchemy import create_engine

    from carbon.core.db import session_factory

    engine = create_engine(migrated_url)
    with session_factory(engine)() as s:
        _, op = operators.register_operator(s, code="bus2", name_zh="公交", kinds=["bus"])
        key, shown = operators.rotate_key(s, operator=op, algorithm="hmac-sha256", secret=SERVER)
        raw = base64.b64decode(shown)
        assert key.key.startswith(operators.SEALED) and shown not in key.key and raw.hex() not in key.key
        assert operators.open_secret(key.key, secret=SERVER, operator_id=op.id, key_id=key.key_id) == raw
        assert operators.open_secret(key.key, secret="t" * 48, operator_id=op.id, key_id=key.key_id) is None
        assert operators.open_secret(key.key, secret=SERVER, operator_id=op.id, key_id="k-other") is None
        rec = {"operator": "bus2", **record("H-1")}
        sig = _signed(shown, rec)
        now = datetime.now(UTC)
        operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=sig, now=now, secret=SERVER)
        with pytest.raises(rules.ClaimRejected) as exc:  # the server's secret changed: the key cannot be opened
            operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=sig, now=now,
                                       secret="t" * 48)
        assert exc.value.code == "signature_invalid" and exc.value.key == "puhui_key_sealed_other"
        key.key = shown  # a row written before sealing: the secret as base64
        s.flush()
        operators.verify_signature(s, operator=op, record=rec, key_id=key.key_id, signature=sig, now=now, secret=SERVER)
    engine.dispose()


def test_self_reported_claims_are_capped_and_marked(client, bus_operator):
    alice = login(client, "alice")
    # bus does not permit self-reporting
    r = client.post(f"{API}/behaviours", json={"type": "bus", "quantity": 8, "unit": "km",
                                               "occurred_at": ago(hours=1)}, headers=alice)
    assert r.status_code == 422 and error(r) == "evidence_required"
    # walking: 6000 steps a day self-reported (the methodology's cap is 20000)
    r = client.post(f"{API}/behaviours", json={"type": "walking", "quantity": 8000, "unit": "step",
                                               "occurred_at": ago(hours=1)}, headers=alice)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["verification"] == "self_reported" and body["capped"] is True
    assert body["calculation"]["eligible_quantity"] == "6000"
    # own bike: self-reported up to 10 km a day (cycling otherwise needs an operator)
    r = client.post(f"{API}/behaviours", json={"type": "cycling", "quantity": 15, "unit": "km",
                                               "occurred_at": ago(hours=1)}, headers=alice)
    assert r.status_code == 201 and r.json()["calculation"]["eligible_quantity"] == "10"
    ledger = client.get(f"{API}/me/ledger", headers=alice).json()["items"]
    assert {i["behaviour"]["verification"] for i in ledger} == {"self_reported"}
    year = rules.local_date(datetime.now(UTC) - timedelta(hours=1)).year
    summary = client.get(f"{API}/me/summary", params={"year": year}, headers=alice).json()
    assert summary["by_verification"] == [{"verification": "self_reported", "behaviours": 2,
                                           "reduction_g": summary["reduction_g"]}]


# --- WeRun ---------------------------------------------------------------------------------------------------------

def werun_vector(session_key: bytes, iv: bytes, payload: dict) -> str:
    """What WeChat sends: base64(AES-128-CBC(key, iv, PKCS#7(JSON)))."""
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(payload).encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(session_key), modes.CBC(iv)).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def werun_payload(day_steps: int, *, appid=APPID, fetched: datetime | None = None) -> dict:
    now = fetched or datetime.now(UTC)
    day = rules.local_date(now - timedelta(hours=1))
    start = datetime(day.year, day.month, day.day, tzinfo=rules.CHINA_TZ)
    return {"stepInfoList": [{"timestamp": int((start - timedelta(days=1)).timestamp()), "step": 500},
                             {"timestamp": int(start.timestamp()), "step": day_steps}],
            "watermark": {"timestamp": int(now.timestamp()), "appid": appid}}


KEY, IV = os.urandom(16), os.urandom(16)
B64 = lambda b: base64.b64encode(b).decode()  # noqa: E731


def test_werun_decrypts_and_checks_the_watermark():
    now = datetime.now(UTC)
    data = werun_vector(KEY, IV, werun_payload(15000))
    got = werun.steps(session_key=B64(KEY), encrypted_data=data, iv=B64(IV), appid=APPID, now=now)
    assert got.by_day[rules.local_date(now - timedelta(hours=1))] == 15000
    with pytest.raises(werun.WeRunRejected, match="watermark appid"):
        werun.steps(session_key=B64(KEY), encrypted_data=werun_vector(KEY, IV, werun_payload(1, appid="wx-other")),
                    iv=B64(IV), appid=APPID, now=now)
    with pytest.raises(werun.WeRunRejected, match="within"):
        stale = werun_payload(1, fetched=now - timedelta(hours=1))
        werun.steps(session_key=B64(KEY), encrypted_data=werun_vector(KEY, IV, stale), iv=B64(IV), appid=APPID,
                    now=now)
    with pytest.raises(werun.WeRunRejected, match="did not decrypt"):
        werun.steps(session_key=B64(os.urandom(16)), encrypted_data=data, iv=B64(IV), appid=APPID, now=now)


def test_werun_verified_walking_earns_at_the_full_cap(client, monkeypatch):
    alice = login(client, "alice")
    monkeypatch.setattr(WeChatClient, "code2session",
                        lambda self, code: Code2Session(openid="alice", session_key=B64(KEY)))
    werun_body = {"code": "fresh-code", "encrypted_data": werun_vector(KEY, IV, werun_payload(15000)), "iv": B64(IV)}
    walk = {"type": "walking", "quantity": 12000, "unit": "step", "occurred_at": ago(hours=1), "werun": werun_body}
    r = client.post(f"{API}/behaviours", json=walk, headers=alice)
    assert r.status_code == 201, r.text
    assert r.json()["verification"] == "werun" and r.json()["calculation"]["eligible_quantity"] == "12000"
    r = client.post(f"{API}/behaviours", json={**walk, "quantity": 16000}, headers=alice)
    assert r.status_code == 422 and error(r) == "werun_mismatch"


def test_erasure_unlinks_operator_records(client, bus_operator, engine):
    from sqlalchemy import text

    alice = login(client, "alice")
    client.post(f"{API}/operator/records", json={"records": [record("E-1"), record("E-2")]}, headers=bus_operator)
    assert client.post(f"{API}/behaviours", json=claim("E-1"), headers=alice).status_code == 201
    assert client.delete(f"{API}/me", headers=alice).status_code == 200
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT user_hash FROM puhui_operator_records")).scalars()) == {"erased"}
    # a new account of the same openid cannot claim the erased account's remaining record
    again = login(client, "alice")
    r = client.post(f"{API}/behaviours", json=claim("E-2"), headers=again)
    assert r.status_code == 422 and error(r) == "evidence_mismatch"
