"""The allowance registry accounts (CEA, CCER by vintage) on the database: every operation is one balanced,
idempotent transaction of double entries; balances are summed from the entries. The posting rules (which
accounts an operation debits and credits, no overdraft) are ledger.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbon.core.errors import ValidationError
from carbon.ets import ledger
from carbon.ets.common import record_event
from carbon.ets.models import Account, Emitter, Entry, Transaction
from carbon.ets.registry import get_emitter


def _account(session: Session, key: ledger.AccountKey) -> Account:
    q = select(Account).where(Account.owner == key.owner, Account.asset == key.asset, Account.vintage == key.vintage)
    found = session.scalar(q)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = Account(owner=key.owner, asset=key.asset, vintage=key.vintage)
            session.add(found)
    except IntegrityError:  # created concurrently
        found = session.scalar(q)
        assert found is not None
    return found


def _balance(session: Session, account_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Entry.amount_t), 0)).where(Entry.account_id == account_id)))


def apply_operation(session: Session, *, op: ledger.Operation, actor: str,
                    idempotency_key: str | None = None) -> Transaction:
    """Post ``op`` as one balanced transaction; the debited account is row-locked while its balance is checked.

    Replaying the same ``idempotency_key`` with the same operation returns the first transaction and posts
    nothing; the same key with another operation is a ValidationError.
    """
    if idempotency_key is not None:
        found = session.scalar(select(Transaction).where(Transaction.idempotency_key == idempotency_key))
        if found is not None:
            if found.fingerprint != op.fingerprint():
                raise ValidationError(key="ets_idempotency_reused_ledger",
                                      field="idempotency_key")
            return found
    entries = ledger.postings(op)
    accounts = {k: _account(session, k) for k, _ in entries}
    debit = ledger.debited(op)
    if not debit.is_system:
        session.execute(select(Account.id).where(Account.id == accounts[debit].id).with_for_update())
    ledger.check_balances(entries, lambda k: _balance(session, accounts[k].id))
    txn = Transaction(kind=op.kind, owner=op.owner, counterparty=op.counterparty, asset=op.asset, vintage=op.vintage,
                      amount_t=op.amount_t, year=op.year, memo=op.memo[:200], idempotency_key=idempotency_key,
                      fingerprint=op.fingerprint(), actor=actor)
    session.add(txn)
    session.flush()
    session.add_all(Entry(transaction_id=txn.id, account_id=accounts[k].id, amount_t=a) for k, a in entries)
    session.flush()
    owner = session.scalar(select(Emitter.id).where(Emitter.uscc == op.owner))
    record_event(session, entity="transaction", entity_id=txn.id, emitter_id=owner, action=op.kind, actor=actor,
                 detail={"asset": op.asset, "vintage": op.vintage, "amount_t": op.amount_t, "year": op.year,
                         "counterparty": op.counterparty})
    return txn


def balances(session: Session, *, owner: str) -> list[dict[str, Any]]:
    """Balances per asset and vintage, summed from the entries."""
    rows = session.execute(
        select(Account.asset, Account.vintage, func.coalesce(func.sum(Entry.amount_t), 0))
        .join(Entry, Entry.account_id == Account.id, isouter=True).where(Account.owner == owner)
        .group_by(Account.asset, Account.vintage).order_by(Account.asset, Account.vintage))
    return [{"asset": a, "vintage": v, "balance_t": int(b)} for a, v, b in rows]


def total_of_all_accounts(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Entry.amount_t), 0))))


def transactions(session: Session, *, owner: str) -> list[Transaction]:
    q = select(Transaction).where((Transaction.owner == owner) | (Transaction.counterparty == owner))
    return list(session.scalars(q.order_by(Transaction.id)))


def transfer(session: Session, *, uscc: str, to_uscc: str, asset: str, vintage: int, amount_t: int, actor: str,
             idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    other = get_emitter(session, uscc=to_uscc)
    return apply_operation(session, op=ledger.Operation("transfer", e.uscc, asset, vintage, amount_t,
                                                        counterparty=other.uscc),
                           actor=actor, idempotency_key=idempotency_key)


def deposit_ccer(session: Session, *, uscc: str, vintage: int, amount_t: int, memo: str = "", actor: str,
                 idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    return apply_operation(session, op=ledger.Operation("deposit_ccer", e.uscc, "CCER", vintage, amount_t, memo=memo),
                           actor=actor, idempotency_key=idempotency_key)


def cancel(session: Session, *, uscc: str, asset: str, vintage: int, amount_t: int, actor: str,
           idempotency_key: str | None = None) -> Transaction:
    e = get_emitter(session, uscc=uscc)
    return apply_operation(session, op=ledger.Operation("cancel", e.uscc, asset, vintage, amount_t),
                           actor=actor, idempotency_key=idempotency_key)
