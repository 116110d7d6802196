"""Category scopes of the factor files written before the IPCC 2006 recode (issue 12), mapped at load.

Until then the catalogue coded forestry 4.* (1996 style: 4.A.1 growth, 4.A.2 wood removals, 4.B.1 forest
conversion, 4.B.2 its on-site burning) and waste 5.*. The factor files of that time carry those codes in their
``scope`` column, and they are never edited in place. Two ways were open: a new edition of each file (every row
a new version with the new scope), or mapping the old scopes when the files are read. This module does the
second, because:

- a scope is where a row applies, not what the factor is: value, unit, source, table and edition are unchanged,
  and a new version of every row would change every ``factor_refs`` (``@v1`` -> ``@v2``) of every result for no
  change in any number, and leave published inventories citing rows marked superseded;
- the old files could not stay beside new editions: under the new codes their scopes mean something else
  (``4`` is waste, and the forest-fire ``ef_CH4`` of ``4.B.2`` would sit where IPCC 2006 puts anaerobic
  digestion), so a new edition would have meant deleting the cited v1 files;
- mapped at load, the files stay byte-identical (same fingerprint, same refs), the mapping is written once here
  for a closed list of files (every file written after the recode uses IPCC 2006 codes: they are not listed and
  not touched), and tests/inventory/test_codes.py checks that every scope, mapped, names a catalogue category.

Migration 0007 recodes the stored copies in ``emission_factors.scope`` the same way (default rows of these files
and local rows alike), so ``carbon.factors.service.check_refs`` keeps finding file and stored copy equal.
"""

from __future__ import annotations

from pathlib import Path

# <directory>/<file name> under emission_factors/ of every file written in the old codes
LEGACY_FILES = frozenset({
    "lulucf/ipcc2006_lulucf_v1.csv",
    "waste/cn2011_incineration_v1.csv",
    "waste/ipcc2006_incineration_v1.csv",
    "waste/ipcc2006_landfill_v1.csv",
    "waste/ipcc2006_wastewater_v1.csv",
    "uncertainty/ipcc2006_defaults_v1.csv",
})

# old forestry scope -> IPCC 2006 scope. 4 (all forestry parameters: carbon fraction, root-shoot ratio, wood
# density, BEF) -> 3.B land; 4.A (forest and other woody biomass) -> 3.B.1.a forest land remaining forest land;
# 4.B (forest conversion: B_before, also the fuel of its on-site burning, which looks it up at the conversion,
# see carbon.inventory.calc.lulucf) -> 3.B; 4.B.1 -> 3.B.5.b.i; 4.B.2 (burning: C_f, G_ef) -> 3.C.1.d.
FORESTRY = {"4": "3.B", "4.A": "3.B.1.a", "4.A.1": "3.B.1.a", "4.A.2": "3.B.1.a", "4.B": "3.B",
            "4.B.1": "3.B.5.b.i", "4.B.2": "3.C.1.d"}
# by gas, where the old scope 4 held fire factors (the uncertainty defaults' 4/CH4 and 4/N2O rows)
FORESTRY_BY_GAS = {("4", "CH4"): "3.C.1.d", ("4", "N2O"): "3.C.1.d"}


def file_key(path: Path) -> str:
    """'lulucf/ipcc2006_lulucf_v1.csv' for a file under emission_factors/ (or a copy of that tree)."""
    return f"{path.parent.name}/{path.name}"


def recode_scope(scope: str, gas: str | None = None) -> str:
    """An old scope in IPCC 2006 codes: forestry 4.* as FORESTRY, waste 5.* -> 4.*; anything else unchanged."""
    if gas and (scope, gas) in FORESTRY_BY_GAS:
        return FORESTRY_BY_GAS[(scope, gas)]
    if scope in FORESTRY:
        return FORESTRY[scope]
    if scope == "5" or scope.startswith("5."):
        return "4" + scope[1:]
    return scope


def legacy_scope(key: str, scope: str, gas: str | None = None) -> str:
    """The scope of a row of the file ``key`` (see file_key) in IPCC 2006 codes: recoded for the legacy files,
    as written for every other file."""
    return recode_scope(scope, gas) if key in LEGACY_FILES else scope
