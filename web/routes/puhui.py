"""碳普惠 administration for the bureau (issue 15 item 6): methodologies and their versions, rewards and stock, daily
totals, the pool and its retirements.

The API lets role ``bureau`` administer 碳普惠 (``BureauUser`` on ``POST /puhui/methodologies``,
``POST/PATCH /puhui/rewards``, ``POST /puhui/offsets``, ``GET /puhui/stats``), so these pages are ``BureauPage``.
Each write calls the service the API route calls, with the API's own request model for validation
(``MethodologyIn``, ``RewardPatch``) and the API's idempotency (api/idempotency.py, per token): every form carries a
one-time ``key`` made when the page was drawn, so a form sent twice (a double click, a reload) is done once.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta
from itertools import groupby

from fastapi import APIRouter
from pydantic import ValidationError as RequestInvalid

from api.deps import SessionDep
from api.idempotency import KEY_MAX_LENGTH, idempotent
from api.params import Id63
from api.routes.puhui import MethodologyIn, RewardPatch, _method_out, _reward_out
from carbon.core import messages
from carbon.core.errors import CarbonError
from carbon.puhui import rules, service
from web import views
from web.deps import BureauPage, CheckedForm, PageError, redirect, render

router = APIRouter(prefix="/console/puhui", include_in_schema=False)

DONE = {
    "published": "已发布方法学新版本。已有版本从不修改；此后的申报按新版本计算。",
    "stock": "库存已调整。",
    "replayed": "该表单已提交过：按第一次的结果处理，没有再次执行。",
}
FIELD_ZH = {"code": "代码", "name_zh": "名称", "behaviour": "行为说明", "quantity_unit": "数量单位", "factor": "减排因子",
            "factor_unit": "因子单位", "confidence": "可信度", "baseline": "基准情景", "source": "来源文献",
            "cap_period": "上限周期", "cap_claims": "每周期申报次数上限", "cap_quantity": "每周期数量上限",
            "speed_min_kmh": "最低速度", "speed_max_kmh": "最高速度", "step_length_m": "步长",
            "max_quantity_per_claim": "单次数量上限", "window_days": "申报时限（天）", "evidence_required": "须有凭证",
            "valid_from": "生效日期", "note": "备注", "stock_add": "库存变化"}
MAX_DAYS = 366


def _key() -> str:
    return secrets.token_urlsafe(18)


def _form_key(form) -> str | None:
    key = str(form.get("key") or "").strip()
    return key[:KEY_MAX_LENGTH] or None


def _invalid_text(exc: RequestInvalid) -> str:
    return "；".join(f"{FIELD_ZH.get(str(e['loc'][0]) if e.get('loc') else '', '')}：{messages.request_error_text(e, 'zh')}"
                    for e in exc.errors())


def _done(response) -> str:
    return "replayed" if response.headers.get("Idempotent-Replayed") == "true" else ""


# --- methodologies ----------------------------------------------------------------------------------------------

def _methodologies(page, db, *, code: str | None, status_code: int = 200, error: str | None = None,
                   done: str | None = None, values: dict | None = None):
    rows = [_method_out(r) for r in service.list_methodologies(db)]
    groups = [(c, list(vs)) for c, vs in groupby(rows, key=lambda r: r["code"])]
    if values is None:
        latest = next((vs[-1] for c, vs in groups if c == code), None) if code else None
        values = {k: ("" if v is None else v) for k, v in latest.items()} if latest else {"window_days": 7}
    return render(page, "puhui_methodologies.html", status_code=status_code, groups=groups, values=values,
                  error=error, done=DONE.get(done or ""), key=_key(), section="methodologies")


@router.get("")
def home(page: BureauPage):
    return redirect("/console/puhui/methodologies")


@router.get("/methodologies")
def methodologies(page: BureauPage, db: SessionDep, code: str | None = None, done: str | None = None):
    return _methodologies(page, db, code=code, done=done)


@router.post("/methodologies")
def publish_methodology(page: BureauPage, form: CheckedForm, db: SessionDep):
    """A new version (or a new methodology), as ``POST /api/v1/puhui/methodologies``: the next version number."""
    values = {k: str(form.get(k) or "").strip() for k in MethodologyIn.model_fields if k not in ("version",)}
    values["evidence_required"] = form.get("evidence_required") == "1"
    data = {k: v for k, v in values.items() if v != ""}
    try:
        body = MethodologyIn.model_validate(data)
        response = idempotent(db, request=page.request, user=page.user, key=_form_key(form),
                              fingerprint=body.model_dump(mode="json"), status_code=201,
                              produce=lambda: _method_out(service.add_methodology(
                                  db, data=body.model_dump(), origin=f"console: {page.user.name}")))
    except RequestInvalid as exc:
        db.rollback()
        return _methodologies(page, db, code=None, status_code=422, error=_invalid_text(exc), values=values)
    except CarbonError as exc:
        db.rollback()
        return _methodologies(page, db, code=None, status_code=views.status_of(exc), error=exc.text("zh"),
                              values=values)
    code = json.loads(response.body)["code"]
    return redirect(f"/console/puhui/methodologies?code={code}&done={_done(response) or 'published'}#m-{code}")


# --- rewards and stock ------------------------------------------------------------------------------------------

def _rewards(page, db, *, status_code: int = 200, error: str | None = None, done: str | None = None):
    counts = service.redemption_counts(db)
    rewards = [{**_reward_out(r).model_dump(), "redeemed": counts.get(r.id, 0)}
               for r in service.list_rewards(db, include_inactive=True)]
    return render(page, "puhui_rewards.html", status_code=status_code, rewards=rewards, error=error,
                  done=DONE.get(done or ""), key=_key(), section="rewards")


@router.get("/rewards")
def rewards(page: BureauPage, db: SessionDep, done: str | None = None):
    return _rewards(page, db, done=done)


@router.post("/rewards/{reward_id}/stock")
def add_stock(reward_id: Id63, page: BureauPage, form: CheckedForm, db: SessionDep):
    """``PATCH /api/v1/puhui/rewards/{id}`` with ``stock_add``: relative, atomic, never below zero."""
    try:
        body = RewardPatch.model_validate({"stock_add": str(form.get("stock_add") or "").strip()})
        response = idempotent(db, request=page.request, user=page.user, key=_form_key(form),
                              fingerprint=body.model_dump(exclude_unset=True), status_code=200,
                              produce=lambda: _reward_out(service.update_reward(
                                  db, reward_id=reward_id, **body.model_dump(exclude_unset=True))))
    except RequestInvalid as exc:
        db.rollback()
        return _rewards(page, db, status_code=422, error=_invalid_text(exc))
    except CarbonError as exc:
        db.rollback()
        return _rewards(page, db, status_code=views.status_of(exc), error=exc.text("zh"))
    return redirect(f"/console/puhui/rewards?done={_done(response) or 'stock'}")


# --- daily totals -----------------------------------------------------------------------------------------------

def _day(text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageError(422, f"日期“{text}”应写作 YYYY-MM-DD。") from None


@router.get("/daily")
def daily(page: BureauPage, db: SessionDep, start: str | None = None, end: str | None = None):
    """Behaviours and points per day (北京时间) from the ledger, the last 30 days unless ``start``/``end``."""
    today = datetime.now(rules.CHINA_TZ).date()
    last = _day(end, today)
    first = _day(start, last - timedelta(days=29))
    if first > last or (last - first).days >= MAX_DAYS:
        raise PageError(422, f"起止日期应满足 起 ≤ 止，且跨度不超过 {MAX_DAYS} 天。")
    days = service.daily_totals(db, first=first, last=last)
    chart = {"dates": [d["date"].isoformat() for d in days], "behaviours": [d["behaviours"] for d in days],
             "points": [d["points"] for d in days]}
    totals = {k: sum(d[k] for d in days) for k in ("behaviours", "points", "reduction_g")}
    return render(page, "puhui_daily.html", days=days, totals=totals, first=first, last=last,
                  chart_json=json.dumps(chart, ensure_ascii=False).replace("</", "<\\/"), section="daily")


# --- pool and retirements ---------------------------------------------------------------------------------------

@router.get("/pool")
def pool(page: BureauPage, db: SessionDep):
    """Grams pooled, retired and available (ledger and behaviour records), and every retirement (offset claim)."""
    claims = service.list_claims(db, limit=500)
    return render(page, "puhui_pool.html", pool=service.pool_overview(db), claims=claims, section="pool")
