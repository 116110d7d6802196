"""碳普惠 retirement under contention (PostgreSQL; skipped on SQLite): 20 bureau sessions retire from one pool
at once; only what the pool holds is retired, no gram twice, and the reconciliation shows the ledger's figures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carbon.core.db import make_engine, session_scope
from carbon.core.errors import Conflict
from carbon.puhui import service
from carbon.puhui.models import PuhuiBehaviour, PuhuiClaimAllocation, PuhuiOffsetClaim
from carbon.puhui.wechat import Code2Session
from carbon.reconcile.service import puhui_side
from tests.puhui.test_concurrency import SECRET, bus_claim, run_together

N = 20


def test_twenty_retirements_of_one_pool_retire_only_what_it_holds(backend, migrated_url):
    if backend != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL (SQLite has one writer)")
    engine = make_engine(migrated_url, pool_size=N + 2, max_overflow=0)
    try:
        with session_scope(engine) as s:
            _, user = service.login(s, identity=Code2Session(openid="pooling-resident"), secret=SECRET)
            for i in range(3):
                service.record_behaviour(s, user_id=user.id, claim=bus_claim(f"R{i}"), secret=SECRET,
                                         check_evidence=False)
            pooled = service.contribute(s, user_id=user.id).body["reduction_g"]
        assert pooled > 0
        each = pooled // 7 + 1  # at most 7 claims fit in the pool
        fits = pooled // each

        def retire(i):
            with session_scope(engine) as s:
                return service.retire(s, name=f"活动{i}", beneficiary="鄂尔多斯马拉松", reduction_g=each).id

        results = run_together(N, retire)
        wins = [r for r in results if isinstance(r, int)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == fits and len(losses) == N - fits, [type(r) for r in results]
        assert {e.code for e in losses} == {"insufficient_pool"}
        with session_scope(engine) as s:
            pool = puhui_side(s)
            assert pool["retired_g"] == fits * each and pool["available_g"] == pooled - fits * each
            assert pool["claims"] == fits
            assert s.scalar(select(func.sum(PuhuiOffsetClaim.reduction_g))) == fits * each
            assert s.scalar(select(func.sum(PuhuiClaimAllocation.grams))) == fits * each  # each gram in one claim
            assert s.scalar(select(func.sum(PuhuiBehaviour.retired_g))) == fits * each
            assert s.scalar(select(func.count()).select_from(PuhuiBehaviour)
                            .where(PuhuiBehaviour.retired_g > PuhuiBehaviour.pooled_g)) == 0
    finally:
        engine.dispose()
