"""The pure ledger: balanced journals, conservation and non-negative balances for any sequence (hypothesis),
and FIFO expiry at the end of the year after earning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon.puhui import ledger
from carbon.puhui.ledger import Book, ExpiryPolicy, Journal, Posting

POLICY = ExpiryPolicy()
CST = POLICY.tz


def test_journals_must_balance_per_asset():
    with pytest.raises(ValueError, match="does not balance"):
        Journal("award", (Posting(ledger.ISSUANCE, -5), Posting("user:1:points", 4)))
    # 5 points out and 5 grams in is *not* balanced: the two assets are never netted
    with pytest.raises(ValueError, match="does not balance"):
        Journal("award", (Posting(ledger.ISSUANCE, -5), Posting("user:1:reduction_g", 5)))
    with pytest.raises(ValueError, match="non-zero integers"):
        Journal("award", (Posting(ledger.ISSUANCE, 0), Posting("user:1:points", 0)))
    with pytest.raises(ValueError, match="non-zero integers"):
        Journal("award", (Posting(ledger.ISSUANCE, -1.5), Posting("user:1:points", 1.5)))


def test_award_posts_both_assets_and_nothing_when_fully_capped():
    j = ledger.award(7, 215, 215)
    assert {(p.account, p.amount) for p in j.postings} == {
        (ledger.ISSUANCE, -215), ("user:7:points", 215), (ledger.REDUCTION_ISSUANCE, -215), ("user:7:reduction_g", 215)}
    assert ledger.award(7, 0, 0) is None


def test_book_refuses_to_overdraw_a_resident():
    book = Book()
    book.post(ledger.award(1, 100, 100))
    with pytest.raises(ledger.InsufficientBalance):
        book.post(ledger.redemption(1, 101))
    assert book.balance("user:1:points") == 100
    book.post(ledger.redemption(1, 100))
    assert book.balance("user:1:points") == 0
    assert book.balance(ledger.ISSUANCE) == -100  # sources may go negative


def test_expiry_moment_is_the_end_of_the_year_after_earning():
    earned = datetime(2024, 3, 1, tzinfo=CST)
    # earned in 2024 -> expire at 2026-01-01 00:00 Beijing = 2025-12-31 16:00 UTC
    assert POLICY.expires_at(earned) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
    # a point earned at 2024-12-31 23:30 Beijing (15:30 UTC) is a 2024 point
    assert POLICY.expires_at(datetime(2024, 12, 31, 15, 30, tzinfo=UTC)) == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_fifo_expiry():
    awards = [(datetime(2024, 5, 1, tzinfo=CST), 300), (datetime(2025, 5, 1, tzinfo=CST), 200)]
    new_year_2026 = datetime(2026, 1, 1, 0, 1, tzinfo=CST)
    # 300 from 2024 are due; 120 already spent came out of them first -> 180 expire, the 2025 points stay
    assert ledger.points_to_expire(awards, 120, new_year_2026, POLICY) == 180
    # spent more than the old points: nothing old is left
    assert ledger.points_to_expire(awards, 350, new_year_2026, POLICY) == 0
    # the day before, nothing is due
    assert ledger.points_to_expire(awards, 0, new_year_2026 - timedelta(days=1), POLICY) == 0


def test_policy_file_loads():
    policy = ledger.load_policy()
    assert (policy.version, policy.years_after, policy.timezone_offset_hours) == (1, 1, 8)


# --- property: any sequence conserves points and never overdraws ------------------------------------------

START = datetime(2023, 1, 1, tzinfo=UTC)
ops = st.lists(st.tuples(
    st.sampled_from(["award", "redeem", "expire", "contribute", "retire"]),
    st.integers(min_value=0, max_value=2),  # resident
    st.integers(min_value=1, max_value=500),  # amount
    st.integers(min_value=0, max_value=40),  # days since the previous operation
), max_size=60)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_any_sequence_conserves_and_never_goes_negative(sequence):
    book = Book()
    now = START
    earned: dict[int, list[tuple[datetime, int]]] = {0: [], 1: [], 2: []}
    debited = {0: 0, 1: 0, 2: 0}
    for op, user, amount, days in sequence:
        now += timedelta(days=days)
        points = f"user:{user}:points"
        try:
            if op == "award":
                book.post(ledger.award(user, amount, amount))
                earned[user].append((now, amount))
            elif op == "redeem":
                book.post(ledger.redemption(user, amount))
                debited[user] += amount
            elif op == "expire":
                due = ledger.points_to_expire(earned[user], debited[user], now, POLICY)
                assert due <= book.balance(points)  # expiry can never overdraw
                if due:
                    book.post(ledger.expiry(user, due))
                    debited[user] += due
                # after expiry, nothing older than the cut-off is left on the account
                recent = sum(p for t, p in earned[user] if t >= POLICY.earned_before_expires(now))
                assert book.balance(points) <= recent
            elif op == "contribute":
                book.post(ledger.contribution(user, amount))
            elif op == "retire":
                book.post(ledger.retirement(amount))
        except ledger.InsufficientBalance:
            pass  # refused, and nothing was posted (checked below)
        for asset in ledger.ASSETS:
            assert book.total(asset) == 0  # conservation: every point and gram came from a source
        for account, balance in book.balances.items():
            if account not in ledger.SOURCES:
                assert balance >= 0, account
        for u in earned:
            # a resident's points = earned - redeemed - expired, as a sum of their journals
            assert book.balance(f"user:{u}:points") == sum(p for _, p in earned[u]) - debited[u]
    assert book.balance(ledger.ISSUANCE) == -sum(p for u in earned for _, p in earned[u])
