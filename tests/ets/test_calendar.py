from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from carbon.core.errors import ValidationError
from carbon.ets.calendar import beijing_date, calendar, deadline_after


def test_national_day_week_and_make_up_saturday():
    # notified Mon 2024-09-30; Oct 1-7 off; working days: Oct 8, 9, 10, 11, Sat 12 (调休上班), Mon 14, Tue 15 -> 7th
    assert calendar().add_working_days(date(2024, 9, 30), 7) == date(2024, 10, 15)


def test_spring_festival_2026():
    # Fri 2026-02-13; Sat 14 works (1), 15-23 off, 24 (2), 25 (3), 26 (4), 27 (5), Sat 28 works (6), Mon Mar 2 (7)
    assert calendar().add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)
    # then 10 working days: Mar 3-6 (4), 9-13 (9), 16 (10)
    assert calendar().add_working_days(date(2026, 3, 2), 10) == date(2026, 3, 16)
    assert calendar().working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7


def test_deadline_counts_from_the_beijing_date():
    # 17:00 UTC on Fri 2024-05-10 is 01:00 on Sat 2024-05-11 in Beijing (a make-up working day, day 0);
    # then May 13, 14, 15, 16, 17, 20, 21 -> the 7th is May 21 (from the UTC date it would be May 20).
    moment = datetime(2024, 5, 10, 17, 0, tzinfo=UTC)
    assert beijing_date(moment) == date(2024, 5, 11)
    assert deadline_after(moment, 7) == date(2024, 5, 21)


def test_years_without_holiday_data_are_refused():
    with pytest.raises(ValidationError, match="no public-holiday data for 2027"):
        calendar().add_working_days(date(2026, 12, 28), 7)
