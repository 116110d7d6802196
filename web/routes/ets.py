"""Key-emitter (ETS) pages: the bureau's registry of emitters and the year's deadlines (``/console/ets``), one
emitter's reports, verification, allocations, balances and compliance (``/console/ets/emitters/{uscc}``), the
emitter's own page (``/console/ets/mine``) and the public disclosures (``/public/ets``).

Who sees what is the API's rule (api/routes/ets.py ``caller``, ``own_emitter``): the bureau everything, an
emitter only itself; a token not bound to an organisation is refused. Every figure comes from carbon.ets.service
(the balance is the sum of the ledger's entries, ``service.balances``, as ``GET /ets/emitters/{uscc}/accounts``).
The verifier's pages are in ets_verify.py.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from api.params import Year
from api.routes import ets as api_ets
from carbon.core.errors import CarbonError, Conflict, Forbidden
from carbon.ets import service
from carbon.ets.calendar import beijing_date
from carbon.ets.covered import deadline_rules
from carbon.ets.models import Emitter
from carbon.ets.render import STATUS_ZH as COMPLIANCE_ZH
from carbon.ets.summary import INDUSTRY_ZH
from web.deps import Console, ConsoleDep, PageError, SignInRequired, render

router = APIRouter(prefix="/console/ets", include_in_schema=False)
public_router = APIRouter(prefix="/public/ets", include_in_schema=False)

STATE_ZH = {"assigned": "已指派", "in_review": "核查中", "concluded": "已出具结论", "recheck_requested": "已申请复核",
            "final": "已确认", "withdrawn": "已撤回"}
NC_ZH = {"open": "待整改", "corrected": "已整改待确认", "resolved": "已关闭"}
MILESTONE_ZH = {"done": "按期完成", "done_late": "逾期完成", "pending": "未到期", "late": "已逾期", "not_applicable": "不适用"}
RECHECK_ZH = {"upheld": "维持原结论", "revised": "修改结论"}
TXN_ZH = {"issue": "配额发放", "take_back": "配额收回", "deposit_ccer": "存入CCER", "transfer": "转让", "surrender": "清缴",
          "cancel": "注销"}
LABELS = {"txn_zh": TXN_ZH, "industry_zh": INDUSTRY_ZH, "state_zh": STATE_ZH, "nc_zh": NC_ZH,
          "milestone_zh": MILESTONE_ZH,
          "compliance_zh": COMPLIANCE_ZH, "recheck_zh": RECHECK_ZH}
UNBOUND = "您的令牌尚未绑定到核查机构或重点排放单位，无法查看碳排放权交易信息；请联系生态环境局绑定（carbon ets principal add）。"


def caller_of(page: Console, db, roles: tuple[str, ...]) -> api_ets.Caller:
    """The signed-in caller as the API sees it (bound organisation); sign-in first, 403 page for other roles."""
    if page.user is None:
        url = page.request.url
        raise SignInRequired(url.path + (f"?{url.query}" if url.query else ""))
    if page.user.role not in roles:
        raise PageError(403, "此页面不对您的令牌角色开放。")
    try:
        return api_ets.caller(db, page.user)
    except Forbidden:
        raise PageError(403, UNBOUND) from None


def emitter_view(db, e) -> dict:
    """One emitter's years: reports (versions), engagements with re-checks, allocations, compliance; balances."""
    reports = service.list_reports(db, emitter_id=e.id)
    engagements = service.list_engagements(db, emitter_id=e.id)
    allocations = service.allocations(db, emitter_id=e.id)
    years = sorted({r.year for r in reports} | {g.year for g in engagements} | {a.year for a in allocations})
    compliance = {}
    for year in years:
        try:
            compliance[year] = service.compliance(db, uscc=e.uscc, year=year)
        except Conflict:  # no final allocation yet (ets_no_final_allocation)
            compliance[year] = None
    inspections = [(i, i.results.get(e.uscc)) for i in service.list_inspections(db) if e.uscc in (i.selected or {})]
    return {"emitter": e, "years": years, "reports": reports, "engagements": engagements, "allocations": allocations,
            "compliance": compliance, "balances": service.balances(db, owner=e.uscc),
            "transactions": service.transactions(db, owner=e.uscc), "inspections": inspections}


def _registry_year(db, year: int | None) -> int:
    rules = deadline_rules()
    if year is not None:
        return year
    latest = max((r.year for e in service.list_emitters(db) for r in service.list_reports(db, emitter_id=e.id)),
                 default=beijing_date(service.utcnow()).year - 1)
    return min(max(latest, rules["from_year"]), rules["to_year"])


@router.get("")
def bureau_page(page: ConsoleDep, db: SessionDep, year: Year | None = None):
    caller_of(page, db, ("bureau",))
    year = _registry_year(db, year)
    try:
        registry, registry_error = service.covered_entities(db, year=year), None
    except CarbonError as exc:
        registry, registry_error = None, exc.text("zh")
    rows = []
    for e in service.list_emitters(db):
        engagements = service.list_engagements(db, emitter_id=e.id)
        rows.append({"emitter": e, "report_years": sorted({r.year for r in service.list_reports(db, emitter_id=e.id)}),
                     "engagement": engagements[-1] if engagements else None})
    rules = deadline_rules()
    return render(page, "ets_bureau.html", year=year, years=list(range(rules["from_year"], rules["to_year"] + 1)),
                  registry=registry, registry_error=registry_error, rows=rows,
                  inspections=service.list_inspections(db), **LABELS)


@router.get("/emitters/{uscc}")
def emitter_page(uscc: str, page: ConsoleDep, db: SessionDep):
    c = caller_of(page, db, ("bureau", "emitter"))
    try:
        e = api_ets.own_emitter(db, c, uscc)
    except CarbonError:
        raise PageError(404, f"没有统一社会信用代码为 {uscc} 的重点排放单位。") from None
    return render(page, "ets_emitter.html", mine=c.role == "emitter", **emitter_view(db, e), **LABELS)


@router.get("/mine")
def mine(page: ConsoleDep, db: SessionDep):
    c = caller_of(page, db, ("emitter",))
    e = db.get(Emitter, c.emitter_id) if c.emitter_id is not None else None
    if e is None:
        raise PageError(403, UNBOUND)
    return render(page, "ets_emitter.html", mine=True, **emitter_view(db, e), **LABELS)


@public_router.get("")
def public_disclosures(page: ConsoleDep, db: SessionDep, year: Year | None = None):
    """What ``GET /api/v1/public/ets/disclosures`` serves: the published figures, as fixed at publication."""
    items = [{**d.figures, "published_at": d.published_at} for d in service.list_disclosures(db, year=year)]
    years = sorted({d.year for d in service.list_disclosures(db)})
    return render(page, "ets_public.html", items=items, year=year, years=years, **LABELS)


__all__ = ["LABELS", "caller_of", "emitter_view", "public_router", "router"]
