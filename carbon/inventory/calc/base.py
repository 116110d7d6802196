"""What a sector calculator is, and the registry the engine dispatches on.

A *linear* method computes, for one combination of (category, item, region, year, activity unit), the
mass of each gas emitted per ONE unit of activity, with pint quantities, from parameters resolved in the
factor library. The engine then multiplies by the activity magnitudes in one vectorised pass. Units are
therefore checked once per combination, never per row.

A *series* method (landfill first-order decay) needs the activity history of earlier years; it gets
plain arrays of all rows of its categories and returns result rows for the target year.

Calculators import no session, file or HTTP: only the factor library's rows through `MethodContext`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pint

from carbon.core import units
from carbon.core.errors import CarbonError, FactorError, ValidationError
from carbon.factors.library import FactorLibrary, FactorRow, _has_dim
from carbon.inventory.catalog import Category, Item

Q_ = units.Q_
YEAR = Q_(1, "year")  # an inventory covers one year: annual factors (kg/head/yr) × head × 1 yr


@dataclass
class Emission:
    """Mass of one gas attributed to `category` (the activity's category or a sub-category of it)."""

    category: str
    gas: str
    mass: pint.Quantity  # per one unit of activity (linear) or absolute (series)
    memo: bool = False


@dataclass
class MethodContext:
    library: FactorLibrary
    category: Category
    item: Item
    region: str
    year: int
    activity_unit: str
    used: list[FactorRow] = field(default_factory=list)

    @property
    def one(self) -> pint.Quantity:
        """One unit of activity as a pint quantity (e.g. 1e4 t for '万t')."""
        return units.parse_unit(self.activity_unit)

    def activity_is(self, dim: str) -> bool:
        try:
            return _has_dim(self.activity_unit, dim)  # memoised: no UnitError (and its message) built per call
        except Exception:  # noqa: BLE001
            return False

    def row(self, parameter: str, *, dims: tuple[str, ...] | None = None, required: bool = True,
            category: str | None = None) -> FactorRow | None:
        r = self.library.resolve(parameter, category or self.category.code, self.item.code, self.region, self.year, dims=dims)
        if r is None:
            if required:
                key = "inventory_no_factor" + ("_dims" if dims else "") + ("_region" if self.region else "")
                raise FactorError(key=key, params={
                    "parameter": parameter, "dims": " or ".join(dims or ()), "item_zh": self.item.name_zh,
                    "item": self.item.code, "category": self.category.code, "category_zh": self.category.name_zh,
                    "region": self.region, "year": self.year}, field="factor")
            return None
        self.used.append(r)
        return r

    def param(self, parameter: str, *, dims: tuple[str, ...] | None = None, required: bool = True,
              category: str | None = None) -> pint.Quantity | None:
        r = self.row(parameter, dims=dims, required=required, category=category)
        return None if r is None else r.quantity()


LinearMethod = Callable[[MethodContext], list[Emission]]


@dataclass
class SeriesInput:
    """All activity rows of the series method's categories, all years, as plain arrays (canonical units)."""

    region: list[str]
    year: list[int]
    category: list[str]
    item: list[str]
    quantity_t: list[float]  # activity converted to the method's canonical unit (as reported where it has none)
    target_year: int
    unit: list[str] | None = None  # the reported units, for a method registered with unit=None
    facility: list[str] | None = None  # the optional `facility` column (a plant's name or USCC), "" where blank
    note: list[str] | None = None  # the optional `note` column, "" where blank
    # landfill FOD back-cast (carbon.inventory.calc.waste): the proxy's name and its series {(region, year): value}
    backcast: str | None = None
    proxy: dict[tuple[str, int], float] | None = None


class SeriesRowErrors(ValidationError):
    """Errors of a series method that it can pin on records: ``rows`` are (position in the SeriesInput arrays,
    column, reason, value). The engine turns the positions into the user's file rows. A reason is the English text
    or a keyed CarbonError (``row_problem``), which the row report shows in either language."""

    def __init__(self, rows: list[tuple[int, str, str | CarbonError, str]]):
        super().__init__("; ".join(_english(r[2]) for r in rows), field=rows[0][1] if rows else None)
        self.rows = rows


def _english(reason: str | CarbonError) -> str:
    return reason.message if isinstance(reason, CarbonError) else reason


def row_order(row: tuple[int, str, str | CarbonError, str]) -> tuple[int, str, str, str]:
    """Sort key of a SeriesRowErrors row: by position, column, English reason, value."""
    return row[0], row[1], _english(row[2]), row[3]


def row_problem(key: str, **params) -> ValidationError:
    """A reason of a SeriesRowErrors row worded by the catalogue (carbon/inventory/messages.py)."""
    return ValidationError(key=key, params=params)


LINEAR_METHODS: dict[str, LinearMethod] = {}
SERIES_METHODS: dict[str, Callable] = {}
SERIES_UNITS: dict[str, str] = {}  # canonical activity unit for each series method


def linear_method(name: str):
    def register(fn: LinearMethod) -> LinearMethod:
        if name in LINEAR_METHODS:
            raise ValueError(f"method {name} registered twice")
        LINEAR_METHODS[name] = fn
        return fn

    return register


def series_method(name: str, unit: str | None):
    """Register a method that needs activity history. `unit` is the canonical activity unit, or None for a
    method that takes each row's own unit (it converts per distinct unit itself)."""

    def register(fn):
        SERIES_METHODS[name] = fn
        SERIES_UNITS[name] = unit
        return fn

    return register


def not_implemented(name: str, reason: str):
    """Register a method that is named in the category table but not implemented yet: it fails clearly."""

    def fn(ctx: MethodContext) -> list[Emission]:
        raise NotImplementedError(f"method {name} ({ctx.category.code} {ctx.category.name_zh}) is not implemented: {reason}")

    LINEAR_METHODS[name] = fn
    return fn


def mass_t(q: pint.Quantity) -> float:
    """Magnitude in tonnes; raises a UnitError-like FactorError if `q` is not a mass."""
    try:
        return float(q.to("t").magnitude)
    except pint.DimensionalityError as exc:
        raise FactorError(key="inventory_result_not_mass", params={"units": str(q.units), "reason": str(exc)}) from exc
