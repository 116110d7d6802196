"""Tables of the key-emitter domain (all prefixed ``ets_``).

Who: ``ets_emitters`` (USCC, industry, banner, data-quality control plan on record) with their generating
``ets_units``; ``ets_verifiers`` (verification organisations); ``ets_principals`` binds an API token to the
organisation it acts for (a verifier token -> a verifier, an emitter token -> an emitter) without touching
``api_tokens``; ``ets_consultancies`` records who consulted for whom (conflict of interest).

What: ``ets_reports`` (yearly report versions: the REPORT.json payload and its computed result);
``ets_engagements`` (verification, state machine of ``carbon.ets.workflow``) with ``ets_nonconformities``;
``ets_events`` (audit trail: who, when, what, for every state change and write); ``ets_allocations`` (pre
and final, with the rule version and basis); the double-entry ledger ``ets_accounts`` / ``ets_transactions``
/ ``ets_entries`` (balances are sums of entries); ``ets_settlements`` (settled years, immutable);
``ets_disclosures`` (published figures); ``ets_inspectors`` / ``ets_inspections`` (双随机 draws with their seed).

Quantities that a test or an auditor relies on are integers (``BigInteger`` whole tonnes, money in fen);
computed report results are JSON (recomputable from the stored payload and the named rule version).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbon.core.db import Base, UTCDateTime, choice, utcnow
from carbon.core.models import Region

BigId = BigInteger().with_variant(Integer(), "sqlite")

INDUSTRIES = ("power", "cement", "aluminium", "steel", "coal_chemical", "chemical", "other")
UNIT_TYPES = ("coal_300_plus", "coal_under_300", "coal_unconventional", "gas")
COOLING = ("water", "air", "back_pressure")
ENGAGEMENT_STATES = ("assigned", "in_review", "concluded", "recheck_requested", "final", "withdrawn")
NC_STATES = ("open", "corrected", "resolved")
ALLOCATION_KINDS = ("pre", "final")
TXN_KINDS = ("issue", "take_back", "deposit_ccer", "transfer", "surrender", "cancel")
ASSETS = ("CEA", "CCER")
COMPLIANCE = ("compliant", "pending", "non_compliant")


class Verifier(Base):
    __tablename__ = "ets_verifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Emitter(Base):
    __tablename__ = "ets_emitters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(choice(INDUSTRIES, name="industry"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    quality_plan_ref: Mapped[str | None] = mapped_column(String(200))  # 数据质量控制计划 on record
    quality_plan_version: Mapped[int | None] = mapped_column(Integer)
    quality_plan_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    region: Mapped[Region] = relationship()
    units: Mapped[list[GeneratingUnit]] = relationship(back_populates="emitter", order_by="GeneratingUnit.code")


class GeneratingUnit(Base):
    __tablename__ = "ets_units"
    __table_args__ = (UniqueConstraint("emitter_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(choice(UNIT_TYPES, name="type"))
    capacity_mw: Mapped[float] = mapped_column(Float)
    cooling: Mapped[str] = mapped_column(choice(COOLING, name="cooling"))

    emitter: Mapped[Emitter] = relationship(back_populates="units")


class Principal(Base):
    """An API token acting for a verifier organisation or an emitter (exactly one of the two)."""

    __tablename__ = "ets_principals"
    __table_args__ = (
        CheckConstraint("(verifier_id IS NULL) <> (emitter_id IS NULL)", name="one_organisation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), unique=True)
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("ets_verifiers.id"))
    emitter_id: Mapped[int | None] = mapped_column(ForeignKey("ets_emitters.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    verifier: Mapped[Verifier | None] = relationship()
    emitter: Mapped[Emitter | None] = relationship()

    def describe(self) -> str:
        if self.verifier is not None:
            return f"verifier {self.verifier.id} {self.verifier.name}"
        assert self.emitter is not None
        return f"emitter {self.emitter.uscc} {self.emitter.name}"


class Consultancy(Base):
    """A verifier that consulted for an emitter in a year may not verify it that year."""

    __tablename__ = "ets_consultancies"
    __table_args__ = (UniqueConstraint("verifier_id", "emitter_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verifier_id: Mapped[int] = mapped_column(ForeignKey("ets_verifiers.id"))
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    __tablename__ = "ets_reports"
    __table_args__ = (UniqueConstraint("emitter_id", "year", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict] = mapped_column(JSON)
    reported_emissions_t: Mapped[int] = mapped_column(BigInteger)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    emitter: Mapped[Emitter] = relationship()


class Engagement(Base):
    __tablename__ = "ets_engagements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    verifier_id: Mapped[int] = mapped_column(ForeignKey("ets_verifiers.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("ets_reports.id"))
    state: Mapped[str] = mapped_column(choice(ENGAGEMENT_STATES, name="state"))
    review: Mapped[list | None] = mapped_column(JSON)  # document review and on-site records
    verified_payload: Mapped[dict | None] = mapped_column(JSON)  # the corrected report
    verified_result: Mapped[dict | None] = mapped_column(JSON)
    conservative_adjustment_t: Mapped[int | None] = mapped_column(BigInteger)
    verified_emissions_t: Mapped[int | None] = mapped_column(BigInteger)
    covered_emissions_t: Mapped[int | None] = mapped_column(BigInteger)
    conclusion: Mapped[str | None] = mapped_column(Text)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recheck_deadline: Mapped[date | None] = mapped_column(Date)
    recheck_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recheck_reason: Mapped[str | None] = mapped_column(Text)
    decision_deadline: Mapped[date | None] = mapped_column(Date)
    recheck_outcome: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    emitter: Mapped[Emitter] = relationship()
    verifier: Mapped[Verifier] = relationship()
    report: Mapped[Report] = relationship()
    nonconformities: Mapped[list[NonConformity]] = relationship(back_populates="engagement",
                                                                order_by="NonConformity.id")


class NonConformity(Base):
    __tablename__ = "ets_nonconformities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("ets_engagements.id", ondelete="CASCADE"), index=True)
    parameter: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    conservative_adjustment_t: Mapped[int] = mapped_column(BigInteger)  # added if left unresolved
    status: Mapped[str] = mapped_column(choice(NC_STATES, name="status"), default="open")
    correction: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    engagement: Mapped[Engagement] = relationship(back_populates="nonconformities")


class Event(Base):
    """Audit trail: who did what, when, to which record (and the state change, if any)."""

    __tablename__ = "ets_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    emitter_id: Mapped[int | None] = mapped_column(ForeignKey("ets_emitters.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)


class Allocation(Base):
    __tablename__ = "ets_allocations"
    __table_args__ = (UniqueConstraint("emitter_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(choice(ALLOCATION_KINDS, name="kind"))
    amount_t: Mapped[int] = mapped_column(BigInteger)
    obligation_t: Mapped[int | None] = mapped_column(BigInteger)
    basis: Mapped[dict] = mapped_column(JSON)
    rules_version: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Account(Base):
    __tablename__ = "ets_accounts"
    __table_args__ = (UniqueConstraint("owner", "asset", "vintage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))  # an emitter's USCC or system:...
    asset: Mapped[str] = mapped_column(choice(ASSETS, name="asset", length=8))
    vintage: Mapped[int] = mapped_column(Integer)


class Transaction(Base):
    __tablename__ = "ets_transactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(choice(TXN_KINDS, name="kind"))
    owner: Mapped[str] = mapped_column(String(40), index=True)
    counterparty: Mapped[str | None] = mapped_column(String(40))
    asset: Mapped[str] = mapped_column(choice(ASSETS, name="asset", length=8))
    vintage: Mapped[int] = mapped_column(Integer)
    amount_t: Mapped[int] = mapped_column(BigInteger)
    year: Mapped[int | None] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(240), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Entry(Base):
    __tablename__ = "ets_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ets_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ets_accounts.id"), index=True)
    amount_t: Mapped[int] = mapped_column(BigInteger)


class Settlement(Base):
    __tablename__ = "ets_settlements"
    __table_args__ = (UniqueConstraint("emitter_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    year: Mapped[int] = mapped_column(Integer)
    obligation_t: Mapped[int] = mapped_column(BigInteger)
    surrendered_cea_t: Mapped[int] = mapped_column(BigInteger)
    surrendered_ccer_t: Mapped[int] = mapped_column(BigInteger)
    shortfall_t: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(choice(COMPLIANCE, name="status"))
    penalty: Mapped[dict | None] = mapped_column(JSON)
    settled_by: Mapped[str] = mapped_column(String(200))
    settled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Disclosure(Base):
    __tablename__ = "ets_disclosures"
    __table_args__ = (UniqueConstraint("emitter_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    year: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    emitter: Mapped[Emitter] = relationship()


class Inspector(Base):
    __tablename__ = "ets_inspectors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(200))  # the law-enforcement unit (执法单位)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Inspection(Base):
    __tablename__ = "ets_inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(200))
    population: Mapped[list] = mapped_column(JSON)
    population_sha256: Mapped[str] = mapped_column(String(64))
    k: Mapped[int] = mapped_column(Integer)
    per_emitter: Mapped[int] = mapped_column(Integer)
    selected: Mapped[dict] = mapped_column(JSON)  # {uscc: [inspector ids]}
    results: Mapped[dict] = mapped_column(JSON, default=dict)  # {uscc: {"passed": bool, "finding": str}}
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- monthly key-parameter filings (关键参数月度存证) and data-quality control plans (数据质量控制计划) ------------
# (issue 14 items 3 and 5; services in carbon.ets.monthly and carbon.ets.quality_plans, the check in
# carbon.ets.monthly_check). Both are versioned documents: a new version is a new row, never an UPDATE.

VALUE_SOURCES = ("measured", "default", "calculated")  # 实测 / 缺省 / 计算
PLAN_SOURCES = ("measured", "default")
FREQUENCIES = ("per_batch", "daily", "monthly", "quarterly", "yearly")  # 每批次 / 每日 / 每月 / 每季度 / 每年


class QualityPlan(Base):
    """One version of an emitter's data-quality control plan; ``parameters`` is the list of what is
    monitored (see carbon.ets.quality_plans.validate_parameters)."""

    __tablename__ = "ets_quality_plans"
    __table_args__ = (UniqueConstraint("emitter_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"))
    version: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(200))
    applies_from: Mapped[int] = mapped_column(Integer)  # first reporting year the version governs
    parameters: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    emitter: Mapped[Emitter] = relationship()


class MonthlyFiling(Base):
    """One version of one month's key parameters; a correction is version n+1 (the earlier ones stay)."""

    __tablename__ = "ets_monthly_filings"
    __table_args__ = (
        UniqueConstraint("emitter_id", "year", "month", "version"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    emitter_id: Mapped[int] = mapped_column(ForeignKey("ets_emitters.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    emitter: Mapped[Emitter] = relationship()
    values: Mapped[list[MonthlyValue]] = relationship(back_populates="filing", order_by="MonthlyValue.id",
                                                      cascade="all, delete-orphan")


class MonthlyValue(Base):
    __tablename__ = "ets_monthly_values"
    __table_args__ = (UniqueConstraint("filing_id", "parameter", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("ets_monthly_filings.id", ondelete="CASCADE"), index=True)
    parameter: Mapped[str] = mapped_column(String(64))
    item: Mapped[str] = mapped_column(String(100), default="")  # fuel, line or unit the value is of ("" = whole)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(choice(VALUE_SOURCES, name="source", length=16))
    samples: Mapped[int] = mapped_column(Integer, default=0)  # measurements behind the value this month
    batches: Mapped[int | None] = mapped_column(Integer)  # batches received (for a per-batch plan)
    method: Mapped[str | None] = mapped_column(String(200))

    filing: Mapped[MonthlyFiling] = relationship(back_populates="values")
