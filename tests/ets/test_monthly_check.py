"""The monthly key-parameter check (carbon.ets.monthly_check.check_year): pure, hand-built inputs, one test per
gap kind, the expected gaps written out as (kind, parameter, month)."""

from __future__ import annotations

from carbon.ets.monthly_check import Gap, MonthValue, PlanParameter, annual_values, check_year

YEAR = 2024


def kpm(gaps: list[Gap]) -> list[tuple[str, str | None, int | None]]:
    return [(g.kind, g.parameter, g.month) for g in gaps]


def coal(value: float = 100.0, *, source: str = "measured", samples: int = 1, unit: str = "t",
         batches: int | None = None) -> MonthValue:
    return MonthValue("coal_consumption", value, unit, source, samples=samples, batches=batches)


def every_month(make) -> dict[int, list[MonthValue]]:
    return {m: [make(m)] for m in range(1, 13)}


MONTHLY_COAL = [PlanParameter("coal_consumption", frequency="monthly", source="measured")]


def test_a_complete_year_has_no_gaps():
    assert check_year(year=YEAR, plan=MONTHLY_COAL, months=every_month(lambda m: coal())) == []


def test_no_plan():
    gaps = check_year(year=YEAR, plan=None, months=every_month(lambda m: coal()))
    assert kpm(gaps) == [("no_plan", None, None)]


def test_missing_month():
    months = every_month(lambda m: coal())
    del months[3], months[11]
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months)
    assert kpm(gaps) == [("missing_month", "coal_consumption", 3), ("missing_month", "coal_consumption", 11)]


def test_missing_month_only_up_to_through_month():
    months = {1: [coal()], 2: [coal()]}
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months, through_month=3)
    assert kpm(gaps) == [("missing_month", "coal_consumption", 3)]


def test_missing_month_per_item():
    plan = [PlanParameter("fuel_consumption", item="原煤", source="default"),
            PlanParameter("fuel_consumption", item="柴油", source="default")]
    months = {1: [MonthValue("fuel_consumption", 5.0, "t", "default", item="原煤")]}
    gaps = check_year(year=YEAR, plan=plan, months=months, through_month=1)
    assert [(g.kind, g.parameter, g.item, g.month) for g in gaps] == [("missing_month", "fuel_consumption", "柴油", 1)]


def test_frequency_below_plan_daily():
    plan = [PlanParameter("coal_ncv", frequency="daily", source="measured")]
    # February 2024 has 29 days, April 30: 29 samples are enough in February, not in April
    months = {1: [MonthValue("coal_ncv", 20.0, "GJ/t", "measured", samples=31)],
              2: [MonthValue("coal_ncv", 20.0, "GJ/t", "measured", samples=29)],
              3: [MonthValue("coal_ncv", 20.0, "GJ/t", "measured", samples=31)],
              4: [MonthValue("coal_ncv", 20.0, "GJ/t", "measured", samples=29)]}
    gaps = check_year(year=YEAR, plan=plan, months=months, through_month=4)
    assert kpm(gaps) == [("frequency_below_plan", "coal_ncv", 4)]
    assert gaps[0].detail == {"frequency": "daily", "samples": 29, "required": 30}


def test_frequency_below_plan_per_batch():
    plan = [PlanParameter("coal_carbon_content", frequency="per_batch", source="measured")]
    v = lambda samples, batches: [MonthValue("coal_carbon_content", 0.027, "tC/GJ", "measured", samples=samples,  # noqa: E731
                                             batches=batches)]
    months = {1: v(3, 3), 2: v(2, 4), 3: v(1, None), 4: v(0, 0)}
    gaps = check_year(year=YEAR, plan=plan, months=months, through_month=4)
    assert kpm(gaps) == [("frequency_below_plan", "coal_carbon_content", 2)]
    assert gaps[0].detail == {"frequency": "per_batch", "samples": 2, "required": 4}


def test_frequency_below_plan_quarterly():
    plan = [PlanParameter("clinker_cao", frequency="quarterly", source="measured")]
    v = lambda samples: [MonthValue("clinker_cao", 0.65, "%", "measured", samples=samples)]  # noqa: E731
    # Q1 measured once (in February); Q2 never; Q3 not yet due (through_month=7)
    months = {1: v(0), 2: v(1), 3: v(0), 4: v(0), 5: v(0), 6: v(0), 7: v(0)}
    gaps = check_year(year=YEAR, plan=plan, months=months, through_month=7)
    assert kpm(gaps) == [("frequency_below_plan", "clinker_cao", 6)]


def test_frequency_below_plan_monthly_measured_without_a_sample():
    months = every_month(lambda m: coal(samples=0 if m == 5 else 1))
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months)
    assert kpm(gaps) == [("frequency_below_plan", "coal_consumption", 5)]


def test_default_where_measured():
    months = every_month(lambda m: coal(source="default" if m in (2, 9) else "measured"))
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months)
    assert kpm(gaps) == [("default_where_measured", "coal_consumption", 2),
                         ("default_where_measured", "coal_consumption", 9)]


def test_a_default_plan_accepts_defaults_and_measurements():
    plan = [PlanParameter("coal_consumption", source="default")]
    months = every_month(lambda m: coal(source="default" if m % 2 else "measured", samples=0))
    assert check_year(year=YEAR, plan=plan, months=months) == []


def test_annual_mismatch():
    months = every_month(lambda m: coal(100.0))  # 1,200 t over the year
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months,
                      annual={("coal_consumption", ""): (1_500.0, "t")})
    assert kpm(gaps) == [("annual_mismatch", "coal_consumption", None)]
    assert gaps[0].detail["monthly_sum"] == 1_200.0 and gaps[0].detail["annual"] == 1_500.0


def test_annual_match_within_tolerance_and_across_units():
    months = every_month(lambda m: coal(100_000.0, unit="kg"))  # 100 t a month, filed in kg
    assert check_year(year=YEAR, plan=MONTHLY_COAL, months=months,
                      annual={("coal_consumption", ""): (1_205.0, "t")}) == []  # 0.4 % off, tolerance 1 %


def test_annual_not_compared_with_a_missing_month_nor_for_properties():
    months = every_month(lambda m: coal(100.0))
    del months[12]
    gaps = check_year(year=YEAR, plan=MONTHLY_COAL, months=months,
                      annual={("coal_consumption", ""): (5_000.0, "t"), ("coal_ncv", ""): (1.0, "GJ/t")})
    assert kpm(gaps) == [("missing_month", "coal_consumption", 12)]


def test_annual_mismatch_with_incompatible_units_is_a_gap_not_a_crash():
    months = every_month(lambda m: MonthValue("fuel_consumption", 10.0, "m3", "measured", item="天然气", samples=1))
    gaps = check_year(year=YEAR, plan=None, months=months, annual={("fuel_consumption", "天然气"): (120.0, "t")})
    assert kpm(gaps) == [("no_plan", None, None), ("annual_mismatch", "fuel_consumption", None)]


def test_annual_values_of_a_power_report():
    from tests.ets.helpers import E1_REPORT

    got = annual_values(E1_REPORT)
    assert got[("coal_consumption", "原煤")] == (1_500_000.0, "t")
    assert got[("fuel_consumption", "原煤")] == (1_500_000.0, "t")
    assert got[("generation", "")] == (3_300_000.0, "MWh")
    assert got[("supplied_electricity", "")] == (3_118_500.0, "MWh")
    assert got[("purchased_electricity", "")] == (10_000.0, "MWh")
