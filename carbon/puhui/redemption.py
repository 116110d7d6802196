"""碳普惠 points expiry and rewards: expiry job, reward catalogue, redemption.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from carbon.core.db import utcnow
from carbon.core.errors import NotFound, ValidationError
from carbon.puhui import ledger
from carbon.puhui.common import (
    Outcome,
    POLICY,
    _points_account,
    _remember,
    conflict,
    post,
    request_hash,
    user_balance,
)
from carbon.puhui.models import PuhuiAccount, PuhuiPosting, PuhuiRedemption, PuhuiReward, PuhuiUser
from carbon.puhui.residents import _lock_and_replay


# --- expiry -------------------------------------------------------------------------------------------------

def due_expiry(session: Session, *, user_id: int, now: datetime, policy: ledger.ExpiryPolicy = POLICY) -> int:
    """Points of ``user_id`` that have expired by ``now`` and are still on the account (FIFO)."""
    account = _points_account(session, user_id)
    cutoff = policy.earned_before_expires(now)
    earned_before = int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0)).where(
        PuhuiPosting.account_id == account, PuhuiPosting.amount > 0, PuhuiPosting.created_at < cutoff)))
    debited = -int(session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0)).where(
        PuhuiPosting.account_id == account, PuhuiPosting.amount < 0)))
    return max(0, earned_before - debited)


def apply_expiry(session: Session, *, user_id: int, now: datetime | None = None,
                 policy: ledger.ExpiryPolicy = POLICY) -> int:
    """Post the expiry of ``user_id``'s due points (caller holds the resident's lock). Returns the points."""
    now = now or utcnow()
    points = due_expiry(session, user_id=user_id, now=now, policy=policy)
    if points:
        cutoff = policy.earned_before_expires(now).astimezone(policy.tz).date()
        post(session, ledger.expiry(user_id, points, reference=f"earned before {cutoff}"), now=now)
    return points


def expire_all(session: Session, *, now: datetime | None = None, policy: ledger.ExpiryPolicy = POLICY) -> dict:
    """The expiry job: every resident holding points earned before the cut-off. Idempotent."""
    now = now or utcnow()
    cutoff = policy.earned_before_expires(now)
    user_ids = session.scalars(
        select(PuhuiAccount.user_id).distinct().join(PuhuiPosting, PuhuiPosting.account_id == PuhuiAccount.id)
        .where(PuhuiAccount.asset == "points", PuhuiAccount.user_id.is_not(None), PuhuiPosting.amount > 0,
               PuhuiPosting.created_at < cutoff).order_by(PuhuiAccount.user_id)).all()
    residents = points = 0
    for uid in user_ids:
        user = session.scalar(select(PuhuiUser).where(PuhuiUser.id == uid).with_for_update())
        if user is None:
            continue
        n = apply_expiry(session, user_id=uid, now=now, policy=policy)
        if n:
            residents += 1
            points += n
    return {"as_of": now.isoformat(), "earned_before": cutoff.isoformat(), "residents": residents, "points": points,
            "policy_version": policy.version}


# --- rewards and redemption --------------------------------------------------------------------------------

def list_rewards(session: Session, *, include_inactive: bool = False) -> list[PuhuiReward]:
    q = select(PuhuiReward).order_by(PuhuiReward.id)
    if not include_inactive:
        q = q.where(PuhuiReward.active.is_(True))
    return list(session.scalars(q))


def create_reward(session: Session, *, name: str, cost_points: int, stock: int, description: str = "",
                  now: datetime | None = None) -> PuhuiReward:
    if not name.strip():
        raise ValidationError(key="puhui_reward_name", field="name")
    if cost_points <= 0:
        raise ValidationError(key="puhui_must_be_positive", params={"name": "cost_points"}, field="cost_points")
    if stock < 0:
        raise ValidationError(key="puhui_must_not_be_negative", params={"name": "stock"}, field="stock")
    reward = PuhuiReward(name=name.strip(), description=description, cost_points=cost_points, stock=stock,
                         active=True, created_at=now or utcnow())
    session.add(reward)
    session.flush()
    return reward


def update_reward(session: Session, *, reward_id: int, name: str | None = None, description: str | None = None,
                  cost_points: int | None = None, active: bool | None = None, stock_add: int | None = None) -> PuhuiReward:
    """Change a reward. Stock changes are relative (``stock_add``), applied atomically, so a restock never
    overwrites redemptions happening at the same moment."""
    reward = session.get(PuhuiReward, reward_id)
    if reward is None:
        raise NotFound(key="puhui_reward_not_found", params={"id": reward_id}, field="reward_id")
    if name is not None:
        if not name.strip():
            raise ValidationError(key="puhui_reward_name", field="name")
        reward.name = name.strip()
    if description is not None:
        reward.description = description
    if cost_points is not None:
        if cost_points <= 0:
            raise ValidationError(key="puhui_must_be_positive", params={"name": "cost_points"}, field="cost_points")
        reward.cost_points = cost_points
    if active is not None:
        reward.active = active
    session.flush()
    if stock_add:
        result = session.execute(update(PuhuiReward).where(PuhuiReward.id == reward_id,
                                                           PuhuiReward.stock + stock_add >= 0)
                                 .values(stock=PuhuiReward.stock + stock_add))
        if result.rowcount == 0:
            raise conflict("stock_negative", key="puhui_stock_negative", field="stock_add")
        session.refresh(reward)
    return reward


def redeem(session: Session, *, user_id: int, reward_id: int, idempotency_key: str | None = None,
           now: datetime | None = None, route: str = "redemptions") -> Outcome:
    """Spend points on one reward: 409 ``insufficient_points`` or ``out_of_stock``; 404 for an unknown or
    withdrawn reward. Due expiry is applied first, so expired points are never spent."""
    now = now or utcnow()
    digest = request_hash({"reward_id": reward_id})
    replayed = _lock_and_replay(session, user_id, idempotency_key, route, digest)
    if replayed is not None:
        return replayed
    reward = session.get(PuhuiReward, reward_id)
    if reward is None or not reward.active:
        raise NotFound(key="puhui_reward_not_found", params={"id": reward_id}, field="reward_id")
    apply_expiry(session, user_id=user_id, now=now)
    balance = user_balance(session, user_id=user_id)
    if balance < reward.cost_points:
        raise conflict("insufficient_points", key="puhui_insufficient_points",
                       params={"cost": reward.cost_points, "balance": balance}, field="reward_id")
    taken = session.execute(update(PuhuiReward).where(PuhuiReward.id == reward_id, PuhuiReward.stock > 0,
                                                      PuhuiReward.active.is_(True))
                            .values(stock=PuhuiReward.stock - 1))
    if taken.rowcount == 0:
        raise conflict("out_of_stock", key="puhui_out_of_stock", field="reward_id")
    journal_id = post(session, ledger.redemption(user_id, reward.cost_points, reference=f"reward:{reward_id}"), now=now)
    redemption = PuhuiRedemption(user_id=user_id, reward_id=reward_id, points_spent=reward.cost_points,
                                 balance_after=balance - reward.cost_points, voucher_code=secrets.token_hex(8),
                                 journal_id=journal_id, created_at=now)
    session.add(redemption)
    session.flush()
    body = {"id": redemption.id, "points_spent": redemption.points_spent, "balance_after": redemption.balance_after,
            "reward_id": reward_id, "voucher_code": redemption.voucher_code}
    return _remember(session, user_id, idempotency_key, route, digest, Outcome(201, body), now)


def redemption_counts(session: Session) -> dict[int, int]:
    """Redemptions per reward id (each took one unit of stock), for the bureau's console."""
    return {int(r): int(n) for r, n in session.execute(
        select(PuhuiRedemption.reward_id, func.count()).group_by(PuhuiRedemption.reward_id)).all()}
