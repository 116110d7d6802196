"""碳普惠 methodologies as versioned, cited data, and the reduction they give for a quantity.

A methodology is one row of ``carbon/puhui/data/methodologies_v<N>.csv`` (or one added by the bureau through
the API): ``code`` + ``version``, the behaviour, the quantity unit, the reduction factor (grams CO2e per
quantity unit, with its source), the baseline, daily/monthly caps and plausibility limits. Rows are never
edited in place: a change is a new version, and every behaviour record names the (code, version) it was
computed with.

Pure: no session, no HTTP. Arithmetic is in ``Decimal`` so that 8 km x 26.9 g/km is 215.2 g exactly and
``floor`` gives 215 points (1 point = 1 g CO2e, rounded down to whole grams *after* caps).

Quantities enter as (magnitude, unit string). Units are checked with ``carbon.core.units`` (km vs kWh vs
...). Counts (steps) are not pint units: they are recognised here from ``COUNT_UNITS`` and never convert to
or from a physical unit, so ``walking`` with ``km`` is a unit error, not a guess at a stride length.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path

from carbon.core import units
from carbon.core.errors import UnitError, ValidationError

DATA_DIR = Path(__file__).with_name("data")
FIRST_EDITION = DATA_DIR / "methodologies_v1.csv"

# Count units: the canonical name, and every spelling that means "so many of them" (万步 = 10 000 steps).
COUNT_UNITS: dict[str, dict[str, Decimal]] = {
    "step": {"step": Decimal(1), "steps": Decimal(1), "步": Decimal(1), "万步": Decimal(10000)},
}
CAP_PERIODS = ("day", "month")
CONFIDENCE = ("high", "medium", "low", "placeholder")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Methodology:
    """One version of one methodology. ``factor`` is in ``factor_unit``; ``factor_g`` is grams CO2e per
    ``quantity_unit`` (what the arithmetic uses)."""

    code: str
    version: int
    name_zh: str
    behaviour: str
    quantity_unit: str
    factor: Decimal
    factor_unit: str
    confidence: str
    baseline: str
    source: str
    cap_period: str | None = None
    cap_claims: int | None = None
    cap_quantity: Decimal | None = None
    speed_min_kmh: Decimal | None = None
    speed_max_kmh: Decimal | None = None
    step_length_m: Decimal | None = None
    max_quantity_per_claim: Decimal | None = None
    window_days: int = 7
    evidence_required: bool = False
    valid_from: date = date(2020, 1, 1)
    note: str = ""
    factor_g: Decimal = field(default=Decimal(0), compare=False)

    @property
    def ref(self) -> str:
        return f"{self.code}@v{self.version}"

    @property
    def is_count(self) -> bool:
        return self.quantity_unit in COUNT_UNITS

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("factor_g")
        return d


def _dec(text: str | Decimal | int | float | None, what: str) -> Decimal | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise ValidationError(key="puhui_not_a_number", params={"what": what, "text": text}, field=what) from exc
    if not value.is_finite():
        raise ValidationError(key="puhui_not_finite", params={"what": what, "text": text}, field=what)
    return value


def _factor_in_grams(factor: Decimal, factor_unit: str, quantity_unit: str) -> Decimal:
    """``factor`` [factor_unit] as grams CO2e per ``quantity_unit``. ``factor_unit`` is ``<mass>/<unit>``
    (a gas label such as CO2e after the mass is allowed: 'g CO2e/km', 'kg CO2e/kWh')."""
    units_named = {"factor_unit": factor_unit, "quantity_unit": quantity_unit}  # the parameters of its errors
    if "/" not in factor_unit:
        raise UnitError(key="puhui_factor_unit_not_mass_per", params=units_named, field="factor_unit")
    numerator, denominator = (part.strip() for part in factor_unit.rsplit("/", 1))
    units.check_dimension(numerator, "mass", "factor unit numerator")
    to_grams = Decimal(repr(units.multiplier(numerator, "g")))
    if quantity_unit in COUNT_UNITS:
        per = COUNT_UNITS[quantity_unit].get(denominator)
        if per is None:
            raise UnitError(key="puhui_factor_unit_not_per", params=units_named, field="factor_unit")
        return factor * to_grams / per
    if denominator in _all_count_spellings():
        raise UnitError(key="puhui_factor_unit_per_count", params=units_named, field="factor_unit")
    per_unit = Decimal(repr(units.multiplier(denominator, quantity_unit)))  # UnitError on a dimension mismatch
    return factor * to_grams / per_unit


def _all_count_spellings() -> set[str]:
    return {s for spellings in COUNT_UNITS.values() for s in spellings}


def validate(m: Methodology) -> Methodology:
    """Check one methodology and return it with ``factor_g`` filled in. Raises ValidationError/UnitError
    naming the field."""
    if not CODE_RE.match(m.code):
        raise ValidationError(key="puhui_methodology_code", params={"code": m.code}, field="code")
    if m.version < 1:
        raise ValidationError(key="puhui_version_start", field="version")
    if not m.source.strip():
        raise ValidationError(key="puhui_source_required", field="source")
    if m.confidence not in CONFIDENCE:
        raise ValidationError(key="puhui_confidence_unknown", params={"known": ", ".join(CONFIDENCE)},
                              field="confidence")
    if m.factor <= 0:
        raise ValidationError(key="puhui_factor_not_positive", field="factor")
    if not m.is_count:
        try:
            units.parse_unit(m.quantity_unit)
        except UnitError as exc:
            raise UnitError(exc.message, field="quantity_unit", key=exc.key, params=exc.params) from exc
        if m.quantity_unit in _all_count_spellings():
            raise UnitError(key="puhui_count_unit_canonical", params={"known": ", ".join(COUNT_UNITS)},
                            field="quantity_unit")
    factor_g = _factor_in_grams(m.factor, m.factor_unit, m.quantity_unit)
    if m.cap_period is not None and m.cap_period not in CAP_PERIODS:
        raise ValidationError(key="puhui_cap_period_unknown", params={"known": ", ".join(CAP_PERIODS)},
                              field="cap_period")
    if (m.cap_claims is not None or m.cap_quantity is not None) and m.cap_period is None:
        raise ValidationError(key="puhui_cap_needs_period", field="cap_period")
    for name in ("cap_claims", "cap_quantity", "max_quantity_per_claim", "speed_max_kmh", "step_length_m"):
        value = getattr(m, name)
        if value is not None and value <= 0:
            raise ValidationError(key="puhui_must_be_positive", params={"name": name}, field=name)
    if m.speed_min_kmh is not None and m.speed_min_kmh < 0:
        raise ValidationError(key="puhui_must_not_be_negative", params={"name": "speed_min_kmh"},
                              field="speed_min_kmh")
    if m.speed_min_kmh is not None and m.speed_max_kmh is not None and m.speed_min_kmh >= m.speed_max_kmh:
        raise ValidationError(key="puhui_speed_min_above_max", field="speed_min_kmh")
    if (m.speed_min_kmh is not None or m.speed_max_kmh is not None) and m.is_count and m.step_length_m is None:
        raise ValidationError(key="puhui_speed_needs_step", field="step_length_m")
    if (m.speed_min_kmh is not None or m.speed_max_kmh is not None) and not m.is_count:
        if units.dimension_of(m.quantity_unit) != "[length]":
            raise ValidationError(key="puhui_speed_needs_distance", field="speed_max_kmh")
    if not 1 <= m.window_days <= 366:
        raise ValidationError(key="puhui_window_days", field="window_days")
    return _replace(m, factor_g=factor_g)


def _replace(m: Methodology, **changes) -> Methodology:
    from dataclasses import replace

    return replace(m, **changes)


def from_row(row: dict[str, str]) -> Methodology:
    """A Methodology from a CSV-like row of strings (also used for API input turned into strings)."""

    def opt_int(name: str) -> int | None:
        text = (row.get(name) or "").strip()
        return int(text) if text else None

    try:
        m = Methodology(
            code=row["code"].strip(),
            version=int(row["version"]),
            name_zh=row.get("name_zh", "").strip(),
            behaviour=row.get("behaviour", "").strip(),
            quantity_unit=row["quantity_unit"].strip(),
            factor=_dec(row["factor"], "factor"),
            factor_unit=row["factor_unit"].strip(),
            confidence=(row.get("confidence") or "medium").strip(),
            baseline=row.get("baseline", "").strip(),
            source=row.get("source", "").strip(),
            cap_period=(row.get("cap_period") or "").strip() or None,
            cap_claims=opt_int("cap_claims"),
            cap_quantity=_dec(row.get("cap_quantity"), "cap_quantity"),
            speed_min_kmh=_dec(row.get("speed_min_kmh"), "speed_min_kmh"),
            speed_max_kmh=_dec(row.get("speed_max_kmh"), "speed_max_kmh"),
            step_length_m=_dec(row.get("step_length_m"), "step_length_m"),
            max_quantity_per_claim=_dec(row.get("max_quantity_per_claim"), "max_quantity_per_claim"),
            window_days=opt_int("window_days") or 7,
            evidence_required=(row.get("evidence_required") or "false").strip().lower() in ("true", "1", "yes"),
            valid_from=date.fromisoformat((row.get("valid_from") or "2020-01-01").strip()),
            note=row.get("note", "").strip(),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        params = {"code": row.get("code"), "reason": str(exc)}
        raise ValidationError(key="puhui_methodology_row_bad", params=params) from exc
    if m.factor is None:
        raise ValidationError(key="puhui_factor_required", field="factor")
    return validate(m)


def load_file(path: Path) -> list[Methodology]:
    """Every methodology of one data file, validated; duplicate (code, version) rows are an error."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    out: list[Methodology] = []
    seen: set[tuple[str, int]] = set()
    for n, row in enumerate(csv.DictReader(lines), start=1):
        try:
            m = from_row({k: v for k, v in row.items() if k is not None})
        except ValidationError as exc:
            params = {"file": path.name, "n": n, "detail": exc}
            raise ValidationError(key="puhui_data_row", params=params, field=exc.field) from exc
        if (m.code, m.version) in seen:
            raise ValidationError(key="puhui_methodology_twice", params={"file": path.name, "ref": m.ref})
        seen.add((m.code, m.version))
        out.append(m)
    return out


def load_all(data_dir: Path = DATA_DIR) -> list[Methodology]:
    """All editions shipped with the code (methodologies_v1.csv, v2, ...), in file order."""
    out: list[Methodology] = []
    seen: set[tuple[str, int]] = set()
    for path in sorted(data_dir.glob("methodologies_v*.csv")):
        for m in load_file(path):
            if (m.code, m.version) in seen:
                raise ValidationError(key="puhui_methodology_earlier", params={"file": path.name, "ref": m.ref})
            seen.add((m.code, m.version))
            out.append(m)
    return out


def to_method_unit(m: Methodology, quantity: Decimal, unit: str) -> Decimal:
    """``quantity`` [unit] in the methodology's quantity unit. UnitError (field ``unit``) if the unit does not
    fit: km for walking, steps for cycling, kg for electricity..."""
    unit = (unit or "").strip()
    if m.is_count:
        per = COUNT_UNITS[m.quantity_unit].get(unit)
        if per is None:
            raise UnitError(key="puhui_unit_not_count_of", params={"code": m.code, "quantity_unit": m.quantity_unit,
                            "unit": unit, "known": ", ".join(COUNT_UNITS[m.quantity_unit])}, field="unit")
        return quantity * per
    if unit in _all_count_spellings():
        raise UnitError(key="puhui_unit_is_count",
                        params={"code": m.code, "quantity_unit": m.quantity_unit, "unit": unit}, field="unit")
    try:
        factor = units.multiplier(unit, m.quantity_unit)
    except UnitError as exc:
        raise UnitError(key="puhui_prefixed", params={"what": m.code, "detail": exc}, field="unit") from exc
    return quantity * Decimal(repr(factor))


def reduction_g(m: Methodology, eligible_quantity: Decimal) -> Decimal:
    """Exact reduction in grams CO2e for a quantity (already in the methodology's unit, after caps)."""
    return eligible_quantity * m.factor_g


def points_for(reduction: Decimal) -> int:
    """1 point = 1 g CO2e, rounded down to whole grams (after caps)."""
    if reduction <= 0:
        return 0
    return int(reduction.to_integral_value(rounding=ROUND_FLOOR))
