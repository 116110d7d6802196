"""Working days in China: weekdays, minus public holidays, plus make-up working days (调休), as data.

The holiday table is ``data/cn_public_holidays.csv`` (one row per date, from the State Council General
Office's yearly notice). A count that needs a year the table does not cover is refused rather than
guessed: add that year's notice to the file.

Counting convention for "within N working days of being told" (核查指南: an emitter may ask for a
re-check within 7 working days of being notified; the bureau decides within 10 working days): the day
of notification is day 0; the deadline is the N-th working day after it, inclusive, end of that day
Beijing time (UTC+8; China has no daylight saving time).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from carbon.core.errors import ValidationError

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
HOLIDAYS_FILE = Path(__file__).with_name("data") / "cn_public_holidays.csv"


@dataclass(frozen=True)
class HolidayCalendar:
    off: frozenset[date]
    work: frozenset[date]
    years: frozenset[int]

    def _covered(self, d: date) -> None:
        if d.year not in self.years:
            raise ValidationError(
                key="ets_no_holidays",
                params={"year": d.year, "first": min(self.years), "last": max(self.years), "file": HOLIDAYS_FILE.name},
                field="date")

    def is_working_day(self, d: date) -> bool:
        self._covered(d)
        if d in self.work:
            return True
        if d in self.off:
            return False
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start itself is day 0)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        d, left = start, n
        while left:
            d += timedelta(days=1)
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed on ``end`` since ``start``."""
        count, d = 0, start
        while d < end:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count


@lru_cache(maxsize=1)
def calendar() -> HolidayCalendar:
    off: set[date] = set()
    work: set[date] = set()
    with HOLIDAYS_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            d = date.fromisoformat(row["date"])
            (off if row["kind"] == "off" else work).add(d)
    return HolidayCalendar(frozenset(off), frozenset(work), frozenset(d.year for d in off | work))


def beijing_date(moment: datetime) -> date:
    """The calendar date in Beijing of a tz-aware moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware moment")
    return moment.astimezone(BEIJING).date()


def deadline_after(moment: datetime, working_days: int) -> date:
    """The last day (Beijing date, inclusive) of a period of ``working_days`` after ``moment``."""
    return calendar().add_working_days(beijing_date(moment), working_days)
