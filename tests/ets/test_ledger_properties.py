"""Ledger properties on random operation sequences: conservation, no negative balance, idempotent replay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.core.errors import Conflict
from carbon.ets.ledger import AccountKey, Ledger, Operation, postings

EMITTERS = ["A", "B", "C"]

operations = st.builds(
    lambda kind, owner, other, asset, vintage, amount: Operation(
        kind=kind, owner=owner, asset="CCER" if kind == "deposit_ccer" else ("CEA" if kind in ("issue", "take_back") else asset),
        vintage=vintage, amount_t=amount, counterparty=other if kind == "transfer" and other != owner else
        ("A" if owner != "A" else "B") if kind == "transfer" else None,
        year=vintage if kind == "surrender" else None),
    st.sampled_from(["issue", "take_back", "deposit_ccer", "transfer", "surrender", "cancel"]),
    st.sampled_from(EMITTERS), st.sampled_from(EMITTERS), st.sampled_from(["CEA", "CCER"]),
    st.sampled_from([2022, 2023]), st.integers(min_value=1, max_value=1_000))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(operations, st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"]))), max_size=40))
def test_conservation_no_negative_and_idempotent_replay(ops):
    ledger = Ledger()
    for op, key in ops:
        before = ledger.balances()
        try:
            txn = ledger.apply(op, idempotency_key=key)
        except Conflict:
            assert ledger.balances() == before  # a refused operation writes nothing
            continue
        except Exception as exc:  # same key, different operation
            assert "idempotency key" in str(exc)
            assert ledger.balances() == before
            continue
        # replaying the same write returns the same transaction and changes nothing
        if key is not None:
            after = ledger.balances()
            assert ledger.apply(op, idempotency_key=key) == txn
            assert ledger.balances() == after
        balances = ledger.balances()
        assert sum(balances.values()) == 0  # conservation: every entry has its counter-entry
        assert all(v >= 0 for k, v in balances.items() if not k.is_system)
        assert ledger.replay_balances() == balances  # balances are derived from the entries


def test_postings_sum_to_zero_and_overdraft_is_refused():
    op = Operation("issue", "A", "CEA", 2022, 100)
    assert sum(a for _, a in postings(op)) == 0
    ledger = Ledger()
    ledger.apply(op)
    ledger.apply(Operation("surrender", "A", "CEA", 2022, 60, year=2022))
    with pytest.raises(Conflict, match="holds 40 t"):
        ledger.apply(Operation("transfer", "A", "CEA", 2022, 41, counterparty="B"))
    assert ledger.balance(AccountKey("A", "CEA", 2022)) == 40
