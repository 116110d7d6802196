"""碳普惠 tables: residents, their sessions, methodologies, behaviour records, the points ledger, rewards,
redemptions, offset claims, footprints and per-resident idempotency keys.

Privacy (PIPL): a resident is an HMAC of the WeChat openid (never the openid itself), an optional display
name for the certificate, and the records a methodology needs (quantity, unit, operator, trip id). No GPS
track is accepted or stored. Erasure (carbon/puhui/privacy.py) blanks the personal columns and keeps the
anonymous ledger.

Exactness: points and grams are ``BigInteger``; quantities and factors are decimal *strings* (SQLite would
round a Numeric through a float, engineering-notes §6), parsed to ``Decimal`` in Python.

Ledger: ``puhui_postings`` is append-only. ``balance_after`` is written for accounts that must not go
negative (residents, the pool), under the resident's row lock, and a CHECK keeps it >= 0; balances of hot
platform accounts are sums, never a counter row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carbon.core.db import Base, UTCDateTime, choice, utcnow
from carbon.puhui.ledger import ASSETS, KINDS
from carbon.puhui.methodologies import CAP_PERIODS, CONFIDENCE

# BIGINT ids for the tables that grow with every claim (2.2 million residents); SQLite autoincrements only an
# INTEGER PRIMARY KEY (64-bit there anyway).
BigId = BigInteger().with_variant(Integer(), "sqlite")
VERIFICATIONS = ("operator", "signed", "werun", "self_reported", "unchecked")
KEY_ALGORITHMS = ("hmac-sha256", "ed25519")
RECORD_SOURCES = ("pushed", "signed")


class PuhuiUser(Base):
    __tablename__ = "puhui_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # HMAC-SHA256 hex; NULL once erased
    display_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PuhuiSession(Base):
    """A resident's bearer token (our own, not an ``api_tokens`` row: see api/routes/puhui.py). SHA-256 only."""

    __tablename__ = "puhui_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("puhui_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PuhuiMethodology(Base):
    __tablename__ = "puhui_methodologies"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(100))
    behaviour: Mapped[str] = mapped_column(String(300))
    quantity_unit: Mapped[str] = mapped_column(String(32))
    factor: Mapped[str] = mapped_column(String(40))  # decimal text, in factor_unit
    factor_unit: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[str] = mapped_column(choice(CONFIDENCE, name="confidence"))
    baseline: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    cap_period: Mapped[str | None] = mapped_column(choice(CAP_PERIODS, name="cap_period"))
    cap_claims: Mapped[int | None] = mapped_column(Integer)
    cap_quantity: Mapped[str | None] = mapped_column(String(40))
    speed_min_kmh: Mapped[str | None] = mapped_column(String(40))
    speed_max_kmh: Mapped[str | None] = mapped_column(String(40))
    step_length_m: Mapped[str | None] = mapped_column(String(40))
    max_quantity_per_claim: Mapped[str | None] = mapped_column(String(40))
    window_days: Mapped[int] = mapped_column(Integer)
    evidence_required: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(120))  # 'methodologies_v1.csv' or 'api: <token name>'
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiBehaviour(Base):
    """One claimed low-carbon behaviour with everything it was computed from."""

    __tablename__ = "puhui_behaviours"
    __table_args__ = (
        CheckConstraint("reduction_g >= 0 AND points >= 0", name="amounts"),
        CheckConstraint("pooled_g >= 0 AND retired_g >= 0 AND retired_g <= pooled_g AND pooled_g <= reduction_g",
                        name="pooling"),
        Index("ix_puhui_behaviours_user_code_day", "user_id", "code", "local_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("puhui_users.id"))
    methodology_id: Mapped[int] = mapped_column(ForeignKey("puhui_methodologies.id"))
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[str] = mapped_column(String(40))  # as claimed, decimal text
    unit: Mapped[str] = mapped_column(String(32))  # as claimed
    quantity_in_unit: Mapped[str] = mapped_column(String(40))  # in the methodology's quantity unit
    eligible_quantity: Mapped[str] = mapped_column(String(40))  # after caps
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_date: Mapped[date] = mapped_column(Date)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    operator: Mapped[str | None] = mapped_column(String(64))
    trip_id: Mapped[str | None] = mapped_column(String(128))  # blanked on erasure
    trip_ref: Mapped[str | None] = mapped_column(String(64), unique=True)  # HMAC(operator, trip_id): one claim per trip
    reduction_exact: Mapped[str] = mapped_column(String(40))  # grams, decimal text, after caps, before rounding
    reduction_g: Mapped[int] = mapped_column(BigInteger)
    points: Mapped[int] = mapped_column(BigInteger)
    capped: Mapped[bool] = mapped_column(Boolean)
    cap_reason: Mapped[str | None] = mapped_column(String(20))
    pooled_g: Mapped[int] = mapped_column(BigInteger, default=0)
    retired_g: Mapped[int] = mapped_column(BigInteger, default=0)
    journal_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("puhui_journals.id"), unique=True)  # NULL: earned nothing
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # how the claim was checked (carbon/puhui/operators.py); NULL: recorded before migration 0010
    verification: Mapped[str | None] = mapped_column(choice(VERIFICATIONS, name="verification", length=16))
    # the operator record this claim matched: UNIQUE, so a record earns once across all residents
    operator_record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("puhui_operator_records.id"), unique=True)


class PuhuiOperator(Base):
    """An operator principal (bus card system, bike-share operator, grid company) with its own bearer token."""

    __tablename__ = "puhui_operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # what claims name as evidence.operator
    name_zh: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[str] = mapped_column(String(400))  # methodology codes it records, comma separated
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of its bearer token
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PuhuiOperatorKey(Base):
    """A signing key of an operator: HMAC-SHA256 secret or Ed25519 public key (base64); rotated keys keep working
    until ``valid_until``."""

    __tablename__ = "puhui_operator_keys"
    __table_args__ = (UniqueConstraint("operator_id", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("puhui_operators.id"))
    key_id: Mapped[str] = mapped_column(String(40))
    algorithm: Mapped[str] = mapped_column(choice(KEY_ALGORITHMS, name="algorithm", length=12))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # NULL: the current key


class PuhuiOperatorRecord(Base):
    """A trip or meter record of an operator; the resident only as HMAC(secret, openid)."""

    __tablename__ = "puhui_operator_records"
    __table_args__ = (UniqueConstraint("operator_id", "record_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("puhui_operators.id"))
    record_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(40))  # methodology code
    user_hash: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[str] = mapped_column(String(40))  # decimal text, in ``unit``
    unit: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(choice(RECORD_SOURCES, name="source", length=8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiAccount(Base):
    __tablename__ = "puhui_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    asset: Mapped[str] = mapped_column(choice(ASSETS, name="asset"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("puhui_users.id"), index=True)


class PuhuiJournal(Base):
    __tablename__ = "puhui_journals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(choice(KINDS, name="kind"))
    reference: Mapped[str | None] = mapped_column(String(80))  # 'behaviour:12', 'redemption:3', 'claim:1'
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiPosting(Base):
    __tablename__ = "puhui_postings"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint("balance_after IS NULL OR balance_after >= 0", name="balance_not_negative"),
        Index("ix_puhui_postings_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    journal_id: Mapped[int] = mapped_column(BigId, ForeignKey("puhui_journals.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("puhui_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiReward(Base):
    __tablename__ = "puhui_rewards"
    __table_args__ = (
        CheckConstraint("cost_points > 0", name="cost_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cost_points: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiRedemption(Base):
    __tablename__ = "puhui_redemptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("puhui_users.id"), index=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("puhui_rewards.id"), index=True)
    points_spent: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    voucher_code: Mapped[str] = mapped_column(String(32), unique=True)
    journal_id: Mapped[int] = mapped_column(BigId, ForeignKey("puhui_journals.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiOffsetClaim(Base):
    """Reductions retired from the pool against a named claim (an event, an organisation): public."""

    __tablename__ = "puhui_offset_claims"
    __table_args__ = (CheckConstraint("reduction_g > 0", name="positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    beneficiary: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    reduction_g: Mapped[int] = mapped_column(BigInteger)
    journal_id: Mapped[int] = mapped_column(BigId, ForeignKey("puhui_journals.id"))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiClaimAllocation(Base):
    """Which behaviour records' grams make up an offset claim: the traceable, no-double-count record."""

    __tablename__ = "puhui_claim_allocations"
    __table_args__ = (
        UniqueConstraint("claim_id", "behaviour_id"),
        CheckConstraint("grams > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("puhui_offset_claims.id"))
    behaviour_id: Mapped[int] = mapped_column(BigId, ForeignKey("puhui_behaviours.id"), index=True)
    grams: Mapped[int] = mapped_column(BigInteger)


class PuhuiFootprint(Base):
    __tablename__ = "puhui_footprints"
    __table_args__ = (UniqueConstraint("user_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("puhui_users.id"))
    year: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PuhuiIdempotencyKey(Base):
    """A resident's write already done for (user, key): the retry gets the stored response.

    Per resident, not per token (api/idempotency.py keys by API token): a resident's token changes at every
    WeChat login, and a retry after a re-login must still not award twice.
    """

    __tablename__ = "puhui_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("puhui_users.id"))
    key: Mapped[str] = mapped_column(String(200))
    route: Mapped[str] = mapped_column(String(120))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
