"""Key-emitter endpoints (national ETS): registration, reports, verification, allocation, ledger, settlement,
disclosure and inspections; and the public disclosures (``/public/ets``).

Thin: authorize, validate (pydantic), call ``carbon.ets.service``. Who may do what:

- ``bureau``: everything.
- ``verifier``: only the engagements assigned to its organisation (token bound with ``carbon ets principal
  add``), and the reports and emitters of those engagements (read).
- ``emitter``: its own emitter, reports, engagements, accounts and compliance.
- ``public`` (no token): published disclosures and inspection draws.

Something a caller may not see is a 404, the same as something that does not exist. A role that never may
do an action gets a 403. Writes a client may retry accept ``Idempotency-Key`` (api/idempotency.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from datetime import date

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import BureauUser, SessionDep, require_role
from api.params import INT63_MAX, Id63, Month, Year
from carbon.ets.models import INDUSTRIES

IndustryName = Literal[INDUSTRIES]  # validated before any query (issue 17: an unknown one was a LookupError)
from api.idempotency import KeyHeader, idempotent
from carbon.core.errors import Forbidden, NotFound
from carbon.core.models import ApiToken
from carbon.ets import render, service
from carbon.ets.quality_plans import re_reference_plan
from carbon.ets.summary import year_summary_data
from carbon.ets.models import Emitter, Engagement, Report
from carbon.ets.report import compute_report
from carbon.core.input_limits import TEXT_MAX_CHARS

router = APIRouter(prefix="/ets", tags=["ets"])
public_router = APIRouter(prefix="/public/ets", tags=["public"])

PDF = "application/pdf"
Anyone = Annotated[ApiToken, require_role("bureau", "verifier", "emitter")]
EmitterSide = Annotated[ApiToken, require_role("bureau", "emitter")]
VerifierUser = Annotated[ApiToken, require_role("verifier")]
EmitterUser = Annotated[ApiToken, require_role("emitter")]
Asset = Literal["CEA", "CCER"]


@dataclass
class Caller:
    user: ApiToken
    verifier_id: int | None = None
    emitter_id: int | None = None

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def actor(self) -> str:
        return f"token {self.user.id} ({self.user.role}: {self.user.name})"


def caller(session, user: ApiToken) -> Caller:
    if user.role == "bureau":
        return Caller(user)
    p = service.principal_of(session, token_id=user.id)
    if p is None:
        raise Forbidden(f"token {user.id} is not bound to an organisation; the bureau binds it with "
                        "`carbon ets principal add` or POST /ets/principals")
    return Caller(user, verifier_id=p.verifier_id, emitter_id=p.emitter_id)


def visible_emitter(session, c: Caller, uscc: str) -> Emitter:
    e = service.get_emitter(session, uscc=uscc)
    if c.role == "bureau" or (c.role == "emitter" and c.emitter_id == e.id):
        return e
    if c.role == "verifier" and any(g.verifier_id == c.verifier_id
                                    for g in service.list_engagements(session, emitter_id=e.id)):
        return e
    raise NotFound(f"no emitter {uscc}", field="uscc")


def own_emitter(session, c: Caller, uscc: str) -> Emitter:
    """The emitter itself (or the bureau): verifiers read, they do not act for an emitter."""
    e = service.get_emitter(session, uscc=uscc)
    if c.role == "bureau" or (c.role == "emitter" and c.emitter_id == e.id):
        return e
    raise NotFound(f"no emitter {uscc}", field="uscc")


def visible_engagement(session, c: Caller, engagement_id: int) -> Engagement:
    g = service.get_engagement(session, engagement_id=engagement_id)
    if (c.role == "bureau" or (c.role == "verifier" and g.verifier_id == c.verifier_id)
            or (c.role == "emitter" and g.emitter_id == c.emitter_id)):
        return g
    raise NotFound(f"no engagement {engagement_id}", field="engagement_id")


# --- schemas ------------------------------------------------------------------------------------------------

class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitIn(Strict):
    code: str = Field(min_length=1, max_length=64)
    type: Literal["coal_300_plus", "coal_under_300", "coal_unconventional", "gas"]
    capacity_mw: float = Field(gt=0)
    cooling: Literal["water", "air", "back_pressure"]


class EmitterIn(Strict):
    uscc: str = Field(description="统一社会信用代码, 18 characters, GB 32100-2015 check character", max_length=32)
    name: str = Field(min_length=1, max_length=200)
    industry: Literal["power", "cement", "aluminium", "steel", "coal_chemical", "chemical", "other"] = "power"
    region: str = Field("150600", max_length=64)
    quality_plan_ref: str | None = Field(None, max_length=200)
    units: list[UnitIn] = []


class QualityPlanIn(Strict):
    ref: str = Field(min_length=1, max_length=200)


class VerifierIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    uscc: str | None = Field(None, max_length=32)


class PrincipalIn(Strict):
    token_id: Id63
    verifier_id: Id63 | None = None
    uscc: str | None = Field(None, max_length=32)


class ConsultancyIn(Strict):
    verifier_id: Id63
    uscc: str = Field(max_length=32)
    year: int = Field(ge=2005, le=2100)
    note: str | None = Field(None, max_length=TEXT_MAX_CHARS)


class AssignIn(Strict):
    uscc: str = Field(max_length=32)
    year: int = Field(ge=2005, le=2100)
    verifier_id: Id63


class ReviewIn(Strict):
    kind: Literal["document", "on_site"]
    notes: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)


class NonConformityIn(Strict):
    parameter: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)
    conservative_adjustment_t: int = Field(ge=0, le=INT63_MAX, description="tonnes added to verified emissions if not resolved")


class CorrectionIn(Strict):
    correction: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)


class ConclusionIn(Strict):
    conclusion: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)
    corrected_report: dict[str, Any] | None = Field(None, description="REPORT.json with the corrected data")


class RecheckIn(Strict):
    reason: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)


class DecisionIn(Strict):
    outcome: Literal["upheld", "revised"]
    corrected_report: dict[str, Any] | None = None
    note: str = Field("", max_length=TEXT_MAX_CHARS)


class PreAllocationIn(Strict):
    basis_t: int = Field(ge=0, le=INT63_MAX, description="the period's basis in whole tonnes (see allocation.pre_allocation)")


class SectorLineIn(Strict):
    """One allocation unit of a steel, cement or aluminium emitter (carbon.ets.sector_allocation.LineInput)."""
    verified_t: float = Field(ge=0)
    line_id: str | None = Field(default=None, max_length=100)
    output_t: float | None = Field(default=None, ge=0)
    product: str | None = Field(default=None, max_length=100)
    intensity: float | None = Field(default=None, ge=0, description="the plan's intensity value, t CO2 per t of product")
    adjustment: float | None = Field(default=None, ge=0)
    exempt: Literal["white_clinker", "carbide_slag", "gypsum_sulphuric_acid"] | None = None
    carbide_slag_share: float | None = Field(default=None, ge=0, le=1)


class FinalAllocationIn(Strict):
    """Optional: steel, cement and aluminium in 2025 need their lines (output, intensity, exemptions); power and
    2024 (allowances equal verified emissions) take no body."""
    lines: list[SectorLineIn] | None = Field(default=None, max_length=1000)


class TransferIn(Strict):
    to_uscc: str = Field(max_length=32)
    asset: Asset = "CEA"
    vintage: Year
    amount_t: int = Field(gt=0, le=INT63_MAX)


class CcerIn(Strict):
    vintage: Year
    amount_t: int = Field(gt=0, le=INT63_MAX)
    memo: str = Field("", max_length=200)


class SurrenderIn(Strict):
    year: Year
    asset: Asset = "CEA"
    vintage: Year
    amount_t: int = Field(gt=0, le=INT63_MAX)


class SettleIn(Strict):
    average_price_fen: int | None = Field(None, gt=0, le=INT63_MAX, description="average market price, fen per tonne")


class DisclosureIn(Strict):
    uscc: str = Field(max_length=32)
    year: Year


class InspectorIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    unit: str | None = Field(None, max_length=200)


class InspectionIn(Strict):
    year: Year
    k: int = Field(gt=0, le=INT63_MAX)
    per_emitter: int = Field(2, gt=0, le=INT63_MAX)
    seed: str | None = Field(None, max_length=200, description="default: 128 random bits")
    industry: IndustryName | None = None


class InspectionResultIn(Strict):
    uscc: str = Field(max_length=32)
    passed: bool
    finding: str = Field("", max_length=TEXT_MAX_CHARS)


class PlanParameterIn(Strict):
    """One monitored parameter of a data-quality control plan (carbon.ets.quality_plans.validate_parameters)."""
    parameter: str = Field(min_length=1, max_length=64, description="a key-parameter code (monthly_check.PARAMETERS)")
    item: str = Field("", max_length=100, description="the fuel, line or unit it is of (empty: the whole emitter)")
    description: str | None = Field(None, max_length=200)
    frequency: str = Field(max_length=16, description="per_batch | daily | monthly | quarterly | yearly, or 每批次/每日/每月/每季度/每年")
    method: str | None = Field(None, max_length=200, description="the method or standard (required when measured)")
    instrument: str | None = Field(None, max_length=200)
    source: str = Field("measured", max_length=16, description="measured | default, or 实测/缺省")
    unit: str | None = Field(None, max_length=64, description="unit as a string, e.g. \"t\", \"GJ/t\"")


class QualityPlanVersionIn(Strict):
    ref: str = Field(min_length=1, max_length=200)
    applies_from: int = Field(ge=2005, le=2100, description="the first reporting year this version governs")
    parameters: list[PlanParameterIn] = Field(min_length=1, max_length=500)
    note: str | None = Field(None, max_length=TEXT_MAX_CHARS)


class MonthlyValueIn(Strict):
    parameter: str = Field(min_length=1, max_length=64)
    item: str = Field("", max_length=100)
    value: float = Field(allow_inf_nan=False)
    unit: str = Field(min_length=1, max_length=64, description="unit as a string, dimension-checked for the parameter")
    source: str = Field(max_length=16, description="measured | default | calculated, or 实测/缺省/计算")
    samples: int = Field(0, ge=0, le=INT63_MAX, description="measurements behind the value this month")
    batches: int | None = Field(None, ge=0, le=INT63_MAX, description="batches received (for a per-batch plan)")
    method: str | None = Field(None, max_length=200)


class MonthlyFilingIn(Strict):
    values: list[MonthlyValueIn] = Field(min_length=1, max_length=1000)
    correction_reason: str | None = Field(None, max_length=TEXT_MAX_CHARS,
                                          description="required to file a month again (a correction, version n+1)")


# --- outputs ------------------------------------------------------------------------------------------------

def emitter_out(e: Emitter) -> dict[str, Any]:
    return {"uscc": e.uscc, "name": e.name, "industry": e.industry, "region": e.region.code,
            "region_name": e.region.name_zh, "quality_plan_ref": e.quality_plan_ref,
            "quality_plan_version": e.quality_plan_version,
            "units": [{"code": u.code, "type": u.type, "capacity_mw": u.capacity_mw, "cooling": u.cooling}
                      for u in e.units]}


def report_out(r: Report, *, full: bool = True) -> dict[str, Any]:
    out = {"id": r.id, "uscc": r.emitter.uscc, "year": r.year, "version": r.version,
           "reported_emissions_t": r.reported_emissions_t, "submitted_by": r.submitted_by,
           "submitted_at": r.submitted_at.isoformat()}
    if full:
        out.update(payload=r.payload, result=r.result)
    return out


def engagement_out(g: Engagement) -> dict[str, Any]:
    return {
        "id": g.id, "uscc": g.emitter.uscc, "year": g.year, "verifier_id": g.verifier_id, "verifier": g.verifier.name,
        "report_id": g.report_id, "report_version": g.report.version, "state": g.state, "review": g.review or [],
        "reported_emissions_t": g.report.reported_emissions_t, "verified_emissions_t": g.verified_emissions_t,
        "covered_emissions_t": g.covered_emissions_t, "conservative_adjustment_t": g.conservative_adjustment_t,
        "conclusion": g.conclusion, "concluded_at": g.concluded_at.isoformat() if g.concluded_at else None,
        "recheck_deadline": g.recheck_deadline.isoformat() if g.recheck_deadline else None,
        "recheck_reason": g.recheck_reason,
        "decision_deadline": g.decision_deadline.isoformat() if g.decision_deadline else None,
        "recheck_outcome": g.recheck_outcome, "verified_result": g.verified_result,
        "nonconformities": [{"id": n.id, "parameter": n.parameter, "description": n.description, "status": n.status,
                             "conservative_adjustment_t": n.conservative_adjustment_t, "correction": n.correction}
                            for n in g.nonconformities],
    }


def plan_out(p) -> dict[str, Any]:
    return {"uscc": p.emitter.uscc, "version": p.version, "ref": p.ref, "applies_from": p.applies_from,
            "parameters": p.parameters, "note": p.note, "created_by": p.created_by,
            "created_at": p.created_at.isoformat()}


def filing_out(f) -> dict[str, Any]:
    return {"id": f.id, "uscc": f.emitter.uscc, "year": f.year, "month": f.month, "version": f.version,
            "correction_reason": f.correction_reason, "filed_by": f.filed_by, "filed_at": f.filed_at.isoformat(),
            "values": [{"parameter": v.parameter, "item": v.item, "value": v.value, "unit": v.unit,
                        "source": v.source, "samples": v.samples, "batches": v.batches, "method": v.method}
                       for v in f.values]}


def event_out(ev) -> dict[str, Any]:
    return {"id": ev.id, "entity": ev.entity, "entity_id": ev.entity_id, "action": ev.action,
            "from_state": ev.from_state, "to_state": ev.to_state, "actor": ev.actor, "at": ev.at.isoformat(),
            "detail": ev.detail}


def txn_out(t) -> dict[str, Any]:
    return {"id": t.id, "kind": t.kind, "owner": t.owner, "counterparty": t.counterparty, "asset": t.asset,
            "vintage": t.vintage, "amount_t": t.amount_t, "year": t.year, "memo": t.memo,
            "created_at": t.created_at.isoformat()}


def allocation_out(a) -> dict[str, Any]:
    return {"id": a.id, "year": a.year, "kind": a.kind, "amount_t": a.amount_t, "obligation_t": a.obligation_t,
            "basis": a.basis, "rules_version": a.rules_version}


def inspection_out(i, *, public: bool = False) -> dict[str, Any]:
    return {"id": i.id, "year": i.year, "seed": i.seed, "population": i.population,
            "population_sha256": i.population_sha256, "k": i.k, "per_emitter": i.per_emitter,
            "selected": i.selected, "results": i.results or {}, "created_at": i.created_at.isoformat(),
            "algorithm": "rank = sha256('<seed>\\n<USCC>'); the k smallest; inspectors: sha256('<seed>\\n<USCC>\\n<id>')"}


# --- calculator ---------------------------------------------------------------------------------------------

@router.post("/compute")
def compute(body: dict[str, Any], user: Anyone) -> dict[str, Any]:
    """Stateless: compute a REPORT.json (emissions, intensities, quota, gap); nothing is stored."""
    return compute_report(body)


# --- emitters, verifiers, principals -----------------------------------------------------------------------

@router.post("/emitters", status_code=201)
def create_emitter(body: EmitterIn, session: SessionDep, user: BureauUser, request: Request,
                   idempotency_key: KeyHeader = None):
    def produce():
        e = service.create_emitter(session, uscc=body.uscc, name=body.name, industry=body.industry, region=body.region,
                                   quality_plan_ref=body.quality_plan_ref, units=[u.model_dump() for u in body.units],
                                   actor=caller(session, user).actor)
        return emitter_out(e)
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=produce)


@router.get("/emitters")
def list_emitters(session: SessionDep, user: BureauUser, industry: IndustryName | None = None) -> list[dict[str, Any]]:
    return [emitter_out(e) for e in service.list_emitters(session, industry=industry)]


@router.get("/emitters/{uscc}")
def get_emitter(uscc: str, session: SessionDep, user: Anyone) -> dict[str, Any]:
    return emitter_out(visible_emitter(session, caller(session, user), uscc))


@router.post("/emitters/{uscc}/units", status_code=201)
def add_unit(uscc: str, body: UnitIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    service.add_unit(session, uscc=uscc, actor=caller(session, user).actor, **body.model_dump())
    return emitter_out(service.get_emitter(session, uscc=uscc))


@router.post("/emitters/{uscc}/quality-plan", deprecated=True)
def quality_plan(uscc: str, body: QualityPlanIn, session: SessionDep, user: EmitterSide,
                 response: Response) -> dict[str, Any]:
    """Deprecated: use ``POST /emitters/{uscc}/quality-plans``. Puts the newest plan version's parameters on record
    under a new reference as a proper new version (``plan``); 409 when the emitter has no plan record yet."""
    c = caller(session, user)
    e = own_emitter(session, c, uscc)
    successor = f"/api/v1/ets/emitters/{e.uscc}/quality-plans"
    response.headers["Deprecation"] = "true"
    response.headers["Link"] = f'<{successor}>; rel="successor-version"'
    plan = re_reference_plan(session, uscc=e.uscc, ref=body.ref, actor=c.actor)
    return {**emitter_out(plan.emitter), "plan": plan_out(plan),
            "deprecated": f"use POST {successor} (a plan version with its parameters)"}


@router.post("/verifiers", status_code=201)
def create_verifier(body: VerifierIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    v = service.create_verifier(session, name=body.name, uscc=body.uscc, actor=caller(session, user).actor)
    return {"id": v.id, "name": v.name, "uscc": v.uscc}


@router.get("/verifiers")
def list_verifiers(session: SessionDep, user: BureauUser) -> list[dict[str, Any]]:
    return [{"id": v.id, "name": v.name, "uscc": v.uscc} for v in service.list_verifiers(session)]


@router.post("/principals", status_code=201)
def bind_principal(body: PrincipalIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    p = service.bind_principal(session, token_id=body.token_id, verifier_id=body.verifier_id, uscc=body.uscc,
                               actor=caller(session, user).actor)
    return {"token_id": p.token_id, "acts_for": p.describe()}


@router.post("/consultancies", status_code=201)
def record_consultancy(body: ConsultancyIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    c = service.record_consultancy(session, verifier_id=body.verifier_id, uscc=body.uscc, year=body.year,
                                   note=body.note, actor=caller(session, user).actor)
    return {"id": c.id, "verifier_id": c.verifier_id, "uscc": body.uscc, "year": c.year}


# --- reports ------------------------------------------------------------------------------------------------

@router.post("/emitters/{uscc}/reports", status_code=201)
def submit_report(uscc: str, body: dict[str, Any], session: SessionDep, user: EmitterSide, request: Request,
                  idempotency_key: KeyHeader = None):
    """Submit a yearly report (REPORT.json); each submission is a new version, computed at once."""
    c = caller(session, user)
    own_emitter(session, c, uscc)
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint={"uscc": uscc, **body},
                      status_code=201,
                      produce=lambda: report_out(service.submit_report(session, uscc=uscc, payload=body, actor=c.actor)))


@router.get("/emitters/{uscc}/reports")
def list_reports(uscc: str, session: SessionDep, user: Anyone, year: Year | None = None) -> list[dict[str, Any]]:
    e = visible_emitter(session, caller(session, user), uscc)
    return [report_out(r, full=False) for r in service.list_reports(session, emitter_id=e.id, year=year)]


@router.get("/reports/{report_id}")
def get_report(report_id: Id63, session: SessionDep, user: Anyone) -> dict[str, Any]:
    r = service.get_report(session, report_id=report_id)
    try:
        visible_emitter(session, caller(session, user), r.emitter.uscc)
    except NotFound:
        raise NotFound(f"no report {report_id}", field="report_id") from None
    return report_out(r)


@router.get("/emitters/{uscc}/figures/{year}")
def figures(uscc: str, year: Year, session: SessionDep, user: Anyone) -> dict[str, Any]:
    """The year's figures: verified ones once concluded (they supersede the reported), else the latest report."""
    visible_emitter(session, caller(session, user), uscc)
    return service.figures(session, uscc=uscc, year=year)


# --- data-quality control plans, monthly key parameters, covered entities --------------------------------------

@router.post("/emitters/{uscc}/quality-plans", status_code=201)
def create_quality_plan(uscc: str, body: QualityPlanVersionIn, session: SessionDep, user: EmitterSide,
                        request: Request, idempotency_key: KeyHeader = None):
    """A new version of the data-quality control plan (数据质量控制计划); earlier versions stay as they were."""
    c = caller(session, user)
    own_emitter(session, c, uscc)
    params = [{k: v for k, v in p.model_dump().items() if v is not None} for p in body.parameters]
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint={"uscc": uscc, **body.model_dump()}, status_code=201,
                      produce=lambda: plan_out(service.create_plan(
                          session, uscc=uscc, ref=body.ref, applies_from=body.applies_from, parameters=params,
                          note=body.note, actor=c.actor)))


@router.get("/emitters/{uscc}/quality-plans")
def list_quality_plans(uscc: str, session: SessionDep, user: Anyone) -> list[dict[str, Any]]:
    e = visible_emitter(session, caller(session, user), uscc)
    return [plan_out(p) for p in service.list_plans(session, emitter_id=e.id)]


@router.get("/emitters/{uscc}/quality-plans/{version}")
def get_quality_plan(uscc: str, version: Id63, session: SessionDep, user: Anyone) -> dict[str, Any]:
    e = visible_emitter(session, caller(session, user), uscc)
    return plan_out(service.get_plan(session, emitter=e, version=version))


@router.post("/emitters/{uscc}/monthly/{year}/{month}", status_code=201)
def file_month(uscc: str, year: Year, month: Month, body: MonthlyFilingIn, session: SessionDep, user: EmitterSide,
               request: Request, idempotency_key: KeyHeader = None):
    """File a month's key parameters (关键参数月度存证), a full snapshot. A filed month is immutable: filing it
    again is a correction (version n+1) and needs ``correction_reason`` (else 409)."""
    c = caller(session, user)
    own_emitter(session, c, uscc)
    values = [v.model_dump() for v in body.values]
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint={"uscc": uscc, "year": year, "month": month, **body.model_dump()}, status_code=201,
                      produce=lambda: filing_out(service.file_month(
                          session, uscc=uscc, year=year, month=month, values=values, actor=c.actor,
                          correction_reason=body.correction_reason)))


@router.get("/emitters/{uscc}/monthly/{year}")
def list_monthly(uscc: str, year: Year, session: SessionDep, user: Anyone) -> list[dict[str, Any]]:
    """Every version of every month of the year, by month and version."""
    e = visible_emitter(session, caller(session, user), uscc)
    return [filing_out(f) for f in service.list_filings(session, emitter_id=e.id, year=year)]


@router.get("/emitters/{uscc}/monthly/{year}/check")
def check_monthly(uscc: str, year: Year, session: SessionDep, user: Anyone,
                  report_id: Id63 | None = None,
                  through_month: Annotated[int | None, Query(ge=0, le=12)] = None,
                  tolerance: Annotated[float, Query(ge=0, le=1)] = 0.01) -> dict[str, Any]:
    """The year's gaps: its months (newest versions) against the plan that governs it and the annual report."""
    visible_emitter(session, caller(session, user), uscc)
    return service.check_monthly(session, uscc=uscc, year=year, report_id=report_id, tolerance=tolerance,
                                 through_month=through_month)


@router.get("/registry/{year}")
def registry(year: Year, session: SessionDep, user: BureauUser,
             industry: Annotated[str | None, Query(max_length=64)] = None,  # checked by the service (field industry)
             as_of: Annotated[date | None, Query(description="Beijing date (default: today)")] = None) -> dict[str, Any]:
    """Covered entities (重点排放单位名录) of the year: coverage (26,000 t CO2e direct) and who is late."""
    return service.covered_entities(session, year=year, industry=industry, as_of=as_of)


# --- verification -------------------------------------------------------------------------------------------

@router.post("/engagements", status_code=201)
def assign(body: AssignIn, session: SessionDep, user: BureauUser, request: Request, idempotency_key: KeyHeader = None):
    """Assign a verifier organisation to an emitter-year (refused on a conflict of interest)."""
    actor = caller(session, user).actor
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=lambda: engagement_out(service.assign_verifier(
                          session, uscc=body.uscc, year=body.year, verifier_id=body.verifier_id, actor=actor)))


@router.get("/engagements")
def list_engagements(session: SessionDep, user: Anyone, year: Year | None = None) -> list[dict[str, Any]]:
    c = caller(session, user)
    rows = service.list_engagements(session, verifier_id=c.verifier_id, emitter_id=c.emitter_id, year=year)
    return [engagement_out(g) for g in rows]


@router.get("/engagements/{engagement_id}")
def get_engagement(engagement_id: Id63, session: SessionDep, user: Anyone) -> dict[str, Any]:
    return engagement_out(visible_engagement(session, caller(session, user), engagement_id))


@router.get("/engagements/{engagement_id}/events")
def engagement_events(engagement_id: Id63, session: SessionDep, user: Anyone) -> list[dict[str, Any]]:
    g = visible_engagement(session, caller(session, user), engagement_id)
    return [event_out(ev) for ev in service.events(session, entity="engagement", entity_id=g.id)]


def _engagement_action(session, user: ApiToken, engagement_id: int, fn, **kwargs) -> dict[str, Any]:
    c = caller(session, user)
    visible_engagement(session, c, engagement_id)
    fn(session, engagement_id=engagement_id, actor=c.actor, **kwargs)
    return engagement_out(service.get_engagement(session, engagement_id=engagement_id))


@router.post("/engagements/{engagement_id}/reviews")
def record_review(engagement_id: Id63, body: ReviewIn, session: SessionDep, user: VerifierUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.record_review, kind=body.kind, notes=body.notes)


@router.post("/engagements/{engagement_id}/nonconformities", status_code=201)
def raise_nonconformity(engagement_id: Id63, body: NonConformityIn, session: SessionDep,
                        user: VerifierUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.raise_nonconformity, **body.model_dump())


@router.post("/engagements/{engagement_id}/nonconformities/{nc_id}/correction")
def record_correction(engagement_id: Id63, nc_id: Id63, body: CorrectionIn, session: SessionDep,
                      user: EmitterUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.record_correction, nc_id=nc_id,
                              correction=body.correction)


@router.post("/engagements/{engagement_id}/nonconformities/{nc_id}/resolve")
def resolve_nonconformity(engagement_id: Id63, nc_id: Id63, session: SessionDep, user: VerifierUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.resolve_nonconformity, nc_id=nc_id)


@router.post("/engagements/{engagement_id}/conclusion")
def conclude(engagement_id: Id63, body: ConclusionIn, session: SessionDep, user: VerifierUser, request: Request,
             idempotency_key: KeyHeader = None):
    """The conclusion with verified emissions (supersede the reported figure); starts the re-check window."""
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint={"id": engagement_id, **body.model_dump()}, status_code=200,
                      produce=lambda: _engagement_action(session, user, engagement_id, service.conclude,
                                                         conclusion=body.conclusion,
                                                         corrected_payload=body.corrected_report))


@router.post("/engagements/{engagement_id}/accept")
def accept(engagement_id: Id63, session: SessionDep, user: EmitterUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.accept)


@router.post("/engagements/{engagement_id}/recheck")
def request_recheck(engagement_id: Id63, body: RecheckIn, session: SessionDep, user: EmitterUser) -> dict[str, Any]:
    """Ask for a re-check (复核) within 7 working days of the conclusion."""
    return _engagement_action(session, user, engagement_id, service.request_recheck, reason=body.reason)


@router.post("/engagements/{engagement_id}/recheck/decision")
def decide_recheck(engagement_id: Id63, body: DecisionIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.decide_recheck, outcome=body.outcome,
                              corrected_payload=body.corrected_report, note=body.note)


@router.post("/engagements/{engagement_id}/finalise")
def finalise(engagement_id: Id63, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.finalise)


@router.post("/engagements/{engagement_id}/withdraw")
def withdraw(engagement_id: Id63, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    return _engagement_action(session, user, engagement_id, service.withdraw)


@router.get("/events")
def list_events(session: SessionDep, user: BureauUser, uscc: str | None = None) -> list[dict[str, Any]]:
    emitter_id = service.get_emitter(session, uscc=uscc).id if uscc else None
    return [event_out(ev) for ev in service.events(session, emitter_id=emitter_id)]


# --- allocation, ledger, settlement -------------------------------------------------------------------------

@router.post("/emitters/{uscc}/allocations/{year}/pre", status_code=201)
def allocate_pre(uscc: str, year: Year, body: PreAllocationIn, session: SessionDep, user: BureauUser,
                 request: Request, idempotency_key: KeyHeader = None):
    actor = caller(session, user).actor
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint={"uscc": uscc, "year": year, **body.model_dump()}, status_code=201,
                      produce=lambda: allocation_out(service.allocate_pre(session, uscc=uscc, year=year,
                                                                          basis_t=body.basis_t, actor=actor)))


@router.post("/emitters/{uscc}/allocations/{year}/final", status_code=201)
def allocate_final(uscc: str, year: Year, session: SessionDep, user: BureauUser, request: Request,
                   idempotency_key: KeyHeader = None, body: FinalAllocationIn | None = None):
    actor = caller(session, user).actor
    lines = None
    if body is not None and body.lines is not None:
        lines = [{k: v for k, v in line.model_dump().items() if v is not None} for line in body.lines]
    fingerprint = {"uscc": uscc, "year": year} | ({"lines": lines} if lines is not None else {})
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint=fingerprint, status_code=201,
                      produce=lambda: allocation_out(service.allocate_final(session, uscc=uscc, year=year, actor=actor,
                                                                            lines=lines)))


@router.get("/emitters/{uscc}/allocations")
def list_allocations(uscc: str, session: SessionDep, user: EmitterSide) -> list[dict[str, Any]]:
    e = own_emitter(session, caller(session, user), uscc)
    return [allocation_out(a) for a in service.allocations(session, emitter_id=e.id)]


@router.get("/emitters/{uscc}/accounts")
def accounts(uscc: str, session: SessionDep, user: EmitterSide) -> dict[str, Any]:
    """Balances per asset and vintage (sums of ledger entries) and the emitter's transactions."""
    e = own_emitter(session, caller(session, user), uscc)
    return {"uscc": e.uscc, "balances": service.balances(session, owner=e.uscc),
            "transactions": [txn_out(t) for t in service.transactions(session, owner=e.uscc)]}


def _ledger_write(session, user, request, key, fingerprint, fn, **kwargs):
    c = caller(session, user)
    own_emitter(session, c, kwargs["uscc"])
    ledger_key = f"{user.id}:{key}" if key else None
    return idempotent(session, request=request, user=user, key=key, fingerprint=fingerprint, status_code=201,
                      produce=lambda: txn_out(fn(session, actor=c.actor, idempotency_key=ledger_key, **kwargs)))


@router.post("/emitters/{uscc}/transfers", status_code=201)
def transfer(uscc: str, body: TransferIn, session: SessionDep, user: EmitterSide, request: Request,
             idempotency_key: KeyHeader = None):
    return _ledger_write(session, user, request, idempotency_key, {"uscc": uscc, **body.model_dump()},
                         service.transfer, uscc=uscc, **body.model_dump())


@router.post("/emitters/{uscc}/ccer", status_code=201)
def deposit_ccer(uscc: str, body: CcerIn, session: SessionDep, user: BureauUser, request: Request,
                 idempotency_key: KeyHeader = None):
    return _ledger_write(session, user, request, idempotency_key, {"uscc": uscc, **body.model_dump()},
                         service.deposit_ccer, uscc=uscc, **body.model_dump())


@router.post("/emitters/{uscc}/surrenders", status_code=201)
def surrender(uscc: str, body: SurrenderIn, session: SessionDep, user: EmitterSide, request: Request,
              idempotency_key: KeyHeader = None):
    """Surrender (清缴) for a compliance year: within the obligation, CCER at most 5% of it."""
    return _ledger_write(session, user, request, idempotency_key, {"uscc": uscc, **body.model_dump()},
                         service.surrender, uscc=uscc, **body.model_dump())


@router.get("/emitters/{uscc}/compliance/{year}")
def compliance(uscc: str, year: Year, session: SessionDep, user: EmitterSide,
               average_price_fen: Annotated[int | None, Query(gt=0, le=INT63_MAX)] = None) -> dict[str, Any]:
    own_emitter(session, caller(session, user), uscc)
    return service.compliance(session, uscc=uscc, year=year, average_price_fen=average_price_fen)


@router.post("/emitters/{uscc}/settlements/{year}", status_code=201)
def settle(uscc: str, year: Year, body: SettleIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    """Close the year: compliance and penalty fixed; the year's records become immutable."""
    service.settle(session, uscc=uscc, year=year, average_price_fen=body.average_price_fen,
                   actor=caller(session, user).actor)
    return service.compliance(session, uscc=uscc, year=year)


@router.get("/emitters/{uscc}/summary/{year}.{fmt}")
def summary(uscc: str, year: Year, fmt: Literal["pdf", "html"], session: SessionDep, user: EmitterSide) -> Response:
    """The verification and settlement summary (PDF, or HTML)."""
    own_emitter(session, caller(session, user), uscc)
    html = render.summary_html(service.summary_data(session, uscc=uscc, year=year))
    if fmt == "html":
        return HTMLResponse(html)
    return Response(render.pdf(html), media_type=PDF,
                    headers={"Content-Disposition": f'attachment; filename="ets-summary-{uscc}-{year}.pdf"'})


@router.get("/summary/{year}.{fmt}")
def year_summary(year: Year, fmt: Literal["pdf", "html"], session: SessionDep, user: BureauUser) -> Response:
    """The city's key emitters of a year, one block per sector: entities, covered emissions, intensities,
    allocation and compliance state (PDF, or HTML). Bureau only."""
    html = render.year_summary_html(year_summary_data(session, year=year))
    if fmt == "html":
        return HTMLResponse(html)
    return Response(render.pdf(html), media_type=PDF,
                    headers={"Content-Disposition": f'attachment; filename="ets-summary-{year}.pdf"'})


# --- disclosure and inspections -----------------------------------------------------------------------------

@router.post("/disclosures", status_code=201)
def publish_disclosure(body: DisclosureIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    d = service.publish_disclosure(session, uscc=body.uscc, year=body.year, actor=caller(session, user).actor)
    return {**d.figures, "published_at": d.published_at.isoformat()}


@router.post("/inspectors", status_code=201)
def add_inspector(body: InspectorIn, session: SessionDep, user: BureauUser) -> dict[str, Any]:
    i = service.add_inspector(session, name=body.name, unit=body.unit, actor=caller(session, user).actor)
    return {"id": i.id, "name": i.name, "unit": i.unit}


@router.post("/inspections", status_code=201)
def create_inspection(body: InspectionIn, session: SessionDep, user: BureauUser, request: Request,
                      idempotency_key: KeyHeader = None):
    """双随机: draw emitters and inspectors from a stored, published seed."""
    actor = caller(session, user).actor
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=lambda: inspection_out(service.create_inspection(
                          session, year=body.year, k=body.k, per_emitter=body.per_emitter, seed=body.seed,
                          industry=body.industry, actor=actor)))


@router.post("/inspections/{inspection_id}/results")
def record_inspection_result(inspection_id: Id63, body: InspectionResultIn, session: SessionDep,
                             user: BureauUser) -> dict[str, Any]:
    i = service.record_inspection_result(session, inspection_id=inspection_id, uscc=body.uscc, passed=body.passed,
                                         finding=body.finding, actor=caller(session, user).actor)
    return inspection_out(i)


# --- public -------------------------------------------------------------------------------------------------

def _public_items(session, year: int | None) -> list[dict[str, Any]]:
    return [{**d.figures, "published_at": d.published_at.isoformat()} for d in service.list_disclosures(session, year=year)]


@public_router.get("/disclosures")
def public_disclosures(session: SessionDep, year: Year | None = None) -> list[dict[str, Any]]:
    """Published figures per emitter and year: verified emissions, intensity, compliance."""
    return _public_items(session, year)


@public_router.get("/disclosures.html", response_class=HTMLResponse)
def public_disclosures_html(session: SessionDep, year: Year | None = None) -> HTMLResponse:
    return HTMLResponse(render.disclosure_html(_public_items(session, year), year=year))


@public_router.get("/disclosures/{uscc}/{year}")
def public_disclosure(uscc: str, year: Year, session: SessionDep) -> dict[str, Any]:
    d = service.get_disclosure(session, uscc=uscc, year=year)
    return {**d.figures, "published_at": d.published_at.isoformat()}


@public_router.get("/inspections")
def public_inspections(session: SessionDep) -> list[dict[str, Any]]:
    """Every draw with its seed and population, so anyone can reproduce it, and the results."""
    return [inspection_out(i) for i in service.list_inspections(session)]


@public_router.get("/inspections/{inspection_id}")
def public_inspection(inspection_id: Id63, session: SessionDep) -> dict[str, Any]:
    return inspection_out(service.get_inspection(session, inspection_id=inspection_id))
