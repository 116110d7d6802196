"""Carbon mass balance of a plant (IPCC 2006 Vol 3 Eq. 3.17), carbon.core.carbon_balance.

Every expected figure is worked by hand in the comments from the inputs of the test:
CO2 = (Σ carbon in inputs − Σ products − Σ wastes − recovered CO2 as carbon) × 44/12.
"""

import math

import pytest
from hypothesis import given, settings, strategies as st

from carbon.core import units
from carbon.core.carbon_balance import (INPUT, MEASURED, PRODUCT, RECOVERED, WASTE, Flow, carbon_mass_balance,
                                        flow_carbon)
from carbon.core.errors import ValidationError

DIMLESS = units.parse_unit("dimensionless")


def mass_flow(item, role, tonnes, fraction, unit="t", **kw):
    return Flow(item=item, role=role, quantity=tonnes * units.parse_unit(unit), carbon_content=fraction * DIMLESS, **kw)


def t(q) -> float:
    return float(q.to("t").magnitude)


# --------------------------------------------------------------------------------------------------
# Worked examples
# --------------------------------------------------------------------------------------------------

def test_coal_to_methanol_worked():
    # coal: 1,000,000 t × 0.60 = 600,000 t C; methanol CH3OH: 800,000 t × 12/32 = 300,000 t C
    # emitted 300,000 t C × 44/12 = 1,100,000 t CO2
    r = carbon_mass_balance("甲醇厂", [
        mass_flow("feedstock_coal", INPUT, 1_000_000, 0.60),
        mass_flow("methanol", PRODUCT, 800_000, 12 / 32),
    ])
    assert r.facility == "甲醇厂"
    assert t(r.carbon_in) == pytest.approx(600_000, rel=1e-12)
    assert t(r.carbon_products) == pytest.approx(300_000, rel=1e-12)
    assert t(r.carbon_wastes) == 0
    assert t(r.carbon_recovered) == 0
    assert t(r.carbon_emitted) == pytest.approx(300_000, rel=1e-12)
    assert r.co2_t == pytest.approx(1_100_000, rel=1e-12)
    assert [t(fc.carbon) for fc in r.flows] == pytest.approx([600_000, 300_000], rel=1e-12)


def test_coal_to_olefins_with_recovered_co2_worked():
    # coal 3,000,000 t × 0.55 = 1,650,000 t C
    # ethylene C2H4 350,000 t × 12/14 = 300,000 t C; propylene C3H6 350,000 t × 12/14 = 300,000 t C
    # recovered CO2 440,000 t × 12/44 = 120,000 t C
    # emitted 1,650,000 − 600,000 − 120,000 = 930,000 t C × 44/12 = 3,410,000 t CO2
    r = carbon_mass_balance("烯烃厂", [
        mass_flow("feedstock_coal", INPUT, 3_000_000, 0.55),
        mass_flow("ethylene", PRODUCT, 350_000, 12 / 14),
        mass_flow("propylene", PRODUCT, 350_000, 12 / 14),
        mass_flow("co2_recovered", RECOVERED, 440_000, 12 / 44),
    ])
    assert t(r.carbon_in) == pytest.approx(1_650_000, rel=1e-12)
    assert t(r.carbon_products) == pytest.approx(600_000, rel=1e-12)
    assert t(r.carbon_recovered) == pytest.approx(120_000, rel=1e-12)
    assert t(r.carbon_emitted) == pytest.approx(930_000, rel=1e-12)
    assert r.co2_t == pytest.approx(3_410_000, rel=1e-12)


def test_waste_and_fuel_coal_and_units_worked():
    # feedstock 2 万t = 20,000 t × 0.60 = 12,000 t C; fuel coal 5,000,000 kg = 5,000 t × 0.50 = 2,500 t C
    # methanol 16,000 t × 0.375 = 6,000 t C; ash 1,000 t × 0.05 = 50 t C
    # emitted 14,500 − 6,050 = 8,450 t C × 44/12 = 30,983.333... t CO2
    r = carbon_mass_balance("F", [
        mass_flow("feedstock_coal", INPUT, 2, 0.60, unit="万t"),
        mass_flow("chem_fuel_coal", INPUT, 5_000_000, 0.50, unit="kg"),
        mass_flow("methanol", PRODUCT, 16_000, 0.375),
        mass_flow("chem_carbon_waste", WASTE, 1_000, 0.05),
    ])
    assert t(r.carbon_in) == pytest.approx(14_500, rel=1e-12)
    assert t(r.carbon_wastes) == pytest.approx(50, rel=1e-12)
    assert r.co2_t == pytest.approx(8_450 * 44 / 12, rel=1e-12)
    assert r.co2_t == pytest.approx(30_983.3333333333, rel=1e-12)


def test_volume_flow_in_kg_per_m3_and_energy_flow_in_t_per_tj():
    # natural gas 20,000,000 m3 × 0.6 kg C/m3 = 12,000,000 kg = 12,000 t C
    # coal by energy 100,000 GJ = 100 TJ × 26 t C/TJ = 2,600 t C
    # methanol 16,000 t × 0.375 = 6,000 t C
    # emitted 14,600 − 6,000 = 8,600 t C × 44/12 = 31,533.333... t CO2
    gas = Flow("natural_gas", INPUT, 20_000_000 * units.parse_unit("m3"), 0.6 * units.parse_unit("kg/m3"))
    coal = Flow("raw_coal", INPUT, 100_000 * units.parse_unit("GJ"), 26 * units.parse_unit("t/TJ"))
    assert t(flow_carbon(gas)) == pytest.approx(12_000, rel=1e-12)
    assert t(flow_carbon(coal)) == pytest.approx(2_600, rel=1e-12)
    r = carbon_mass_balance("G", [gas, coal, mass_flow("methanol", PRODUCT, 16_000, 0.375)])
    assert t(r.carbon_in) == pytest.approx(14_600, rel=1e-12)
    assert r.co2_t == pytest.approx(31_533.3333333333, rel=1e-12)
    # 万m3 and kg C/Nm3 as the statistics write them: 2,000 万m3 = 20,000,000 m3
    gas2 = Flow("natural_gas", INPUT, 2_000 * units.parse_unit("万m3"), 0.6 * units.parse_unit("kg/Nm3"))
    assert t(flow_carbon(gas2)) == pytest.approx(12_000, rel=1e-12)


def test_flow_with_wrong_carbon_content_dimension_is_an_error():
    # a volume with a mass fraction is not a mass of carbon
    bad = Flow("natural_gas", INPUT, 1_000 * units.parse_unit("m3"), 0.5 * DIMLESS)
    with pytest.raises(ValidationError, match="natural_gas"):
        flow_carbon(bad)
    with pytest.raises(ValidationError):
        carbon_mass_balance("H", [bad])


def test_negative_balance_names_the_facility():
    # coal 100 t × 0.5 = 50 t C in, methanol 200 t × 0.375 = 75 t C out: 25 t C more out than in
    with pytest.raises(ValidationError) as exc:
        carbon_mass_balance("榆林某甲醇厂", [
            mass_flow("feedstock_coal", INPUT, 100, 0.5),
            mass_flow("methanol", PRODUCT, 200, 0.375),
        ])
    assert "榆林某甲醇厂" in exc.value.message
    assert "negative" in exc.value.message


def test_balance_exactly_closed_is_zero_not_an_error():
    # 100 t × 0.375 in, 100 t × 0.375 out: emitted 0
    r = carbon_mass_balance("Z", [mass_flow("feedstock_coal", INPUT, 100, 0.375), mass_flow("methanol", PRODUCT, 100, 0.375)])
    assert r.co2_t == 0


def test_no_flows_is_an_error_naming_the_facility():
    with pytest.raises(ValidationError, match="Plant-0"):
        carbon_mass_balance("Plant-0", [])


def test_outputs_without_inputs_are_an_error():
    with pytest.raises(ValidationError, match="Plant-1"):
        carbon_mass_balance("Plant-1", [mass_flow("methanol", PRODUCT, 10, 0.375)])


def test_flow_role_and_source_are_checked():
    with pytest.raises(ValidationError):
        mass_flow("x", "emission", 1, 0.5)
    with pytest.raises(ValidationError):
        mass_flow("x", INPUT, 1, 0.5, source="guessed")
    f = mass_flow("x", INPUT, 1, 0.5, source=MEASURED)
    assert f.source == MEASURED


def test_as_dict_keeps_units_and_roles():
    d = carbon_mass_balance("甲醇厂", [
        mass_flow("feedstock_coal", INPUT, 1_000_000, 0.60, source=MEASURED),
        mass_flow("methanol", PRODUCT, 800_000, 12 / 32),
    ]).as_dict()
    assert d["facility"] == "甲醇厂"
    assert d["co2"]["value"] == pytest.approx(1_100_000, rel=1e-12)
    assert d["co2"]["unit"] == "t"
    assert [f["source_zh"] for f in d["flows"]] == ["实测", "缺省"]
    assert [f["role_zh"] for f in d["flows"]] == ["投入", "产品"]


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

MASS_UNITS = {"t": 1.0, "kg": 1e-3, "万t": 1e4}


@st.composite
def plants(draw):
    """A random plant whose outputs carry at most 99 % of the input carbon.

    Returns (flows, expected carbon in t C per role) with the expected figures computed here, not by the code.
    """
    n_in = draw(st.integers(1, 4))
    flows, carbon = [], {INPUT: [], PRODUCT: [], WASTE: [], RECOVERED: []}
    for i in range(n_in):
        u = draw(st.sampled_from(sorted(MASS_UNITS)))
        q = draw(st.floats(1.0, 1e6))
        cf = draw(st.floats(0.05, 0.95))
        flows.append(mass_flow(f"in{i}", INPUT, q, cf, unit=u))
        carbon[INPUT].append(q * MASS_UNITS[u] * cf)
    c_in = math.fsum(carbon[INPUT])
    n_out = draw(st.integers(0, 5))
    share = draw(st.floats(0.0, 0.99))
    weights = [draw(st.floats(0.01, 1.0)) for _ in range(n_out)]
    for j, w in enumerate(weights):
        role = draw(st.sampled_from([PRODUCT, WASTE, RECOVERED]))
        cf = 12 / 44 if role == RECOVERED else draw(st.floats(0.01, 0.95))
        c = c_in * share * w / math.fsum(weights)
        flows.append(mass_flow(f"out{j}", role, c / cf, cf))
        carbon[role].append(c)
    return flows, {r: math.fsum(v) for r, v in carbon.items()}


def close(a: float, b: float, scale: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * max(abs(scale), abs(a), abs(b))


@settings(max_examples=200, deadline=None)
@given(plants())
def test_carbon_is_conserved(plant):
    flows, expect = plant
    r = carbon_mass_balance("P", flows)
    c_in = t(r.carbon_in)
    assert close(c_in, expect[INPUT], c_in)
    assert close(t(r.carbon_products), expect[PRODUCT], c_in)
    assert close(t(r.carbon_wastes), expect[WASTE], c_in)
    assert close(t(r.carbon_recovered), expect[RECOVERED], c_in)
    out = t(r.carbon_products) + t(r.carbon_wastes) + t(r.carbon_recovered) + t(r.carbon_emitted)
    assert close(c_in, out, c_in)
    assert t(r.carbon_emitted) >= 0
    assert close(r.co2_t, t(r.carbon_emitted) * 44 / 12, r.co2_t)
    assert close(math.fsum(t(fc.carbon) for fc in r.flows if fc.flow.role == INPUT), c_in, c_in)


def scaled(f: Flow, k: float) -> Flow:
    return Flow(f.item, f.role, f.quantity * k, f.carbon_content, f.source, f.ref)


@settings(max_examples=200, deadline=None)
@given(plants(), st.floats(1e-3, 1e3))
def test_linear_in_quantities(plant, k):
    flows, _ = plant
    base = carbon_mass_balance("P", flows).co2_t
    assert math.isclose(carbon_mass_balance("P", [scaled(f, k) for f in flows]).co2_t, k * base, rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(plants(), st.randoms(use_true_random=False))
def test_permuting_flows_changes_nothing(plant, rnd):
    flows, _ = plant
    base = carbon_mass_balance("P", flows)
    shuffled = list(flows)
    rnd.shuffle(shuffled)
    r = carbon_mass_balance("P", shuffled)
    assert math.isclose(r.co2_t, base.co2_t, rel_tol=1e-9)
    assert math.isclose(t(r.carbon_in), t(base.carbon_in), rel_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(plants(), st.data())
def test_splitting_a_flow_in_two_changes_nothing(plant, data):
    flows, _ = plant
    base = carbon_mass_balance("P", flows)
    i = data.draw(st.integers(0, len(flows) - 1))
    part = data.draw(st.floats(0.01, 0.99))
    f = flows[i]
    split = flows[:i] + [scaled(f, part), scaled(f, 1 - part)] + flows[i + 1:]
    r = carbon_mass_balance("P", split)
    scale = t(base.carbon_in)
    assert close(r.co2_t, base.co2_t, scale * 44 / 12)
    assert close(t(r.carbon_in), scale, scale)
    assert close(t(r.carbon_products), t(base.carbon_products), scale)
