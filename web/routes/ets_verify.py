"""The verifier's pages (``/console/ets/engagements``): its own engagements only, the report under check, and the
findings the API lets a verifier post: a review record, a non-conformity, closing one, the conclusion.

The rules are the API's: the list is ``service.list_engagements`` filtered by the caller's organisation, one
engagement is ``api.routes.ets.visible_engagement`` (another organisation's is a 404, as the API answers), and
only a verifier may post (the API's ``VerifierUser``: any other role is a 403). The forms are validated by the
API's own request models (``ReviewIn``, ``NonConformityIn``, ``ConclusionIn``) and call the same service function.
The bureau and the emitter may read (as ``GET /ets/engagements/{id}`` lets them).
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from pydantic import ValidationError as InputError

from api.deps import SessionDep
from api.params import Id63
from api.routes import ets as api_ets
from carbon.core.errors import CarbonError
from carbon.ets import service
from web import views
from web.deps import CheckedForm, ConsoleDep, PageError, redirect, render
from web.routes.ets import LABELS, caller_of

router = APIRouter(prefix="/console/ets/engagements", include_in_schema=False)

READERS = ("bureau", "verifier", "emitter")
REVIEW_ZH = {"document": "文件评审", "on_site": "现场核查"}
DONE = {"review": "已记录评审。", "nonconformity": "已提出不符合项。", "resolved": "不符合项已关闭。",
        "concluded": "已出具核查结论：核查排放量取代报告排放量，复核期开始。"}
ACTION_ZH = {"assign": "指派", "record_review": "记录评审", "raise_nonconformity": "提出不符合项",
             "record_correction": "整改", "resolve_nonconformity": "关闭不符合项", "conclude": "出具结论", "accept": "接受结论",
             "request_recheck": "申请复核", "decide_recheck": "复核决定", "finalise": "确认", "withdraw": "撤回"}
FIELD_ZH = {"kind": "评审类型", "notes": "记录", "parameter": "参数", "description": "描述",
            "conservative_adjustment_t": "保守调整量", "conclusion": "核查结论", "corrected_report": "更正后的报告"}


def _engagement(db, c, engagement_id: int):
    try:
        return api_ets.visible_engagement(db, c, engagement_id)
    except CarbonError:  # not there, or another organisation's: the same answer as the API (404)
        raise PageError(404, f"没有编号为 {engagement_id} 的核查任务，或该任务不属于您的机构。") from None


@router.get("")
def list_page(page: ConsoleDep, db: SessionDep):
    c = caller_of(page, db, READERS)
    rows = service.list_engagements(db, verifier_id=c.verifier_id, emitter_id=c.emitter_id)
    return render(page, "ets_engagements.html", engagements=rows, **LABELS)


def _detail(page, db, c, engagement_id: int, *, status_code: int = 200, error: str | None = None,
            done: str | None = None):
    g = _engagement(db, c, engagement_id)
    return render(page, "ets_engagement.html", status_code=status_code, g=g, report=g.report,
                  total=(g.report.result or {}).get("total", {}), verifier=c.role == "verifier", error=error,
                  done=DONE.get(done or ""), review_zh=REVIEW_ZH, action_zh=ACTION_ZH,
                  events=service.events(db, entity="engagement", entity_id=g.id), **LABELS)


@router.get("/{engagement_id}")
def detail(engagement_id: Id63, page: ConsoleDep, db: SessionDep, done: str | None = None):
    return _detail(page, db, caller_of(page, db, READERS), engagement_id, done=done)


def _input_error(exc: InputError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "表单"
    return f"“{FIELD_ZH.get(field, field)}”填写有误：请检查后重试（{first.get('msg', '')}）。"


def _act(page, db, form, engagement_id: int, action: str, fn, build):
    """Check the caller (a verifier of this engagement, as the API), validate, call the service, redirect."""
    c = caller_of(page, db, READERS)
    _engagement(db, c, engagement_id)
    if c.role != "verifier":
        raise PageError(403, "只有承担该任务的核查机构可以提交核查发现。")
    try:
        kwargs = build(form)
        fn(db, engagement_id=engagement_id, actor=c.actor + " via console", **kwargs)
    except InputError as exc:
        db.rollback()
        return _detail(page, db, c, engagement_id, status_code=422, error=_input_error(exc))
    except CarbonError as exc:
        db.rollback()
        return _detail(page, db, c, engagement_id, status_code=views.status_of(exc), error=exc.text("zh"))
    return redirect(f"/console/ets/engagements/{engagement_id}?done={action}")


def _text(form, name: str) -> str:
    return str(form.get(name) or "").strip()


@router.post("/{engagement_id}/reviews")
def review(engagement_id: Id63, page: ConsoleDep, form: CheckedForm, db: SessionDep):
    return _act(page, db, form, engagement_id, "review", service.record_review,
                lambda f: api_ets.ReviewIn(kind=_text(f, "kind"), notes=_text(f, "notes")).model_dump())


def _nonconformity(f) -> dict:
    amount = _text(f, "conservative_adjustment_t").replace(",", "")
    return api_ets.NonConformityIn(parameter=_text(f, "parameter"), description=_text(f, "description"),
                                   conservative_adjustment_t=amount or None).model_dump()


@router.post("/{engagement_id}/nonconformities")
def raise_nonconformity(engagement_id: Id63, page: ConsoleDep, form: CheckedForm, db: SessionDep):
    return _act(page, db, form, engagement_id, "nonconformity", service.raise_nonconformity, _nonconformity)


@router.post("/{engagement_id}/nonconformities/{nc_id}/resolve")
def resolve(engagement_id: Id63, nc_id: Id63, page: ConsoleDep, form: CheckedForm, db: SessionDep):
    return _act(page, db, form, engagement_id, "resolved", service.resolve_nonconformity, lambda f: {"nc_id": nc_id})


def _conclusion(f) -> dict:
    corrected = _text(f, "corrected_report")
    try:
        payload = json.loads(corrected) if corrected else None
    except json.JSONDecodeError:
        payload = "not JSON"  # refused by the model below as the wrong type
    body = api_ets.ConclusionIn(conclusion=_text(f, "conclusion"), corrected_report=payload)
    return {"conclusion": body.conclusion, "corrected_payload": body.corrected_report}


@router.post("/{engagement_id}/conclusion")
def conclude(engagement_id: Id63, page: ConsoleDep, form: CheckedForm, db: SessionDep):
    return _act(page, db, form, engagement_id, "concluded", service.conclude, _conclusion)
