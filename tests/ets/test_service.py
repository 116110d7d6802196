"""Service rules on the real database (both backends): re-check windows, take-back true-ups, ledger
conservation and idempotent replay, and 20 parallel surrenders on PostgreSQL."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from carbon.core.db import session_factory, session_scope
from carbon.core.errors import Conflict, ValidationError
from carbon.ets import ledger, service
from carbon.ets.models import Allocation, Entry
from tests.ets.helpers import E1_REPORT, EMITTER_A, EMITTER_B, e1


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def concluded(s, *, now: datetime, report=E1_REPORT):
    service.create_emitter(s, uscc=EMITTER_A, name="甲", actor="t")
    v = service.create_verifier(s, name="甲核查", actor="t")
    service.submit_report(s, uscc=EMITTER_A, payload=report, actor="t")
    g = service.assign_verifier(s, uscc=EMITTER_A, year=report["year"], verifier_id=v.id, actor="t")
    service.record_review(s, engagement_id=g.id, kind="document", notes="n", actor="t")
    return service.conclude(s, engagement_id=g.id, conclusion="ok", actor="t", now=now)


def test_recheck_window_in_working_days(session):
    # concluded Mon 2024-09-30 10:00 Beijing; 1-7 Oct off; 8, 9, 10, 11, Sat 12 (调休), 14, 15 -> deadline 15 Oct
    g = concluded(session, now=at("2024-09-30"))
    assert g.recheck_deadline.isoformat() == "2024-10-15"
    with pytest.raises(Conflict, match="until 2024-10-15"):
        service.finalise(session, engagement_id=g.id, actor="bureau", now=at("2024-10-15", 15))  # 23:00 Beijing
    with pytest.raises(Conflict, match="closed on 2024-10-15"):
        service.request_recheck(session, engagement_id=g.id, reason="r", actor="e", now=at("2024-10-15", 16))  # 16 Oct 00:00
    service.finalise(session, engagement_id=g.id, actor="bureau", now=at("2024-10-16"))
    assert g.state == "final"


def test_late_recheck_decision_is_recorded_as_late(session):
    g = concluded(session, now=at("2024-09-30"))
    service.request_recheck(session, engagement_id=g.id, reason="r", actor="e", now=at("2024-10-15", 15))
    # requested on 15 Oct (Beijing 23:00): 10 working days -> 16-18, 21-25, 28, 29 Oct
    assert g.decision_deadline.isoformat() == "2024-10-29"
    with pytest.raises(ValidationError):
        service.decide_recheck(session, engagement_id=g.id, outcome="revised", actor="b", now=at("2024-10-30"))
    service.decide_recheck(session, engagement_id=g.id, outcome="revised", corrected_payload=e1(supplied_mwh=3_000_000),
                           actor="b", now=at("2024-10-30"))
    last = service.events(session, entity="engagement", entity_id=g.id)[-1]
    assert last.action == "decide_recheck" and last.detail["late"] is True
    assert g.verified_emissions_t == 2_946_003  # supplied MWh do not change emissions


def test_final_allocation_takes_back_an_excess_pre_allocation_and_caps_the_gap(session):
    # 2022 report with supplied 800,000 MWh and E = 2,946,003: quota 0.8177 × 800,000 = 654,160, gap 77.8% > 20%
    # -> allocation topped up to 80% × 2,946,003 = 2,356,802.4 -> 2,356,802; pre-allocation 70% × 4,000,000 =
    # 2,800,000 -> true-up −443,198 (taken back)
    report = e1(supplied_mwh=800_000)
    g = concluded(session, now=at("2024-09-30"), report=report)
    service.finalise(session, engagement_id=g.id, actor="b", now=at("2024-10-16"))
    service.allocate_pre(session, uscc=EMITTER_A, year=2022, basis_t=4_000_000, actor="b")
    a = service.allocate_final(session, uscc=EMITTER_A, year=2022, actor="b")
    assert (a.amount_t, a.obligation_t, a.basis["cap_top_up_t"], a.basis["true_up_t"]) == (
        2_356_802, 2_946_003, 2_356_802 - 654_160, -443_198)
    assert service.balances(session, owner=EMITTER_A) == [{"asset": "CEA", "vintage": 2022, "balance_t": 2_356_802}]
    assert service.total_of_all_accounts(session) == 0


def _setup_balance(s, *, balance: int, obligation: int) -> None:
    service.create_emitter(s, uscc=EMITTER_A, name="甲", actor="t")
    service.create_emitter(s, uscc=EMITTER_B, name="乙", actor="t")
    e = service.get_emitter(s, uscc=EMITTER_A)
    s.add(Allocation(emitter_id=e.id, year=2023, kind="final", amount_t=balance, obligation_t=obligation, basis={},
                     rules_version="test"))
    service.apply_operation(s, op=ledger.Operation("issue", EMITTER_A, "CEA", 2023, balance, year=2023), actor="t")


def test_ledger_replay_with_the_same_key_changes_nothing(session):
    _setup_balance(session, balance=100, obligation=1_000)
    t1 = service.surrender(session, uscc=EMITTER_A, year=2023, asset="CEA", vintage=2023, amount_t=30, actor="e",
                           idempotency_key="k")
    t2 = service.surrender(session, uscc=EMITTER_A, year=2023, asset="CEA", vintage=2023, amount_t=30, actor="e",
                           idempotency_key="k")
    assert t1.id == t2.id
    assert service.balances(session, owner=EMITTER_A)[0]["balance_t"] == 70
    with pytest.raises(ValidationError, match="different ledger operation"):
        service.transfer(session, uscc=EMITTER_A, to_uscc=EMITTER_B, asset="CEA", vintage=2023, amount_t=1, actor="e",
                         idempotency_key="k")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["transfer_ab", "transfer_ba", "surrender", "cancel"]),
                          st.integers(1, 80)), max_size=12))
def test_database_ledger_conservation_and_no_negative_balance(engine, ops):
    with session_scope(engine) as s:
        if service.list_emitters(s) == []:
            _setup_balance(s, balance=100, obligation=10_000)
    for kind, amount in ops:
        try:
            with session_scope(engine) as s:
                if kind == "surrender":
                    service.surrender(s, uscc=EMITTER_A, year=2023, asset="CEA", vintage=2023, amount_t=amount, actor="t")
                elif kind == "cancel":
                    service.cancel(s, uscc=EMITTER_B, asset="CEA", vintage=2023, amount_t=amount, actor="t")
                else:
                    src, dst = (EMITTER_A, EMITTER_B) if kind == "transfer_ab" else (EMITTER_B, EMITTER_A)
                    service.transfer(s, uscc=src, to_uscc=dst, asset="CEA", vintage=2023, amount_t=amount, actor="t")
        except Conflict:
            pass
        with session_scope(engine) as s:
            assert service.total_of_all_accounts(s) == 0
            for owner in (EMITTER_A, EMITTER_B):
                assert all(b["balance_t"] >= 0 for b in service.balances(s, owner=owner))


@pytest.mark.skipif(not os.environ.get("CARBON_TEST_DATABASE_URL"), reason="PostgreSQL only (row locks)")
def test_twenty_parallel_surrenders_never_overdraw(engine, backend):
    if backend != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has a single writer")
    with session_scope(engine) as s:
        _setup_balance(s, balance=100, obligation=1_000)
    factory = session_factory(engine)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def worker() -> None:
        barrier.wait()
        try:
            with session_scope(factory) as s:
                service.surrender(s, uscc=EMITTER_A, year=2023, asset="CEA", vintage=2023, amount_t=10, actor="t")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 100 t, 20 × 10 t: exactly 10 surrenders fit, the other 10 are refused, the balance ends at 0, never below
    assert sorted(outcomes) == ["ok"] * 10 + ["refused"] * 10
    with session_scope(engine) as s:
        assert service.balances(s, owner=EMITTER_A) == [{"asset": "CEA", "vintage": 2023, "balance_t": 0}]
        assert s.scalar(select(func.sum(Entry.amount_t))) == 0
