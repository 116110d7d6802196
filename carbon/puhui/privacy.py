"""Personal information (PIPL): keyed identifiers, erasure, and the export of everything held on a resident.

What is stored, and why (PIPL Art. 6 minimum necessary; Art. 28 lists 行踪轨迹 as sensitive):

- the WeChat openid only as ``HMAC-SHA256(server secret, openid)``: enough to recognise a returning resident,
  useless to anyone without the secret (a plain SHA-256 of an openid could be matched by whoever knows the
  openid, e.g. another service of the same mini-program);
- per claim: type, quantity and unit, time, duration, operator and operator trip id (what a methodology and a
  verifier need). No GPS track, start/end point or route is accepted by the API or stored;
- ``trip_ref`` = HMAC of (operator, trip id): the anti-fraud key that makes one operator trip claimable once;
- an optional display name, chosen by the resident, for the certificate.

``erase`` (``DELETE /api/v1/puhui/me``) removes the personal data and keeps the anonymous ledger, so that
platform totals, pooled and retired grams and offset claims stay true:

- the openid hash, display name, sessions, idempotency keys (with the responses they hold) and footprints go;
  operator records that named the resident (by the same hash) lose that hash;
- claims keep type, methodology version, quantity, grams and the day, lose the time of day, duration and the
  operator trip id; ``trip_ref`` stays (a keyed hash, not reversible without the secret) so an erased
  account's trips cannot be claimed again by a new one;
- the remaining points are forfeited (``user -> platform:forfeited``), so the anonymous account holds none.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, time

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import Unauthorized
from carbon.puhui import ledger, rules


def _hmac(secret: str, *parts: str) -> str:
    message = "\x00".join(parts).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def openid_hash(secret: str, openid: str) -> str:
    """The stored form of a WeChat openid."""
    return _hmac(secret, "openid", openid)


def trip_ref(secret: str, operator: str | None, trip_id: str | None) -> str:
    """The one-claim-per-trip key of an operator's trip id (operator compared case-insensitively)."""
    return _hmac(secret, "trip", (operator or "").strip().lower(), (trip_id or "").strip())


def erase(session: Session, *, user_id: int, now: datetime | None = None) -> dict:
    """Erase a resident's personal data (see the module docstring). The caller commits."""
    from carbon.puhui import service
    from carbon.puhui.models import (
        PuhuiBehaviour,
        PuhuiFootprint,
        PuhuiIdempotencyKey,
        PuhuiSession,
    )

    now = now or utcnow()
    user = service.lock_user(session, user_id)
    service.apply_expiry(session, user_id=user_id, now=now)
    left = service.user_balance(session, user_id=user_id)
    if left:
        service.post(session, ledger.forfeit(user_id, left, reference="erasure"), now=now)
    for behaviour in session.scalars(select(PuhuiBehaviour).where(PuhuiBehaviour.user_id == user_id)):
        day_start = datetime.combine(behaviour.local_date, time(0), tzinfo=rules.CHINA_TZ)
        behaviour.occurred_at = day_start
        behaviour.duration_s = None
        behaviour.trip_id = None
    session.execute(delete(PuhuiSession).where(PuhuiSession.user_id == user_id))
    session.execute(delete(PuhuiIdempotencyKey).where(PuhuiIdempotencyKey.user_id == user_id))
    session.execute(delete(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id))
    if user.openid_hash:  # operator records name the resident by this hash: unlink them (they stay unclaimable)
        from carbon.puhui.models import PuhuiOperatorRecord

        session.execute(update(PuhuiOperatorRecord).where(PuhuiOperatorRecord.user_hash == user.openid_hash)
                        .values(user_hash="erased"))
    session.execute(update(type(user)).where(type(user).id == user_id)
                    .values(openid_hash=None, display_name=None, last_login_at=None, erased_at=now))
    session.flush()
    return {"user_id": user_id, "erased_at": now.isoformat(), "points_forfeited": left,
            "kept": "anonymous ledger entries and claim totals (type, methodology version, quantity, grams, day)"}


def export(session: Session, *, user_id: int) -> dict:
    """Everything held about a resident, as JSON-ready data (PIPL Art. 45 access and copy)."""
    from carbon.puhui import service
    from carbon.puhui.models import (
        PuhuiBehaviour,
        PuhuiFootprint,
        PuhuiIdempotencyKey,
        PuhuiRedemption,
        PuhuiSession,
        PuhuiUser,
    )

    user = session.get(PuhuiUser, user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized(key="puhui_account_gone")

    def iso(v):
        return v.isoformat() if v is not None else None

    behaviours = [{
        "id": b.id, "type": b.code, "methodology_version": b.version, "quantity": b.quantity, "unit": b.unit,
        "occurred_at": iso(b.occurred_at), "duration_s": b.duration_s, "operator": b.operator, "trip_id": b.trip_id,
        "eligible_quantity": b.eligible_quantity, "reduction_g_exact": b.reduction_exact, "reduction_g": b.reduction_g,
        "points": b.points, "capped": b.capped, "pooled_g": b.pooled_g, "retired_g": b.retired_g,
        "recorded_at": iso(b.created_at),
    } for b in session.scalars(select(PuhuiBehaviour).where(PuhuiBehaviour.user_id == user_id)
                               .order_by(PuhuiBehaviour.id))]
    ledger_points = service.ledger_page(session, user_id=user_id, asset="points", limit=1_000_000)["items"]
    ledger_grams = service.ledger_page(session, user_id=user_id, asset="reduction_g", limit=1_000_000)["items"]
    redemptions = [{"id": r.id, "reward_id": r.reward_id, "points_spent": r.points_spent,
                    "balance_after": r.balance_after, "voucher_code": r.voucher_code, "created_at": iso(r.created_at)}
                   for r in session.scalars(select(PuhuiRedemption).where(PuhuiRedemption.user_id == user_id)
                                            .order_by(PuhuiRedemption.id))]
    footprints = [{"year": f.year, "answers": f.answers, "result": f.result, "created_at": iso(f.created_at)}
                  for f in session.scalars(select(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id))]
    sessions = [{"created_at": iso(s.created_at), "expires_at": iso(s.expires_at)}
                for s in session.scalars(select(PuhuiSession).where(PuhuiSession.user_id == user_id))]
    keys = [{"key": k.key, "route": k.route, "created_at": iso(k.created_at)}
            for k in session.scalars(select(PuhuiIdempotencyKey).where(PuhuiIdempotencyKey.user_id == user_id))]
    return {
        "resident": {"user_id": user.id, "display_name": user.display_name, "created_at": iso(user.created_at),
                     "last_login_at": iso(user.last_login_at),
                     "openid": "stored only as a keyed hash (HMAC-SHA256); the openid itself is not held"},
        "behaviours": behaviours,
        "ledger": {"points": ledger_points, "reduction_g": ledger_grams},
        "redemptions": redemptions,
        "footprints": footprints,
        "sessions": sessions,
        "idempotency_keys": keys,
        "not_held": ["GPS tracks or locations", "the WeChat session_key", "the openid in clear", "phone number"],
    }
