"""Pure reconciliation of an inventory with its key emitters (frames in, rows and findings out; no session).

Inputs
------
``inventory``: one row per region × category with ``region`` (6-digit code), ``category`` (IPCC 2006 code) and
``co2e_t`` (territorial, memo items excluded), as stored for a compiled inventory.

``emitters``: one row per emitter with ``uscc``, ``name``, ``industry``, ``region`` (6-digit code or empty) and
``verified_t`` (the concluded verification's verified emissions, t CO2).

``mapping``: rows of ``data/emitter_categories.csv`` (``industry``, ``uscc``, ``categories`` — codes separated
by ``;`` — and ``note``); a ``uscc`` row wins over its emitter's industry row.

Output
------
``rows``: one per banner × scope (a scope is the ';'-joined category set of a mapping row, e.g. ``1.A.2;2.A.1``)
for every scope of the mapping in every banner that has an inventory figure or an emitter, plus the city
(``150600``) roll-up (the inventory's own city rows when it has them, as stored results do; else the banners'
sum): ``inventory_t`` (the inventory's sum over the scope's codes and their sub-categories),
``emitters_t``, ``n_emitters``, ``coverage`` (emitters / inventory; 0.0 when no emitter, None when the inventory
is 0) and ``status`` (``ok``, ``exceeds``, ``no_emitters``, ``no_inventory``).

``findings`` (dicts with ``kind``, ``region``, ``scope``, ``uscc``, ``message``, figures):

- ``emitters_exceed_inventory``: the emitters' verified sum passes the inventory's figure of their scope by
  more than the tolerance (``rel_tol`` of the inventory figure, at least ``abs_tol_t``);
- ``missing_mapping``: an emitter whose industry has no mapping row and no uscc override (its tonnes are in
  no row);
- ``missing_region``: an emitter without a banner (empty region or a region that is not a banner of the city);
- ``unknown_category``: a mapping code the inventory catalogue does not know (when ``known_categories`` is
  given).

Scopes may overlap (cement and steel both include 1.A.2): each row compares the emitters of one scope with the
whole inventory figure of that scope, so coverage shares are per row and are not to be summed across rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from carbon.core import messages

CITY = "150600"
REL_TOL = 0.005  # 0.5 %: rounding of verified whole tonnes and of factor editions
ABS_TOL_T = 1.0
MAPPING_COLUMNS = ("industry", "uscc", "categories", "note")


@dataclass
class Reconciliation:
    rows: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["region", "scope", "categories", "inventory_t", "emitters_t",
                                                "n_emitters", "coverage", "status"])


class MappingError(ValueError):
    """A mapping CSV that cannot be read: ``key`` and ``params`` name its message (carbon/reconcile/messages.py)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(messages.text(key, "en", **params))


def read_mapping(text: str) -> pd.DataFrame:
    """Parse a mapping CSV (lines starting with '#' are comments). Raises MappingError (a ValueError) on a bad row."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = [c for c in ("industry", "uscc", "categories") if c not in (reader.fieldnames or [])]
    if missing:
        raise MappingError("reconcile_mapping_columns", columns=", ".join(missing))
    rows = []
    for i, r in enumerate(reader, start=2):
        industry, uscc = (r.get("industry") or "").strip(), (r.get("uscc") or "").strip()
        cats = [c.strip() for c in (r.get("categories") or "").split(";") if c.strip()]
        if bool(industry) == bool(uscc):
            raise MappingError("reconcile_mapping_one_of", row=i)
        if not cats:
            raise MappingError("reconcile_mapping_no_categories", row=i)
        rows.append({"industry": industry, "uscc": uscc, "categories": ";".join(cats),
                     "note": (r.get("note") or "").strip()})
    return pd.DataFrame(rows, columns=list(MAPPING_COLUMNS))


def merge_mapping(base: pd.DataFrame, override: pd.DataFrame | None) -> pd.DataFrame:
    """``override`` rows replace ``base`` rows with the same industry (or the same uscc)."""
    if override is None or override.empty:
        return base.reset_index(drop=True)
    key = lambda f: f["industry"] + "|" + f["uscc"]  # noqa: E731
    keep = base[~key(base).isin(set(key(override)))]
    return pd.concat([keep, override], ignore_index=True)


def _in_scope(categories: pd.Series, codes: Iterable[str]) -> pd.Series:
    cats = categories.astype(str)
    hit = pd.Series(False, index=categories.index)
    for code in codes:
        hit |= (cats == code) | cats.str.startswith(code + ".")
    return hit


def _row(region, scope, inv_t, em_t, n, rel_tol, abs_tol) -> dict:
    if n == 0:
        coverage, status = (0.0 if inv_t else None), "no_emitters"
    elif inv_t <= 0:
        coverage, status = None, "no_inventory"
    else:
        coverage = em_t / inv_t
        status = "ok"
    if n and em_t - inv_t > max(abs_tol, rel_tol * abs(inv_t)):
        status = "exceeds"
    return {"region": region, "scope": scope, "categories": scope.split(";"), "inventory_t": float(inv_t),
            "emitters_t": float(em_t), "n_emitters": int(n), "coverage": coverage, "status": status}


def reconcile(inventory: pd.DataFrame, emitters: pd.DataFrame, mapping: pd.DataFrame, *,
              banners: Iterable[str], city: str = CITY, known_categories: Iterable[str] | None = None,
              rel_tol: float = REL_TOL, abs_tol_t: float = ABS_TOL_T) -> Reconciliation:
    """Compare (see module docstring). ``banners``: the city's banner codes."""
    banners = list(banners)
    out = Reconciliation()
    scopes = list(dict.fromkeys(mapping["categories"]))
    if known_categories is not None:
        known = set(known_categories)
        for scope in scopes:
            for code in scope.split(";"):
                if code not in known:
                    out.findings.append({"kind": "unknown_category", "region": None, "scope": scope, "uscc": None,
                                         "message": f"mapping code {code} is not in the inventory catalogue"})
    by_uscc = {r.uscc: r.categories for r in mapping.itertuples() if r.uscc}
    by_industry = {r.industry: r.categories for r in mapping.itertuples() if r.industry}

    assigned = []  # (region, scope, uscc, verified_t)
    for e in emitters.itertuples():
        scope = by_uscc.get(e.uscc) or by_industry.get(e.industry)
        region = (e.region or "") if isinstance(e.region, str) else ""
        if scope is None:
            out.findings.append({"kind": "missing_mapping", "region": region or None, "scope": None, "uscc": e.uscc,
                                 "emitters_t": float(e.verified_t),
                                 "message": f"{e.uscc} {e.name}: industry {e.industry!r} has no category mapping"})
        if region not in banners:
            out.findings.append({"kind": "missing_region", "region": region or None, "scope": scope, "uscc": e.uscc,
                                 "emitters_t": float(e.verified_t),
                                 "message": f"{e.uscc} {e.name}: no banner (region {region or 'missing'})"})
        if scope is not None and region in banners:
            assigned.append((region, scope, e.uscc, float(e.verified_t)))
    em = pd.DataFrame(assigned, columns=["region", "scope", "uscc", "verified_t"])

    inv = inventory[["region", "category", "co2e_t"]]
    in_banner = inv[inv["region"].isin(banners)]
    has_city_rows = bool((inv["region"] == city).any())
    regions = sorted(set(in_banner["region"]) | set(em["region"]))
    for scope in scopes:
        codes = scope.split(";")
        scoped = in_banner[_in_scope(in_banner["category"], codes)]
        inv_by_region = scoped.groupby("region")["co2e_t"].sum()
        em_scope = em[em["scope"] == scope]
        em_sum, em_n = em_scope.groupby("region")["verified_t"].sum(), em_scope.groupby("region")["uscc"].count()
        for region in regions:
            inv_t, em_t, n = float(inv_by_region.get(region, 0.0)), float(em_sum.get(region, 0.0)), int(em_n.get(region, 0))
            if inv_t == 0 and n == 0:
                continue
            row = _row(region, scope, inv_t, em_t, n, rel_tol, abs_tol_t)
            out.rows.append(row)
            if row["status"] == "exceeds":
                out.findings.append({
                    "kind": "emitters_exceed_inventory", "region": region, "scope": scope, "uscc": None,
                    "inventory_t": inv_t, "emitters_t": em_t, "uscc_list": sorted(em_scope[em_scope["region"] == region]["uscc"]),
                    "message": f"{region} {scope}: key emitters' verified {em_t:,.0f} t exceed the inventory's {inv_t:,.0f} t"})
        # the city roll-up: the inventory's own city rows (stored results carry them: banners plus any city-level
        # activity), else the sum of the banners
        city_rows = inv[inv["region"] == city] if has_city_rows else in_banner
        city_inv = float(city_rows[_in_scope(city_rows["category"], codes)]["co2e_t"].sum())
        if city_inv or len(em_scope):
            out.rows.append(_row(city, scope, city_inv, float(em_scope["verified_t"].sum()), len(em_scope),
                                 rel_tol, abs_tol_t))
    return out
