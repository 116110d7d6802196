"""Steel, cement and aluminium allocation 2024-2025 (carbon/ets/sector_allocation.py) against hand-computed values."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbon.core.errors import ValidationError
from carbon.ets import allocation as al
from carbon.ets import sector_allocation as sa


# --- the data file describes itself ------------------------------------------------------------------------

def test_every_number_names_its_source_and_verified_flag():
    d = json.loads(sa.DATA_FILE.read_text(encoding="utf-8"))
    assert d["document"]["title"] == "2024、2025年度全国碳排放权交易市场钢铁、水泥、铝冶炼行业配额总量和分配方案"
    entries = [*d["years"].values(), *d["pre_allocation"].values(), d["exemptions"], d["banking"], d["rounding"],
               *d["surrender_deadline"].values(),
               *d["intensity"]["2025"].values(), *d["adjustment"].values()]
    for e in entries:
        assert "verified" in e and isinstance(e["verified"], bool) and "source" in e
    # nothing was read in the plan's own text (only reposts): nothing may claim otherwise
    assert not any(e["verified"] for e in entries) and d["document"]["seen"] is False
    for key in ("S1", "S2", "S3", "S4", "S5", "S6", "R1"):
        assert d["sources"][key]["verified"] is False


# --- 2024: allowances equal verified emissions --------------------------------------------------------------

def test_2024_cement_line_gets_its_verified_emissions():
    q = sa.line_quota(2024, "cement", verified_t=1_234_567, output_t=1_500_000, product="clinker")
    assert (q.method, q.quota_t, q.gap_t) == ("verified_emissions", 1_234_567, 0)
    assert "等量" in q.rule and "配额计算方法, 2024年度" in q.source and q.verified is False


def test_2024_fractional_verified_emissions_round_half_up():
    assert sa.line_quota(2024, "aluminium", verified_t=100_000.5).quota_t == 100_001  # .5 -> up
    assert sa.line_quota(2024, "steel", verified_t=100_000.49).quota_t == 100_000


def test_2024_has_no_pre_allocation():
    p = sa.pre_allocation(2024, "cement", previous_verified_t=1_000_000)
    assert (p.share, p.pre_allocation_t) == (None, 0) and "不开展" in p.rule


def test_2024_needs_no_intensity_value():
    # no 2025 intensity value in the data, and 2024 does not ask for one
    assert sa.line_quota(2024, "steel", verified_t=5_000_000).quota_t == 5_000_000


# --- 2025 pre-allocation -------------------------------------------------------------------------------------

def test_2025_pre_allocation_is_70_percent_of_2024_verified():
    p = sa.pre_allocation(2025, "cement", previous_verified_t=1_000_000)
    assert (p.share, p.pre_allocation_t) == (0.7, 700_000)  # 0.7 × 1,000,000
    assert "70%" in p.rule and p.verified is False


def test_2025_pre_allocation_rounds_half_up():
    # 0.7 × 1,000,005 = 700,003.5 -> 700,004 (half-up); 0.7 × 1,000,001 = 700,000.7 -> 700,001
    assert sa.pre_allocation(2025, "aluminium", previous_verified_t=1_000_005).pre_allocation_t == 700_004
    assert sa.pre_allocation(2025, "steel", previous_verified_t=1_000_001).pre_allocation_t == 700_001
    # 0.7 × 15 = 10.5 -> 11
    assert sa.pre_allocation(2025, "cement", previous_verified_t=15).pre_allocation_t == 11


def test_negative_basis_is_refused():
    with pytest.raises(ValidationError) as info:
        sa.pre_allocation(2025, "cement", previous_verified_t=-1)
    assert info.value.field == "previous_verified_t"


# --- 2025 intensity rule ------------------------------------------------------------------------------------

def test_2025_missing_intensity_value_raises_naming_it():
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=900_000, output_t=1_000_000, adjustment=1.0)
    msg = str(info.value)
    assert info.value.field == "intensity"
    assert "水泥熟料单位产品碳排放强度值" in msg and "钢铁、水泥、铝冶炼行业配额总量和分配方案" in msg
    with pytest.raises(ValidationError, match="铝液单位产品碳排放强度值"):
        sa.line_quota(2025, "aluminium", verified_t=1, output_t=1, adjustment=1.0)


def test_2025_missing_adjustment_raises_naming_it():
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=900_000, output_t=1_000_000, intensity=0.85)
    assert info.value.field == "adjustment" and "调整系数" in str(info.value)


def test_2025_intensity_passed_by_the_caller_is_recorded():
    q = sa.line_quota(2025, "cement", verified_t=900_000, output_t=1_000_000, intensity=0.8534, adjustment=1.0,
                      line_id="L1")
    # 1,000,000 t clinker × 0.8534 t/t × 1.0 = 853,400; gap 900,000 − 853,400 = 46,600 (deficit)
    assert (q.method, q.product, q.quota_t, q.gap_t) == ("intensity", "clinker", 853_400, 46_600)
    assert (q.intensity_source, q.adjustment_source) == ("caller", "caller") and "from caller" in q.source
    assert q.verified is False and q.line_id == "L1"


def test_2025_intensity_quota_rounds_half_up():
    # 1,001 t × 9.5 × 1.0 = 9,509.5 -> 9,510
    q = sa.line_quota(2025, "aluminium", verified_t=9_000, output_t=1_001, intensity=9.5, adjustment=1.0)
    assert q.quota_t == 9_510 and q.product == "aluminium_liquid"


def test_2025_intensity_needs_output_and_a_known_product():
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "steel", verified_t=1, intensity=2.0, adjustment=1.0)
    assert info.value.field == "output_t"
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=1, output_t=1, product="cement", intensity=0.8, adjustment=1.0)
    assert info.value.field == "product"
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=1, output_t=1, intensity=0, adjustment=1.0)
    assert info.value.field == "intensity"


# --- cement exemptions --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,name", [("white_clinker", "白色硅酸盐水泥熟料"),
                                       ("gypsum_sulphuric_acid", "石膏制硫酸"),
                                       ("carbide_slag", "电石渣")])
def test_exempt_cement_lines_get_their_actual_emissions(kind, name):
    share = 0.2 if kind == "carbide_slag" else None
    # no output, no intensity: an exempt line needs neither
    q = sa.line_quota(2025, "cement", verified_t=654_321.5, exempt=kind, carbide_slag_share=share)
    assert (q.method, q.exemption, q.quota_t) == ("exempt_actual", kind, 654_322)  # 654,321.5 half-up
    assert name in q.rule and q.intensity is None


def test_carbide_slag_boundary_15_percent_is_not_exempt():
    # above 15%: exempt by the share alone
    q = sa.line_quota(2025, "cement", verified_t=500_000, carbide_slag_share=0.1501)
    assert (q.method, q.quota_t) == ("exempt_actual", 500_000)
    # exactly 15%: not exempt -> the intensity rule: 1,000,000 × 0.45 × 1.0 = 450,000
    q = sa.line_quota(2025, "cement", verified_t=500_000, carbide_slag_share=0.15, output_t=1_000_000,
                      intensity=0.45, adjustment=1.0)
    assert (q.method, q.exemption, q.quota_t) == ("intensity", None, 450_000)
    # claiming the exemption at exactly 15% is refused, and so is a claim without the share
    with pytest.raises(ValidationError, match="not above 15%") as info:
        sa.line_quota(2025, "cement", verified_t=500_000, exempt="carbide_slag", carbide_slag_share=0.15)
    assert info.value.field == "carbide_slag_share"
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=500_000, exempt="carbide_slag")
    assert info.value.field == "carbide_slag_share"


def test_exemptions_are_cement_only_and_named():
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "steel", verified_t=1, exempt="white_clinker")
    assert info.value.field == "exempt"
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=1, exempt="grey_clinker")
    assert info.value.field == "exempt"
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2025, "cement", verified_t=1, carbide_slag_share=1.5)
    assert info.value.field == "carbide_slag_share"
    assert sa.sector_rule(2025, "aluminium").exemptions == ()
    assert sa.sector_rule(2025, "cement").exemptions == ("white_clinker", "carbide_slag", "gypsum_sulphuric_acid")


# --- emitter --------------------------------------------------------------------------------------------------

def test_emitter_quota_sums_lines_with_pre_allocation_and_true_up():
    lines = [sa.LineInput(line_id="L1", verified_t=900_000, output_t=1_000_000, intensity=0.85, adjustment=1.0),
             sa.LineInput(line_id="L2", verified_t=300_000.5, exempt="white_clinker")]
    q = sa.emitter_quota(2025, "cement", lines, previous_verified_t=1_100_001)
    # L1 = 1,000,000 × 0.85 = 850,000; L2 = 300,000.5 -> 300,001; Σ = 1,150,001
    # emissions = 900,000 + 300,000.5 = 1,200,000.5 -> 1,200,001; gap = 50,000
    # pre = 0.7 × 1,100,001 = 770,000.7 -> 770,001; true-up = 1,150,001 − 770,001 = 380,000
    assert [u.quota_t for u in q.lines] == [850_000, 300_001]
    assert (q.quota_t, q.emissions_t, q.gap_t, q.pre_allocation_t, q.true_up_t) == (
        1_150_001, 1_200_001, 50_000, 770_001, 380_000)
    assert q.rules["method"] == "intensity" and q.rules["verified"] is False
    assert json.dumps(q.as_dict(), ensure_ascii=False)  # JSON-ready for reports


def test_emitter_2024_is_its_verified_emissions():
    q = sa.emitter_quota(2024, "steel", [sa.LineInput(verified_t=2_000_000), sa.LineInput(verified_t=500_000)])
    assert (q.quota_t, q.emissions_t, q.gap_t, q.pre_allocation_t) == (2_500_000, 2_500_000, 0, None)
    with pytest.raises(ValidationError):
        sa.emitter_quota(2024, "steel", [])


# --- banking --------------------------------------------------------------------------------------------------

def test_banking_limit():
    b = sa.banking_limit(2025, "cement", net_sales_t=20_001)
    assert b.limit_t == 130_001  # 100,000 + floor(1.5 × 20,001 = 30,001.5) = 130,001 (rounded down)
    assert b.verified is False and "power plan" in b.source
    assert sa.banking_limit(2024, "aluminium", net_sales_t=-5_000).limit_t == 100_000  # net buyer: base only
    assert sa.banking_limit(2025, "steel", net_sales_t=0).limit_t == 100_000


def test_power_banking_limit_routes_the_new_sectors():
    assert al.banking_limit(2025, net_sales_t=20_000, industry="cement") == 130_000  # 100,000 + 1.5 × 20,000
    assert al.banking_limit(2024, net_sales_t=20_000, industry="steel") == 130_000
    assert al.banking_limit(2023, net_sales_t=20_000) == 40_000  # power unchanged: 10,000 + 30,000
    with pytest.raises(ValidationError):
        al.banking_limit(2025, net_sales_t=20_000)  # power 2025: no plan


def test_surrender_deadlines():
    from datetime import date
    assert sa.surrender_deadline(2024, "cement") == date(2025, 12, 31)
    assert sa.surrender_deadline(2025, "steel") == date(2026, 12, 31)


# --- years and industries -------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [2023, 2026, 2019])
def test_years_outside_2024_2025_are_refused(year):
    for call in (lambda: sa.sector_rule(year, "cement"), lambda: sa.line_quota(year, "cement", verified_t=1),
                 lambda: sa.pre_allocation(year, "cement", previous_verified_t=1),
                 lambda: sa.banking_limit(year, "cement", net_sales_t=1)):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field == "year"


def test_unknown_industry_is_refused():
    with pytest.raises(ValidationError) as info:
        sa.line_quota(2024, "power", verified_t=1)
    assert info.value.field == "industry"


# --- properties -----------------------------------------------------------------------------------------------

@given(st.integers(min_value=0, max_value=10**10), st.sampled_from(sa.INDUSTRIES))
def test_2024_quota_equals_verified_for_any_non_negative_integer(v, industry):
    assert sa.line_quota(2024, industry, verified_t=v).quota_t == v


@given(st.integers(min_value=0, max_value=10**10))
def test_pre_allocation_never_exceeds_previous_verified(v):
    p = sa.pre_allocation(2025, "cement", previous_verified_t=v).pre_allocation_t
    assert 0 <= p <= v
    assert abs(p - 0.7 * v) <= 0.5 + 1e-6


@given(st.integers(min_value=0, max_value=10**10), st.floats(min_value=0.1501, max_value=1.0))
def test_any_share_above_15_percent_is_exempt(v, share):
    q = sa.line_quota(2025, "cement", verified_t=v, carbide_slag_share=share)
    assert q.method == "exempt_actual" and q.quota_t == v


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_banking_limit_is_at_least_the_base(n):
    assert sa.banking_limit(2025, "aluminium", net_sales_t=n).limit_t >= 100_000


# --- through the service layer (SQLite by default) ------------------------------------------------------------

def _day(day: str, hour: int = 2):
    from datetime import UTC, datetime
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


def _cement_report(year: int, clinker_t: float) -> dict:
    # process emissions only: clinker × 0.5 t CO2/t (a round test factor, not the guideline's)
    return {"year": year, "method": "generic", "industry": "cement",
            "processes": [{"name": "熟料", "quantity": clinker_t, "unit": "t", "factor": 0.5, "factor_unit": "t/t"}]}


def _verified(s, year: int, clinker_t: float, concluded: str, final: str):
    from carbon.ets import service
    from tests.ets.helpers import EMITTER_A
    v = service.create_verifier(s, name=f"核查{year}", actor="t")
    service.submit_report(s, uscc=EMITTER_A, payload=_cement_report(year, clinker_t), actor="t")
    g = service.assign_verifier(s, uscc=EMITTER_A, year=year, verifier_id=v.id, actor="t")
    service.record_review(s, engagement_id=g.id, kind="document", notes="n", actor="t")
    service.conclude(s, engagement_id=g.id, conclusion="ok", actor="t", now=_day(concluded))
    service.finalise(s, engagement_id=g.id, actor="bureau", now=_day(final))
    return g


def test_service_allocates_a_cement_emitter_2024_and_2025(session):
    from carbon.ets import service
    from tests.ets.helpers import EMITTER_A
    service.create_emitter(session, uscc=EMITTER_A, name="水泥甲", industry="cement", actor="t")
    # 2024: 1,000,001 t clinker × 0.5 = 500,000.5 -> verified 500,001; allowances = verified, no pre-allocation
    g24 = _verified(session, 2024, 1_000_001, "2025-11-03", "2025-11-20")
    assert g24.covered_emissions_t == 500_001
    with pytest.raises(ValidationError) as info:
        service.allocate_pre(session, uscc=EMITTER_A, year=2024, basis_t=500_001, actor="b")
    assert info.value.field == "year"
    a24 = service.allocate_final(session, uscc=EMITTER_A, year=2024, actor="b")
    assert (a24.amount_t, a24.obligation_t, a24.basis["true_up_t"], a24.basis["gap_t"]) == (500_001, 500_001, 500_001, 0)
    assert a24.rules_version == "sector_allocation_2024_2025.json" and a24.basis["rules"]["method"] == "verified_emissions"

    # 2025 pre-allocation: 0.7 × 500,001 = 350,000.7 -> 350,001
    p25 = service.allocate_pre(session, uscc=EMITTER_A, year=2025, basis_t=500_001, actor="b")
    assert (p25.amount_t, p25.basis["share"], p25.basis["verified"]) == (350_001, 0.7, False)
    # 2025: 1,200,000 t clinker × 0.5 = 600,000 verified; line L1 800,000 t clinker, 400,000 t, intensity 0.48
    # given by the caller -> 384,000; line L2 white clinker, 200,000 t -> 200,000; quota 584,000; gap 16,000;
    # true-up 584,000 − 350,001 = 233,999
    _verified(session, 2025, 1_200_000, "2026-09-14", "2026-09-30")
    with pytest.raises(ValidationError) as info:
        service.allocate_final(session, uscc=EMITTER_A, year=2025, actor="b")
    assert info.value.field == "lines"
    lines = [{"line_id": "L1", "verified_t": 400_000, "output_t": 800_000, "intensity": 0.48, "adjustment": 1.0},
             {"line_id": "L2", "verified_t": 200_000, "exempt": "white_clinker"}]
    with pytest.raises(ValidationError, match="sum to 500000 t"):
        service.allocate_final(session, uscc=EMITTER_A, year=2025, actor="b",
                               lines=[lines[0], {**lines[1], "verified_t": 100_000}])
    a25 = service.allocate_final(session, uscc=EMITTER_A, year=2025, actor="b", lines=lines)
    assert (a25.amount_t, a25.obligation_t, a25.basis["gap_t"], a25.basis["true_up_t"]) == (
        584_000, 600_000, 16_000, 233_999)
    assert [u["method"] for u in a25.basis["lines"]] == ["intensity", "exempt_actual"]
    assert a25.basis["lines"][0]["intensity_source"] == "caller"
    assert service.balances(session, owner=EMITTER_A) == [
        {"asset": "CEA", "vintage": 2024, "balance_t": 500_001}, {"asset": "CEA", "vintage": 2025, "balance_t": 584_000}]
    assert service.total_of_all_accounts(session) == 0
