"""The points and reductions ledger: append-only double-entry journals, pure (no session).

Two assets, never netted against each other (puhui.md §3, ledger references):

- ``points``: what a resident earns and spends. 1 point = 1 g CO2e at award time.
- ``reduction_g``: the grams of CO2e a behaviour avoided. They never expire and cannot be spent on rewards;
  a resident may pool them into the platform account, from which the bureau retires them against an offset
  claim (the closed loop). Every gram is retired at most once.

Accounts (``key``):

=====================================  ===========  ================================================
account                                asset        meaning
=====================================  ===========  ================================================
``platform:issuance``                  points       source of awarded points (goes negative)
``platform:redeemed``                  points       points spent on rewards
``platform:expired``                   points       points that expired (policy: expiry_policy_v1.json)
``platform:forfeited``                 points       points left when a resident erased the account
``user:<id>:points``                   points       a resident's points (never negative)
``platform:reduction_issuance``        reduction_g  source of recorded reductions (goes negative)
``user:<id>:reduction_g``              reduction_g  a resident's reductions not yet pooled
``pool:platform``                      reduction_g  pooled reductions, not yet retired
``platform:retired``                   reduction_g  reductions retired against offset claims
=====================================  ===========  ================================================

A journal is one business event (award, redemption, expiry, forfeit, contribution, retirement). Its postings
balance to zero *per asset*; amounts are non-zero integers. Balances are sums of postings; only source
accounts may go negative. ``Book`` applies journals in memory with those checks: the service persists the same
journals and the property tests run random sequences through ``Book``.

Expiry (``points_to_expire``) is FIFO: spending and expiry consume the oldest points first, so at a cut-off
the points still held from before it are ``max(0, earned before the cut-off - everything debited so far)``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from carbon.core.errors import Conflict, ValidationError

ASSETS = ("points", "reduction_g")
KINDS = ("award", "redemption", "expiry", "forfeit", "contribution", "retirement")

ISSUANCE = "platform:issuance"
REDEEMED = "platform:redeemed"
EXPIRED = "platform:expired"
FORFEITED = "platform:forfeited"
REDUCTION_ISSUANCE = "platform:reduction_issuance"
POOL = "pool:platform"
RETIRED = "platform:retired"

PLATFORM_ACCOUNTS: dict[str, str] = {
    ISSUANCE: "points", REDEEMED: "points", EXPIRED: "points", FORFEITED: "points",
    REDUCTION_ISSUANCE: "reduction_g", POOL: "reduction_g", RETIRED: "reduction_g",
}
SOURCES = frozenset({ISSUANCE, REDUCTION_ISSUANCE})  # the only accounts allowed below zero

POLICY_FILE = Path(__file__).with_name("data") / "expiry_policy_v1.json"


def user_account(user_id: int, asset: str) -> str:
    if asset not in ASSETS:
        raise ValueError(f"unknown asset {asset!r}")
    return f"user:{user_id}:{asset}"


def asset_of(account: str) -> str:
    if account in PLATFORM_ACCOUNTS:
        return PLATFORM_ACCOUNTS[account]
    if account.startswith("user:"):
        return account.rsplit(":", 1)[1]
    raise ValueError(f"unknown account {account!r}")


class InsufficientBalance(Conflict):
    code = "insufficient_balance"


@dataclass(frozen=True)
class Posting:
    account: str
    amount: int  # signed: + credit to the account's balance, - debit


@dataclass(frozen=True)
class Journal:
    kind: str
    postings: tuple[Posting, ...]
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown journal kind {self.kind!r}")
        if len(self.postings) < 2:
            raise ValueError("a journal has at least two postings")
        totals: dict[str, int] = defaultdict(int)
        for p in self.postings:
            if not isinstance(p.amount, int) or isinstance(p.amount, bool) or p.amount == 0:
                raise ValueError(f"posting amounts are non-zero integers, got {p.amount!r}")
            totals[asset_of(p.account)] += p.amount
        unbalanced = {a: t for a, t in totals.items() if t != 0}
        if unbalanced:
            raise ValueError(f"journal {self.kind} does not balance: {unbalanced}")


def award(user_id: int, points: int, reduction_g: int, reference: str | None = None) -> Journal | None:
    """Issue ``points`` and record ``reduction_g`` for a behaviour. None when both are zero (fully capped)."""
    postings: list[Posting] = []
    if points:
        postings += [Posting(ISSUANCE, -points), Posting(user_account(user_id, "points"), points)]
    if reduction_g:
        postings += [Posting(REDUCTION_ISSUANCE, -reduction_g), Posting(user_account(user_id, "reduction_g"), reduction_g)]
    return Journal("award", tuple(postings), reference) if postings else None


def redemption(user_id: int, points: int, reference: str | None = None) -> Journal:
    return Journal("redemption", (Posting(user_account(user_id, "points"), -points), Posting(REDEEMED, points)), reference)


def expiry(user_id: int, points: int, reference: str | None = None) -> Journal:
    return Journal("expiry", (Posting(user_account(user_id, "points"), -points), Posting(EXPIRED, points)), reference)


def forfeit(user_id: int, points: int, reference: str | None = None) -> Journal:
    return Journal("forfeit", (Posting(user_account(user_id, "points"), -points), Posting(FORFEITED, points)), reference)


def contribution(user_id: int, grams: int, reference: str | None = None) -> Journal:
    return Journal("contribution", (Posting(user_account(user_id, "reduction_g"), -grams), Posting(POOL, grams)),
                   reference)


def retirement(grams: int, reference: str | None = None) -> Journal:
    return Journal("retirement", (Posting(POOL, -grams), Posting(RETIRED, grams)), reference)


@dataclass
class Book:
    """Balances from journals, in memory: the same rules the database enforces (CHECK balance_after >= 0)."""

    balances: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    journals: list[Journal] = field(default_factory=list)

    def balance(self, account: str) -> int:
        return self.balances.get(account, 0)

    def check(self, journal: Journal) -> None:
        for p in journal.postings:
            after = self.balance(p.account) + p.amount
            if after < 0 and p.account not in SOURCES:
                raise InsufficientBalance(key="puhui_balance_negative", params={"account": p.account, "after": after},
                                          field="amount")

    def post(self, journal: Journal) -> Journal:
        self.check(journal)
        for p in journal.postings:
            self.balances[p.account] = self.balance(p.account) + p.amount
        self.journals.append(journal)
        return journal

    def total(self, asset: str) -> int:
        """Sum over every account of one asset: always zero (conservation)."""
        return sum(v for k, v in self.balances.items() if asset_of(k) == asset)


# --- expiry --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExpiryPolicy:
    """Points earned in local year Y expire at the start of year Y + 1 + years_after (default: the end of
    the year after they were earned)."""

    version: int = 1
    rule: str = "end_of_year_after_earned"
    years_after: int = 1
    timezone_offset_hours: int = 8

    @property
    def tz(self) -> timezone:
        return timezone(timedelta(hours=self.timezone_offset_hours))

    def expires_at(self, earned_at: datetime) -> datetime:
        """When points earned at ``earned_at`` expire (UTC)."""
        year = earned_at.astimezone(self.tz).year
        return datetime(year + 1 + self.years_after, 1, 1, tzinfo=self.tz).astimezone(UTC)

    def earned_before_expires(self, as_of: datetime) -> datetime:
        """Points earned before this moment have expired by ``as_of`` (UTC)."""
        year = as_of.astimezone(self.tz).year
        return datetime(year - self.years_after, 1, 1, tzinfo=self.tz).astimezone(UTC)


def load_policy(path: Path = POLICY_FILE) -> ExpiryPolicy:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("rule") != "end_of_year_after_earned":
        raise ValidationError(key="puhui_expiry_rule_unknown", params={"file": path.name, "rule": data.get("rule")})
    return ExpiryPolicy(version=int(data["version"]), rule=data["rule"], years_after=int(data["years_after"]),
                        timezone_offset_hours=int(data.get("timezone_offset_hours", 8)))


def points_to_expire(awards: Iterable[tuple[datetime, int]], debited: int, as_of: datetime,
                     policy: ExpiryPolicy) -> int:
    """Points to expire at ``as_of`` under FIFO: earned before the cut-off, minus everything already debited
    (redeemed, expired, forfeited), never below zero. ``awards`` are (earned_at, points)."""
    cutoff = policy.earned_before_expires(as_of)
    due = sum(points for earned_at, points in awards if earned_at < cutoff)
    return max(0, due - debited)
