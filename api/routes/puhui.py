"""碳普惠 endpoints for the WeChat mini-program, the public and the bureau (``/api/v1/puhui``).

The mini-program contract is fixed (issue 5): ``POST /login``, ``POST /behaviours``, ``GET /me``,
``GET /me/ledger``, ``GET /rewards``, ``POST /redemptions``, ``DELETE /me``, with the bodies and status codes
written there. Everything else here is additive.

Residents' tokens. A resident is not an ``api_tokens`` holder: logging in through WeChat creates our own
session token (32 random bytes, only its SHA-256 stored in ``puhui_sessions``, valid 30 days), so 2.2
million residents do not crowd the bureau's token list, a session expires on its own, and erasure removes
them. The bureau uses its ordinary API token (role ``bureau``) on the bureau endpoints. A token of one kind
is never accepted where the other is expected.

Idempotency. ``POST /behaviours``, ``POST /redemptions`` and ``POST /me/contributions`` take
``Idempotency-Key`` scoped to the *resident* (carbon/puhui/service.py; a resident's token changes at every
login, so api/idempotency.py's per-token scope would let a retry after re-login award twice). Same key and
same body: the stored response again (``Idempotent-Replayed: true``), nothing added; same key, other body:
422 ``idempotency_key_reused``. Bureau writes use api/idempotency.py as the rest of the API does.

Awards. ``POST /behaviours`` is an ``async def``: it validates the claim and hands it to the process's award
writer (carbon/puhui/award_batch.py), which decides the claims that arrive together in one transaction, and awaits
the answer. No worker thread waits for a claim. A plain claim (a JSON body that validates, an Idempotency-Key within
bounds or none) skips FastAPI's per-request parameter solving through a fast path (api/fast_route.py); any other
request is answered by FastAPI's standard handler, as if there were no fast path.

Rate limits (carbon/puhui/ratelimit.py): per resident and per IP on the resident endpoints, per IP on login
and the public ones; 429 ``rate_limited`` with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.deps import BearerDep, BureauUser, SessionDep, bearer
from api.params import INT63_MAX, Id63, Offset, Year
from api.fast_route import fast_path_route
from api.openapi_responses import responds
from api.idempotency import HEADER as KEY_HEADER
from api.idempotency import KEY_MAX_LENGTH, KeyHeader, idempotent
from carbon.core.db import utcnow
from carbon.core.errors import ValidationError
from carbon.puhui import footprint, operators, privacy, service, werun
from carbon.puhui.award_batch import AwardRequest, AwardWriter
from carbon.puhui.certificate import render_pdf
from carbon.puhui.models import PuhuiOperator
from carbon.puhui.ratelimit import enforce, make_limiter
from carbon.puhui.wechat import WeChatClient, resolve_login
from carbon.core.input_limits import TEXT_MAX_CHARS


def _award_writer(app: FastAPI) -> AwardWriter:
    """The award writer of the running event loop (started with the application; made here on first use where no
    lifespan ran, or where the loop is another one, as in a test client without its context manager)."""
    writer = getattr(app.state, "puhui_awards", None)
    if writer is None or writer.loop is not asyncio.get_running_loop():
        writer = app.state.puhui_awards = AwardWriter(app.state.session_factory, limiter=_limiter(app),
                                                      secret=app.state.settings.puhui_openid_secret,
                                                      check_evidence=app.state.settings.puhui_evidence_check)
    return writer


@asynccontextmanager
async def award_writer(app: FastAPI) -> AsyncIterator[None]:
    """Start the award writer with the application; at shutdown let it finish what is queued, then stop it (and
    close the rate limiter's connection of this event loop)."""
    writer = _award_writer(app)
    try:
        yield
    finally:
        app.state.puhui_awards = None
        await writer.close()
        await _limiter(app).aclose()


router = APIRouter(prefix="/puhui", tags=["碳普惠"], lifespan=award_writer)


# --- dependencies ---------------------------------------------------------------------------------------------

def _limiter(app: FastAPI):
    state = app.state
    limiter = getattr(state, "puhui_limiter", None)
    if limiter is None:
        limiter = state.puhui_limiter = make_limiter(state.settings.puhui_redis_url)
    return limiter


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@responds(429)
def limit_ip(request: Request) -> None:
    enforce(_limiter(request.app), [(f"ip:{_ip(request)}", request.app.state.settings.puhui_rate_ip_per_minute)])


@responds(429)
def current_resident(request: Request, credentials: BearerDep) -> int:
    """The resident's id from their session token, counted against the per-resident and per-IP limits.

    Authentication reads in its own short session, so that the request's session starts with the resident's
    lock (service.lock_user) and, on SQLite, never has to upgrade a read transaction to a write one.
    """
    with request.app.state.session_factory() as auth_session:
        user_id = service.authenticate(auth_session, credentials.credentials if credentials else None)
    enforce(_limiter(request.app), _resident_limits(request, user_id))
    return user_id


def _resident_limits(request: Request, user_id: int) -> list[tuple[str, int]]:
    """The limits a resident's request counts against: per resident and per IP."""
    settings = request.app.state.settings
    return [(f"user:{user_id}", settings.puhui_rate_user_per_minute),
            (f"ip:{_ip(request)}", settings.puhui_rate_ip_per_minute)]


Resident = Annotated[int, Depends(current_resident)]
PublicLimit = Depends(limit_ip)


def _outcome(outcome: service.Outcome, key: str | None) -> JSONResponse:
    headers = {}
    if key is not None:
        headers["Idempotency-Key"] = key
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


# --- schemas ------------------------------------------------------------------------------------------------

class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=128, description="the code from wx.login")


class LoginOut(BaseModel):
    token: str
    user_id: int
    expires_at: str


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    operator: str = Field(min_length=1, max_length=64, description="who recorded the trip, e.g. ordos-bus")
    trip_id: str = Field(min_length=1, max_length=128, description="the operator's id of the trip or bill")
    record: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=200)]] | None = Field(
        None, max_length=12, description="a record the operator signed (operator, record_id, "
                    "kind, openid, quantity, unit, occurred_at), carried by the app")
    key_id: str | None = Field(None, max_length=40, description="the operator key that signed ``record``")
    signature: str | None = Field(None, max_length=200, description="HMAC-SHA256 hex or Ed25519 base64 of the "
                                  "record's canonical JSON")


class WeRunIn(BaseModel):
    """``wx.getWeRunData`` output with a fresh ``wx.login`` code: decrypted with that session's key, which is then
    dropped."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=128, description="a fresh wx.login code")
    encrypted_data: str = Field(min_length=1, max_length=20_000)
    iv: str = Field(min_length=1, max_length=64)


class BehaviourIn(BaseModel):
    """A claimed behaviour. No location fields exist: GPS tracks are never accepted (extra fields are 422)."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field(min_length=1, max_length=40, description="methodology code: bus, cycling, walking, ...")
    quantity: Decimal = Field(max_digits=18, decimal_places=6)
    unit: str = Field(min_length=1, max_length=32)
    occurred_at: AwareDatetime
    duration_s: int | None = Field(None, ge=0, le=31 * 24 * 3600)
    evidence: Evidence | None = None
    werun: WeRunIn | None = Field(None, description="WeRun data verifying a walking claim (full cap)")


class MethodologyRef(BaseModel):
    code: str
    version: int


class BehaviourOut(BaseModel):
    id: int
    reduction_g: int
    points: int
    methodology: MethodologyRef
    capped: bool
    cap_reason: str | None = None
    verification: str | None = Field(None, description="operator|signed|werun|self_reported|unchecked")
    calculation: dict[str, str]


class ProfilePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, max_length=64, description="the name printed on the certificate")


class RewardOut(BaseModel):
    id: int
    name: str
    description: str
    cost_points: int
    stock: int
    active: bool


class RewardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=TEXT_MAX_CHARS)
    cost_points: int = Field(gt=0, le=INT63_MAX)
    stock: int = Field(ge=0, le=INT63_MAX)


class RewardPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=TEXT_MAX_CHARS)
    cost_points: int | None = Field(None, gt=0, le=INT63_MAX)
    active: bool | None = None
    stock_add: int | None = Field(None, ge=-INT63_MAX, le=INT63_MAX, description="add (or, negative, withdraw) stock; never set absolutely")


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reward_id: Id63


class RedemptionOut(BaseModel):
    id: int
    points_spent: int
    balance_after: int
    reward_id: int
    voucher_code: str


class ContributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reduction_g: int | None = Field(None, gt=0, le=INT63_MAX, description="grams to pool; omitted: everything not pooled yet")


class MethodologyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=40)
    version: int | None = Field(None, ge=1, le=INT63_MAX, description="omitted: the next version of this code")
    name_zh: str = Field(min_length=1, max_length=100)
    behaviour: str = Field(min_length=1, max_length=300)
    quantity_unit: str = Field(min_length=1, max_length=32)
    factor: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    factor_unit: str = Field(min_length=3, max_length=40, description="mass per quantity unit, e.g. 'g CO2e/km'")
    confidence: Literal["high", "medium", "low", "placeholder"] = "medium"
    baseline: str = Field("", max_length=TEXT_MAX_CHARS)
    source: str = Field(min_length=1, description="the published document the factor comes from", max_length=TEXT_MAX_CHARS)
    cap_period: Literal["day", "month"] | None = None
    cap_claims: int | None = Field(None, gt=0, le=INT63_MAX)
    cap_quantity: Decimal | None = Field(None, gt=0, max_digits=18)
    speed_min_kmh: Decimal | None = Field(None, ge=0, max_digits=18)
    speed_max_kmh: Decimal | None = Field(None, gt=0, max_digits=18)
    step_length_m: Decimal | None = Field(None, gt=0, max_digits=18)
    max_quantity_per_claim: Decimal | None = Field(None, gt=0, max_digits=18)
    window_days: int = Field(7, ge=1, le=366)
    evidence_required: bool = False
    valid_from: date = date(2020, 1, 1)
    note: str = Field("", max_length=TEXT_MAX_CHARS)


class OffsetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="e.g. 2025 鄂尔多斯马拉松")
    beneficiary: str = Field(min_length=1, max_length=200)
    reduction_g: int = Field(gt=0, le=INT63_MAX)
    note: str = Field("", max_length=TEXT_MAX_CHARS)


class Amount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: float = Field(ge=0)
    unit: str = Field(min_length=1, max_length=32)


class FootprintIn(BaseModel):
    """The questionnaire: yearly quantities, each with its unit. Omitted items count as none."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    household_size: int = Field(1, ge=1, le=20)
    electricity: Amount | None = Field(None, description="household electricity a year, e.g. 2400 kWh")
    natural_gas: Amount | None = Field(None, description="household natural gas a year, e.g. 300 m3")
    coal_heating: Amount | None = Field(None, description="raw coal burnt for heating a year, e.g. 1.5 t")
    car: Amount | None = Field(None, description="distance driven in a petrol car a year, e.g. 8000 km")
    car_fuel_economy: Amount | None = Field(None, description="the car's consumption, e.g. 7.5 L/100km")
    flights: Amount | None = Field(None, description="distance flown a year, e.g. 3000 km")
    diet: Literal["high_meat", "medium_meat", "low_meat", "vegetarian", "vegan"] | None = None


def _method_out(row) -> dict:
    m = service.as_methodology(row)
    d = m.as_dict()
    for k, v in list(d.items()):
        if isinstance(v, Decimal):
            d[k] = str(v)
        elif isinstance(v, date):
            d[k] = v.isoformat()
    return {"id": row.id, **d, "factor_g_per_unit": str(m.factor_g), "origin": row.origin}


def _reward_out(r) -> RewardOut:
    return RewardOut(id=r.id, name=r.name, description=r.description, cost_points=r.cost_points, stock=r.stock,
                     active=r.active)


# --- residents ----------------------------------------------------------------------------------------------

@router.post("/login", response_model=LoginOut, dependencies=[PublicLimit])
def login(body: LoginIn, request: Request, session: SessionDep) -> LoginOut:
    """Exchange a ``wx.login`` code for our session token. The WeChat session_key never leaves the server."""
    settings = request.app.state.settings
    client = WeChatClient(settings.puhui_wechat_app_id, settings.puhui_wechat_app_secret,
                          settings.puhui_wechat_base_url)
    identity = resolve_login(body.code, dev_enabled=settings.puhui_dev_login, client=client)
    token, user = service.login(session, identity=identity, secret=settings.puhui_openid_secret)
    expires = utcnow() + service.SESSION_TTL
    return LoginOut(token=token, user_id=user.id, expires_at=expires.isoformat())


async def record_behaviour(body: BehaviourIn, request: Request, credentials: BearerDep,
                           idempotency_key: KeyHeader = None):
    """Claim one low-carbon behaviour; points = grams CO2e avoided, rounded down, after caps.

    Handed to this process's award writer (carbon/puhui/award_batch.py: claims that arrive together share one
    transaction) and awaited here, so a claim holds no worker thread while it waits."""
    return await _award(request, body, credentials, idempotency_key)


async def _record_behaviour_fast(request: Request) -> JSONResponse | None:
    """``record_behaviour`` for the plain request, without FastAPI's per-request parameter solving
    (api/fast_route.py): a JSON body that validates as BehaviourIn, and an Idempotency-Key within bounds or none.
    Anything else returns None, and the route's standard handler answers, 422 wording included."""
    headers = request.headers
    key = headers.get(KEY_HEADER)
    if (headers.get("content-type", "").partition(";")[0].strip().lower() != "application/json"
            or (key is not None and not 0 < len(key) <= KEY_MAX_LENGTH)):
        return None
    try:  # what the standard handler does: json.loads of the body, then the model's validation of the value
        body = BehaviourIn.model_validate(json.loads(await request.body()))
    except Exception:  # noqa: BLE001 - it fails the same way again in the standard handler, which words the error
        return None
    return await _award(request, body, await bearer(request), key)


async def _award(request: Request, body: BehaviourIn, credentials: HTTPAuthorizationCredentials | None,
                 idempotency_key: str | None) -> JSONResponse:
    ev = body.evidence
    signed = None
    if ev is not None and (ev.record is not None or ev.signature is not None or ev.key_id is not None):
        if ev.record is None or not ev.signature or not ev.key_id:
            raise ValidationError(key="puhui_signed_evidence_incomplete", field="evidence.signature")
        signed = {"record": ev.record, "key_id": ev.key_id, "signature": ev.signature}
    werun_steps = await asyncio.to_thread(_werun_steps, request, body.werun) if body.werun is not None else None
    claim = service.Claim(type=body.type, quantity=body.quantity, unit=body.unit, occurred_at=body.occurred_at,
                          duration_s=body.duration_s, operator=ev.operator if ev else None,
                          trip_id=ev.trip_id if ev else None, signed=signed, werun=werun_steps)
    award = AwardRequest(token=credentials.credentials if credentials else None, claim=claim,
                         fingerprint=body.model_dump(mode="json"), idempotency_key=idempotency_key,
                         route="POST /puhui/behaviours", limits=partial(_resident_limits, request))
    outcome = await _award_writer(request.app).submit(award)
    return _outcome(outcome, idempotency_key)


def _werun_steps(request: Request, data: WeRunIn) -> werun.WeRunSteps:
    """code2Session for the fresh code, decrypt, check, drop the session key (never stored or logged)."""
    settings = request.app.state.settings
    client = WeChatClient(settings.puhui_wechat_app_id, settings.puhui_wechat_app_secret,
                          settings.puhui_wechat_base_url)
    identity = client.code2session(data.code)
    if not identity.session_key:
        raise werun.WeRunRejected(key="puhui_werun_no_session_key", field="werun.code")
    return werun.steps(session_key=identity.session_key, encrypted_data=data.encrypted_data, iv=data.iv,
                       appid=settings.puhui_wechat_app_id, now=utcnow())


BehaviourRoute = fast_path_route(_record_behaviour_fast)

router.add_api_route(
    "/behaviours", record_behaviour, methods=["POST"], status_code=201, response_model=BehaviourOut,
    responses={409: {"description": "duplicate_trip (an operator record earns once across all residents)"},
               422: {"description": "rule broken (reason in code): evidence_unverified, evidence_mismatch, "
                                    "signature_invalid, evidence_required, werun_invalid, werun_mismatch, ..."},
               503: {"description": "outcome_unknown: the database connection was lost while saving a claim sent "
                                    "without Idempotency-Key"}},
    route_class_override=BehaviourRoute)


@router.get("/me")
def me(session: SessionDep, user_id: Resident) -> dict:
    """Points balance, reductions (total, pooled, available) and what expires next."""
    return service.profile(session, user_id=user_id)


@router.patch("/me")
def update_me(body: ProfilePatch, session: SessionDep, user_id: Resident) -> dict:
    service.set_display_name(session, user_id=user_id, display_name=body.display_name)
    return service.profile(session, user_id=user_id)


@router.delete("/me")
def erase_me(session: SessionDep, user_id: Resident) -> dict:
    """Erase personal data (PIPL); the anonymous ledger stays. The token stops working at once."""
    return privacy.erase(session, user_id=user_id)


@router.get("/me/ledger")
def my_ledger(session: SessionDep, user_id: Resident, asset: Literal["points", "reduction_g"] = "points",
              limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[Offset, Query()] = 0) -> dict:
    """The resident's postings, newest first, with the balance after each."""
    return service.ledger_page(session, user_id=user_id, asset=asset, limit=limit, offset=offset)


@router.get("/me/export")
def my_export(session: SessionDep, user_id: Resident) -> JSONResponse:
    """Everything held about the resident (PIPL access and copy)."""
    return JSONResponse(privacy.export(session, user_id=user_id),
                        headers={"Content-Disposition": 'attachment; filename="puhui-export.json"'})


@router.put("/me/footprint")
def put_footprint(body: FootprintIn, session: SessionDep, user_id: Resident) -> dict:
    """Answer the footprint questionnaire for a year; returns the computed footprint."""
    def amount(a: Amount | None) -> footprint.Amount | None:
        return footprint.Amount(a.quantity, a.unit) if a is not None else None

    answers = footprint.Answers(year=body.year, household_size=body.household_size,
                                electricity=amount(body.electricity), natural_gas=amount(body.natural_gas),
                                coal_heating=amount(body.coal_heating), car=amount(body.car),
                                car_fuel_economy=amount(body.car_fuel_economy), flights=amount(body.flights),
                                diet=body.diet)
    return service.save_footprint(session, user_id=user_id, answers=answers, raw=body.model_dump(mode="json"))


@router.get("/me/footprint")
def get_footprint(session: SessionDep, user_id: Resident, year: Year) -> dict:
    return service.get_footprint(session, user_id=user_id, year=year)


@router.get("/me/summary")
def my_summary(session: SessionDep, user_id: Resident, year: Year) -> dict:
    """The resident's year: reductions by behaviour, points earned/redeemed/expired, footprint share."""
    return service.yearly_summary(session, user_id=user_id, year=year)


@router.get("/me/certificate", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 503: {"description": "PDF rendering unavailable"}})
def my_certificate(session: SessionDep, user_id: Resident, year: Year,
                   name: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The shareable yearly certificate (PDF) with the name the resident chose (``name``, else the display
    name; never anything from WeChat)."""
    summary = service.yearly_summary(session, user_id=user_id, year=year)
    shown = (name or summary["display_name"] or "碳普惠参与者").strip()
    labels = {r.code: r.name_zh for r in service.list_methodologies(session)}
    pdf = render_pdf(summary, name=shown, issued=utcnow().date(), labels=labels)  # PdfUnavailable: 503
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="puhui-certificate-{year}.pdf"'})


@router.post("/me/contributions", status_code=201)
def contribute(body: ContributionIn, session: SessionDep, user_id: Resident, idempotency_key: KeyHeader = None):
    """Pool reductions into the platform account (for offset claims). Points are not affected."""
    outcome = service.contribute(session, user_id=user_id, reduction_g=body.reduction_g,
                                 idempotency_key=idempotency_key, route="POST /puhui/me/contributions")
    return _outcome(outcome, idempotency_key)


# --- rewards and redemption ------------------------------------------------------------------------------------

@router.get("/rewards", response_model=list[RewardOut], dependencies=[PublicLimit])
def rewards(session: SessionDep) -> list[RewardOut]:
    """Rewards on offer (active ones)."""
    return [_reward_out(r) for r in service.list_rewards(session)]


@router.post("/rewards", status_code=201, response_model=RewardOut)
def create_reward(body: RewardIn, request: Request, session: SessionDep, user: BureauUser,
                  idempotency_key: KeyHeader = None):
    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=lambda: _reward_out(service.create_reward(session, **body.model_dump())))


@router.patch("/rewards/{reward_id}", response_model=RewardOut)
def update_reward(reward_id: Id63, body: RewardPatch, session: SessionDep, user: BureauUser) -> RewardOut:
    return _reward_out(service.update_reward(session, reward_id=reward_id, **body.model_dump(exclude_unset=True)))


@router.post("/redemptions", status_code=201, response_model=RedemptionOut,
             responses={409: {"description": "insufficient_points or out_of_stock"}})
def redeem(body: RedemptionIn, session: SessionDep, user_id: Resident, idempotency_key: KeyHeader = None):
    """Spend points on a reward. Not enough points, or no stock: 409."""
    outcome = service.redeem(session, user_id=user_id, reward_id=body.reward_id, idempotency_key=idempotency_key,
                             route="POST /puhui/redemptions")
    return _outcome(outcome, idempotency_key)


# --- methodologies ----------------------------------------------------------------------------------------------

@router.get("/methodologies", dependencies=[PublicLimit])
def methodologies(session: SessionDep, code: str | None = None) -> list[dict]:
    """Every version of every methodology, with its factor, source, caps and plausibility limits."""
    return [_method_out(r) for r in service.list_methodologies(session, code=code)]


@router.post("/methodologies", status_code=201)
def add_methodology(body: MethodologyIn, request: Request, session: SessionDep, user: BureauUser,
                    idempotency_key: KeyHeader = None):
    """Add a methodology or a new version of one (versions are never edited)."""
    return idempotent(session, request=request, user=user, key=idempotency_key,
                      fingerprint=body.model_dump(mode="json"), status_code=201,
                      produce=lambda: _method_out(service.add_methodology(
                          session, data=body.model_dump(), origin=f"api: {user.name}")))


# --- the closed loop -------------------------------------------------------------------------------------------

@router.get("/pool", dependencies=[PublicLimit])
def pool(session: SessionDep) -> dict:
    """Pooled grams available for offset claims, and grams retired so far (from the ledger)."""
    return service.pool_status(session)


@router.get("/offsets", dependencies=[PublicLimit])
def offsets(session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 50,
            offset: Annotated[Offset, Query()] = 0) -> dict:
    return service.list_claims(session, limit=limit, offset=offset)


@router.get("/offsets/{claim_id}", dependencies=[PublicLimit])
def offset_detail(claim_id: Id63, session: SessionDep) -> dict:
    """The public record of an offset claim: every behaviour (methodology, version, day) and its grams."""
    return service.claim_detail(session, claim_id=claim_id)


@router.post("/offsets", status_code=201)
def create_offset(body: OffsetIn, request: Request, session: SessionDep, user: BureauUser,
                  idempotency_key: KeyHeader = None):
    """Retire pooled grams against a named claim (an event, an organisation). Never more than the pool."""
    def produce() -> dict:
        claim = service.retire(session, name=body.name, beneficiary=body.beneficiary, reduction_g=body.reduction_g,
                               note=body.note, created_by=user.name)
        return service.claim_detail(session, claim_id=claim.id)

    return idempotent(session, request=request, user=user, key=idempotency_key, fingerprint=body.model_dump(),
                      status_code=201, produce=produce)


@router.get("/stats")
def stats(session: SessionDep, user: BureauUser) -> dict:
    """Platform totals from the ledger, with the per-asset conservation check (both must be 0)."""
    return service.stats(session)



# --- operators (issue 17): principals that push or sign trip and meter records -----------------------------------

class OperatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=64, description="what claims name as evidence.operator")
    name_zh: str = Field(min_length=1, max_length=200)
    kinds: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=1, max_length=20, description="methodology codes it records, e.g. ['bus']")


class OperatorOut(BaseModel):
    code: str
    name_zh: str
    kinds: list[str]
    token: str | None = Field(None, description="the operator's bearer token, shown once")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    algorithm: Literal["hmac-sha256", "ed25519"]
    public_key: str | None = Field(None, max_length=200, description="ed25519 only: base64 of the 32-byte public key")


class KeyOut(BaseModel):
    key_id: str
    algorithm: str
    secret: str | None = Field(None, description="hmac-sha256: the new secret (base64), shown once")
    previous_valid_until: str = Field(description="older keys stay valid until then (grace period)")


class OperatorRecordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record_id: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=40, description="methodology code")
    openid: str = Field(min_length=1, max_length=128, description="the resident's openid (stored only as HMAC)")
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    unit: str = Field(min_length=1, max_length=32)
    occurred_at: AwareDatetime


class RecordsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[OperatorRecordIn] = Field(min_length=1, max_length=1000)


def current_operator(session: SessionDep, credentials: BearerDep) -> PuhuiOperator:
    """The operator of an operator token (``puhui_operators``); a resident or bureau token is a 401 here."""
    return operators.authenticate_operator(session, credentials.credentials if credentials else None)


OperatorDep = Annotated[PuhuiOperator, Depends(current_operator)]
_AUTH = {401: {"description": "missing or wrong token"}}


@router.post("/operators", status_code=201, response_model=OperatorOut, operation_id="puhui_register_operator",
             responses={**_AUTH, 403: {"description": "not the bureau"}, 409: {"description": "operator_exists"}})
def register_operator(body: OperatorIn, session: SessionDep, user: BureauUser) -> OperatorOut:
    """Register an operator (bureau). Its bearer token is returned once."""
    token, row = operators.register_operator(session, code=body.code, name_zh=body.name_zh, kinds=body.kinds)
    return OperatorOut(code=row.code, name_zh=row.name_zh, kinds=row.kinds.split(","), token=token)


@router.post("/operator/keys", status_code=201, response_model=KeyOut, operation_id="puhui_rotate_operator_key",
             responses={**_AUTH, 422: {"description": "bad algorithm or public key"}})
def rotate_key(body: KeyIn, request: Request, session: SessionDep, operator: OperatorDep) -> KeyOut:
    """Rotate the calling operator's signing key; older keys stay valid for 24 hours. An HMAC secret is returned
    once and stored sealed."""
    row, secret = operators.rotate_key(session, operator=operator, algorithm=body.algorithm,
                                       public_key=body.public_key, secret=request.app.state.settings.puhui_openid_secret)
    return KeyOut(key_id=row.key_id, algorithm=row.algorithm, secret=secret,
                  previous_valid_until=(row.created_at + operators.KEY_GRACE).isoformat())


@router.post("/operator/records", status_code=201, operation_id="puhui_push_operator_records",
             responses={**_AUTH, 409: {"description": "record_conflict: a record id with other content"},
                        422: {"description": "a record is invalid (field named); nothing is written"}})
def push_records(body: RecordsIn, request: Request, session: SessionDep, operator: OperatorDep,
                 idempotency_key: KeyHeader = None) -> JSONResponse:
    """Push trip or meter records (the calling operator's). Idempotent by record id: the same records again are
    ``unchanged``; ``Idempotency-Key`` is echoed and needs nothing stored, as the record ids are the key."""
    result = operators.push_records(session, operator=operator, records=[r.model_dump() for r in body.records],
                                    secret=request.app.state.settings.puhui_openid_secret)
    return JSONResponse(result, status_code=201 if result["created"] else 200,
                        headers={"Idempotency-Key": idempotency_key} if idempotency_key else {})
