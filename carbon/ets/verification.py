"""Third-party verification (核查) of a yearly report: the bureau assigns a verifier, who reviews, raises
non-conformities the emitter corrects, and concludes; then the emitter accepts or asks for a re-check (复核)
that the bureau decides, or the bureau finalises once the re-check window has passed. The states and who
may move them are workflow.py; every move is an audit event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbon.core.errors import Conflict, NotFound, ValidationError
from carbon.ets import allocation, workflow
from carbon.ets.calendar import beijing_date, deadline_after
from carbon.ets.common import assert_not_settled, record_event, utcnow
from carbon.ets.models import Consultancy, Engagement, NonConformity, Report
from carbon.ets.registry import get_emitter, get_verifier
from carbon.ets.report import compute_report

ACTIVE_STATES = ("assigned", "in_review", "concluded", "recheck_requested")
VERIFIED_STATES = ("concluded", "recheck_requested", "final")


def assign_verifier(session: Session, *, uscc: str, year: int, verifier_id: int, actor: str) -> Engagement:
    """The bureau assigns a verifier to the emitter's latest report of ``year``.

    Conflict of interest: a verifier that consulted for the emitter that year cannot verify it.
    """
    e = get_emitter(session, uscc=uscc)
    v = get_verifier(session, verifier_id=verifier_id)
    assert_not_settled(session, e, year)
    if session.scalar(select(Consultancy.id).where(Consultancy.verifier_id == v.id, Consultancy.emitter_id == e.id,
                                                   Consultancy.year == year)):
        raise Conflict(key="ets_conflict_of_interest", params={"verifier": v.name, "uscc": e.uscc, "year": year},
                       field="verifier_id")
    if session.scalar(select(Engagement.id).where(Engagement.emitter_id == e.id, Engagement.year == year,
                                                  Engagement.state.in_(ACTIVE_STATES + ("final",)))):
        raise Conflict(key="ets_engagement_exists", params={"uscc": e.uscc, "year": year}, field="year")
    report = session.scalar(select(Report).where(Report.emitter_id == e.id, Report.year == year)
                            .order_by(Report.version.desc()).limit(1))
    if report is None:
        raise Conflict(key="ets_report_not_submitted", params={"uscc": e.uscc, "year": year}, field="year")
    g = Engagement(emitter=e, year=year, verifier=v, report=report, state="assigned")
    session.add(g)
    session.flush()
    record_event(session, entity="engagement", entity_id=g.id, emitter_id=e.id, action="assign", actor=actor,
                 to_state="assigned",
                 detail={"verifier_id": v.id, "report_id": report.id, "report_version": report.version})
    return g


def get_engagement(session: Session, *, engagement_id: int) -> Engagement:
    g = session.get(Engagement, engagement_id)
    if g is None:
        raise NotFound(key="ets_no_engagement", params={"engagement_id": engagement_id}, field="engagement_id")
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
    record_event(session, entity="engagement", entity_id=g.id, emitter_id=g.emitter_id, action=action, actor=actor,
                 from_state=g.state, to_state=new, detail=detail, at=at)
    g.state = new


def record_review(session: Session, *, engagement_id: int, kind: str, notes: str, actor: str) -> Engagement:
    """Document review (文件评审) or on-site check (现场核查) notes."""
    if kind not in ("document", "on_site"):
        raise ValidationError(key="ets_nc_kind", field="kind")
    g = get_engagement(session, engagement_id=engagement_id)
    _move(session, g, "record_review", "verifier", actor, {"kind": kind, "notes": notes})
    g.review = [*(g.review or []), {"kind": kind, "notes": notes, "by": actor, "at": utcnow().isoformat()}]
    session.flush()
    return g


def _nc(g: Engagement, nc_id: int) -> NonConformity:
    for nc in g.nonconformities:
        if nc.id == nc_id:
            return nc
    raise NotFound(key="ets_no_nonconformity", params={"nc_id": nc_id, "engagement_id": g.id}, field="nc_id")


def raise_nonconformity(session: Session, *, engagement_id: int, parameter: str, description: str,
                        conservative_adjustment_t: int, actor: str) -> NonConformity:
    g = get_engagement(session, engagement_id=engagement_id)
    if conservative_adjustment_t < 0:
        raise ValidationError(key="ets_adjustment_negative", field="conservative_adjustment_t")
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
        raise Conflict(key="ets_nc_resolved", params={"nc_id": nc_id}, field="nc_id")
    _move(session, g, "record_correction", "emitter", actor, {"nc_id": nc_id, "correction": correction})
    nc.status, nc.correction = "corrected", correction
    session.flush()
    return nc


def resolve_nonconformity(session: Session, *, engagement_id: int, nc_id: int, actor: str) -> NonConformity:
    g = get_engagement(session, engagement_id=engagement_id)
    nc = _nc(g, nc_id)
    if nc.status != "corrected":
        raise Conflict(key="ets_nc_needs_correction", params={"nc_id": nc_id, "status": nc.status}, field="nc_id")
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
        raise ValidationError(key="ets_corrected_year",
                              params={"report_year": result["year"], "year": g.year}, field="year")
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
        raise Conflict(key="ets_recheck_open", params={"deadline": g.recheck_deadline.isoformat()}, field="state")
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
        raise ValidationError(key="ets_recheck_reason", field="reason")
    if g.state == "concluded" and beijing_date(now) > g.recheck_deadline:
        raise Conflict(key="ets_recheck_closed", params={"deadline": g.recheck_deadline.isoformat()},
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
        raise ValidationError(key="ets_recheck_outcome", field="outcome")
    if (outcome == "revised") != (corrected_payload is not None):
        raise ValidationError(key="ets_recheck_payload",
                              field="corrected_payload")
    workflow.next_state(g.state, "decide_recheck", "bureau")
    assert_not_settled(session, g.emitter, g.year)
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
