"""Double-entry allowance ledger: the rules, and an in-memory reference ledger.

Every operation is one transaction of two postings that sum to zero: an amount leaves one account and
enters another. Balances are sums of postings, never stored counters. Accounts of emitters never go
negative; system accounts are the other side of the book:

    system:issuance       source of allowances (negative = allowances in circulation); take-backs return here
    system:ccer_registry  source of CCER credits deposited into emitters' accounts
    system:surrendered    sink of surrenders (清缴)
    system:cancelled      sink of voluntary cancellations (注销)

Operations (``KINDS``): issue (pre-allocation or true-up), take_back (a negative true-up), deposit_ccer,
transfer, surrender, cancel. Accounts are per owner × asset (CEA allowances, CCER offsets) × vintage.

``postings``/``check_balances`` are used both by ``Ledger`` below (property tests: conservation, no
negative balance, idempotent replay) and by ``carbon.ets.accounts`` on the database, which holds a row
lock on the affected account while it checks.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from carbon.core.errors import Conflict, ValidationError

KINDS = ("issue", "take_back", "deposit_ccer", "transfer", "surrender", "cancel")
ASSETS = ("CEA", "CCER")
ISSUANCE = "system:issuance"
CCER_REGISTRY = "system:ccer_registry"
SURRENDERED = "system:surrendered"
CANCELLED = "system:cancelled"
SYSTEM_OWNERS = (ISSUANCE, CCER_REGISTRY, SURRENDERED, CANCELLED)


@dataclass(frozen=True, order=True)
class AccountKey:
    owner: str  # an emitter's USCC or a system account
    asset: str
    vintage: int

    @property
    def is_system(self) -> bool:
        return self.owner.startswith("system:")


@dataclass(frozen=True)
class Operation:
    kind: str
    owner: str  # the emitter whose account is debited or credited
    asset: str
    vintage: int
    amount_t: int
    counterparty: str | None = None  # transfer: receiving emitter
    year: int | None = None  # surrender: compliance year; issue/take_back: allocation year
    memo: str = ""

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def validate(op: Operation) -> None:
    if op.kind not in KINDS:
        raise ValidationError(key="ets_ledger_kind", params={"kinds": ", ".join(KINDS), "kind": op.kind}, field="kind")
    if op.asset not in ASSETS:
        raise ValidationError(key="ets_asset", params={"assets": ASSETS, "asset": op.asset}, field="asset")
    if isinstance(op.amount_t, bool) or not isinstance(op.amount_t, int) or op.amount_t <= 0:
        raise ValidationError(key="ets_amount_whole", field="amount_t")
    if op.owner.startswith("system:"):
        raise ValidationError(key="ets_owner_emitter", field="owner")
    if op.kind == "transfer" and (not op.counterparty or op.counterparty == op.owner
                                  or op.counterparty.startswith("system:")):
        raise ValidationError(key="ets_transfer_counterparty", field="counterparty")
    if op.kind in ("issue", "take_back") and op.asset != "CEA":
        raise ValidationError(key="ets_issue_cea_only", field="asset")
    if op.kind == "deposit_ccer" and op.asset != "CCER":
        raise ValidationError(key="ets_deposit_ccer", field="asset")
    if op.kind == "surrender" and op.year is None:
        raise ValidationError(key="ets_surrender_year", field="year")


def postings(op: Operation) -> list[tuple[AccountKey, int]]:
    """The two postings of ``op``: (account, signed amount), summing to zero."""
    validate(op)
    a = op.amount_t
    own = AccountKey(op.owner, op.asset, op.vintage)
    other = {
        "issue": ISSUANCE, "take_back": ISSUANCE, "deposit_ccer": CCER_REGISTRY,
        "transfer": op.counterparty, "surrender": SURRENDERED, "cancel": CANCELLED,
    }[op.kind]
    key = AccountKey(other, op.asset, op.vintage)  # type: ignore[arg-type]
    if op.kind in ("issue", "deposit_ccer"):
        return [(key, -a), (own, a)]
    return [(own, -a), (key, a)]


def debited(op: Operation) -> AccountKey:
    """The account whose balance must cover the operation (the one to lock)."""
    return next(k for k, v in postings(op) if v < 0)


def check_balances(entries: list[tuple[AccountKey, int]], balance_of: Callable[[AccountKey], int]) -> None:
    """Conflict if an emitter account would go below zero."""
    for key, amount in entries:
        if amount < 0 and not key.is_system:
            have = balance_of(key)
            if have + amount < 0:
                raise Conflict(key="ets_insufficient_balance",
                               params={"owner": key.owner, "have": have, "asset": key.asset, "vintage": key.vintage,
                                       "needed": -amount}, field="amount_t")


@dataclass(frozen=True)
class Transaction:
    id: int
    op: Operation
    entries: tuple[tuple[AccountKey, int], ...]


class Ledger:
    """In-memory reference ledger with the same rules as the database one."""

    def __init__(self) -> None:
        self.transactions: list[Transaction] = []
        self._balances: dict[AccountKey, int] = defaultdict(int)
        self._keys: dict[str, tuple[str, Transaction]] = {}

    def balance(self, key: AccountKey) -> int:
        return self._balances.get(key, 0)

    def balances(self) -> dict[AccountKey, int]:
        return {k: v for k, v in self._balances.items() if v}

    def apply(self, op: Operation, *, idempotency_key: str | None = None) -> Transaction:
        if idempotency_key is not None and idempotency_key in self._keys:
            fingerprint, txn = self._keys[idempotency_key]
            if fingerprint != op.fingerprint():
                raise ValidationError(key="ets_idempotency_reused", field="idempotency_key")
            return txn
        entries = postings(op)
        check_balances(entries, self.balance)
        txn = Transaction(len(self.transactions) + 1, op, tuple(entries))
        for key, amount in entries:
            self._balances[key] += amount
        self.transactions.append(txn)
        if idempotency_key is not None:
            self._keys[idempotency_key] = (op.fingerprint(), txn)
        return txn

    def replay_balances(self) -> dict[AccountKey, int]:
        """Balances recomputed from the entries alone (what the database does)."""
        out: dict[AccountKey, int] = defaultdict(int)
        for txn in self.transactions:
            for key, amount in txn.entries:
                out[key] += amount
        return {k: v for k, v in out.items() if v}
