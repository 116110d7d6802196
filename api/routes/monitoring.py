"""Carbon-monitoring endpoints: stacks, HJ 212 frames from data acquisition units, measured emissions and the
measured vs calculated comparison.

Thin: authorize, validate (pydantic), call ``carbon.monitoring.service``. Who may do what:

- ``bureau``: everything.
- ``emitter`` (a token bound to its emitter, ``carbon ets principal add``; a DAU gets such a token): post frames
  for its own stacks (a frame of another emitter's MN is rejected as an unknown MN), list its stacks, read its
  stacks' emissions.
- ``verifier``: read emissions and comparisons of the emitters of its engagements, and open a comparison's finding
  as a non-conformity of its engagement (``POST /monitoring/engagements/{id}/nonconformity``).

``POST /monitoring/frames`` is idempotent per record (stack, hour, pollutant): re-sending frames stores nothing
twice (the response counts them as ``duplicates``). It also accepts ``Idempotency-Key`` to replay the first
response to a retried request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import BureauUser, SessionDep, require_role
from api.params import Id63, Year
from api.idempotency import KeyHeader, idempotent
from api.routes.ets import caller, visible_emitter, visible_engagement
from carbon.core.errors import NotFound, ValidationError
from carbon.core.models import ApiToken
from carbon.monitoring import service
from carbon.monitoring.hj212 import MAX_DATA_LENGTH

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

MAX_FRAMES = 5000  # per request; a DAU sends one hourly frame per stack and hour
FrameSender = Annotated[ApiToken, require_role("bureau", "emitter")]
Reader = Annotated[ApiToken, require_role("bureau", "verifier", "emitter")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StackIn(Strict):
    uscc: str = Field(max_length=32)
    code: str = Field(min_length=1, max_length=64)
    mn: str = Field(min_length=1, max_length=64)


class FramesIn(Strict):
    frames: list[Annotated[str, Field(max_length=MAX_DATA_LENGTH + 16)]] = Field(
        min_length=1, max_length=MAX_FRAMES,
        description="HJ 212-2017 frames ('##dddd...CCCC', trailing CRLF optional); hourly data (CN=2061) is stored")


def stack_out(s) -> dict[str, Any]:
    return {"id": s.id, "emitter_id": s.emitter_id, "code": s.code, "mn": s.mn}


@router.post("/stacks", status_code=201)
def create_stack(body: StackIn, session: SessionDep, user: BureauUser, request: Request,
                 idempotency_key: KeyHeader = None):
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201,
                      produce=lambda: stack_out(service.register_stack(session, uscc=body.uscc, code=body.code,
                                                                       mn=body.mn)))


@router.get("/stacks")
def list_stacks(session: SessionDep, user: FrameSender) -> list[dict[str, Any]]:
    c = caller(session, user)
    return [stack_out(s) for s in service.list_stacks(session, emitter_id=c.emitter_id)]


@router.post("/frames", status_code=200)
def post_frames(body: FramesIn, session: SessionDep, user: FrameSender, request: Request,
                idempotency_key: KeyHeader = None):
    """Frames from a data acquisition unit. Bad frames are reported per index (``errors``), good ones stored."""
    c = caller(session, user)
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=200,
                      produce=lambda: service.ingest_frames(session, frames=body.frames,
                                                            emitter_id=c.emitter_id).as_dict())


def _visible_stack(session, user: ApiToken, ref: str):
    c = caller(session, user)
    s = service.get_stack(session, ref=ref)
    if c.role == "bureau":
        return s
    from carbon.ets.models import Emitter

    e = session.get(Emitter, s.emitter_id)
    try:
        visible_emitter(session, c, e.uscc)
    except NotFound:
        raise NotFound(key="monitoring_stack_not_found", params={"ref": ref}, field="stack") from None
    return s


def _aware(t: datetime, name: str) -> datetime:
    if t.tzinfo is None:
        raise ValidationError(key="monitoring_api_time_no_offset", params={"name": name}, field=name)
    return t


@router.get("/stacks/{ref}/emissions")
def stack_emissions(ref: str, start: datetime, end: datetime, session: SessionDep, user: Reader,
                    flatline_hours: Annotated[int, Query(ge=1, le=8784)] = 6, hours: bool = False) -> dict[str, Any]:
    """Measured CO2 of one stack over [start, end): total, valid hours, data-quality issues."""
    s = _visible_stack(session, user, ref)
    m = service.stack_emissions(session, stack=s, start=_aware(start, "start"), end=_aware(end, "end"),
                                flatline_hours=flatline_hours)
    return {"stack": stack_out(s), **m.as_dict(hours=hours)}


@router.get("/emitters/{uscc}/comparison")
def comparison(uscc: str, start: datetime, end: datetime, session: SessionDep, user: Reader,
               calculated_t: float | None = None, year: Year | None = None,
               threshold_pct: float | None = None) -> dict[str, Any]:
    """Measured vs calculated emissions of an emitter and period: deviation %, threshold, finding (or null)."""
    c = caller(session, user)
    e = visible_emitter(session, c, uscc)
    return service.compare_emitter(session, uscc=e.uscc, start=_aware(start, "start"), end=_aware(end, "end"),
                                   calculated_t=calculated_t, year=year,
                                   thresholds={e.industry: threshold_pct} if threshold_pct is not None else None)


class FindingIn(Strict):
    start: datetime = Field(description="period start, with its UTC offset")
    end: datetime = Field(description="period end (exclusive), with its UTC offset")
    calculated_t: float | None = Field(None, ge=0, le=1e12, description="the accounting figure of the period; "
                                       "default: the emitter's ETS report of the engagement's year")
    threshold_pct: float | None = Field(None, gt=0, le=1000, description="the deviation threshold, % (default: the "
                                        "bureau's threshold of the emitter's industry)")


@router.post("/engagements/{engagement_id}/nonconformity", status_code=201,
             responses={200: {"description": "the same finding was opened before: that non-conformity"},
                        409: {"description": "the comparison has no finding (or the engagement's state admits none)"}})
def open_finding(engagement_id: Id63, body: FindingIn, response: Response, session: SessionDep,
                 user: Annotated[ApiToken, require_role("verifier")]) -> dict[str, Any]:
    """The verifier of an engagement opens the CEMS comparison's finding (measured vs calculated, for the period) as
    a non-conformity of the engagement (carbon/monitoring/findings.py): 201 with it, or 200 with the one opened
    before for the same finding; 409 when the comparison has no finding."""
    from carbon.monitoring import findings

    c = caller(session, user)
    g = visible_engagement(session, c, engagement_id)
    thresholds = {g.emitter.industry: body.threshold_pct} if body.threshold_pct is not None else None
    nc, comparison_, created = findings.open_nonconformity(
        session, engagement_id=g.id, start=_aware(body.start, "start"), end=_aware(body.end, "end"), actor=c.actor,
        calculated_t=body.calculated_t, thresholds=thresholds)
    if not created:
        response.status_code = 200
    return {"nonconformity": {"id": nc.id, "engagement_id": g.id, "parameter": nc.parameter,
                              "description": nc.description, "status": nc.status,
                              "conservative_adjustment_t": nc.conservative_adjustment_t},
            "comparison": comparison_, "created": created}
