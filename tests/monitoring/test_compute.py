"""Measured CO2 from CEMS hours, conversions, data-quality rules and the measured vs calculated comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from carbon.core.errors import ValidationError
from carbon.monitoring import compute as c

START = datetime(2024, 1, 1, tzinfo=UTC)
END = START + timedelta(hours=24)


def day(co2=250_000.0, flow=500.0, hours=24, **extra) -> list[dict]:
    rows = []
    for i in range(hours):
        h = START + timedelta(hours=i)
        rows.append({"hour": h, "pollutant": "a05001", "value": co2, "flag": "N"})
        rows.append({"hour": h, "pollutant": "a00000", "value": flow, "flag": "N"})
        for code, v in extra.items():
            rows.append({"hour": h, "pollutant": code, "value": v, "flag": "N"})
    return rows


def jitter(rows, a=1000.0, b=10.0):
    """Real sensors never repeat a value: CO2 ± a by hour (+ − + −), flow ± b every two hours (+ + − −).

    Over any 4 hours the products cancel: (C+a)(Q+b) + (C−a)(Q+b) + (C+a)(Q−b) + (C−a)(Q−b) = 4 C Q, so a
    period of 4k hours has the same mass as the constant values. No flat line is seen.
    """
    for r in rows:
        i = int((r["hour"] - START) / timedelta(hours=1))
        if r["pollutant"] == "a05001":
            r["value"] += a if i % 2 == 0 else -a
        elif r["pollutant"] == "a00000":
            r["value"] += b if i % 4 < 2 else -b
    return rows


def test_worked_example_day_against_calculated_figure():
    # A 600 MW coal unit's stack, one day (24 h), every hour:
    #   CO2 = 250 000 mg/m3 (dry, standard; ≈ 12.7 % by volume), flow = 500 m3/s (dry, standard) = 1 800 000 m3/h
    #   hourly mass = 250 000 mg/m3 × 1 800 000 m3/h × 1 h = 4.5e11 mg = 450 t CO2
    #   (jitter: CO2 ± 1000 mg/m3, flow ± 10 m3/s, cancelling over every 4 hours; hour 0 is
    #    251 000 × 510 × 3600 × 1e-9 = 460.836 t)
    #   day = 24 × 450 t = 10 800 t CO2
    # The accounting method (fuel × NCV × carbon content × oxidation × 44/12) gave 10 000 t for the same day:
    #   deviation = (10 800 − 10 000) / 10 000 = +8.00 %  ≤ 10 % (power)  → no finding
    m = c.measured_emissions(jitter(day()), START, END)
    assert m.hours_in_period == 24 and m.hours_valid == 24 and m.coverage == 1.0 and m.issues == []
    assert m.per_hour["mass_t"].iloc[0] == pytest.approx(460.836)
    assert m.total_t == pytest.approx(10_800.0)
    cmp = c.compare(measured_t=m.total_t, calculated_t=10_000.0, industry="power", emitter="91150602MA0N000001",
                    period=(START, END), coverage=m.coverage)
    assert cmp.deviation_pct == pytest.approx(8.0) and cmp.threshold_pct == 10.0
    assert not cmp.exceeds and cmp.finding is None
    # Calculated 9 600 t: deviation = (10 800 − 9 600) / 9 600 = +12.50 % > 10 % → a minor finding (≤ 2 × 10 %)
    cmp = c.compare(measured_t=m.total_t, calculated_t=9_600.0, industry="power", emitter="91150602MA0N000001",
                    period=(START, END), coverage=m.coverage, stacks=["1#"])
    assert cmp.deviation_pct == pytest.approx(12.5) and cmp.exceeds
    f = cmp.finding
    assert f["kind"] == "cems_deviation" and f["severity"] == "minor" and f["deviation_pct"] == 12.5
    assert f["measured_t"] == 10_800.0 and f["calculated_t"] == 9_600.0 and f["stacks"] == ["1#"]
    assert "exceeds the power threshold of 10 %" in f["description"]
    # The bureau sets 15 % for power: no finding. Calculated 8 000 t: +35 % > 2 × 10 % → major.
    assert c.compare(measured_t=10_800.0, calculated_t=9_600.0, industry="power", emitter="x", period=(START, END),
                     thresholds={"power": 15.0}).finding is None
    assert c.compare(measured_t=10_800.0, calculated_t=8_000.0, industry="power", emitter="x",
                     period=(START, END)).finding["severity"] == "major"


def test_low_coverage_opens_a_finding_even_within_threshold():
    # 20 of 24 hours valid (83.3 % < 90 %): measured 20 × 450 = 9 000 t vs 9 000 t calculated (0 %)
    m = c.measured_emissions(jitter(day(hours=20)), START, END)
    assert m.hours_valid == 20 and m.total_t == pytest.approx(9_000.0)
    cmp = c.compare(measured_t=m.total_t, calculated_t=9_000.0, industry="power", emitter="x", period=(START, END),
                    coverage=m.coverage)
    assert not cmp.exceeds and cmp.finding["kind"] == "cems_coverage" and cmp.finding["coverage"] == 0.8333


def test_conversions():
    # wet → dry: 230 000 mg/m3 wet at 8 % humidity = 230 000 / 0.92 = 250 000 mg/m3 dry
    assert c.dry_from_wet(230_000.0, 8.0) == pytest.approx(250_000.0)
    assert c.dry_flow(2_000_000.0, 10.0) == pytest.approx(1_800_000.0)
    # actual → standard: 2 000 000 m3/h at 100 °C, 101.325 kPa = 2e6 × 273.15 / 373.15 = 1 464 022.5 m3/h
    assert c.standard_flow(2_000_000.0, 100.0, 101.325) == pytest.approx(1_464_022.51, rel=1e-8)
    assert c.standard_concentration(1.0, 0.0, 101.325) == 1.0
    assert c.standard_concentration(100.0, 100.0, 101.325) == pytest.approx(100 * 373.15 / 273.15)
    # 1 % CO2 by volume = 0.01 × 44.0095 / 22.414 × 1e6 = 19 634.8 mg/m3
    assert c.percent_co2_to_mg_m3(1.0) == pytest.approx(19_634.83, rel=1e-6)
    assert c.hourly_mass_t(250_000.0, 1_800_000.0) == pytest.approx(450.0)
    with pytest.raises(ValidationError):
        c.dry_from_wet(1.0, 100.0)


def test_wet_actual_basis_gives_the_same_mass_as_dry_standard():
    # The same gas sent wet and at actual conditions (humidity 10 %, 100 °C, 101.325 kPa):
    #   C_wet,act = 250 000 × 0.9 × 273.15 / 373.15 mg/m3;  Q_wet,act = 1 800 000 / 0.9 × 373.15 / 273.15 m3/h
    c_sent = 250_000.0 * 0.9 * 273.15 / 373.15
    q_sent = 500.0 / 0.9 * 373.15 / 273.15
    rows = day(co2=c_sent, flow=q_sent, a01014=10.0, a01012=100.0, a01013=101.325)
    m = c.measured_emissions(rows, START, END, basis=c.Basis(concentration="wet_actual", flow="wet_actual"),
                             ranges={}, flatline_hours=25)
    assert m.hours_valid == 24 and m.total_t == pytest.approx(10_800.0)


def test_percent_and_m3h_units():
    rows = day(co2=250_000.0 / c.percent_co2_to_mg_m3(1.0), flow=1_800_000.0)  # 12.73 %, m3/h
    m = c.measured_emissions(rows, START, END, basis=c.Basis(co2_unit="%", flow_unit="m3/h"), ranges={},
                             flatline_hours=25)
    assert m.total_t == pytest.approx(10_800.0)


def test_rule_missing_hours():
    rows = [r for r in day() if not (r["hour"] == START + timedelta(hours=5) and r["pollutant"] == "a00000")]
    issues = c.missing_hours(rows, START, END)
    assert [(i["pollutant"], i["hour"]) for i in issues] == [("a00000", START + timedelta(hours=5))]
    m = c.measured_emissions(jitter(rows), START, END)
    # hour 5 would have been 249 000 mg/m3 × 510 m3/s × 3600 s × 1e-9 = 457.164 t: 10 800 − 457.164
    assert m.hours_valid == 23 and m.total_t == pytest.approx(10_342.836)
    assert m.per_hour.loc[5, "reason"] == "missing a00000"


def test_rule_flatline():
    # flow constant all day (CO2 jittered): a flat line of 24 h (≥ 6)
    issues = c.flatlines(jitter(day(), b=0.0), n=6)
    assert [(i["pollutant"], i["hours"], i["value"]) for i in issues] == [("a00000", 24, 500.0)]
    # the same value 5 hours in a row is not a flat line at n = 6; a gap breaks a run
    assert c.flatlines(day(hours=5), n=6) == []
    gap = [r for r in day(hours=8) if r["hour"] != START + timedelta(hours=3)]
    assert [i["hours"] for i in c.flatlines(gap, n=4, codes=("a00000",))] == [4]  # hours 4..7; 0..2 is too short
    # hours of a flat line are not valid for emissions: flow flat from hour 6 to hour 13 (8 h), jitter elsewhere
    rows = jitter(day())
    for r in rows:
        if r["pollutant"] == "a00000" and 6 <= r["hour"].hour <= 13:
            r["value"] = 500.0
    m = c.measured_emissions(rows, START, END, flatline_hours=6)
    assert [(i["rule"], i["hours"]) for i in m.issues] == [("flatline", 8)]
    assert m.hours_valid == 16 and set(m.per_hour.loc[6:13, "reason"]) == {"invalid a00000"}


def test_rule_out_of_range_and_invalid_flags():
    rows = jitter(day())
    for r in rows:
        if r["hour"] == START + timedelta(hours=2) and r["pollutant"] == "a05001":
            r["value"] = 450_000.0  # above the 400 000 mg/m3 range
        if r["hour"] == START + timedelta(hours=3) and r["pollutant"] == "a00000":
            r["flag"] = "C"  # calibration
        if r["hour"] == START + timedelta(hours=4) and r["pollutant"] == "a05001":
            r["flag"] = "D"  # fault
    assert [(i["pollutant"], i["hour"].hour) for i in c.out_of_range(rows)] == [("a05001", 2)]
    assert [(i["flag"], i["hour"].hour) for i in c.invalid_flags(rows)] == [("C", 3), ("D", 4)]
    m = c.measured_emissions(rows, START, END, flatline_hours=25)
    assert m.hours_valid == 21
    assert list(m.per_hour.loc[[2, 3, 4], "reason"]) == ["invalid a05001", "invalid a00000", "invalid a05001"]
    rules = sorted(i["rule"] for i in c.check_quality(rows, START, END, flatline_hours=25))
    assert rules == ["invalid_flag", "invalid_flag", "out_of_range"]


def test_thresholds_and_errors():
    assert c.threshold_for("power") == 10.0 and c.threshold_for("steel", {"steel": 5}) == 5.0
    with pytest.raises(ValidationError, match="no deviation threshold"):
        c.threshold_for("bakery")
    with pytest.raises(ValidationError, match="must be > 0"):
        c.deviation_pct(1.0, 0.0)
    with pytest.raises(ValidationError, match="timezone-aware"):
        c.measured_emissions([], datetime(2024, 1, 1), datetime(2024, 1, 2))
