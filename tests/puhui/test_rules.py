"""Caps and plausibility rules, pure (no DB): one test per cap and per reason code."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carbon.puhui import methodologies as mm
from carbon.puhui import rules

M = {m.code: m for m in mm.load_all()}
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
D = Decimal


def check(code, quantity, *, occurred_at=None, duration_s=None, evidence=True):
    rules.check_claim(M[code], quantity=D(quantity), occurred_at=occurred_at or NOW - timedelta(hours=1), now=NOW,
                      duration_s=duration_s, has_evidence=evidence)


def reason(code, quantity, **kw):
    with pytest.raises(rules.ClaimRejected) as info:
        check(code, quantity, **kw)
    return info.value.code


# --- caps ---------------------------------------------------------------------------------------------

def test_bus_six_trips_a_day_earn():
    earlier = [D(5)] * 6
    result = rules.apply_caps(M["bus"], quantity=D(8), earlier=earlier)
    assert result == rules.CapResult(D(0), True, "cap_claims")
    assert rules.apply_caps(M["bus"], quantity=D(8), earlier=[D(5)] * 5) == rules.CapResult(D(8), False)


def test_bus_capped_trips_do_not_count_towards_the_six():
    # five earning trips and two capped-to-zero ones (e.g. from another methodology version): the 6th earns
    assert rules.apply_caps(M["bus"], quantity=D(8), earlier=[D(5)] * 5 + [D(0)] * 2).eligible == D(8)


def test_cycling_forty_km_a_day():
    # 30 km already: of 15 more, 10 earn
    assert rules.apply_caps(M["cycling"], quantity=D(15), earlier=[D(30)]) == rules.CapResult(D(10), True, "cap_quantity")
    assert rules.apply_caps(M["cycling"], quantity=D(10), earlier=[D(30)]) == rules.CapResult(D(10), False)
    assert rules.apply_caps(M["cycling"], quantity=D(1), earlier=[D(40)]) == rules.CapResult(D(0), True, "cap_quantity")


def test_walking_twenty_thousand_steps_a_day():
    assert rules.apply_caps(M["walking"], quantity=D(15000), earlier=[D(8000)]).eligible == D(12000)
    assert rules.apply_caps(M["walking"], quantity=D(25000), earlier=[]).eligible == D(20000)


def test_nev_three_hundred_km_a_day():
    assert rules.apply_caps(M["nev_driving"], quantity=D(200), earlier=[D(250)]).eligible == D(50)


def test_electricity_one_claim_a_month():
    assert rules.apply_caps(M["electricity_saving"], quantity=D(10), earlier=[D(20)]).eligible == D(0)
    assert rules.period_bounds(M["electricity_saving"], date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert rules.period_bounds(M["bus"], date(2024, 2, 10)) == (date(2024, 2, 10), date(2024, 2, 10))


def test_no_cap_period_means_no_cap():
    m = replace(M["cycling"], cap_period=None, cap_quantity=None)
    assert rules.apply_caps(m, quantity=D(1000), earlier=[D(1000)]) == rules.CapResult(D(1000), False)


def test_local_day_is_china_time():
    # 2025-06-14 17:00 UTC is 2025-06-15 01:00 in Beijing: the claim counts on the 15th
    assert rules.local_date(datetime(2025, 6, 14, 17, 0, tzinfo=UTC)) == date(2025, 6, 15)


# --- plausibility ------------------------------------------------------------------------------------

def test_plausible_claims_pass():
    check("bus", "8", duration_s=1200)  # 24 km/h
    check("cycling", "5", duration_s=1200)  # 15 km/h
    check("walking", "5000", duration_s=3600, evidence=False)  # 5000 x 0.7 m = 3.5 km/h
    check("electricity_saving", "20", occurred_at=NOW - timedelta(days=40))  # 62-day window


@pytest.mark.parametrize(("code", "quantity", "duration_s", "expected"), [
    ("cycling", "10", 60, "speed_too_high"),  # 600 km/h
    ("cycling", "31", 3600, "speed_too_high"),  # 31 km/h > 30
    ("cycling", "2", 3600, "speed_too_low"),  # 2 km/h < 3: walking the bike, or a parked one
    ("bus", "81", 3600, "speed_too_high"),  # 81 km/h > 80
    ("walking", "11000", 3600, "speed_too_high"),  # 11000 x 0.7 m = 7.7 km/h > 7
    ("nev_driving", "130", 3600, "speed_too_high"),  # > 120 km/h
    ("bus", "8", 0, "duration_not_positive"),
    ("bus", "8", -5, "duration_not_positive"),
])
def test_speed_rules(code, quantity, duration_s, expected):
    assert reason(code, quantity, duration_s=duration_s, evidence=code != "walking") == expected


def test_edge_speeds_are_allowed():
    check("cycling", "30", duration_s=3600)  # exactly 30 km/h
    check("cycling", "3", duration_s=3600)  # exactly 3 km/h
    check("walking", "10000", duration_s=3600, evidence=False)  # 10000 x 0.7 m = 7 km/h exactly


def test_time_window():
    assert reason("bus", "8", occurred_at=NOW + timedelta(minutes=10)) == "occurred_in_future"
    check("bus", "8", occurred_at=NOW + timedelta(minutes=4))  # phone clock skew tolerated (5 min)
    assert reason("bus", "8", occurred_at=NOW - timedelta(days=7, minutes=1)) == "claim_too_old"
    check("bus", "8", occurred_at=NOW - timedelta(days=6, hours=23))
    assert reason("electricity_saving", "8", occurred_at=NOW - timedelta(days=63)) == "claim_too_old"


def test_quantity_rules():
    assert reason("bus", "0") == "quantity_not_positive"
    assert reason("bus", "-3") == "quantity_not_positive"
    assert reason("bus", "101") == "quantity_too_large"  # one bus claim is at most 100 km
    assert reason("walking", "100001", evidence=False) == "quantity_too_large"


def test_evidence_required_where_the_methodology_says_so():
    assert reason("bus", "8", evidence=False) == "evidence_required"
    assert reason("cycling", "8", evidence=False) == "evidence_required"
    check("walking", "8000", evidence=False)
