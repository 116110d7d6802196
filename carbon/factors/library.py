"""The emission-factor library: cited data rows loaded from `emission_factors/`, checked at load time.

Every row carries value, unit, gas, source document, table, edition, validity and a (factor_id,
version) pair. Loading parses every unit with pint, checks its dimension against the parameter
catalogue (`emission_factors/parameters/*.csv`), recomputes derived factors (EF = CC × OF × 44/12 for
fuels) and fails loudly on any problem. Values are converted once, here, to canonical magnitudes:
calculators see plain floats with known units.

Resolution picks, for (parameter, category, item, region, year), the most specific row:
local (地方实测) before default, region-specific before general, the chosen profile (IPCC2006 or CN)
before the other, exact item before '*', longest category scope, then the highest version. A parameter
missing from the chosen profile falls back to the other profile, and the result records which row.

The default profile is CN (``DEFAULT_PROFILE``, issue 12 item 2 "Chinese defaults first"): China's statistical
NCVs and the provincial guideline's carbon contents, oxidation rates and regional factors, with IPCC 2006
filling the gaps. ``profiles_of_refs`` names the profile(s) of the rows a result used.

Verification (``emission_factors/verification/*.csv``) is data about rows, not rows: one line per
(factor_id, version) checked against its document, with status verified|unverified, document, table, page and
date. A row without a line is unverified. The files are append-only (a re-check is a new line with a later
``checked_on``, the latest wins), so a factor row is never edited and its ref never changes for a note.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carbon.core import messages, units
from carbon.core.errors import CarbonError, FactorError, ImportRejected, RowError, UnitError
from carbon.core.gases import gwp_table
from carbon.core.resources import data_dir
from carbon.factors.legacy_scopes import file_key, legacy_scope

FACTOR_DIR = data_dir("emission_factors")  # emission_factors/ (carbon/_data/emission_factors in a wheel)
PROFILES = ("IPCC2006", "CN")
DEFAULT_PROFILE = "CN"  # China's defaults first; IPCC 2006 fills the gaps
REQUIRED_COLUMNS = (
    "factor_id", "version", "profile", "scope", "item", "parameter", "gas", "value", "unit",
    "source", "source_table", "edition", "valid_from", "valid_to",
)
DERIVED_TOLERANCE = 0.005  # relative; a stored EF further than this from CC × OF × 44/12 is an error


@dataclass(frozen=True)
class FactorRow:
    factor_id: str
    version: int
    profile: str
    scope: str  # category code prefix this row applies to ('1.A', '1.A.1.a', or '*')
    item: str  # item code or '*'
    parameter: str
    gas: str
    value: float
    unit: str
    source: str
    source_table: str
    edition: str
    valid_from: int | None
    valid_to: int | None
    uncertainty_pct: float | None = None
    note: str = ""
    basis: str = "default"  # 'default' (library) or 'local' (地方实测)
    region: str | None = None
    year: int | None = None
    file: str = ""

    @property
    def ref(self) -> str:
        return f"{self.factor_id}@v{self.version}"

    def quantity(self):
        return self.value * units.parse_unit(self.unit)

    def applies_to(self, category: str, item: str, region: str | None, year: int | None) -> bool:
        if self.item not in ("*", item):
            return False
        if self.scope != "*" and category != self.scope and not category.startswith(self.scope + "."):
            return False
        if self.region is not None and self.region != region:
            return False
        if year is not None:
            if self.year is not None and self.year != year:
                return False
            if self.valid_from is not None and year < self.valid_from:
                return False
            if self.valid_to is not None and year > self.valid_to:
                return False
        return True


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    dimensions: tuple[str, ...]
    name_zh: str
    description: str
    plausible: tuple[float | None, float | None, str] | None = None  # (min, max, unit) — a value outside is an error

    def check_plausible(self, value: float, unit: str, what: str) -> None:
        if self.plausible is None:
            return
        lo, hi, punit = self.plausible
        v = units.convert(value, unit, punit)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise FactorError(key="factor_implausible", params={
                "what": what, "name": self.name, "value": v, "unit": punit,
                "lo": lo if lo is not None else '-inf', "hi": hi if hi is not None else 'inf'})


@lru_cache(maxsize=4)
def load_parameter_catalogue(root: Path = FACTOR_DIR) -> dict[str, ParameterSpec]:
    specs: dict[str, ParameterSpec] = {}
    for path in sorted((root / "parameters").glob("*.csv")):
        for row in _read_csv(path.read_text(encoding="utf-8")):
            dims = tuple(d.strip() for d in row["dimensions"].split("|"))
            for d in dims:
                if d not in units.DIMENSIONS:
                    raise FactorError(key="factor_unknown_dimension",
                                      params={"file": path.name, "parameter": row["parameter"], "dimension": d})
            plausible = None
            if row.get("plausible_unit"):
                plausible = (_opt_float(row.get("plausible_min", "")), _opt_float(row.get("plausible_max", "")), row["plausible_unit"])
            if row["parameter"] in specs:
                raise FactorError(key="factor_parameter_declared_twice",
                                  params={"file": path.name, "parameter": row["parameter"]})
            specs[row["parameter"]] = ParameterSpec(row["parameter"], dims, row.get("name_zh", ""), row.get("description", ""), plausible)
    return specs


def _read_csv(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [{k.strip(): (v or "").strip() for k, v in r.items() if k is not None} for r in csv.DictReader(lines)]


def _opt_int(text: str) -> int | None:
    return int(text) if text else None


def _opt_float(text: str) -> float | None:
    return float(text) if text else None


def check_unit(parameter: str, unit: str, *, what: str, catalogue: dict[str, ParameterSpec]) -> None:
    """Raise UnitError unless `unit` parses and has one of the parameter's dimensions."""
    spec = catalogue.get(parameter)
    if spec is None:
        raise FactorError(key="factor_unknown_parameter", params={"what": what, "parameter": parameter}, field="parameter")
    if any(_has_dim(unit, dim) for dim in spec.dimensions):  # memoised per (unit, dimension): no error built per row
        return
    errors = []
    for dim in spec.dimensions:
        try:
            units.check_dimension(unit, dim, what)
            return
        except UnitError as exc:
            errors.append(exc)
    if len(spec.dimensions) == 1:
        raise errors[0]
    raise UnitError(key="factor_unit_dimensions", params={"what": what, "unit": unit, "dimension": units.dimension_of(unit),
                                                         "expected": ", ".join(spec.dimensions)}, field="unit")


class FactorLibrary:
    """An immutable set of factor rows with lookup. `with_local()` returns a new library."""

    def __init__(self, rows: list[FactorRow], *, fingerprint: str, profile: str = DEFAULT_PROFILE):
        if profile not in PROFILES:
            raise FactorError(key="factor_unknown_profile", params={"profile": profile, "known": ", ".join(PROFILES)})
        self.rows = rows
        self.fingerprint = fingerprint
        self.profile = profile
        self._by_key: dict[tuple[str, str], list[FactorRow]] = {}
        for r in rows:
            self._by_key.setdefault((r.parameter, r.item), []).append(r)
        self._cache: dict = {}
        self.memo: dict = {}  # per-library cache for calculators (e.g. the engine's coefficients)
        # the regions some row applies to alone: only there can a coefficient differ from the other regions'
        self.regions = frozenset(r.region for r in rows if r.region is not None)

    @property
    def regional(self) -> bool:
        """True when some row applies to one region only: coefficients then differ by region."""
        return bool(self.regions)

    def with_profile(self, profile: str) -> FactorLibrary:
        return FactorLibrary(self.rows, fingerprint=self.fingerprint, profile=profile)

    def with_local(self, local_rows: list[FactorRow], local_fingerprint: str) -> FactorLibrary:
        return FactorLibrary(self.rows + local_rows, fingerprint=f"{self.fingerprint}+{local_fingerprint}", profile=self.profile)

    def by_ref(self, ref: str) -> FactorRow:
        for r in self.rows:
            if r.ref == ref:
                return r
        raise FactorError(key="factor_row_not_found", params={"ref": ref})

    def _preference(self, r: FactorRow) -> tuple:
        profile_rank = 0 if r.profile == self.profile or r.basis == "local" else 1 + PROFILES.index(r.profile)
        return (
            r.basis != "local",
            r.region is None,
            r.year is None,
            profile_rank,
            r.item == "*",
            -len(r.scope) if r.scope != "*" else 0,
            -r.version,
        )

    def candidates(self, parameter: str, category: str, item: str, region: str | None = None, year: int | None = None) -> list[FactorRow]:
        key = (parameter, category, item, region, year)
        hit = self._cache.get(key)
        if hit is None:
            rows = self._by_key.get((parameter, item), []) + self._by_key.get((parameter, "*"), [])
            hit = sorted((r for r in rows if r.applies_to(category, item, region, year)), key=self._preference)
            self._cache[key] = hit
        return hit

    def resolve(self, parameter: str, category: str, item: str, region: str | None = None, year: int | None = None,
                dims: tuple[str, ...] | None = None) -> FactorRow | None:
        """The preferred row, or None. With `dims`, only rows whose unit has one of those dimensions."""
        for r in self.candidates(parameter, category, item, region, year):
            if dims is None or any(_has_dim(r.unit, d) for d in dims):
                return r
        return None


@lru_cache(maxsize=4096)
def _has_dim(unit: str, dim: str) -> bool:
    try:
        units.check_dimension(unit, dim)
        return True
    except UnitError:
        return False


def _parameter_value(value: float, unit: str | None, parameter: str,
                     catalogue: dict[str, ParameterSpec]) -> tuple[float, str]:
    """(value, unit) of a parameter as given, with a dimensionless spelling (1, blank, -, %, ‰, dimensionless,
    无量纲) turned into a plain fraction with unit "dimensionless" when the parameter may be dimensionless.
    Otherwise unchanged: a blank or "1" unit of a parameter with a dimension is then reported by check_unit."""
    spec = catalogue.get(parameter)
    text = (unit or "").strip()
    if not units.is_fraction_unit(text):
        return value, text
    if spec is None or any(not units.DIMENSIONS[d] for d in spec.dimensions):
        return units.normalise_fraction(value, text)
    # a parameter with a dimension: keep a blank blank; "%", "1" ... as pint reads them, for the dimension message
    return value, units.dimensionless_spelling(text) if text else ""


def parse_factor_file(path: Path, catalogue: dict[str, ParameterSpec]) -> list[FactorRow]:
    text = path.read_text(encoding="utf-8")
    rows = _read_csv(text)
    if rows:
        missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
        if missing:
            raise FactorError(key="factor_missing_columns", params={"file": path.name, "columns": ", ".join(missing)})
    out: list[FactorRow] = []
    gases = gwp_table()
    name = path.relative_to(path.parents[1]) if len(path.parents) > 1 else path.name
    for i, r in enumerate(rows, start=2):
        shown = f"({r.get('factor_id')}, {r.get('parameter')}={r.get('value')} {r.get('unit')})"
        where, where_zh = f"{name} line {i} {shown}", f"{name} 第 {i} 行 {shown}"
        try:
            if r["profile"] not in PROFILES:
                raise FactorError(key="factor_row_unknown_profile", params={"profile": r["profile"]})
            # a dimensionless parameter written 1, blank, %, ‰ or 无量纲 becomes a plain fraction (94 % -> 0.94)
            # before its checks, so the plausible range applies to the converted value
            value, r["unit"] = _parameter_value(float(r["value"]), r["unit"], r["parameter"], catalogue)
            check_unit(r["parameter"], r["unit"], what=where, catalogue=catalogue)
            catalogue[r["parameter"]].check_plausible(value, r["unit"], where)
            gas = r["gas"]
            if gas:
                gas = gases.species(gas)
            for col in ("source", "source_table", "edition"):
                if not r[col]:
                    raise FactorError(key="factor_row_uncited", params={"column": col})
            out.append(FactorRow(
                factor_id=r["factor_id"], version=int(r["version"]), profile=r["profile"],
                scope=legacy_scope(file_key(path), r["scope"] or "*", gas),  # old 4.*/5.* files: IPCC 2006 codes
                item=r["item"] or "*", parameter=r["parameter"], gas=gas, value=value, unit=r["unit"],
                source=r["source"], source_table=r["source_table"], edition=r["edition"],
                valid_from=_opt_int(r["valid_from"]), valid_to=_opt_int(r["valid_to"]),
                uncertainty_pct=_opt_float(r.get("uncertainty_pct", "")), note=r.get("note", ""),
                file=path.name,
            ))
        except (ValueError, KeyError) as exc:
            raise FactorError(f"{where}: {exc}", key="factor_row_unparsed",
                              params={"where": where_zh, "reason": str(exc)}) from exc
        except (FactorError, UnitError) as exc:
            raise _located(exc, where, where_zh) from exc
    return out


def _located(exc: FactorError | UnitError, where: str, where_zh: str) -> FactorError:
    """``exc`` of a factor row, as a FactorError that names the row: the English as before (``where: message``, or the
    message alone when it already starts with ``where``); the Chinese names the row in Chinese (``where_zh``)."""
    if exc.message.startswith(where):
        if exc.key and "what" in exc.params:  # the check was given ``where``: give it the Chinese location instead
            return FactorError(exc.message, key=exc.key, params={**exc.params, "what": where_zh})
        return FactorError(exc.message, key="factor_row_at", params={"where": where_zh,
                                                                     "reason": exc.text("zh").removeprefix(where + ": ")})
    return FactorError(f"{where}: {exc.message}", key="factor_row_at", params={"where": where_zh, "reason": exc.text("zh")})


def check_derived(rows: list[FactorRow], lang: str = "en") -> list[str]:
    """Recompute derived factors and return one message per stored mismatch (in ``lang``).

    Fuels: ef_CO2 (mass/energy) = carbon_content × oxidation × 44/12, for rows of the same profile,
    scope, item and edition.
    """
    problems = []
    groups: dict[tuple, dict[str, FactorRow]] = {}
    for r in rows:
        groups.setdefault((r.profile, r.scope, r.item, r.edition, r.basis), {})[r.parameter] = r
    for key, params in groups.items():
        ef, cc, of = params.get("ef_CO2"), params.get("carbon_content"), params.get("oxidation")
        if ef and cc and of and _has_dim(ef.unit, "mass/energy"):
            derived = (cc.quantity() * of.quantity() * 44 / 12).to("t/TJ").magnitude
            stored = ef.quantity().to("t/TJ").magnitude
            if abs(stored - derived) > DERIVED_TOLERANCE * abs(derived):
                problems.append(messages.text("factor_derived_line", lang, file=ef.file, ref=ef.ref, item=ef.item,
                                              stored=stored, derived=derived, cc=cc.ref, of=of.ref))
    return problems


def load_library(root: Path = FACTOR_DIR, profile: str = DEFAULT_PROFILE) -> FactorLibrary:
    return _load_library_cached(root).with_profile(profile)


@lru_cache(maxsize=4)
def _load_library_cached(root: Path) -> FactorLibrary:
    catalogue = load_parameter_catalogue(root)
    rows: list[FactorRow] = []
    digest = hashlib.sha256()
    files = sorted(p for p in root.rglob("*.csv") if p.parent.name not in NOT_FACTOR_DIRS)
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
        rows.extend(parse_factor_file(path, catalogue))
    seen: dict[tuple[str, int], FactorRow] = {}
    for r in rows:
        if (r.factor_id, r.version) in seen:
            raise FactorError(key="factor_duplicate",
                              params={"ref": r.ref, "file": r.file, "other": seen[(r.factor_id, r.version)].file})
        seen[(r.factor_id, r.version)] = r
    problems = check_derived(rows)
    if problems:
        raise FactorError("derived factor mismatch:\n" + "\n".join(problems), key="factor_derived_mismatch",
                          params={"problems": "\n".join(check_derived(rows, "zh"))})
    return FactorLibrary(rows, fingerprint=digest.hexdigest()[:12])


# --- which profile a result came from, and whether its defaults were verified ------------------------------

def _split_refs(refs) -> list[str]:
    return [] if refs is None or refs != refs else [p for p in str(refs).split(";") if p]


@lru_cache(maxsize=4)
def _bundled_rows_by_ref(root: Path = FACTOR_DIR) -> dict[str, FactorRow]:
    return {r.ref: r for r in _load_library_cached(root).rows}


def profiles_of_refs(refs: str, root: Path = FACTOR_DIR) -> str:
    """The profile(s) of the library rows among ``refs`` (a ``factor_refs`` string, ';'-separated), sorted and
    ';'-joined: 'CN', 'IPCC2006' or 'CN;IPCC2006' (the other profile filled a gap). Local rows (地方实测) belong
    to no profile (the ``basis`` column shows them) and refs not in the bundled library are left out."""
    by_ref = _bundled_rows_by_ref(root)
    return ";".join(sorted({by_ref[p].profile for p in _split_refs(refs) if p in by_ref and by_ref[p].basis != "local"}))


def profile_column(factor_refs) -> list[str]:
    """``profiles_of_refs`` for a column of factor_refs strings (few distinct values: memoised per string)."""
    memo: dict = {}
    out = []
    for refs in factor_refs:
        key = "" if refs is None or refs != refs else str(refs)
        if key not in memo:
            memo[key] = profiles_of_refs(key)
        out.append(memo[key])
    return out


VERIFICATION_DIR = "verification"
NOT_FACTOR_DIRS = ("parameters", "gwp", "uncertainty", VERIFICATION_DIR)
VERIFICATION_COLUMNS = ("factor_id", "version", "status", "document", "table", "page", "checked_on")
VERIFICATION_STATUSES = ("verified", "unverified")


@dataclass(frozen=True)
class Verification:
    factor_id: str
    version: int
    status: str  # verified | unverified
    document: str
    table: str
    page: str
    checked_on: str  # ISO date
    note: str = ""
    file: str = ""

    @property
    def ref(self) -> str:
        return f"{self.factor_id}@v{self.version}"

    @property
    def citation(self) -> str:
        return ", ".join(p for p in (self.document, self.table, self.page) if p)


@lru_cache(maxsize=4)
def load_verification(root: Path = FACTOR_DIR) -> dict[str, Verification]:
    """The latest verification line per factor ref from ``emission_factors/verification/*.csv``.

    Every line must name an existing (factor_id, version); a 'verified' line must cite document, table and page
    or section; the latest ``checked_on`` wins (same date: the later file). Fails loudly like the factor files."""
    by_ref = _bundled_rows_by_ref(root)
    out: dict[str, Verification] = {}
    for path in sorted((root / VERIFICATION_DIR).glob("*.csv")):
        rows = _read_csv(path.read_text(encoding="utf-8"))
        if rows:
            missing = [c for c in VERIFICATION_COLUMNS if c not in rows[0]]
            if missing:
                raise FactorError(key="factor_missing_columns", params={"file": path.name, "columns": ", ".join(missing)})
        for i, r in enumerate(rows, start=2):
            where = {"file": path.name, "line": i, "ref": f"{r.get('factor_id')}@v{r.get('version')}"}
            try:
                v = Verification(factor_id=r["factor_id"], version=int(r["version"]), status=r["status"],
                                 document=r["document"], table=r["table"], page=r["page"], checked_on=r["checked_on"],
                                 note=r.get("note", ""), file=path.name)
            except (KeyError, ValueError) as exc:
                raise FactorError(key="factor_verification_unparsed", params={**where, "reason": str(exc)}) from exc
            if v.status not in VERIFICATION_STATUSES:
                raise FactorError(key="factor_verification_status",
                                  params={**where, "known": ", ".join(VERIFICATION_STATUSES)})
            if v.ref not in by_ref:
                raise FactorError(key="factor_verification_unknown_row", params={**where, "row": v.ref})
            if v.status == "verified" and not (v.document and v.table and v.page):
                raise FactorError(key="factor_verification_uncited", params=where)
            if len(v.checked_on) != 10 or v.checked_on[4] != "-" or v.checked_on[7] != "-":
                raise FactorError(key="factor_verification_date", params=where)
            old = out.get(v.ref)
            if old is None or v.checked_on >= old.checked_on:
                out[v.ref] = v
    return out


def is_verified(ref: str, root: Path = FACTOR_DIR) -> bool:
    v = load_verification(root).get(ref)
    return v is not None and v.status == "verified"


def unverified_defaults(refs, root: Path = FACTOR_DIR) -> list[str]:
    """The library (default-basis) rows among ``refs`` that are not verified; local rows and refs unknown to
    the bundled library (a plant's measured value, a local file) are not defaults and are left out."""
    by_ref = _bundled_rows_by_ref(root)
    return sorted(p for p in set(_split_refs(refs))
                  if p in by_ref and by_ref[p].basis != "local" and not is_verified(p, root))


# The gas a parameter is specific to (for provenance per gas); parameters not listed serve all gases.
PARAMETER_GAS = {"carbon_content": "CO2", "oxidation": "CO2", "ef_CO2": "CO2", "ef_CH4": "CH4", "ef_N2O": "N2O",
                 "ch4_mining": "CH4", "ch4_post_mining": "CH4", "ch4_density": "CH4", "ef_enteric": "CH4",
                 "ef_manure_CH4": "CH4", "doc": "CH4", "docf": "CH4", "mcf": "CH4", "k": "CH4", "f": "CH4", "ox": "CH4"}

LOCAL_COLUMNS = ("category", "item", "parameter", "value", "unit")


def parse_local_factors(content: bytes | str, *, name: str, resolve_category, resolve_item, resolve_region) -> tuple[list[FactorRow], str]:
    """Parse a local-parameter CSV (地方实测): columns category, item, parameter, value, unit and optional
    region, year, source. All or nothing: raises ImportRejected listing every bad row.

    `resolve_*` map user spellings (code or Chinese name) to codes and raise ValidationError otherwise.
    """
    from carbon.core.tabular import canonical_columns, decode_text, require_columns

    text = decode_text(content, what=name) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    fingerprint = "local-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    catalogue = load_parameter_catalogue()
    reader = csv.DictReader(io.StringIO(text))
    # English headers or Chinese ones (类别 项目 参数 数值 单位 地区 年份 来源)
    header = canonical_columns(reader.fieldnames or [], "factors")
    reader.fieldnames = header
    require_columns(header, LOCAL_COLUMNS, "factors", what=f"local factors {name}")
    errors: list[RowError] = []
    rows: list[FactorRow] = []
    for n, raw in enumerate(reader, start=2):
        r = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        written_unit = r.get("unit", "")
        bad = len(errors)
        try:
            category = resolve_category(r["category"])
        except Exception as exc:  # noqa: BLE001 - collected into the row report
            errors.append(_row_error(n, "category", exc, r["category"]))
        try:
            item = resolve_item(r["item"]) if r["item"] not in ("", "*") else "*"
        except Exception as exc:  # noqa: BLE001
            errors.append(_row_error(n, "item", exc, r["item"]))
        value = None
        try:
            value = float(r["value"])
        except ValueError:
            errors.append(RowError.keyed(n, "value", "factor_local_not_number", r["value"]))
        if r["parameter"] not in catalogue:
            errors.append(RowError.keyed(n, "parameter", "factor_local_unknown_parameter", r["parameter"],
                                         known=", ".join(sorted(catalogue))))
        else:
            # a dimensionless parameter may be written 1, blank, %, ‰, dimensionless or 无量纲: converted to a plain
            # fraction first (94 % -> 0.94), so the plausible range applies to the converted value
            converted, r["unit"] = _parameter_value(0.0 if value is None else value, written_unit, r["parameter"], catalogue)
            value = None if value is None else converted
            what = f"{r['parameter']} {r['value']}{' ' + written_unit if written_unit else ''}"
            try:
                if not r["unit"]:
                    raise UnitError(key="factor_local_empty_unit", params={
                        "what": what, "parameter": r["parameter"],
                        "expected": " or ".join(catalogue[r["parameter"]].dimensions)})
                check_unit(r["parameter"], r["unit"], what=what, catalogue=catalogue)
                try:
                    if value is not None:  # a value that is not a number is reported on the value column
                        catalogue[r["parameter"]].check_plausible(value, r["unit"], what)
                except FactorError as exc:
                    if r["unit"] == "dimensionless" and value > 1 and units.dimensionless_spelling(written_unit) == "dimensionless":
                        raise FactorError(key="factor_implausible_percent", params=exc.params) from None
                    raise
            except (UnitError, FactorError) as exc:
                errors.append(RowError.of(n, "unit", exc, written_unit))
        region = None
        if r.get("region"):
            try:
                region = resolve_region(r["region"])
            except Exception as exc:  # noqa: BLE001
                errors.append(_row_error(n, "region", exc, r["region"]))
        year = None
        if r.get("year"):
            try:
                year = int(r["year"])
            except ValueError:
                errors.append(RowError.keyed(n, "year", "factor_local_not_year", r["year"]))
        if len(errors) > bad:
            continue
        gas = PARAMETER_GAS.get(r["parameter"], "")
        rows.append(FactorRow(
            factor_id=f"{fingerprint}:{n}", version=1, profile="CN", scope=category, item=item,
            parameter=r["parameter"], gas=gas, value=value, unit=r["unit"], source=r.get("source") or f"local file {name}",
            source_table=f"{name} row {n}", edition=fingerprint, valid_from=None, valid_to=None,
            basis="local", region=region, year=year, file=name,
        ))
    if errors:
        raise ImportRejected(errors=errors, what=f"local factors {name}")
    return rows, fingerprint


def _row_error(row: int, column: str, exc: Exception, value: str) -> RowError:
    """The row error of a cell a resolver refused (a domain error keeps its message key)."""
    return RowError.of(row, column, exc, value) if isinstance(exc, CarbonError) else RowError(row, column, str(exc), value)

