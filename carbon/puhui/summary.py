"""碳普惠 read models: the resident's profile and ledger, the yearly summary, platform statistics.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import Unauthorized, ValidationError
from carbon.puhui import ledger, rules
from carbon.puhui.common import POLICY, _account_ids, _points_account, user_balance
from carbon.puhui.models import PuhuiAccount, PuhuiBehaviour, PuhuiJournal, PuhuiPosting, PuhuiRedemption, PuhuiUser
from carbon.puhui.redemption import due_expiry


# --- the resident's view ----------------------------------------------------------------------------------------

def profile(session: Session, *, user_id: int, now: datetime | None = None) -> dict:
    """Balance (net of points already expired but not yet posted by the job), reductions, what expires next."""
    now = now or utcnow()
    user = session.get(PuhuiUser, user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized(key="puhui_account_gone")
    stale = due_expiry(session, user_id=user_id, now=now)
    balance = user_balance(session, user_id=user_id) - stale
    next_cut = POLICY.expires_at(POLICY.earned_before_expires(now))  # the next expiry moment
    expiring = due_expiry(session, user_id=user_id, now=next_cut) - stale
    reductions = session.execute(select(func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0),
                                        func.coalesce(func.sum(PuhuiBehaviour.pooled_g), 0), func.count())
                                 .where(PuhuiBehaviour.user_id == user_id)).one()
    return {
        "user_id": user_id,
        "display_name": user.display_name,
        "points_balance": balance,
        "reduction_g_total": int(reductions[0]),
        "reduction_g_pooled": int(reductions[1]),
        "reduction_g_available": user_balance(session, user_id=user_id, asset="reduction_g"),
        "behaviours": int(reductions[2]),
        "points_expiring": {"points": max(0, expiring), "at": next_cut.isoformat()},
        "expiry_policy": {"version": POLICY.version, "rule": POLICY.rule, "years_after": POLICY.years_after},
        "created_at": user.created_at.isoformat(),
    }


def ledger_page(session: Session, *, user_id: int, asset: str = "points", limit: int = 50, offset: int = 0) -> dict:
    if asset not in ledger.ASSETS:
        raise ValidationError(key="puhui_asset_unknown", params={"known": ", ".join(ledger.ASSETS)}, field="asset")
    key = ledger.user_account(user_id, asset)
    account = _account_ids(session, {key})[key]
    total = session.scalar(select(func.count()).select_from(PuhuiPosting).where(PuhuiPosting.account_id == account))
    rows = session.execute(
        select(PuhuiPosting.id, PuhuiPosting.journal_id, PuhuiJournal.kind, PuhuiJournal.reference, PuhuiPosting.amount,
               PuhuiPosting.balance_after, PuhuiPosting.created_at, PuhuiBehaviour.id.label("behaviour_id"),
               PuhuiBehaviour.code, PuhuiBehaviour.verification, PuhuiRedemption.id.label("redemption_id"),
               PuhuiRedemption.reward_id)
        .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
        .outerjoin(PuhuiBehaviour, PuhuiBehaviour.journal_id == PuhuiPosting.journal_id)
        .outerjoin(PuhuiRedemption, PuhuiRedemption.journal_id == PuhuiPosting.journal_id)
        .where(PuhuiPosting.account_id == account).order_by(PuhuiPosting.id.desc()).limit(limit).offset(offset)).all()
    items = [{
        "id": r.id, "journal_id": r.journal_id, "kind": r.kind, "amount": r.amount, "balance_after": r.balance_after,
        "created_at": r.created_at.isoformat(), "reference": r.reference,
        "behaviour": {"id": r.behaviour_id, "type": r.code, "verification": r.verification} if r.behaviour_id else None,
        "redemption": {"id": r.redemption_id, "reward_id": r.reward_id} if r.redemption_id else None,
    } for r in rows]
    return {"asset": asset, "items": items, "total": int(total), "limit": limit, "offset": offset}


# --- summaries and statistics -----------------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = rules.CHINA_TZ
    return datetime(year, 1, 1, tzinfo=tz).astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)


def yearly_summary(session: Session, *, user_id: int, year: int) -> dict:
    """One resident's year: reductions by methodology, points earned/redeemed/expired, and the footprint."""
    from carbon.puhui.models import PuhuiFootprint

    user = session.get(PuhuiUser, user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized(key="puhui_account_gone")
    by_method = session.execute(
        select(PuhuiBehaviour.code, func.count(), func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0))
        .where(PuhuiBehaviour.user_id == user_id, PuhuiBehaviour.local_date >= date(year, 1, 1),
               PuhuiBehaviour.local_date <= date(year, 12, 31))
        .group_by(PuhuiBehaviour.code).order_by(PuhuiBehaviour.code)).all()
    by_verification = session.execute(
        select(PuhuiBehaviour.verification, func.count(), func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0))
        .where(PuhuiBehaviour.user_id == user_id, PuhuiBehaviour.local_date >= date(year, 1, 1),
               PuhuiBehaviour.local_date <= date(year, 12, 31))
        .group_by(PuhuiBehaviour.verification).order_by(PuhuiBehaviour.verification)).all()
    start, end = year_bounds(year)
    account = _points_account(session, user_id)
    flows = dict(session.execute(
        select(PuhuiJournal.kind, func.coalesce(func.sum(PuhuiPosting.amount), 0))
        .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
        .where(PuhuiPosting.account_id == account, PuhuiPosting.created_at >= start, PuhuiPosting.created_at < end)
        .group_by(PuhuiJournal.kind)).all())
    reduction = sum(int(r[2]) for r in by_method)
    fp = session.scalar(select(PuhuiFootprint).where(PuhuiFootprint.user_id == user_id, PuhuiFootprint.year == year))
    footprint = fp.result if fp is not None else None
    share = None
    if footprint and footprint.get("total_kg"):
        share = f"{Decimal(reduction) / Decimal(footprint['total_kg'] * 1000) * 100:.2f}"
    return {
        "year": year,
        "display_name": user.display_name,
        "reduction_g": reduction,
        "by_methodology": [{"code": c, "behaviours": int(n), "reduction_g": int(g)} for c, n, g in by_method],
        # how the year's claims were checked (issue 17): operator, signed, werun, self_reported, unchecked
        "by_verification": [{"verification": v or "unrecorded", "behaviours": int(n), "reduction_g": int(g)}
                            for v, n, g in by_verification],
        "points_earned": int(flows.get("award", 0)),
        "points_redeemed": -int(flows.get("redemption", 0)),
        "points_expired": -int(flows.get("expiry", 0)),
        "footprint": footprint,
        "reduction_share_of_footprint_pct": share,
    }


def stats(session: Session) -> dict:
    """Platform totals for the bureau, all derived from the ledger (sums of postings per platform account)."""
    totals = dict(session.execute(
        select(PuhuiAccount.key, func.coalesce(func.sum(PuhuiPosting.amount), 0))
        .join(PuhuiPosting, PuhuiPosting.account_id == PuhuiAccount.id, isouter=True)
        .where(PuhuiAccount.user_id.is_(None)).group_by(PuhuiAccount.key)).all())
    residents = session.execute(select(func.count(), func.count(PuhuiUser.erased_at))).one()
    return {
        "residents": int(residents[0]) - int(residents[1]), "erased": int(residents[1]),
        "behaviours": int(session.scalar(select(func.count()).select_from(PuhuiBehaviour))),
        "points_issued": -int(totals.get(ledger.ISSUANCE, 0)),
        "points_redeemed": int(totals.get(ledger.REDEEMED, 0)),
        "points_expired": int(totals.get(ledger.EXPIRED, 0)),
        "points_forfeited": int(totals.get(ledger.FORFEITED, 0)),
        "reduction_g_recorded": -int(totals.get(ledger.REDUCTION_ISSUANCE, 0)),
        "reduction_g_pooled_available": int(totals.get(ledger.POOL, 0)),
        "reduction_g_retired": int(totals.get(ledger.RETIRED, 0)),
        "conservation": {asset: int(session.scalar(
            select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
            .join(PuhuiAccount, PuhuiAccount.id == PuhuiPosting.account_id).where(PuhuiAccount.asset == asset)))
            for asset in ledger.ASSETS},
    }


def daily_totals(session: Session, *, first: date, last: date) -> list[dict]:
    """Behaviours and points per local day (北京时间, ``local_date``) from ``first`` to ``last``, for the bureau.

    Behaviours are counted from the behaviour records (a fully capped one counts, with 0 points); points are the
    ledger's: the award journal's debit of ``platform:issuance`` that the behaviour names (``journal_id``), so the
    figure is what was issued, not what the record says it should be. Days without a behaviour are left out."""
    issuance = _account_ids(session, {ledger.ISSUANCE})[ledger.ISSUANCE]
    rows = session.execute(
        select(PuhuiBehaviour.local_date, func.count(PuhuiBehaviour.id),
               func.coalesce(func.sum(PuhuiBehaviour.reduction_g), 0),
               -func.coalesce(func.sum(PuhuiPosting.amount), 0))
        .outerjoin(PuhuiPosting, (PuhuiPosting.journal_id == PuhuiBehaviour.journal_id)
                   & (PuhuiPosting.account_id == issuance))
        .where(PuhuiBehaviour.local_date >= first, PuhuiBehaviour.local_date <= last)
        .group_by(PuhuiBehaviour.local_date).order_by(PuhuiBehaviour.local_date)).all()
    return [{"date": d, "behaviours": int(n), "reduction_g": int(g), "points": int(p)} for d, n, g, p in rows]
