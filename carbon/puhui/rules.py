"""Caps and plausibility of a behaviour claim: pure rules over a methodology, a quantity and times.

Order of checks for one claim (``check_claim``), each a 422 with a stable reason code:

- ``quantity_not_positive``    the quantity is zero or negative
- ``quantity_too_large``       above the methodology's ``max_quantity_per_claim``
- ``occurred_in_future``       ``occurred_at`` later than now (plus ``CLOCK_SKEW`` for phone clocks)
- ``claim_too_old``            older than the methodology's ``window_days``
- ``evidence_required``        the methodology needs an operator record (operator + trip_id)
- ``duration_not_positive``    ``duration_s`` given but not positive
- ``speed_too_high`` / ``speed_too_low``  average speed (distance / duration) outside the methodology's
  range; for steps the distance is steps x ``step_length_m``. Checked when ``duration_s`` is given.

Caps (``apply_caps``) never reject: a claim over the cap is recorded with the part that still earns (maybe
nothing) and ``capped = True``. Periods are calendar days or months in China Standard Time (UTC+8, no DST),
the day a resident sees on the phone.

No published 碳普惠 scheme gives per-mode speed limits (puhui.md §2, NOT FOUND); the defaults in the data
file are project choices, compared in its notes with geopulse's open-source thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from carbon.core.errors import ValidationError
from carbon.puhui.methodologies import Methodology

CHINA_TZ = timezone(timedelta(hours=8), "CST")
CLOCK_SKEW = timedelta(minutes=5)


class ClaimRejected(ValidationError):
    """A claim that fails a plausibility or window rule: 422 with ``code`` = the reason."""

    def __init__(self, reason: str, message: str | None = None, *, field: str | None = None, key: str | None = None,
                 params: dict | None = None):
        super().__init__(message, field=field, key=key, params=params)
        self.code = reason


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        raise ValidationError(key="puhui_occurred_at_timezone", field="occurred_at")
    return moment.astimezone(CHINA_TZ).date()


def period_bounds(m: Methodology, day: date) -> tuple[date, date] | None:
    """First and last local date of the cap period containing ``day`` (None: the methodology has no cap)."""
    if m.cap_period is None:
        return None
    if m.cap_period == "day":
        return day, day
    first = day.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


def average_speed_kmh(m: Methodology, quantity: Decimal, duration_s: int) -> Decimal | None:
    """Average speed of a claim in km/h, or None when the methodology's quantity is not a distance."""
    from carbon.core import units

    if m.is_count:
        if m.step_length_m is None:
            return None
        km = quantity * m.step_length_m / Decimal(1000)
    else:
        if units.dimension_of(m.quantity_unit) != "[length]":
            return None
        km = quantity * Decimal(repr(units.multiplier(m.quantity_unit, "km")))
    return km * Decimal(3600) / Decimal(duration_s)


def check_claim(m: Methodology, *, quantity: Decimal, occurred_at: datetime, now: datetime,
                duration_s: int | None = None, has_evidence: bool = False) -> None:
    """Raise ``ClaimRejected`` for the first rule the claim breaks (see the module docstring)."""
    if quantity <= 0:
        raise ClaimRejected("quantity_not_positive", key="puhui_must_be_positive", params={"name": "quantity"},
                            field="quantity")
    if m.max_quantity_per_claim is not None and quantity > m.max_quantity_per_claim:
        raise ClaimRejected("quantity_too_large", key="puhui_quantity_too_large",
                            params={"code": m.code, "max": m.max_quantity_per_claim, "unit": m.quantity_unit,
                                    "quantity": quantity}, field="quantity")
    if occurred_at.tzinfo is None:
        raise ValidationError(key="puhui_occurred_at_timezone", field="occurred_at")
    if occurred_at > now + CLOCK_SKEW:
        raise ClaimRejected("occurred_in_future", key="puhui_occurred_in_future", field="occurred_at")
    if occurred_at < now - timedelta(days=m.window_days):
        raise ClaimRejected("claim_too_old", key="puhui_claim_too_old", params={"code": m.code, "days": m.window_days},
                            field="occurred_at")
    if m.evidence_required and not has_evidence:
        raise ClaimRejected("evidence_required", key="puhui_evidence_required", params={"code": m.code},
                            field="evidence")
    if duration_s is None:
        return
    if duration_s <= 0:
        raise ClaimRejected("duration_not_positive", key="puhui_must_be_positive", params={"name": "duration_s"},
                            field="duration_s")
    speed = average_speed_kmh(m, quantity, duration_s)
    if speed is None:
        return
    if m.speed_max_kmh is not None and speed > m.speed_max_kmh:
        raise ClaimRejected("speed_too_high", key="puhui_speed_too_high",
                            params={"code": m.code, "speed": speed, "limit": m.speed_max_kmh}, field="duration_s")
    if m.speed_min_kmh is not None and speed < m.speed_min_kmh:
        raise ClaimRejected("speed_too_low", key="puhui_speed_too_low",
                            params={"code": m.code, "speed": speed, "limit": m.speed_min_kmh}, field="duration_s")


@dataclass(frozen=True)
class CapResult:
    eligible: Decimal  # the part of the quantity that earns, in the methodology's unit
    capped: bool
    reason: str | None = None  # 'cap_claims' or 'cap_quantity'


def apply_caps(m: Methodology, *, quantity: Decimal, earlier: list[Decimal]) -> CapResult:
    """The part of ``quantity`` that still earns, given the eligible quantities of the earlier claims of the
    same user, methodology code and cap period (``earlier``).

    - ``cap_claims``: only the first N claims with something eligible earn (bus: 6 trips a day).
    - ``cap_quantity``: at most Q in the period earns (cycling 40 km, walking 20 000 steps a day); a claim
      crossing the cap earns the remainder.
    """
    if m.cap_period is None:
        return CapResult(quantity, False)
    if m.cap_claims is not None and sum(1 for q in earlier if q > 0) >= m.cap_claims:
        return CapResult(Decimal(0), True, "cap_claims")
    if m.cap_quantity is not None:
        remaining = max(Decimal(0), m.cap_quantity - sum(earlier, Decimal(0)))
        if quantity > remaining:
            return CapResult(remaining, True, "cap_quantity")
    return CapResult(quantity, False)


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
