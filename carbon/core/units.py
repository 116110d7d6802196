"""The one pint unit registry of the process, and the unit checks used at every input boundary.

Quantities enter as (magnitude, unit string). The unit string is normalised (Chinese and common
spellings), parsed once by pint, checked for the dimension its column expects, and turned into a plain
multiplier to the canonical unit of that column. Inner loops then run on float magnitudes.

GWP weighting is *not* done here: pint contexts are not thread-safe (engineering-notes §1); see
`carbon.core.gases.co2e`.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pint

from carbon.core.errors import UnitError

DEFINITIONS = Path(__file__).with_name("units_zh.txt")


def cache_folder() -> Path | None:
    """Where pint keeps its parsed definition files and unit tables between runs: ``$XDG_CACHE_HOME/carbon/pint`` or
    ``~/.cache/carbon/pint`` (never inside the installed package); None, and no cache, when it cannot be written.

    pint names each cached file by the hash of the definition file's content and its own version, so an edited
    units_zh.txt or another pint is parsed afresh, never served stale. It cuts the registry's start from 0.15 s to
    0.02 s of every command that loads units (``carbon compile``: bench/cli.py). To remove it: build the registry
    below with ``cache_folder=None``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "carbon" / "pint"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None


def _registry(folder: Path | None) -> pint.UnitRegistry:
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=False, cache_folder=folder)
    registry.load_definitions(str(DEFINITIONS))
    return registry


try:
    ureg = _registry(cache_folder())
except Exception:  # noqa: BLE001 - an unreadable cache file (another process writing it): build without the cache
    ureg = _registry(None)
pint.set_application_registry(ureg)
Q_ = ureg.Quantity

# Named dimensions used by column specs (factor library, activity data). Values are pint
# dimensionality strings.
DIMENSIONS: dict[str, str] = {
    "dimensionless": "",
    "mass": "[mass]",
    "energy": "[energy]",
    "volume": "[volume]",
    "area": "[length] ** 2",
    "livestock": "[livestock]",
    "currency": "[currency]",
    "energy/mass": "[energy] / [mass]",
    "energy/volume": "[energy] / [volume]",
    "mass/energy": "[mass] / [energy]",
    "mass/mass": "",
    "mass/volume": "[mass] / [volume]",
    "volume/mass": "[volume] / [mass]",
    "mass/livestock/time": "[mass] / [livestock] / [time]",
    "mass/area/time": "[mass] / [length] ** 2 / [time]",
    "mass/area": "[mass] / [length] ** 2",
    "mass/livestock": "[mass] / [livestock]",
    "1/time": "1 / [time]",
    "mass/currency": "[mass] / [currency]",
    "energy/currency": "[energy] / [currency]",
}

_SUPERSCRIPTS = {"³": "**3", "²": "**2", "⁻¹": "**-1"}
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "／": "/", "＊": "*", "·": "*", "×": "*", "　": " "})
# "m3", "Nm3", "m2" as users write them; pint would otherwise read "m3" as an unknown name.
_POWER_AFTER_LENGTH = re.compile(r"(?<![A-Za-z])(N?m|km|cm)([23])(?![0-9])")
_GAS_LABEL = re.compile(
    r"(?<=[A-Za-z])\s+(CO2e|CO2|CH4|N2O-N|N2O|C|N|BOD|COD|dm|SF6|NF3|CF4|C2F6|C3F8|c-?C4F8|HFC-?[0-9][0-9a-z-]*|PFC-?[0-9a-z-]*)"
    r"(?=$|\s*[/*)])"
)
_CN_MULTIPLES = {"万": "1e4", "亿": "1e8"}
_CN_MULTIPLE = re.compile(r"(万|亿)([^\s/*()]+)")
_ALIASES = {
    "t": "metric_ton",
    "kt": "kilometric_ton",  # pint's own "kt" is the knot
    "Mt": "megametric_ton",
    "tC": "metric_ton",  # carbon mass: the element is carried by the factor's name, not the unit
    "tCO2": "metric_ton",
    "tCO2e": "metric_ton",
    "kgC": "kilogram",
    "kgCO2": "kilogram",
    "kgCO2e": "kilogram",
    "gCO2e": "gram",
    "gCO2": "gram",
    "kgCH4": "kilogram",
    "kgN2O": "kilogram",
    "kgN2O-N": "kilogram",
    "kgN": "kilogram",
    "kgBOD": "kilogram",
    "kgCOD": "kilogram",
    "yr": "year",
    "a": "year",
    "年": "year",
}


def normalise_unit(text: str) -> str:
    """Rewrite a unit string as users write it into something pint parses.

    Handles full-width punctuation, superscripts, `m3`/`Nm3`, and gas-labelled masses such as
    `kg CH4/TJ` or `t CO2e` (the gas is a column of its own; the unit is the mass).
    """
    if not isinstance(text, str):
        raise UnitError(key="core_unit_not_string", params={"value": text})
    s = text.strip().translate(_FULLWIDTH)
    for sup, rep in _SUPERSCRIPTS.items():
        s = s.replace(sup, rep)
    # A gas label after a mass ("kg CH4/TJ", "t CO2e", "kg N2O-N/kg N"): the gas is a column of its
    # own, the unit is the mass.
    s = _GAS_LABEL.sub("", s)
    # 万 / 亿 multiples of any unit, including prefixed ones (万kWh, 亿千瓦时): pint cannot stack prefixes.
    s = _CN_MULTIPLE.sub(lambda m: f"({_CN_MULTIPLES[m.group(1)]}*{m.group(2)})", s)
    s = _POWER_AFTER_LENGTH.sub(lambda m: f"{m.group(1)}**{m.group(2)}", s).replace("Nm**3", "Nm3")
    tokens = re.split(r"(\s*[/*()]\s*)", s)
    return "".join(_ALIASES.get(tok.strip(), tok) if tok.strip() not in "/*()" else tok for tok in tokens)


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Quantity:
    """Parse a unit string into a Quantity of one such unit (magnitude 1, or the 万/亿 multiple).

    Raises UnitError naming the string if pint cannot read it.
    """
    norm = normalise_unit(text)
    if not re.search(r"[^\W\d_]", norm):
        raise UnitError(key="core_unit_bare_number", params={"unit": text})
    try:
        q = ureg.parse_expression(norm)
    except Exception as exc:  # pint raises several types (UndefinedUnitError, DefinitionSyntaxError, ...)
        raise UnitError(key="unknown_unit", params={"unit": text, "reason": f"{type(exc).__name__}: {exc}"}) from exc
    if not isinstance(q, pint.Quantity):
        raise UnitError(key="core_unit_is_number", params={"unit": text})
    return q


_as_quantity = parse_unit

# How users write a dimensionless parameter (an oxidation 0.94, a carbon fraction 0.60): the SI unit "1", a
# blank cell, "-", "%" (a percentage), "‰" (per mille) or the words. Pint itself reads none of "", "1" or "-" as a
# unit; it reads "%" / "percent" and "‰" / "permille" itself (0.01 and 0.001).
_DIMENSIONLESS_WRITTEN = {"": "dimensionless", "1": "dimensionless", "-": "dimensionless", "无量纲": "dimensionless",
                          "dimensionless": "dimensionless", "%": "percent", "％": "percent", "百分比": "percent",
                          "percent": "percent", "‰": "permille", "千分比": "permille", "permille": "permille",
                          "per mille": "permille", "per_mille": "permille"}
# What a value in each spelling's unit is divided by to give a plain fraction (a division, so that 94 % is 0.94
# exactly as a float, not 0.9400000000000001).
FRACTION_DIVISOR = {"dimensionless": 1, "percent": 100, "permille": 1000}


def dimensionless_spelling(text: str | None) -> str:
    """The unit of a parameter as pint reads it: "" / "1" / "-" / 无量纲 / dimensionless -> "dimensionless",
    "%" / 百分比 -> "percent", "‰" / 千分比 -> "permille"; any other text unchanged (stripped).

    For parameters only: an activity quantity always needs a real unit."""
    t = text.strip() if isinstance(text, str) else ""  # None, or a blank cell read by pandas as NaN
    return _DIMENSIONLESS_WRITTEN.get(t, _DIMENSIONLESS_WRITTEN.get(t.lower(), t))


def is_fraction_unit(text: str | None) -> bool:
    """Whether `text` is one of the spellings of a dimensionless parameter (1, blank, %, ‰, dimensionless, 无量纲)."""
    return dimensionless_spelling(text) in FRACTION_DIVISOR


def as_fraction(value: float, text: str | None) -> float:
    """A dimensionless parameter as a plain fraction: 0.94 (unit 1, blank, dimensionless, 无量纲), 94 % or
    940 ‰ all give 0.94. Raises UnitError if `text` is not one of those spellings."""
    spelled = dimensionless_spelling(text)
    if spelled not in FRACTION_DIVISOR:
        raise UnitError(key="core_unit_not_fraction", params={"unit": text})
    return value / FRACTION_DIVISOR[spelled]


def normalise_fraction(value: float, text: str | None) -> tuple[float, str]:
    """(value, unit) of a parameter with a dimensionless spelling converted to (fraction, "dimensionless"):
    (94, "%") -> (0.94, "dimensionless"), (0.94, "1") -> (0.94, "dimensionless"). Any other unit is returned as
    given (stripped), for the caller's own dimension check."""
    if is_fraction_unit(text):
        return as_fraction(value, text), "dimensionless"
    return value, text.strip() if isinstance(text, str) else ""


def dimension_of(text: str) -> str:
    """A readable dimension: its name where we have one ('energy'), else pint's ('[mass] / [time]')."""
    dims = _as_quantity(text).dimensionality
    for name, spec in DIMENSIONS.items():
        if dims == ureg.get_dimensionality(spec):
            return name
    return str(dims) or "dimensionless"


@lru_cache(maxsize=4096)
def check_dimension(text: str, expected: str, what: str = "value") -> None:
    """Raise UnitError unless `text` has the named dimension (a key of DIMENSIONS)."""
    want = ureg.get_dimensionality(DIMENSIONS[expected]) if DIMENSIONS[expected] else ureg.get_dimensionality("")
    got = _as_quantity(text).dimensionality
    if got != want:
        raise UnitError(key="core_unit_dimension", params={"what": what, "unit": text, "dimension": dimension_of(text),
                                                          "expected": expected})


@lru_cache(maxsize=4096)
def multiplier(from_unit: str, to_unit: str) -> float:
    """The plain float m such that x [from_unit] == x*m [to_unit]. Raises UnitError on mismatch."""
    src = _as_quantity(from_unit)
    dst = _as_quantity(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(key="unit_not_convertible", params={"from_unit": from_unit, "from_dim": dimension_of(from_unit),
                                                            "to_unit": to_unit, "to_dim": dimension_of(to_unit)})
    return float((src / dst).to("dimensionless").magnitude)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * multiplier(from_unit, to_unit)
