"""Key-emitter services: registration, reports, verification, allocation, ledger, settlement, disclosure,
inspections. Keyword-only ``f(session, *, ...)``; they flush but never commit (the request or CLI job
commits once). Every write records an audit event (``ets_events``: who, when, what).

Authorization is the caller's business (api/routes/ets.py): these functions trust ``actor``/``role``.
Time-dependent rules take ``now`` (default: the current time) so tests can stand on a given day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.core.models import ApiToken, Region
from carbon.core.regions import resolve_region
from carbon.ets import allocation, inspection, ledger, settlement, workflow
from carbon.ets.calendar import beijing_date, deadline_after
from carbon.ets.models import (
    INDUSTRIES,
    Account,
    Allocation,
    Consultancy,
    Disclosure,
    Emitter,
    Engagement,
    Entry,
    Event,
    GeneratingUnit,
    Inspection,
    Inspector,
    NonConformity,
    Principal,
    Report,
    Settlement,
    Transaction,
    Verifier,
)
from carbon.ets.mrv import COOLING, UNIT_TYPES
from carbon.ets.report import compute_report
from carbon.ets.uscc import validate_uscc

ACTIVE_STATES = ("assigned", "in_review", "concluded", "recheck_requested")
VERIFIED_STATES = ("concluded", "recheck_requested", "final")


def _event(session: Session, *, entity: str, entity_id: int, action: str, actor: str, emitter_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None, detail: dict | None = None,
           at: datetime | None = None) -> Event:
    ev = Event(entity=entity, entity_id=entity_id, emitter_id=emitter_id, action=action, from_state=from_state,
               to_state=to_state, actor=actor, at=at or utcnow(), detail=detail)
    session.add(ev)
    return ev


# --- emitters, units, verifiers, principals ----------------------------------------------------------------

def create_emitter(session: Session, *, uscc: str, name: str, industry: str = "power", region: str = "150600",
                   quality_plan_ref: str | None = None, units: list[dict[str, Any]] | None = None,
                   actor: str) -> Emitter:
    code = validate_uscc(uscc)
    if industry not in INDUSTRIES:
        raise ValidationError(f"industry must be one of {', '.join(INDUSTRIES)}", field="industry")
    if not name or not name.strip():
        raise ValidationError("name is required", field="name")
    if session.scalar(select(Emitter.id).where(Emitter.uscc == code)) is not None:
        raise Conflict(f"emitter {code} is already registered", field="uscc")
    region_code = resolve_region(region)
    reg = session.scalar(select(Region).where(Region.code == region_code))
    if reg is None:
        raise NotFound(f"region {region!r} is not in the database (run migrations)", field="region")
    e = Emitter(uscc=code, name=name.strip(), industry=industry, region=reg)
    if quality_plan_ref:
        e.quality_plan_ref, e.quality_plan_version, e.quality_plan_at = quality_plan_ref, 1, utcnow()
    session.add(e)
    session.flush()
    _event(session, entity="emitter", entity_id=e.id, emitter_id=e.id, action="register", actor=actor,
           detail={"uscc": code, "name": e.name, "industry": industry, "region": region_code})
    for i, u in enumerate(units or []):
        add_unit(session, uscc=code, actor=actor, where=f"units[{i}]", **u)
    return e


def get_emitter(session: Session, *, uscc: str) -> Emitter:
    e = session.scalar(select(Emitter).where(Emitter.uscc == uscc.strip().upper()))
    if e is None:
        raise NotFound(f"no emitter {uscc}", field="uscc")
    return e


def list_emitters(session: Session, *, industry: str | None = None) -> list[Emitter]:
    q = select(Emitter).order_by(Emitter.uscc)
    if industry:
        q = q.where(Emitter.industry == industry)
    return list(session.scalars(q))


def add_unit(session: Session, *, uscc: str, code: str, type: str, capacity_mw: float, cooling: str, actor: str,
             where: str = "unit") -> GeneratingUnit:
    e = get_emitter(session, uscc=uscc)
    if type not in UNIT_TYPES:
        raise ValidationError(f"{where}.type must be one of {', '.join(UNIT_TYPES)}", field=f"{where}.type")
    if cooling not in COOLING:
        raise ValidationError(f"{where}.cooling must be one of {', '.join(COOLING)}", field=f"{where}.cooling")
    if not capacity_mw or capacity_mw <= 0:
        raise ValidationError(f"{where}.capacity_mw must be > 0", field=f"{where}.capacity_mw")
    if any(u.code == code for u in e.units):
        raise Conflict(f"{where}.code {code!r} already registered for {e.uscc}", field=f"{where}.code")
    u = GeneratingUnit(emitter=e, code=code, type=type, capacity_mw=float(capacity_mw), cooling=cooling)
    session.add(u)
    session.flush()
    _event(session, entity="unit", entity_id=u.id, emitter_id=e.id, action="register_unit", actor=actor,
           detail={"code": code, "type": type, "capacity_mw": capacity_mw, "cooling": cooling})
    return u


def record_quality_plan(session: Session, *, uscc: str, ref: str, actor: str) -> Emitter:
    """Put a (new version of the) data-quality control plan (数据质量控制计划) on record."""
    e = get_emitter(session, uscc=uscc)
    if not ref.strip():
        raise ValidationError("the plan reference is required", field="ref")
    e.quality_plan_ref, e.quality_plan_version, e.quality_plan_at = ref.strip(), (e.quality_plan_version or 0) + 1, utcnow()
    _event(session, entity="emitter", entity_id=e.id, emitter_id=e.id, action="quality_plan", actor=actor,
           detail={"ref": e.quality_plan_ref, "version": e.quality_plan_version})
    session.flush()
    return e


def create_verifier(session: Session, *, name: str, uscc: str | None = None, actor: str) -> Verifier:
    if not name or not name.strip():
        raise ValidationError("name is required", field="name")
    if session.scalar(select(Verifier.id).where(Verifier.name == name.strip())) is not None:
        raise Conflict(f"verifier {name!r} already exists", field="name")
    v = Verifier(name=name.strip(), uscc=validate_uscc(uscc) if uscc else None)
    session.add(v)
    session.flush()
    _event(session, entity="verifier", entity_id=v.id, action="register", actor=actor, detail={"name": v.name})
    return v


def get_verifier(session: Session, *, verifier_id: int) -> Verifier:
    v = session.get(Verifier, verifier_id)
    if v is None:
        raise NotFound(f"no verifier {verifier_id}", field="verifier_id")
    return v


def list_verifiers(session: Session) -> list[Verifier]:
    return list(session.scalars(select(Verifier).order_by(Verifier.id)))


def bind_principal(session: Session, *, token_id: int, verifier_id: int | None = None, uscc: str | None = None,
                   actor: str) -> Principal:
    """Bind a verifier token to its organisation or an emitter token to its emitter."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}", field="token_id")
    if (verifier_id is None) == (uscc is None):
        raise ValidationError("give either a verifier id or an emitter USCC", field="verifier_id")
    if verifier_id is not None and token.role != "verifier":
        raise ValidationError(f"token {token_id} has role {token.role}; only verifier tokens act for a verifier",
                              field="token_id")
    if uscc is not None and token.role != "emitter":
        raise ValidationError(f"token {token_id} has role {token.role}; only emitter tokens act for an emitter",
                              field="token_id")
    if session.scalar(select(Principal.id).where(Principal.token_id == token_id)) is not None:
        raise Conflict(f"token {token_id} is already bound", field="token_id")
    p = Principal(token_id=token_id,
                  verifier=get_verifier(session, verifier_id=verifier_id) if verifier_id is not None else None,
                  emitter=get_emitter(session, uscc=uscc) if uscc is not None else None)
    session.add(p)
    session.flush()
    _event(session, entity="principal", entity_id=p.id, emitter_id=p.emitter_id, action="bind", actor=actor,
           detail={"token_id": token_id, "verifier_id": verifier_id, "uscc": uscc})
    return p


def principal_of(session: Session, *, token_id: int) -> Principal | None:
    return session.scalar(select(Principal).where(Principal.token_id == token_id))


def list_principals(session: Session) -> list[Principal]:
    return list(session.scalars(select(Principal).order_by(Principal.token_id)))


def record_consultancy(session: Session, *, verifier_id: int, uscc: str, year: int, note: str | None = None,
                       actor: str) -> Consultancy:
    v = get_verifier(session, verifier_id=verifier_id)
    e = get_emitter(session, uscc=uscc)
    c = Consultancy(verifier_id=v.id, emitter_id=e.id, year=year, note=note)
    session.add(c)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"consultancy of verifier {v.id} for {e.uscc} in {year} already recorded") from None
    _event(session, entity="consultancy", entity_id=c.id, emitter_id=e.id, action="record", actor=actor,
           detail={"verifier_id": v.id, "year": year})
    return c


# --- reports -----------------------------------------------------------------------------------------------

def _assert_not_settled(session: Session, emitter: Emitter, year: int) -> None:
    if session.scalar(select(Settlement.id).where(Settlement.emitter_id == emitter.id, Settlement.year == year)):
        raise Conflict(f"{year} is settled for {emitter.uscc}: its records are immutable", field="year")


def _check_units(emitter: Emitter, payload: dict[str, Any]) -> None:
    """A power report's units must be the emitter's registered units (same type and cooling)."""
    if payload.get("method", "power") != "power" or not emitter.units:
        return
    registered = {u.code: u for u in emitter.units}
    for i, u in enumerate(payload.get("units") or []):
        reg = registered.get(u.get("id"))
        if reg is None:
            raise ValidationError(f"units[{i}].id {u.get('id')!r} is not a registered unit of {emitter.uscc} "
                                  f"(registered: {', '.join(sorted(registered))})", field=f"units[{i}].id")
        for attr in ("type", "cooling"):
            if u.get(attr) != getattr(reg, attr):
                raise ValidationError(f"units[{i}].{attr} {u.get(attr)!r} differs from the registered "
                                      f"{getattr(reg, attr)!r}", field=f"units[{i}].{attr}")


def submit_report(session: Session, *, uscc: str, payload: dict[str, Any], actor: str) -> Report:
    """A new version of the emitter's yearly report, computed at once (bad input: nothing stored)."""
    e = get_emitter(session, uscc=uscc)
    result = compute_report(payload)
    year = result["year"]
    _assert_not_settled(session, e, year)
    _check_units(e, payload)
    version = (session.scalar(select(func.max(Report.version)).where(Report.emitter_id == e.id, Report.year == year))
               or 0) + 1
    r = Report(emitter=e, year=year, version=version, payload=payload, result=result,
               reported_emissions_t=allocation.round_half_up(result["total"]["emissions_t"]), submitted_by=actor)
    session.add(r)
    session.flush()
    _event(session, entity="report", entity_id=r.id, emitter_id=e.id, action="submit", actor=actor,
           detail={"year": year, "version": version, "reported_emissions_t": r.reported_emissions_t})
    return r


def get_report(session: Session, *, report_id: int) -> Report:
    r = session.get(Report, report_id)
    if r is None:
        raise NotFound(f"no report {report_id}", field="report_id")
    return r


def list_reports(session: Session, *, emitter_id: int, year: int | None = None) -> list[Report]:
    q = select(Report).where(Report.emitter_id == emitter_id).order_by(Report.year, Report.version)
    if year is not None:
        q = q.where(Report.year == year)
    return list(session.scalars(q))


# --- verification ------------------------------------------------------------------------------------------

def assign_verifier(session: Session, *, uscc: str, year: int, verifier_id: int, actor: str) -> Engagement:
    """The bureau assigns a verifier to the emitter's latest report of ``year``.

    Conflict of interest: a verifier that consulted for the emitter that year cannot verify it.
    """
    e = get_emitter(session, uscc=uscc)
    v = get_verifier(session, verifier_id=verifier_id)
    _assert_not_settled(session, e, year)
    if session.scalar(select(Consultancy.id).where(Consultancy.verifier_id == v.id, Consultancy.emitter_id == e.id,
                                                   Consultancy.year == year)):
        raise Conflict(f"conflict of interest: {v.name} consulted for {e.uscc} in {year} and cannot verify it",
                       field="verifier_id")
    if session.scalar(select(Engagement.id).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                  Engagement.state.in_(ACTIVE_STATES + ("final",)))):
        raise Conflict(f"{e.uscc} {year} already has a verification engagement", field="year")
    report = session.scalar(select(Report).where(Report.emitter_id == e.id, Report.year == year)
                            .order_by(Report.version.desc()).limit(1))
    if report is None:
        raise Conflict(f"{e.uscc} has not submitted a {year} report", field="year")
    g = Engagement(emitter=e, year=year, verifier=v, report=report, state="assigned")
    session.add(g)
    session.flush()
    _event(session, entity="engagement", entity_id=g.id, emitter_id=e.id, action="assign", actor=actor,
           to_state="assigned", detail={"verifier_id": v.id, "report_id": report.id, "report_version": report.version})
    return g


def get_engagement(session: Session, *, engagement_id: int) -> Engagement:
    g = session.get(Engagement, engagement_id)
    if g is None:
        raise NotFound(f"no engagement {engagement_id}", field="engagement_id")
    return g


def list_engagements(session: Session, *, verifier_id: int | None = None, emitter_id: int | None = None,
                     year: int | None = None) -> list[Engagement]:
    q = select(Engagement).order_by(Engagement.id)
    if verifier_id is not None:
        q = q.where(Engagement.verifier_id == verifier_id)
    if emitter_id is not None:
        q = q.where(Engagement.emitter_id == emitter_id)
    if year is not None:
        q = q.where(Engagement.year == year)
    return list(session.scalars(q))


def _move(session: Session, g: Engagement, action: str, role: str, actor: str, detail: dict | None = None,
          at: datetime | None = None) -> None:
    new = workflow.next_state(g.state, action, role)
    _event(session, entity="engagement", entity_id=g.id, emitter_id=g.emitter_id, action=action, actor=actor,
           from_state=g.state, to_state=new, detail=detail, at=at)
    g.state = new


def record_review(session: Session, *, engagement_id: int, kind: str, notes: str, actor: str) -> Engagement:
    """Document review (文件评审) or on-site check (现场核查) notes."""
    if kind not in ("document", "on_site"):
        raise ValidationError("kind must be 'document' or 'on_site'", field="kind")
    g = get_engagement(session, engagement_id=engagement_id)
    _move(session, g, "record_review", "verifier", actor, {"kind": kind, "notes": notes})
    g.review = [*(g.review or []), {"kind": kind, "notes": notes, "by": actor, "at": utcnow().isoformat()}]
    session.flush()
    return g


def _nc(g: Engagement, nc_id: int) -> NonConformity:
    for nc in g.nonconformities:
        if nc.id == nc_id:
            return nc
    raise NotFound(f"no non-conformity {nc_id} in engagement {g.id}", field="nc_id")


def raise_nonconformity(session: Session, *, engagement_id: int, parameter: str, description: str,
                        conservative_adjustment_t: int, actor: str) -> NonConformity:
    g = get_engagement(session, engagement_id=engagement_id)
    if conservative_adjustment_t < 0:
        raise ValidationError("conservative_adjustment_t must be >= 0", field="conservative_adjustment_t")
    _move(session, g, "raise_nonconformity", "verifier", actor,
          {"parameter": parameter, "description": description, "conservative_adjustment_t": conservative_adjustment_t})
    nc = NonConformity(engagement=g, parameter=parameter, description=description,
                       conservative_adjustment_t=conservative_adjustment_t)
    session.add(nc)
    session.flush()
    return nc


def record_correction(session: Session, *, engagement_id: int, nc_id: int, correction: str, actor: str) -> NonConformity:
    g = get_engagement(session, engagement_id=engagement_id)
    nc = _nc(g, nc_id)
    if nc.status == "resolved":
        raise Conflict(f"non-conformity {nc_id} is already resolved", field="nc_id")
    _move(session, g, "record_correction", "emitter", actor, {"nc_id": nc_id, "correction": correction})
    nc.status, nc.correction = "corrected", correction
    session.flush()
    return nc


def resolve_nonconformity(session: Session, *, engagement_id: int, nc_id: int, actor: str) -> NonConformity:
    g = get_engagement(session, engagement_id=engagement_id)
    nc = _nc(g, nc_id)
    if nc.status != "corrected":
        raise Conflict(f"non-conformity {nc_id} is {nc.status}: the emitter's correction comes first", field="nc_id")
    _move(session, g, "resolve_nonconformity", "verifier", actor, {"nc_id": nc_id})
    nc.status, nc.resolved_at = "resolved", utcnow()
    session.flush()
    return nc


def _verify(g: Engagement, payload: dict[str, Any]) -> None:
    """Compute the verified figures from ``payload`` plus the conservative estimate of unresolved items."""
    unresolved = [nc.conservative_adjustment_t for nc in g.nonconformities if nc.status != "resolved"]
    adjustment = workflow.conservative_verified(0, unresolved)
    result = compute_report(payload, adjustment_t=adjustment)
    if result["year"] != g.year:
        raise ValidationError(f"the corrected report is for {result['year']}, the engagement for {g.year}", field="year")
    g.verified_payload, g.verified_result = payload, result
    g.conservative_adjustment_t = adjustment
    g.verified_emissions_t = allocation.round_half_up(result["total"]["emissions_t"])
    g.covered_emissions_t = int(result["total"]["covered_emissions_t"])


def conclude(session: Session, *, engagement_id: int, conclusion: str, corrected_payload: dict[str, Any] | None = None,
             actor: str, now: datetime | None = None) -> Engagement:
    """The verifier's conclusion (核查结论). Verified emissions come from the corrected report (or the
    submitted one) plus the conservative estimate of every non-conformity not resolved; they supersede the
    reported figure. The emitter is notified now: the re-check window (7 working days) starts."""
    g = get_engagement(session, engagement_id=engagement_id)
    now = now or utcnow()
    workflow.next_state(g.state, "conclude", "verifier")  # fail before computing
    _verify(g, corrected_payload if corrected_payload is not None else g.report.payload)
    g.conclusion, g.concluded_at = conclusion, now
    g.recheck_deadline = deadline_after(now, workflow.RECHECK_REQUEST_DAYS)
    _move(session, g, "conclude", "verifier", actor, at=now, detail={
        "verified_emissions_t": g.verified_emissions_t, "reported_emissions_t": g.report.reported_emissions_t,
        "conservative_adjustment_t": g.conservative_adjustment_t, "corrected": corrected_payload is not None,
        "recheck_deadline": g.recheck_deadline.isoformat()})
    session.flush()
    return g


def accept(session: Session, *, engagement_id: int, actor: str, now: datetime | None = None) -> Engagement:
    g = get_engagement(session, engagement_id=engagement_id)
    now = now or utcnow()
    _move(session, g, "accept", "emitter", actor, at=now)
    g.finalised_at = now
    session.flush()
    return g


def finalise(session: Session, *, engagement_id: int, actor: str, now: datetime | None = None) -> Engagement:
    """The bureau makes the conclusion final once the emitter's re-check window has passed."""
    g = get_engagement(session, engagement_id=engagement_id)
    now = now or utcnow()
    if g.state == "concluded" and beijing_date(now) <= g.recheck_deadline:
        raise Conflict(f"the emitter may ask for a re-check until {g.recheck_deadline.isoformat()}", field="state")
    _move(session, g, "finalise", "bureau", actor, at=now)
    g.finalised_at = now
    session.flush()
    return g


def request_recheck(session: Session, *, engagement_id: int, reason: str, actor: str,
                    now: datetime | None = None) -> Engagement:
    """The emitter asks for a re-check (复核) within 7 working days of the conclusion."""
    g = get_engagement(session, engagement_id=engagement_id)
    now = now or utcnow()
    if not reason or not reason.strip():
        raise ValidationError("a re-check request needs a reason", field="reason")
    if g.state == "concluded" and beijing_date(now) > g.recheck_deadline:
        raise Conflict(f"the re-check window closed on {g.recheck_deadline.isoformat()} (7 working days)",
                       field="state")
    _move(session, g, "request_recheck", "emitter", actor, at=now, detail={"reason": reason})
    g.recheck_requested_at, g.recheck_reason = now, reason
    g.decision_deadline = deadline_after(now, workflow.RECHECK_DECISION_DAYS)
    session.flush()
    return g


def decide_recheck(session: Session, *, engagement_id: int, outcome: str, actor: str,
                   corrected_payload: dict[str, Any] | None = None, note: str = "",
                   now: datetime | None = None) -> Engagement:
    """The bureau's re-check decision (within 10 working days; a late decision is recorded as late)."""
    g = get_engagement(session, engagement_id=engagement_id)
    now = now or utcnow()
    if outcome not in ("upheld", "revised"):
        raise ValidationError("outcome must be 'upheld' or 'revised'", field="outcome")
    if (outcome == "revised") != (corrected_payload is not None):
        raise ValidationError("a revised outcome comes with the corrected report, an upheld one without",
                              field="corrected_payload")
    workflow.next_state(g.state, "decide_recheck", "bureau")
    _assert_not_settled(session, g.emitter, g.year)
    before = g.verified_emissions_t
    if corrected_payload is not None:
        _verify(g, corrected_payload)
    late = beijing_date(now) > g.decision_deadline if g.decision_deadline else False
    _move(session, g, "decide_recheck", "bureau", actor, at=now, detail={
        "outcome": outcome, "note": note, "late": late, "verified_emissions_t_before": before,
        "verified_emissions_t": g.verified_emissions_t})
    g.recheck_outcome, g.decided_at, g.finalised_at = outcome, now, now
    session.flush()
    return g


def withdraw(session: Session, *, engagement_id: int, actor: str) -> Engagement:
    g = get_engagement(session, engagement_id=engagement_id)
    _move(session, g, "withdraw", "bureau", actor)
    session.flush()
    return g


def events(session: Session, *, emitter_id: int | None = None, entity: str | None = None,
           entity_id: int | None = None) -> list[Event]:
    q = select(Event).order_by(Event.id)
    if emitter_id is not None:
        q = q.where(Event.emitter_id == emitter_id)
    if entity is not None:
        q = q.where(Event.entity == entity)
    if entity_id is not None:
        q = q.where(Event.entity_id == entity_id)
    return list(session.scalars(q))


def figures(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    """The emitter's figures for ``year``: the verified ones once concluded (they supersede the reported)."""
    e = get_emitter(session, uscc=uscc)
    g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                Engagement.state.in_(VERIFIED_STATES)).order_by(Engagement.id.desc()))
    if g is not None:
        return {"source": "verified", "state": g.state, "engagement_id": g.id, "report_version": g.report.version,
                "emissions_t": g.verified_emissions_t, "covered_emissions_t": g.covered_emissions_t,
                "reported_emissions_t": g.report.reported_emissions_t, "result": g.verified_result}
    reports = list_reports(session, emitter_id=e.id, year=year)
    if not reports:
        raise NotFound(f"no {year} report for {e.uscc}", field="year")
    r = reports[-1]
    return {"source": "reported", "state": None, "engagement_id": None, "report_version": r.version,
            "emissions_t": r.reported_emissions_t, "covered_emissions_t": int(r.result["total"]["covered_emissions_t"]),
            "reported_emissions_t": r.reported_emissions_t, "result": r.result}


# --- ledger ------------------------------------------------------------------------------------------------

def _account(session: Session, key: ledger.AccountKey) -> Account:
    q = select(Account).where(Account.owner == key.owner, Account.asset == key.asset, Account.vintage == key.vintage)
    found = session.scalar(q)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = Account(owner=key.owner, asset=key.asset, vintage=key.vintage)
            session.add(found)
    except IntegrityError:  # created concurrently
        found = session.scalar(q)
        assert found is not None
    return found


def _balance(session: Session, account_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Entry.amount_t), 0)).where(Entry.account_id == account_id)))


def _lock_emitter(session: Session, emitter: Emitter) -> None:
    """Serialise the writes of one emitter (row lock on PostgreSQL; SQLite has a single writer anyway)."""
    session.execute(select(Emitter.id).where(Emitter.id == emitter.id).with_for_update())


def apply_operation(session: Session, *, op: ledger.Operation, actor: str,
                    idempotency_key: str | None = None) -> Transaction:
    """Post ``op`` as one balanced transaction; the debited account is row-locked while its balance is checked.

    Replaying the same ``idempotency_key`` with the same operation returns the first transaction and posts
    nothing; the same key with another operation is a ValidationError.
    """
    if idempotency_key is not None:
        found = session.scalar(select(Transaction).where(Transaction.idempotency_key == idempotency_key))
        if found is not None:
            if found.fingerprint != op.fingerprint():
                raise ValidationError("idempotency key already used for a different ledger operation",
                                      field="idempotency_key")
            return found
    entries = ledger.postings(op)
    accounts = {k: _account(session, k) for k, _ in entries}
    debit = ledger.debited(op)
    if not debit.is_system:
        session.execute(select(Account.id).where(Account.id == accounts[debit].id).with_for_update())
    ledger.check_balances(entries, lambda k: _balance(session, accounts[k].id))
    txn = Transaction(kind=op.kind, owner=op.owner, counterparty=op.counterparty, asset=op.asset, vintage=op.vintage,
                      amount_t=op.amount_t, year=op.year, memo=op.memo[:200], idempotency_key=idempotency_key,
                      fingerprint=op.fingerprint(), actor=actor)
    session.add(txn)
    session.flush()
    session.add_all(Entry(transaction_id=txn.id, account_id=accounts[k].id, amount_t=a) for k, a in entries)
    session.flush()
    owner = session.scalar(select(Emitter.id).where(Emitter.uscc == op.owner))
    _event(session, entity="transaction", entity_id=txn.id, emitter_id=owner, action=op.kind, actor=actor,
           detail={"asset": op.asset, "vintage": op.vintage, "amount_t": op.amount_t, "year": op.year,
                   "counterparty": op.counterparty})
    return txn


def balances(session: Session, *, owner: str) -> list[dict[str, Any]]:
    """Balances per asset and vintage, summed from the entries."""
    rows = session.execute(
        select(Account.asset, Account.vintage, func.coalesce(func.sum(Entry.amount_t), 0))
        .join(Entry, Entry.account_id == Account.id, isouter=True).where(Account.owner == owner)
        .group_by(Account.asset, Account.vintage).order_by(Account.asset, Account.vintage))
    return [{"asset": a, "vintage": v, "balance_t": int(b)} for a, v, b in rows]


def total_of_all_accounts(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Entry.amount_t), 0))))


def transactions(session: Session, *, owner: str) -> list[Transaction]:
    q = select(Transaction).where((Transaction.owner == owner) | (Transaction.counterparty == owner))
    return list(session.scalars(q.order_by(Transaction.id)))


def _surrendered(session: Session, uscc: str, year: int) -> dict[str, int]:
    rows = session.execute(select(Transaction.asset, func.sum(Transaction.amount_t))
                           .where(Transaction.kind == "surrender", Transaction.owner == uscc, Transaction.year == year)
                           .group_by(Transaction.asset))
    out = {"CEA": 0, "CCER": 0}
    out.update({a: int(s) for a, s in rows})
    return out


def transfer(session: Session, *, uscc: str, to_uscc: str, asset: str, vintage: int, amount_t: int, actor: str,
             idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    other = get_emitter(session, uscc=to_uscc)
    return apply_operation(session, op=ledger.Operation("transfer", e.uscc, asset, vintage, amount_t,
                                                        counterparty=other.uscc),
                           actor=actor, idempotency_key=idempotency_key)


def deposit_ccer(session: Session, *, uscc: str, vintage: int, amount_t: int, memo: str = "", actor: str,
                 idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    return apply_operation(session, op=ledger.Operation("deposit_ccer", e.uscc, "CCER", vintage, amount_t, memo=memo),
                           actor=actor, idempotency_key=idempotency_key)


def cancel(session: Session, *, uscc: str, asset: str, vintage: int, amount_t: int, actor: str,
           idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    return apply_operation(session, op=ledger.Operation("cancel", e.uscc, asset, vintage, amount_t),
                           actor=actor, idempotency_key=idempotency_key)


# --- allocation --------------------------------------------------------------------------------------------

def _allocation(session: Session, emitter: Emitter, year: int, kind: str) -> Allocation | None:
    return session.scalar(select(Allocation).where(Allocation.emitter_id == emitter.id, Allocation.year == year,
                                                   Allocation.kind == kind))


def allocate_pre(session: Session, *, uscc: str, year: int, basis_t: int, actor: str,
                 idempotency_key: str | None = None) -> Allocation:
    """Issue the 70% pre-allocation of ``year`` on ``basis_t`` (see allocation.pre_allocation)."""
    e = get_emitter(session, uscc=uscc)
    _assert_not_settled(session, e, year)
    amount = allocation.pre_allocation(year, basis_t=basis_t)
    if _allocation(session, e, year, "pre") is not None:
        raise Conflict(f"{e.uscc} already has a {year} pre-allocation", field="year")
    a = Allocation(emitter_id=e.id, year=year, kind="pre", amount_t=amount, basis={
        "basis_t": basis_t, "share": allocation.rule(year)["pre_allocation"]["share"],
        "basis": allocation.rule(year)["pre_allocation"]["basis"]}, rules_version=allocation.RULES_VERSION)
    session.add(a)
    session.flush()
    if amount:
        apply_operation(session, op=ledger.Operation("issue", e.uscc, "CEA", year, amount, year=year,
                                                     memo=f"pre-allocation {year}"),
                        actor=actor, idempotency_key=idempotency_key)
    _event(session, entity="allocation", entity_id=a.id, emitter_id=e.id, action="pre_allocate", actor=actor,
           detail={"year": year, "amount_t": amount, "basis_t": basis_t})
    return a


def allocate_final(session: Session, *, uscc: str, year: int, actor: str,
                   idempotency_key: str | None = None) -> Allocation:
    """Final allocation from the verified report; the true-up (final − pre) is issued or taken back."""
    e = get_emitter(session, uscc=uscc)
    _assert_not_settled(session, e, year)
    if _allocation(session, e, year, "final") is not None:
        raise Conflict(f"{e.uscc} already has a final {year} allocation", field="year")
    g = session.scalar(select(Engagement).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                Engagement.state == "final"))
    if g is None:
        raise Conflict(f"{e.uscc} {year}: the verification is not final yet", field="year")
    total = g.verified_result["total"]
    if total.get("quota_t") is None:
        raise Conflict(f"{e.uscc} {year}: no allocation computed ({g.verified_result.get('allocation', '')})",
                       field="year")
    pre = _allocation(session, e, year, "pre")
    pre_t = pre.amount_t if pre else 0
    delta = allocation.true_up(final_t=int(total["quota_t"]), pre_t=pre_t)
    a = Allocation(emitter_id=e.id, year=year, kind="final", amount_t=int(total["quota_t"]),
                   obligation_t=int(total["obligation_t"]), rules_version=allocation.RULES_VERSION, basis={
                       "engagement_id": g.id, "verified_emissions_t": g.verified_emissions_t,
                       "covered_emissions_t": g.covered_emissions_t, "pre_t": pre_t, "true_up_t": delta,
                       "gap_t": total["gap_t"], "gap_rate": total["gap_rate"], "cap_top_up_t": total["cap_top_up_t"],
                       "ccer_limit_t": total["ccer_limit_t"], "borrowing_limit_t": total["borrowing_limit_t"],
                       "rules": g.verified_result["rules"]})
    session.add(a)
    session.flush()
    if delta:
        kind = "issue" if delta > 0 else "take_back"
        apply_operation(session, op=ledger.Operation(kind, e.uscc, "CEA", year, abs(delta), year=year,
                                                     memo=f"true-up {year}"),
                        actor=actor, idempotency_key=idempotency_key)
    _event(session, entity="allocation", entity_id=a.id, emitter_id=e.id, action="final_allocate", actor=actor,
           detail={"year": year, "amount_t": a.amount_t, "obligation_t": a.obligation_t, "true_up_t": delta})
    return a


def allocations(session: Session, *, emitter_id: int) -> list[Allocation]:
    return list(session.scalars(select(Allocation).where(Allocation.emitter_id == emitter_id)
                                .order_by(Allocation.year, Allocation.kind.desc())))


# --- settlement --------------------------------------------------------------------------------------------

def _obligation(session: Session, e: Emitter, year: int) -> int:
    final = _allocation(session, e, year, "final")
    if final is None or final.obligation_t is None:
        raise Conflict(f"{e.uscc} has no final {year} allocation: the obligation is not known yet", field="year")
    return final.obligation_t


def surrender(session: Session, *, uscc: str, year: int, asset: str, vintage: int, amount_t: int, actor: str,
              idempotency_key: str | None = None) -> Transaction:
    """Surrender (清缴) allowances or CCER for ``year``: within the obligation, CCER ≤ 5% of it, never
    overdrawing (the emitter row is locked, so concurrent surrenders are serialised)."""
    e = get_emitter(session, uscc=uscc)
    if idempotency_key is not None:
        found = session.scalar(select(Transaction).where(Transaction.idempotency_key == idempotency_key))
        if found is not None:
            return apply_operation(session, op=ledger.Operation("surrender", e.uscc, asset, vintage, amount_t, year=year),
                                   actor=actor, idempotency_key=idempotency_key)
    _lock_emitter(session, e)
    _assert_not_settled(session, e, year)
    obligation = _obligation(session, e, year)
    done = _surrendered(session, e.uscc, year)
    settlement.check_surrender(obligation_t=obligation, surrendered_cea_t=done["CEA"], surrendered_ccer_t=done["CCER"],
                               asset=asset, amount_t=amount_t, vintage=vintage, year=year)
    return apply_operation(session, op=ledger.Operation("surrender", e.uscc, asset, vintage, amount_t, year=year),
                           actor=actor, idempotency_key=idempotency_key)


def compliance(session: Session, *, uscc: str, year: int, now: datetime | None = None,
               average_price_fen: int | None = None) -> dict[str, Any]:
    e = get_emitter(session, uscc=uscc)
    settled = session.scalar(select(Settlement).where(Settlement.emitter_id == e.id, Settlement.year == year))
    if settled is not None:
        return {"year": year, "obligation_t": settled.obligation_t, "surrendered_cea_t": settled.surrendered_cea_t,
                "surrendered_ccer_t": settled.surrendered_ccer_t, "shortfall_t": settled.shortfall_t,
                "deadline": settlement.surrender_deadline(year).isoformat(), "status": settled.status,
                "penalty": settled.penalty, "settled": True, "settled_at": settled.settled_at.isoformat()}
    done = _surrendered(session, e.uscc, year)
    c = settlement.compliance(year, obligation_t=_obligation(session, e, year), surrendered_cea_t=done["CEA"],
                              surrendered_ccer_t=done["CCER"], as_of=beijing_date(now or utcnow()),
                              average_price_fen=average_price_fen)
    return {**c.as_dict(), "settled": False, "settled_at": None}


def settle(session: Session, *, uscc: str, year: int, actor: str, average_price_fen: int | None = None,
           now: datetime | None = None) -> Settlement:
    """Close ``year`` for the emitter: compliance and penalty are fixed, the year's records become immutable.
    Refused while the emitter is still inside the deadline with a shortfall (status pending)."""
    e = get_emitter(session, uscc=uscc)
    _lock_emitter(session, e)
    _assert_not_settled(session, e, year)
    c = compliance(session, uscc=uscc, year=year, now=now, average_price_fen=average_price_fen)
    if c["status"] == "pending":
        raise Conflict(f"{e.uscc} still has until {c['deadline']} to surrender {c['shortfall_t']} t", field="year")
    s = Settlement(emitter_id=e.id, year=year, obligation_t=c["obligation_t"], surrendered_cea_t=c["surrendered_cea_t"],
                   surrendered_ccer_t=c["surrendered_ccer_t"], shortfall_t=c["shortfall_t"], status=c["status"],
                   penalty=c["penalty"], settled_by=actor, settled_at=now or utcnow())
    session.add(s)
    session.flush()
    _event(session, entity="settlement", entity_id=s.id, emitter_id=e.id, action="settle", actor=actor,
           to_state=s.status, detail={"year": year, "shortfall_t": s.shortfall_t, "penalty": s.penalty})
    return s


# --- disclosure --------------------------------------------------------------------------------------------

def disclosure_figures(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    e = get_emitter(session, uscc=uscc)
    f = figures(session, uscc=uscc, year=year)
    if f["source"] != "verified" or f["state"] != "final":
        raise Conflict(f"{e.uscc} {year}: only final verified figures are disclosed", field="year")
    total = f["result"]["total"]
    try:
        comp = compliance(session, uscc=uscc, year=year)
    except Conflict:
        comp = None
    g = get_engagement(session, engagement_id=f["engagement_id"])
    return {
        "uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.code, "region_name": e.region.name_zh,
        "year": year, "verified_emissions_t": f["emissions_t"], "covered_emissions_t": f["covered_emissions_t"],
        "intensity_t_per_mwh": total.get("intensity_t_per_mwh"), "intensity_basis": total.get("intensity_basis"),
        "verifier": g.verifier.name, "concluded_on": beijing_date(g.concluded_at).isoformat() if g.concluded_at else None,
        "recheck_outcome": g.recheck_outcome,
        "compliance_status": comp["status"] if comp else "not_allocated",
        "obligation_t": comp["obligation_t"] if comp else None,
        "surrendered_t": (comp["surrendered_cea_t"] + comp["surrendered_ccer_t"]) if comp else None,
        "shortfall_t": comp["shortfall_t"] if comp else None,
    }


def publish_disclosure(session: Session, *, uscc: str, year: int, actor: str) -> Disclosure:
    e = get_emitter(session, uscc=uscc)
    if session.scalar(select(Disclosure.id).where(Disclosure.emitter_id == e.id, Disclosure.year == year)):
        raise Conflict(f"{e.uscc} {year} is already disclosed", field="year")
    d = Disclosure(emitter=e, year=year, figures=disclosure_figures(session, uscc=uscc, year=year))
    session.add(d)
    session.flush()
    _event(session, entity="disclosure", entity_id=d.id, emitter_id=e.id, action="publish", actor=actor,
           detail={"year": year})
    return d


def list_disclosures(session: Session, *, year: int | None = None) -> list[Disclosure]:
    q = select(Disclosure).order_by(Disclosure.year, Disclosure.id)
    if year is not None:
        q = q.where(Disclosure.year == year)
    return list(session.scalars(q))


def get_disclosure(session: Session, *, uscc: str, year: int) -> Disclosure:
    d = session.scalar(select(Disclosure).join(Emitter).where(Emitter.uscc == uscc.strip().upper(),
                                                             Disclosure.year == year))
    if d is None:
        raise NotFound(f"no published disclosure for {uscc} {year}", field="uscc")
    return d


# --- inspections (双随机、一公开) ------------------------------------------------------------------------

def add_inspector(session: Session, *, name: str, unit: str | None = None, actor: str) -> Inspector:
    if not name.strip():
        raise ValidationError("name is required", field="name")
    i = Inspector(name=name.strip(), unit=unit)
    session.add(i)
    session.flush()
    _event(session, entity="inspector", entity_id=i.id, action="register", actor=actor, detail={"name": i.name})
    return i


def create_inspection(session: Session, *, year: int, k: int, per_emitter: int = 2, seed: str | None = None,
                      industry: str | None = None, actor: str) -> Inspection:
    """Draw emitters and inspectors from a seed that is stored and published with the population."""
    population = [e.uscc for e in list_emitters(session, industry=industry)]
    pool = [str(i.id) for i in session.scalars(select(Inspector).where(Inspector.active.is_(True)))]
    seed = seed if seed is not None else inspection.new_seed()
    d = inspection.draw(seed, emitters=population, k=k, inspectors=pool, per_emitter=per_emitter)
    row = Inspection(year=year, seed=seed, population=sorted(population), population_sha256=d.population_sha256, k=k,
                     per_emitter=per_emitter, selected={u: [int(i) for i in d.inspectors[u]] for u in d.emitters},
                     results={}, created_by=actor)
    session.add(row)
    session.flush()
    _event(session, entity="inspection", entity_id=row.id, action="draw", actor=actor,
           detail={"seed": seed, "population_sha256": d.population_sha256, "selected": d.emitters})
    return row


def get_inspection(session: Session, *, inspection_id: int) -> Inspection:
    i = session.get(Inspection, inspection_id)
    if i is None:
        raise NotFound(f"no inspection {inspection_id}", field="inspection_id")
    return i


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.id)))


def record_inspection_result(session: Session, *, inspection_id: int, uscc: str, passed: bool, finding: str,
                             actor: str) -> Inspection:
    i = get_inspection(session, inspection_id=inspection_id)
    code = uscc.strip().upper()
    if code not in i.selected:
        raise ValidationError(f"{code} was not drawn in inspection {inspection_id}", field="uscc")
    if code in (i.results or {}):
        raise Conflict(f"the result for {code} is already recorded", field="uscc")
    i.results = {**(i.results or {}), code: {"passed": passed, "finding": finding, "at": utcnow().isoformat()}}
    session.flush()
    _event(session, entity="inspection", entity_id=i.id, action="result", actor=actor,
           emitter_id=get_emitter(session, uscc=code).id, detail={"uscc": code, "passed": passed})
    return i


# --- summary (PDF / HTML) ----------------------------------------------------------------------------------

def summary_data(session: Session, *, uscc: str, year: int) -> dict[str, Any]:
    """What the verification and settlement summary shows."""
    e = get_emitter(session, uscc=uscc)
    f = figures(session, uscc=uscc, year=year)
    g = get_engagement(session, engagement_id=f["engagement_id"]) if f["engagement_id"] else None
    try:
        comp = compliance(session, uscc=uscc, year=year)
    except Conflict:
        comp = None
    result = f["result"]
    method = result.get("method", "power")
    chemical = method == "chemical"
    return {
        "emitter": {"uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.name_zh,
                    "quality_plan": e.quality_plan_ref, "quality_plan_version": e.quality_plan_version},
        "year": year, "figures": {k: v for k, v in f.items() if k != "result"},
        "total": result["total"], "units": result.get("units", []), "method": method,
        # chemical method: the carbon balance of each facility and where the carbon fractions came from
        # (always passed, empty otherwise: the template is StrictUndefined)
        "facilities": result.get("facilities", []) if chemical else [],
        "data_quality": result.get("data_quality", {}) if chemical else {},
        "engagement": None if g is None else {
            "verifier": g.verifier.name, "state": g.state, "conclusion": g.conclusion,
            "concluded_on": beijing_date(g.concluded_at).isoformat() if g.concluded_at else None,
            "recheck_outcome": g.recheck_outcome,
            "nonconformities": [{"parameter": n.parameter, "description": n.description, "status": n.status,
                                 "conservative_adjustment_t": n.conservative_adjustment_t, "correction": n.correction}
                                for n in g.nonconformities]},
        "allocations": [{"kind": a.kind, "amount_t": a.amount_t, "obligation_t": a.obligation_t}
                        for a in allocations(session, emitter_id=e.id) if a.year == year],
        "compliance": comp, "generated_at": beijing_date(utcnow()).isoformat(),
    }
