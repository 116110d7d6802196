"""Greenhouse gases, their families, and CO2-equivalence under a named GWP-100 set.

CO2e is a pure function of (gas masses, GWP set): no pint contexts (not thread-safe), no silent NaN or
zero. A species without a value in the chosen set (NF3 or HFC-245fa under SAR) raises GWPError.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from carbon.core.errors import GWPError, ValidationError
from carbon.core.resources import data_dir

GWP_SETS = ("SAR", "AR4", "AR5", "AR6")
CH4_AR6_VARIANTS = ("combined", "split")  # AR6: 27.9 for all CH4, or fossil 29.8 / non-fossil 27.0
FAMILIES = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")  # the seven gases

GWP_DIR = data_dir("emission_factors") / "gwp"


def _edition_number(path: Path) -> int:
    m = re.fullmatch(r"gwp100_v(\d+)", path.stem)
    if m is None:
        raise ValidationError(key="core_gwp_file_name", params={"name": path.name})
    return int(m.group(1))


# The editions, oldest first: gwp100_v1.csv, gwp100_v2.csv, ... A later edition adds (species, set) pairs or
# replaces one (a correction); no file is ever edited. The edition recorded with a result is the latest.
GWP_FILES = tuple(sorted(GWP_DIR.glob("gwp100_v*.csv"), key=_edition_number))
GWP_FILE = GWP_FILES[0]
GWP_EDITION = GWP_FILES[-1].stem


def _key(name: str) -> str:
    """Comparison key for a species name: case-insensitive, hyphens/spaces/underscores ignored."""
    return re.sub(r"[\s\-_]", "", name).upper()


@dataclass(frozen=True)
class GWPTable:
    values: dict[tuple[str, str], float]  # (species, gwp_set) -> value
    family: dict[str, str]  # species -> family
    by_key: dict[str, str]  # _key(species) -> canonical species
    edition: str

    def species(self, name: str) -> str:
        """Canonical species name for a user spelling ('HFC134a', 'hfc-134a' -> 'HFC-134a')."""
        if not isinstance(name, str):
            raise ValidationError(key="core_gas_not_string", params={"name": name}, field="gas")
        canon = self.by_key.get(_key(name))
        if canon is None:
            raise ValidationError(key="core_unknown_gas", params={"name": name}, field="gas")
        return canon

    def value(self, species: str, gwp_set: str, *, ch4_ar6: str = "combined", fossil: bool = False) -> float:
        check_gwp_set(gwp_set, ch4_ar6)
        sp = self.species(species)
        if sp == "CH4" and gwp_set == "AR6" and ch4_ar6 == "split":
            sp = "CH4-fossil" if fossil else "CH4-non-fossil"
        try:
            return self.values[(sp, gwp_set)]
        except KeyError:
            raise GWPError(key="core_gwp_missing", params={"species": sp, "gwp_set": gwp_set}, field="gwp_set") from None


def check_gwp_set(gwp_set: str, ch4_ar6: str = "combined") -> None:
    if gwp_set not in GWP_SETS:
        raise ValidationError(key="unknown_gwp_set", params={"value": gwp_set, "known": ", ".join(GWP_SETS)},
                              field="gwp_set")
    if ch4_ar6 not in CH4_AR6_VARIANTS:
        raise ValidationError(key="core_unknown_ch4_variant", params={"value": ch4_ar6}, field="ch4_ar6")


@lru_cache(maxsize=4)
def load_gwp_table(paths: Path | tuple[Path, ...] = GWP_FILES) -> GWPTable:
    """The GWP table of one file, or of several editions read in order (a later one adds or replaces pairs)."""
    paths = (paths,) if isinstance(paths, Path) else tuple(paths)
    values: dict[tuple[str, str], float] = {}
    family: dict[str, str] = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(line for line in fh if not line.startswith("#")):
                sp, gset = row["species"], row["gwp_set"]
                if gset not in GWP_SETS:
                    raise ValidationError(key="core_gwp_file_unknown_set", params={"name": path.name, "gwp_set": gset, "species": sp})
                if family.get(sp, row["family"]) != row["family"]:
                    raise ValidationError(key="core_gwp_family_changed", params={"name": path.name, "species": sp,
                                                                      "family": row["family"], "earlier": family[sp]})
                values[(sp, gset)] = float(row["value"])
                family[sp] = row["family"]
    by_key = {_key(sp): sp for sp in family if sp not in ("CH4-fossil", "CH4-non-fossil")}
    return GWPTable(values=values, family=family, by_key=by_key, edition=paths[-1].stem)


def gwp_table() -> GWPTable:
    return load_gwp_table()


def canonical_gas(name: str) -> str:
    return gwp_table().species(name)


def family_of(species: str) -> str:
    t = gwp_table()
    return t.family[t.species(species)]


def gwp(species: str, gwp_set: str, *, ch4_ar6: str = "combined", fossil: bool = False) -> float:
    return gwp_table().value(species, gwp_set, ch4_ar6=ch4_ar6, fossil=fossil)


def co2e(mass, gas, gwp_set: str, *, ch4_ar6: str = "combined", fossil=False) -> np.ndarray:
    """CO2-equivalent of gas masses: mass × GWP-100(gas, set), elementwise.

    `mass` is a float array (any mass unit: the result is in the same unit), `gas` an array of species
    names of the same length (or one name), `fossil` a bool array (or bool) used only for AR6 split CH4.
    Raises GWPError if any species has no value in the set; never returns NaN for a missing value.
    """
    check_gwp_set(gwp_set, ch4_ar6)
    mass = np.asarray(mass, dtype=float)
    gas_arr = np.broadcast_to(np.asarray(gas, dtype=object), mass.shape)
    fossil_arr = np.broadcast_to(np.asarray(fossil, dtype=bool), mass.shape)
    factors = np.empty(mass.shape, dtype=float)
    if mass.size == 0:
        return factors
    uniq, inverse = np.unique(np.stack([gas_arr.astype(str), fossil_arr.astype(str)]).T.reshape(-1, 2), axis=0, return_inverse=True)
    lookup = np.array([gwp(g, gwp_set, ch4_ar6=ch4_ar6, fossil=(f == "True")) for g, f in uniq])
    factors = lookup[inverse.reshape(-1)].reshape(mass.shape)
    return mass * factors
