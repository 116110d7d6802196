"""Service layer on the real database (SQLite and PostgreSQL): expiry over the years, the ledger against the
behaviour records, and a property test of random award/redeem/expire/pool sequences."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from carbon.core.errors import Conflict
from carbon.puhui import ledger, service
from carbon.puhui.models import PuhuiAccount, PuhuiJournal, PuhuiPosting
from carbon.puhui.wechat import Code2Session

SECRET = "test-openid-secret"
CST = ledger.ExpiryPolicy().tz


def new_user(session, name=None) -> int:
    _, user = service.login(session, identity=Code2Session(openid=name or uuid.uuid4().hex), secret=SECRET)
    return user.id


def walk(session, user_id, steps, now) -> int:
    claim = service.Claim(type="walking", quantity=Decimal(steps), unit="steps", occurred_at=now - timedelta(hours=1))
    return service.record_behaviour(session, user_id=user_id, claim=claim, secret=SECRET, now=now).body["points"]


def sums(session, user_id):
    """(sum of postings, latest balance_after) of a resident's points account, and per-asset conservation."""
    account = session.scalar(select(PuhuiAccount.id).where(PuhuiAccount.key == f"user:{user_id}:points"))
    total = session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0)).where(PuhuiPosting.account_id == account))
    by_kind = dict(session.execute(select(PuhuiJournal.kind, func.sum(PuhuiPosting.amount))
                                   .join(PuhuiJournal, PuhuiJournal.id == PuhuiPosting.journal_id)
                                   .where(PuhuiPosting.account_id == account).group_by(PuhuiJournal.kind)).all())
    conservation = {asset: session.scalar(select(func.coalesce(func.sum(PuhuiPosting.amount), 0))
                                          .join(PuhuiAccount, PuhuiAccount.id == PuhuiPosting.account_id)
                                          .where(PuhuiAccount.asset == asset)) for asset in ledger.ASSETS}
    return int(total), service.user_balance(session, user_id=user_id), by_kind, conservation


def test_points_expire_at_the_end_of_the_year_after_earning(session):
    uid = new_user(session)
    reward = service.create_reward(session, name="券", cost_points=100, stock=10)
    walk(session, uid, 15000, datetime(2024, 3, 1, 12, tzinfo=CST))  # 300 points earned in 2024
    walk(session, uid, 10000, datetime(2025, 6, 1, 12, tzinfo=CST))  # 200 points earned in 2025
    service.redeem(session, user_id=uid, reward_id=reward.id, now=datetime(2025, 7, 1, tzinfo=CST))  # FIFO: from 2024
    december = service.profile(session, user_id=uid, now=datetime(2025, 12, 1, tzinfo=CST))
    assert december["points_balance"] == 400
    assert december["points_expiring"] == {"points": 200, "at": "2025-12-31T16:00:00+00:00"}  # 300 - 100 of 2024
    before = service.expire_all(session, now=datetime(2025, 12, 31, 23, 59, tzinfo=CST))
    assert before["points"] == 0
    run = service.expire_all(session, now=datetime(2026, 1, 1, 0, 1, tzinfo=CST))
    assert (run["residents"], run["points"]) == (1, 200)
    assert service.expire_all(session, now=datetime(2026, 1, 2, tzinfo=CST))["points"] == 0  # idempotent
    total, balance, by_kind, conservation = sums(session, uid)
    assert total == balance == 200  # the 2025 points are left
    assert by_kind == {"award": 500, "redemption": -100, "expiry": -200}
    assert conservation == {"points": 0, "reduction_g": 0}
    # reductions never expire
    assert service.user_balance(session, user_id=uid, asset="reduction_g") == 500


def test_redemption_applies_due_expiry_first(session):
    uid = new_user(session)
    reward = service.create_reward(session, name="券", cost_points=250, stock=10)
    walk(session, uid, 15000, datetime(2024, 3, 1, tzinfo=CST))  # 300 points, expire at 2026-01-01
    with pytest.raises(Conflict) as info:
        service.redeem(session, user_id=uid, reward_id=reward.id, now=datetime(2026, 1, 5, tzinfo=CST))
    assert info.value.code == "insufficient_points"  # the expired points are not spendable


@pytest.mark.parametrize("now", [datetime(2025, 5, 1, 10, tzinfo=UTC)])
def test_sync_methodologies_is_idempotent_and_refuses_edits(session, now):
    report = service.sync_methodologies(session, now=now)
    assert report.added == [] and report.unchanged == 5  # migration 0005 seeded edition v1
    row = service.list_methodologies(session, code="bus")[0]
    row.factor = "27.0"  # someone edited the stored row in place
    session.flush()
    with pytest.raises(Conflict):
        service.sync_methodologies(session, now=now)


OPS = st.lists(st.tuples(st.sampled_from(["walk", "redeem", "expire", "pool", "retire"]),
                         st.integers(min_value=0, max_value=1), st.integers(min_value=1, max_value=20000),
                         st.integers(min_value=0, max_value=200)), min_size=1, max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS)
def test_random_sequences_conserve_and_never_overdraw(session, sequence):
    users = [new_user(session), new_user(session)]
    reward = service.create_reward(session, name="券", cost_points=150, stock=1000)
    now = datetime(2024, 1, 10, 12, tzinfo=UTC)
    for op, who, amount, days in sequence:
        now += timedelta(days=days)
        uid = users[who]
        try:
            with session.begin_nested():
                if op == "walk":
                    walk(session, uid, amount, now)
                elif op == "redeem":
                    service.redeem(session, user_id=uid, reward_id=reward.id, now=now)
                elif op == "expire":
                    service.expire_all(session, now=now)
                elif op == "pool":
                    service.contribute(session, user_id=uid, reduction_g=amount // 100 or 1, now=now)
                elif op == "retire":
                    service.retire(session, name="event", beneficiary="x", reduction_g=amount // 100 or 1, now=now)
        except Conflict:
            pass  # refused (not enough points, grams or pool): the savepoint rolled it back
        for u in users:
            total, balance, by_kind, conservation = sums(session, u)
            assert total == balance >= 0
            assert conservation == {"points": 0, "reduction_g": 0}
            assert set(by_kind) <= {"award", "redemption", "expiry"}
        pool = service.pool_status(session)
        assert pool["available_g"] >= 0
