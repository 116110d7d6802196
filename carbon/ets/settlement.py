"""Settlement (清缴履约): surrender checks, compliance status, shortfall and the penalty in force.

Pure rules; the data (deadlines, CCER share, penalty regimes with sources) is in
``data/allocation_periods.json``. Money is integer fen (1 yuan = 100 fen); quantities whole tonnes.

Penalty regimes, chosen by the surrender deadline of the compliance year:
- deadline before 1 May 2024: 碳排放权交易管理办法（试行） (2021 Measures, S19): the city-level bureau orders
  correction and fines 20,000-30,000 CNY; the province deducts the shortfall from next year's allocation.
- deadline from 1 May 2024: 碳排放权交易管理暂行条例 (State Council Order 775, S21): a fine of 5-10 × the
  average market price of the unsurrendered allowances (price of the month before the deadline [check]).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from carbon.core.errors import Conflict, ValidationError
from carbon.ets.allocation import ccer_limit, periods, rule

ASSETS = ("CEA", "CCER")


def surrender_deadline(year: int, industry: str = "power") -> date:
    """The surrender deadline of ``year``: the power plan's, or for steel, cement and aluminium in the years of their
    own plan (2024-2025) that plan's (carbon.ets.sector_allocation)."""
    from carbon.ets import sector_allocation  # imports this package's allocation module: import late

    if industry in sector_allocation.INDUSTRIES and str(year) in sector_allocation.data()["surrender_deadline"]:
        return sector_allocation.surrender_deadline(year, industry)
    return date.fromisoformat(rule(year)["surrender_deadline"])


def check_surrender(*, obligation_t: int, surrendered_cea_t: int, surrendered_ccer_t: int, asset: str,
                    amount_t: int, vintage: int | None, year: int) -> None:
    """Refuse a surrender that would exceed the obligation, put CCER above 5% of it, or use a future vintage."""
    if asset not in ASSETS:
        raise ValidationError(key="ets_asset", params={"assets": ASSETS, "asset": asset}, field="asset")
    if amount_t <= 0:
        raise ValidationError(key="ets_amount_whole", field="amount_t")
    if asset == "CEA" and (vintage is None or vintage > year):
        raise ValidationError(key="ets_vintage_not_eligible",
                              params={"vintage": vintage, "year": year}, field="vintage")
    done = surrendered_cea_t + surrendered_ccer_t
    if done + amount_t > obligation_t:
        raise Conflict(key="ets_surrender_exceeds",
                       params={"amount_t": amount_t, "year": year, "obligation_t": obligation_t, "done": done},
                       field="amount_t")
    if asset == "CCER":
        cap = ccer_limit(obligation_t)
        if surrendered_ccer_t + amount_t > cap:
            raise Conflict(key="ets_ccer_cap",
                           params={"cap": cap, "surrendered_ccer_t": surrendered_ccer_t, "amount_t": amount_t},
                           field="amount_t")


@dataclass
class Compliance:
    year: int
    obligation_t: int
    surrendered_cea_t: int
    surrendered_ccer_t: int
    shortfall_t: int
    deadline: date
    status: str  # compliant | pending | non_compliant
    penalty: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "deadline": self.deadline.isoformat()}


def penalty(year: int, *, shortfall_t: int, average_price_fen: int | None = None,
            industry: str = "power") -> dict[str, Any] | None:
    """The penalty for a shortfall under the rule in force at the year's deadline (None without shortfall)."""
    if shortfall_t <= 0:
        return None
    deadline = surrender_deadline(year, industry)
    p = periods()["penalties"]
    old = p["measures_2021"]
    if deadline <= date.fromisoformat(old["until"]):
        return {"regime": "measures_2021", "fine_min_fen": old["fine_min_yuan"] * 100,
                "fine_max_fen": old["fine_max_yuan"] * 100, "deduct_next_year_t": shortfall_t,
                "source": old["source"]}
    new = p["regulations_2024"]
    out: dict[str, Any] = {"regime": "regulations_2024", "shortfall_t": shortfall_t,
                           "price_multiple_min": new["price_multiple_min"], "price_multiple_max": new["price_multiple_max"],
                           "average_price_fen": average_price_fen, "source": new["source"]}
    if average_price_fen is None:
        out.update(fine_min_fen=None, fine_max_fen=None, note="average market price not given")
    else:
        if average_price_fen <= 0:
            raise ValidationError(key="ets_average_price", field="average_price_fen")
        base = shortfall_t * average_price_fen
        out.update(fine_min_fen=new["price_multiple_min"] * base, fine_max_fen=new["price_multiple_max"] * base)
    return out


def compliance(year: int, *, obligation_t: int, surrendered_cea_t: int, surrendered_ccer_t: int, as_of: date,
               average_price_fen: int | None = None, industry: str = "power") -> Compliance:
    """Compliance status on ``as_of``: compliant when the obligation is covered; pending before the deadline;
    non_compliant after it, with the shortfall and the penalty."""
    deadline = surrender_deadline(year, industry)
    shortfall = max(0, obligation_t - surrendered_cea_t - surrendered_ccer_t)
    if shortfall == 0:
        status, pen = "compliant", None
    elif as_of <= deadline:
        status, pen = "pending", None
    else:
        status, pen = "non_compliant", penalty(year, shortfall_t=shortfall, average_price_fen=average_price_fen,
                                               industry=industry)
    return Compliance(year, obligation_t, surrendered_cea_t, surrendered_ccer_t, shortfall, deadline, status, pen)
