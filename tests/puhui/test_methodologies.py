"""Methodologies as data: every shipped methodology's arithmetic, units, and the file checks (no DB)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from carbon.core.errors import UnitError, ValidationError
from carbon.puhui import methodologies as mm

METHODS = {m.code: m for m in mm.load_all()}


def test_shipped_edition_has_the_five_ordos_defaults():
    assert set(METHODS) == {"bus", "cycling", "walking", "electricity_saving", "nev_driving"}
    assert all(m.version == 1 and m.source for m in METHODS.values())
    assert METHODS["nev_driving"].confidence == "low"  # derived from one published example
    assert METHODS["bus"].confidence == "placeholder"  # borrowed Shenzhen factor (puhui.md, Caution for Ordos)


@pytest.mark.parametrize(("code", "quantity", "unit", "exact", "points"), [
    ("bus", "8", "km", "215.2", 215),  # P-1: 8 x 26.9 = 215.2 g -> 215 points
    ("bus", "8000", "m", "215.2", 215),  # the same trip in metres
    ("cycling", "10", "km", "400", 400),  # 10 x 40
    ("cycling", "2.5", "km", "100", 100),  # 2.5 x 40
    ("walking", "12345", "steps", "246.9", 246),  # 12345 x 0.02 = 246.9 -> 246
    ("walking", "1", "万步", "200", 200),  # 10 000 x 0.02
    ("electricity_saving", "10", "kWh", "6849", 6849),  # 10 x 684.9
    ("electricity_saving", "1", "MWh", "684900", 684900),  # 1000 x 684.9
    ("nev_driving", "24", "km", "168", 168),  # Wuhan's own example: 24 km -> 168 g
    ("nev_driving", "0.1", "km", "0.7", 0),  # 0.7 g rounds down to nothing
])
def test_reduction_per_methodology(code, quantity, unit, exact, points):
    m = METHODS[code]
    q = mm.to_method_unit(m, Decimal(quantity), unit)
    reduction = mm.reduction_g(m, q)
    assert reduction == Decimal(exact)
    assert mm.points_for(reduction) == points


@pytest.mark.parametrize(("code", "unit"), [
    ("walking", "km"), ("bus", "steps"), ("bus", "kWh"), ("electricity_saving", "km"), ("cycling", "kg"),
    ("bus", "furlongs per fortnight"),
])
def test_wrong_unit_is_a_unit_error_on_the_unit_field(code, unit):
    with pytest.raises(UnitError) as info:
        mm.to_method_unit(METHODS[code], Decimal(1), unit)
    assert info.value.field == "unit"


def test_factor_units_are_converted_to_grams():
    m = replace(METHODS["bus"], factor=Decimal("0.0269"), factor_unit="kg CO2e/km")
    assert mm.validate(m).factor_g == Decimal("26.9")  # 0.0269 kg = 26.9 g
    m = replace(METHODS["bus"], factor=Decimal("26.9"), factor_unit="g/m")
    assert mm.validate(m).factor_g == Decimal("26900")  # per metre -> per km x 1000


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "Bus!"}, "code"),
    ({"source": " "}, "source"),
    ({"factor": Decimal(0)}, "factor"),
    ({"factor_unit": "g/kWh"}, None),  # energy denominator for a km methodology
    ({"factor_unit": "km/g"}, None),
    ({"cap_period": None}, "cap_period"),  # bus has cap_claims
    ({"cap_period": "week"}, "cap_period"),
    ({"speed_min_kmh": Decimal(90)}, "speed_min_kmh"),  # above the 80 km/h maximum
    ({"window_days": 0}, "window_days"),
    ({"quantity_unit": "parsecs per nothing"}, "quantity_unit"),
])
def test_invalid_methodologies_are_rejected(changes, field):
    with pytest.raises(ValidationError) as info:
        mm.validate(replace(METHODS["bus"], **changes))
    if field:
        assert info.value.field == field


def test_a_step_methodology_with_a_speed_limit_needs_a_step_length():
    with pytest.raises(ValidationError) as info:
        mm.validate(replace(METHODS["walking"], step_length_m=None))
    assert info.value.field == "step_length_m"


def test_data_file_duplicate_rows_are_rejected(tmp_path):
    src = mm.FIRST_EDITION.read_text(encoding="utf-8").splitlines()
    data = [ln for ln in src if not ln.startswith("#")]
    path = tmp_path / "methodologies_v1.csv"
    path.write_text("\n".join(data + [data[1]]) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="bus@v1 appears twice"):
        mm.load_file(path)


def test_an_edition_may_not_redefine_an_earlier_version(tmp_path):
    src = mm.FIRST_EDITION.read_text(encoding="utf-8")
    (tmp_path / "methodologies_v1.csv").write_text(src, encoding="utf-8")
    (tmp_path / "methodologies_v2.csv").write_text(src, encoding="utf-8")
    with pytest.raises(ValidationError, match="already defined in an earlier edition"):
        mm.load_all(tmp_path)
