from __future__ import annotations

from datetime import date

import pytest

from carbon.core.errors import Conflict, ValidationError
from carbon.ets import settlement as st


def test_ccer_capped_at_5_percent_of_the_obligation():
    # obligation 2,946,003 -> cap floor(147,300.15) = 147,300
    st.check_surrender(obligation_t=2_946_003, surrendered_cea_t=0, surrendered_ccer_t=147_000, asset="CCER",
                       amount_t=300, vintage=None, year=2022)
    with pytest.raises(Conflict, match="at most 5%"):
        st.check_surrender(obligation_t=2_946_003, surrendered_cea_t=0, surrendered_ccer_t=147_000, asset="CCER",
                           amount_t=301, vintage=None, year=2022)


def test_no_surrender_beyond_the_obligation_nor_of_future_vintages():
    with pytest.raises(Conflict, match="exceed"):
        st.check_surrender(obligation_t=100, surrendered_cea_t=90, surrendered_ccer_t=5, asset="CEA", amount_t=6,
                           vintage=2022, year=2022)
    with pytest.raises(ValidationError) as info:
        st.check_surrender(obligation_t=100, surrendered_cea_t=0, surrendered_ccer_t=0, asset="CEA", amount_t=6,
                           vintage=2023, year=2022)
    assert info.value.field == "vintage"


def test_2022_shortfall_under_the_2021_measures():
    # deadline for 2021-22 is 31 Dec 2023 (before 1 May 2024): fine 20,000-30,000 CNY, shortfall deducted next year
    c = st.compliance(2022, obligation_t=1_000, surrendered_cea_t=900, surrendered_ccer_t=40, as_of=date(2024, 1, 1))
    assert (c.status, c.shortfall_t, c.deadline) == ("non_compliant", 60, date(2023, 12, 31))
    assert c.penalty["regime"] == "measures_2021"
    assert (c.penalty["fine_min_fen"], c.penalty["fine_max_fen"], c.penalty["deduct_next_year_t"]) == (
        2_000_000, 3_000_000, 60)


def test_2023_shortfall_under_the_2024_regulations():
    # deadline 31 Dec 2024 (after 1 May 2024): 5-10 × average price; 60 t × 97.50 CNY = 5,850 CNY ->
    # 29,250-58,500 CNY = 2,925,000-5,850,000 fen
    c = st.compliance(2023, obligation_t=1_000, surrendered_cea_t=940, surrendered_ccer_t=0, as_of=date(2025, 1, 1),
                      average_price_fen=9_750)
    assert c.penalty["regime"] == "regulations_2024"
    assert (c.penalty["fine_min_fen"], c.penalty["fine_max_fen"]) == (2_925_000, 5_850_000)


def test_pending_before_the_deadline_and_compliant_when_covered():
    assert st.compliance(2023, obligation_t=10, surrendered_cea_t=0, surrendered_ccer_t=0,
                         as_of=date(2024, 12, 31)).status == "pending"
    assert st.compliance(2023, obligation_t=10, surrendered_cea_t=10, surrendered_ccer_t=0,
                         as_of=date(2025, 6, 1)).status == "compliant"


def test_new_sectors_take_their_own_plans_deadlines():
    # cement 2025: the 2024-2025 plan for steel, cement and aluminium (surrender by end 2026); power has no 2025 rules
    assert st.surrender_deadline(2025, "cement") == date(2026, 12, 31)
    assert st.surrender_deadline(2024, "aluminium") == date(2025, 12, 31)
    with pytest.raises(ValidationError):
        st.surrender_deadline(2025)
    c = st.compliance(2025, obligation_t=100, surrendered_cea_t=40, surrendered_ccer_t=0, as_of=date(2026, 12, 31),
                      industry="cement")
    assert (c.status, c.shortfall_t, c.deadline) == ("pending", 60, date(2026, 12, 31))
    late = st.compliance(2025, obligation_t=100, surrendered_cea_t=40, surrendered_ccer_t=0, as_of=date(2027, 1, 1),
                         industry="steel", average_price_fen=8000)
    assert late.status == "non_compliant" and late.penalty["regime"] == "regulations_2024"
    assert late.penalty["fine_min_fen"] == 5 * 60 * 8000  # 5 × the average price of the 60 t short
