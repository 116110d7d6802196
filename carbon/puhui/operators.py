"""碳普惠 evidence that is checked (issue 17 point 5): operator principals, their records, signatures, self-reports.

Operators (a bus company's card system, a bike-share operator, the grid company) are principals of their own
(``puhui_operators``, a bearer token of their own, only its SHA-256 stored; never an ``api_tokens`` holder nor a
resident). They either push trip and meter records (``push_records``: idempotent by (operator, record id): the same
record again is ``unchanged``, another content under the same id is 409 ``record_conflict``), or sign them
(HMAC-SHA256 with a shared secret, or Ed25519) so that the resident's app can carry the record in the claim.

Keys rotate through the API (``rotate_key``): the new key is current at once; the previous one stays valid for
``KEY_GRACE`` (24 h), so records signed just before the rotation still verify, then it is refused. An HMAC secret
is stored sealed (``seal_secret``: AES-256-GCM under a key derived from CARBON_PUHUI_OPENID_SECRET by HKDF, bound to
its operator and key id), so a copy of the database alone cannot sign records; changing that setting, which already
orphans the residents, makes the operators rotate their HMAC keys too. Rows stored plain, before sealing, still verify.

A claim that carries evidence earns only when it matches an operator record: the same operator and record id, the
same methodology code, the same resident (the record names them as ``HMAC(secret, openid)``, privacy.openid_hash,
the form residents are stored in), the quantity within the methodology's tolerance (data/evidence_v1.csv). A record
earns once across all residents: ``puhui_behaviours.operator_record_id`` is UNIQUE (and ``trip_ref`` stays unique).
A claim without evidence is allowed where the policy permits self-reporting, at the lower cap, marked
``self_reported``; WeRun steps decrypted at the claim (carbon/puhui/werun.py) earn at the full cap (``werun``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import Conflict, NotFound, Unauthorized, ValidationError
from carbon.puhui import methodologies, rules
from carbon.puhui.methodologies import Methodology
from carbon.puhui.models import PuhuiBehaviour, PuhuiOperator, PuhuiOperatorKey, PuhuiOperatorRecord, PuhuiUser
from carbon.puhui.privacy import openid_hash

POLICY_FILE = Path(__file__).parent / "data" / "evidence_v1.csv"
KEY_GRACE = timedelta(hours=24)
# a claim's time and its record's time may differ by this much (a resident claims a trip from memory or from the
# operator's app; more than this is another trip, or a claim moved to another day's cap)
CLAIM_TIME_TOLERANCE = timedelta(hours=2)
ALGORITHMS = ("hmac-sha256", "ed25519")
SIGNED_FIELDS = ("operator", "record_id", "kind", "openid", "quantity", "unit", "occurred_at")


def rejected(reason: str, key: str, field: str, **params) -> rules.ClaimRejected:
    """The 422 ``reason`` worded by the message ``key`` of carbon/puhui/messages.py."""
    return rules.ClaimRejected(reason, key=key, params=params, field=field)


# --- the policy (data) -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidencePolicy:
    code: str
    self_report: bool
    self_report_cap: Decimal | None
    tolerance_pct: Decimal
    werun: bool


@lru_cache(maxsize=1)
def _policies() -> dict[str, EvidencePolicy]:
    with POLICY_FILE.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["code"]: EvidencePolicy(
            r["code"], r["self_report"] == "true",
            Decimal(r["self_report_cap_quantity"]) if r["self_report_cap_quantity"] else None,
            Decimal(r["tolerance_pct"] or "0"), r["werun"] == "true") for r in rows}


def policy_for(m: Methodology) -> EvidencePolicy:
    """The evidence policy of a methodology code; a code added through the API without a policy row may be
    self-reported exactly when it does not require evidence (no lower cap), with no tolerance."""
    found = _policies().get(m.code)
    if found is not None:
        return found
    return EvidencePolicy(m.code, not m.evidence_required, None, Decimal(0), False)


@dataclass(frozen=True)
class Verified:
    """How a claim was checked: ``verification`` for the ledger, the operator record it matched, and the lower
    cap of a self-reported claim (in the methodology's unit per cap period)."""

    verification: str
    record_id: int | None = None
    cap: Decimal | None = None


def self_reported(m: Methodology) -> Verified:
    """A claim without evidence: allowed only where the policy permits self-reporting."""
    policy = policy_for(m)
    if not policy.self_report:
        raise rejected("evidence_required", "puhui_self_report_refused", "evidence", code=m.code)
    return Verified("self_reported", cap=policy.self_report_cap)


def capped_methodology(m: Methodology, verified: Verified | None) -> Methodology:
    """The methodology with a self-reported claim's lower cap (per day unless the methodology has a period)."""
    if verified is None or verified.cap is None:
        return m
    cap = verified.cap if m.cap_quantity is None else min(m.cap_quantity, verified.cap)
    return replace(m, cap_quantity=cap, cap_period=m.cap_period or "day")


# --- operators and keys ------------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register_operator(session: Session, *, code: str, name_zh: str, kinds: list[str],
                      now: datetime | None = None) -> tuple[str, PuhuiOperator]:
    """A new operator and its bearer token (shown once; only the hash is kept). 409 if the code exists."""
    code = code.strip().lower()
    if not code or not name_zh.strip():
        raise ValidationError(key="puhui_operator_code_name", field="code")
    kinds = sorted({k.strip() for k in kinds if k.strip()})
    if not kinds:
        raise ValidationError(key="puhui_operator_kinds", field="kinds")
    if session.scalar(select(PuhuiOperator.id).where(PuhuiOperator.code == code)) is not None:
        exc = Conflict(key="puhui_operator_exists", params={"code": code}, field="code")
        exc.code = "operator_exists"
        raise exc
    token = "op_" + secrets.token_urlsafe(32)
    row = PuhuiOperator(code=code, name_zh=name_zh.strip(), kinds=",".join(kinds), token_hash=hash_token(token),
                        created_at=now or utcnow())
    session.add(row)
    session.flush()
    return token, row


def authenticate_operator(session: Session, token: str | None) -> PuhuiOperator:
    if not token:
        raise Unauthorized(key="puhui_token_missing")
    row = session.scalar(select(PuhuiOperator).where(PuhuiOperator.token_hash == hash_token(token),
                                                     PuhuiOperator.revoked_at.is_(None)))
    if row is None:
        raise Unauthorized(key="puhui_not_operator_token")
    return row


def get_operator(session: Session, code: str) -> PuhuiOperator:
    row = session.scalar(select(PuhuiOperator).where(PuhuiOperator.code == code.strip().lower()))
    if row is None:
        raise NotFound(key="puhui_operator_not_found", params={"code": code}, field="code")
    return row


SEALED = "aesgcm1:"  # the prefix of a sealed HMAC secret in puhui_operator_keys.key


def _sealing_key(secret: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"carbon puhui operator hmac keys v1")
    return AESGCM(derived.derive(secret.encode("utf-8")))


def _bound_to(operator_id: int, key_id: str) -> bytes:
    """The associated data of a sealed secret: it opens only in its own key row."""
    return f"{operator_id}:{key_id}".encode("ascii")


def seal_secret(raw: bytes, *, secret: str, operator_id: int, key_id: str) -> str:
    """An HMAC secret as stored: ``SEALED`` + base64(nonce + AES-256-GCM ciphertext and tag)."""
    nonce = secrets.token_bytes(12)
    sealed = _sealing_key(secret).encrypt(nonce, raw, _bound_to(operator_id, key_id))
    return SEALED + base64.b64encode(nonce + sealed).decode("ascii")


def open_secret(stored: str, *, secret: str, operator_id: int, key_id: str) -> bytes | None:
    """The HMAC secret of a key row; None when it does not open (another CARBON_PUHUI_OPENID_SECRET, or the value
    moved to another row). A row stored plain (base64, before sealing) is read as it is."""
    if not stored.startswith(SEALED):
        return base64.b64decode(stored)
    blob = base64.b64decode(stored[len(SEALED):])
    try:
        return _sealing_key(secret).decrypt(blob[:12], blob[12:], _bound_to(operator_id, key_id))
    except InvalidTag:
        return None


def rotate_key(session: Session, *, operator: PuhuiOperator, algorithm: str, secret: str,
               public_key: str | None = None, now: datetime | None = None) -> tuple[PuhuiOperatorKey, str | None]:
    """A new current signing key; the previous ones stay valid for ``KEY_GRACE``. HMAC: the server makes the
    secret and returns it once; it is stored sealed with ``secret`` (CARBON_PUHUI_OPENID_SECRET, ``seal_secret``),
    as a verifier of HMACs must hold it. Ed25519: the operator sends its public key (base64 of the 32 raw bytes);
    the private key never reaches us."""
    now = now or utcnow()
    if algorithm not in ALGORITHMS:
        raise ValidationError(key="puhui_algorithm_unknown", params={"known": ", ".join(ALGORITHMS)}, field="algorithm")
    key_id, shown = f"k{secrets.token_hex(6)}", None
    if algorithm == "ed25519":
        try:
            raw = base64.b64decode(public_key or "", validate=True)
            Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise ValidationError(key="puhui_public_key_bad", field="public_key") from None
        material = public_key
    else:
        if public_key:
            raise ValidationError(key="puhui_public_key_hmac", field="public_key")
        raw = secrets.token_bytes(32)
        shown = base64.b64encode(raw).decode("ascii")
        material = seal_secret(raw, secret=secret, operator_id=operator.id, key_id=key_id)
    session.execute(update(PuhuiOperatorKey).where(PuhuiOperatorKey.operator_id == operator.id,
                                                   PuhuiOperatorKey.valid_until.is_(None))
                    .values(valid_until=now + KEY_GRACE))
    row = PuhuiOperatorKey(operator_id=operator.id, key_id=key_id, algorithm=algorithm, key=material, created_at=now)
    session.add(row)
    session.flush()
    return row, shown


def canonical(record: dict) -> bytes:
    """The signed bytes: the SIGNED_FIELDS of the record as compact JSON with sorted keys (UTF-8)."""
    return json.dumps({k: str(record.get(k, "")) for k in SIGNED_FIELDS}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def verify_signature(session: Session, *, operator: PuhuiOperator, record: dict, key_id: str, signature: str,
                     now: datetime, secret: str) -> None:
    """Raise 422 ``signature_invalid`` unless ``signature`` is the operator's signature of ``record`` with a key
    valid now (HMAC: hex of HMAC-SHA256, its secret opened with ``secret``; Ed25519: base64)."""
    key = session.scalar(select(PuhuiOperatorKey).where(PuhuiOperatorKey.operator_id == operator.id,
                                                        PuhuiOperatorKey.key_id == key_id))
    if key is None or (key.valid_until is not None and key.valid_until <= now):
        raise rejected("signature_invalid", "puhui_key_unknown", "evidence.key_id", key_id=key_id,
                       operator=operator.code)
    message = canonical(record)
    if key.algorithm == "hmac-sha256":
        raw = open_secret(key.key, secret=secret, operator_id=operator.id, key_id=key.key_id)
        if raw is None:
            raise rejected("signature_invalid", "puhui_key_sealed_other", "evidence.key_id", operator=operator.code,
                           key_id=key_id)
        expected = hmac.new(raw, message, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, signature.strip().lower())
    else:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key.key)).verify(base64.b64decode(signature), message)
            ok = True
        except (InvalidSignature, ValueError):
            ok = False
    if not ok:
        raise rejected("signature_invalid", "puhui_signature_bad", "evidence.signature", operator=operator.code,
                       key_id=key_id)


# --- records -----------------------------------------------------------------------------------------------------

def _record_values(operator: PuhuiOperator, item: dict, *, secret: str, index: str) -> dict:
    def field(name: str) -> str:
        value = item.get(name)
        if value is None or not str(value).strip():
            raise ValidationError(key="puhui_record_field_required", params={"index": index, "name": name},
                                  field=f"{index}{name}")
        return str(value).strip()

    kind = field("kind")
    if kind not in operator.kinds.split(","):
        raise ValidationError(key="puhui_record_kind", params={"index": index, "operator": operator.code,
                              "kinds": operator.kinds, "kind": kind}, field=f"{index}kind")
    try:
        quantity = Decimal(field("quantity"))
    except InvalidOperation:
        raise ValidationError(key="puhui_record_quantity_nan", params={"index": index},
                              field=f"{index}quantity") from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError(key="puhui_record_quantity_positive", params={"index": index}, field=f"{index}quantity")
    occurred = item.get("occurred_at")
    if isinstance(occurred, str):
        try:
            occurred = datetime.fromisoformat(occurred)
        except ValueError:
            occurred = None
    if not isinstance(occurred, datetime) or occurred.tzinfo is None:
        raise ValidationError(key="puhui_record_occurred_at", params={"index": index}, field=f"{index}occurred_at")
    record_id = field("record_id")
    if len(record_id) > 128:
        raise ValidationError(key="puhui_record_id_long", params={"index": index}, field=f"{index}record_id")
    return {"operator_id": operator.id, "record_id": record_id, "kind": kind,
            "user_hash": openid_hash(secret, field("openid")), "quantity": format(quantity.normalize(), "f"),
            "unit": field("unit")[:32], "occurred_at": rules.as_utc(occurred)}


def _store(session: Session, values: dict, *, source: str, now: datetime) -> tuple[PuhuiOperatorRecord, bool]:
    """Insert a record, or find the same one again; 409 ``record_conflict`` for another content under its id."""
    old = session.scalar(select(PuhuiOperatorRecord).where(PuhuiOperatorRecord.operator_id == values["operator_id"],
                                                           PuhuiOperatorRecord.record_id == values["record_id"]))
    if old is not None:
        same = all(getattr(old, k) == v for k, v in values.items() if k != "occurred_at") and \
            rules.as_utc(old.occurred_at) == values["occurred_at"]
        if not same:
            exc = Conflict(key="puhui_record_conflict", params={"record_id": values["record_id"]}, field="record_id")
            exc.code = "record_conflict"
            raise exc
        return old, False
    row = PuhuiOperatorRecord(**values, source=source, created_at=now)
    session.add(row)
    session.flush()
    return row, True


def push_records(session: Session, *, operator: PuhuiOperator, records: list[dict], secret: str,
                 now: datetime | None = None) -> dict:
    """Store pushed records. Every record is checked before any is written (a bad one: 422 naming it, nothing
    written); pushing the same records again changes nothing (``unchanged``)."""
    now = now or utcnow()
    if not records:
        raise ValidationError(key="puhui_records_empty", field="records")
    values = [_record_values(operator, item, secret=secret, index=f"records[{i}].") for i, item in enumerate(records)]
    ids = [v["record_id"] for v in values]
    if len(set(ids)) != len(ids):
        raise ValidationError(key="puhui_records_duplicate", field="records")
    created = unchanged = 0
    for v in values:
        _, new = _store(session, v, source="pushed", now=now)
        created += new
        unchanged += not new
    return {"operator": operator.code, "created": created, "unchanged": unchanged}


# --- the check of a claim ----------------------------------------------------------------------------------------

def verify_evidence(session: Session, *, user_id: int, m: Methodology, quantity: Decimal, operator_code: str,
                    record_id: str, secret: str, now: datetime, signed: dict | None = None,
                    occurred_at: datetime | None = None) -> Verified:
    """Match a claim's evidence with an operator record (see the module docstring); 422 when it does not.
    ``occurred_at``: the claim's time, which must be within CLAIM_TIME_TOLERANCE of the record's."""
    operator = session.scalar(select(PuhuiOperator).where(PuhuiOperator.code == operator_code.strip().lower(),
                                                          PuhuiOperator.revoked_at.is_(None)))
    if operator is None:
        raise rejected("evidence_unverified", "puhui_operator_unregistered", "evidence.operator",
                       operator=operator_code)
    if signed is not None:
        record = dict(signed["record"])
        if str(record.get("operator", "")).strip().lower() != operator.code or \
                str(record.get("record_id", "")).strip() != record_id.strip():
            raise rejected("evidence_mismatch", "puhui_signed_record_other", "evidence.record")
        verify_signature(session, operator=operator, record=record, key_id=signed["key_id"],
                         signature=signed["signature"], now=now, secret=secret)
        row, _ = _store(session, _record_values(operator, record, secret=secret, index="evidence.record."),
                        source="signed", now=now)
        verification = "signed"
    else:
        row = session.scalar(select(PuhuiOperatorRecord).where(PuhuiOperatorRecord.operator_id == operator.id,
                                                               PuhuiOperatorRecord.record_id == record_id.strip()))
        if row is None:
            raise rejected("evidence_unverified", "puhui_operator_no_record", "evidence.trip_id",
                           operator=operator.code, record_id=record_id)
        verification = "operator"
    if row.kind != m.code:
        raise rejected("evidence_mismatch", "puhui_record_other_kind", "evidence.trip_id", record_id=record_id,
                       kind=row.kind, code=m.code)
    user_hash = session.scalar(select(PuhuiUser.openid_hash).where(PuhuiUser.id == user_id))
    if user_hash is None or not hmac.compare_digest(row.user_hash, user_hash):
        raise rejected("evidence_mismatch", "puhui_record_other_resident", "evidence.trip_id", record_id=record_id)
    recorded = methodologies.to_method_unit(m, Decimal(row.quantity), row.unit)
    tolerance = recorded * policy_for(m).tolerance_pct / 100
    if abs(quantity - recorded) > tolerance:
        raise rejected("evidence_mismatch", "puhui_quantity_off_record", "quantity", quantity=quantity,
                       unit=m.quantity_unit, tolerance=policy_for(m).tolerance_pct, recorded=recorded)
    if occurred_at is not None and abs(rules.as_utc(occurred_at) - rules.as_utc(row.occurred_at)) > CLAIM_TIME_TOLERANCE:
        raise rejected("evidence_mismatch", "puhui_record_other_time", "occurred_at", record_id=record_id,
                       recorded=rules.as_utc(row.occurred_at).astimezone(rules.CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                       hours=int(CLAIM_TIME_TOLERANCE.total_seconds() // 3600))
    if session.scalar(select(PuhuiBehaviour.id).where(PuhuiBehaviour.operator_record_id == row.id)) is not None:
        exc = Conflict(key="puhui_duplicate_trip", field="evidence.trip_id")
        exc.code = "duplicate_trip"
        raise exc
    return Verified(verification, record_id=row.id)


def verify_werun(m: Methodology, *, quantity: Decimal, day: Any, werun: Any) -> Verified:
    """A walking claim verified by decrypted WeRun steps: the claimed steps must not exceed that day's."""
    if not policy_for(m).werun:
        raise rejected("werun_not_accepted", "puhui_werun_not_accepted", "werun", code=m.code)
    steps = werun.by_day.get(day)
    if steps is None or quantity > steps:
        raise rejected("werun_mismatch", "puhui_werun_mismatch", "quantity", steps=steps or 0, day=day,
                       quantity=quantity)
    return Verified("werun")
