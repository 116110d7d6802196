"""Cross-sector checks (交叉核对): the same carbon counted in two sectors of one region and year.

Every check that compares sectors lives here. Each is a pure function of the compile's detail (or of the
carbon balances) and returns findings, dicts with at least ``check``, ``region`` and ``message``, which the
engine puts into ``CompileResult.cross_sector``. A check never changes the inventory: only
`apply_exclusions`, on the user's word, takes a flagged amount out of 1.A.

- ``bottom_up_overlap``: an ETS-verified plant (pulled bottom-up) beside region-level rows of the same
  region × category, which may include the plant. Flagged only.
- ``feedstock_in_1A``: a coal (or fuel) that a carbon balance (2.B.8, 1.B.3) takes as input while coal of the
  same family is burnt where a plant's fuel is booked (1.A.1.c, 1.A.2). CO2 at stake: the smaller of the 1.A
  CO2 of those fuels and the CO2 of the balance input's carbon.
- ``reductant_in_1A``: a production-based IPPU category whose Tier 1 factor contains the carbon of a
  reductant or feedstock fuel, beside that fuel burnt in the corresponding part of 1.A.2 (the rule below).

The reductant rule
------------------
These IPPU categories are estimated from production (t of product), and their Tier 1 factors include the
carbon of the fuel the process takes as reductant or feedstock:

- 2.B.1 ammonia (IPCC 2006 V3 §3.2, Eq. 3.1: the *total* fuel requirement, fuel and feedstock): coal for
  合成氨(煤头), natural gas for 合成氨(气头);
- 2.B.5 calcium carbide (V3 §3.6, Table 3.8: the factor covers the reducing agent, coke or anthracite; carbide
  used for acetylene, an item of kind product_use, is not compared: the carbide may be made elsewhere);
- 2.C.1 iron and steel (V3 §4.2): product rows only (the carbonate-flux rows this project has today carry
  no reductant carbon and are never compared);
- 2.C.2 ferroalloys (V3 §4.3, Table 4.5: coke, coal and electrodes of the furnace);
- 2.C.3 primary aluminium CO2 (V3 §4.4, Table 4.10: consumption of prebaked anodes or Söderberg paste, i.e.
  petroleum coke and pitch; 石油焦 is part of 其他石油制品 in China's energy balance).

The reductant is never an IPPU activity row (the activity is the product), so the inventory cannot see it
there. It sees the plant's coke or coal only where the energy statistics put it: as fuel combustion in
manufacturing, 1.A.2, when the plant's whole coke or coal use was taken as fuel. The IPCC puts the
reductant's carbon in IPPU only: V3 §3.6 (carbide) and §4.3 (ferroalloys), whose Tier 1 factors count it;
V3 Ch1 §1.2.1 (definition of industrial process and fuel combustion emissions); and Vol 2 on the non-energy
use of fuels (V2 Ch2 Box 2.1): the sectoral approach must use fuel *combustion* statistics, not deliveries to
enterprises, or emissions counted in IPPU are counted twice; emissions from non-energy use are reported in
IPPU where they occur. [The non-energy-use passage was found in a public copy of Vol 2 text; its section and
box number (Box 2.1) and V3 §1.2.1 were not confirmed against the PDF: check before citing.]

  Rule. In a region and year where one of these categories has CO2 and the corresponding 1.A.2
  sub-category burns one of its reductant fuels, the pair is a possible double count (还原剂/原料重复计算),
  listed with the IPPU rows, the 1.A rows and the CO2 at stake: the smaller of the 1.A CO2 of those fuels
  and the IPPU CO2 of the category (gross of the urea deduction in 2.B.1, which is carbon of the same fuel).

The corresponding 1.A.2 sub-category: 2.B.* → 1.A.2.c chemicals; 2.C.1 and 2.C.2 → 1.A.2.a iron and steel
(ferroalloys are ferrous metallurgy: 铁合金冶炼 in 黑色金属冶炼, ISIC 2410); silicon metal and 2.C.3 → 1.A.2.b
non-ferrous (硅冶炼, 铝冶炼) [industry codes not checked against GB/T 4754 here]. Where the catalogue has no
such sub-category (today 1.A.2 has none) the nearest existing ancestor is used, i.e. 1.A.2, and its
sub-categories with it when they exist. Power plants, transport and households are never compared.

What the bureau does with a finding: ask the plant, or the energy balance's 工业分行业 "用作原料、材料"
(non-energy use) line, whether the coke or coal reported in 1.A.2 includes what the furnace takes as
reductant. Best: correct the activity data (1.A.2 keeps only the fuel burnt for heat). Otherwise the user
can tell the compile to take the amount at stake out of 1.A (below).

Exclusion, only on the user's word
----------------------------------
``CompileOptions.exclude_double_counts`` (CLI ``carbon compile --exclude-double-count KEY``, repeatable) takes:

- ``all``: every feedstock_in_1A and reductant_in_1A finding;
- ``REGION:CATEGORY``: the findings of that region (code or name) and source category (the IPPU category,
  e.g. 2.C.2, or the balance category, e.g. 2.B.8.a), all their 1.A fuels;
- ``REGION:CATEGORY:ITEM``: the same, only the 1.A fuel ITEM (code or name, e.g. coke / 焦炭).

Each finding names its key (``key``; ``combustion_rows[].key`` for one fuel). A key that matches nothing is
an error (a typo must not pass silently). Per finding, the CO2 removed is its CO2 at stake computed on what
is left of the selected 1.A rows (so two findings sharing the same 1.A rows, say a ferroalloy and a carbide
works in one banner both against 1.A.2 coke, never remove more than the rows hold), split between the fuels
in proportion to their 1.A CO2. Only CO2 is removed; the CH4 and N2O of those fuel rows stay. The removal
is a negative CO2 row in the same region × 1.A category × fuel, method ``double_count_exclusion``, so the
item-level results show it and RESULTS.csv lists the method; the finding gets ``excluded: true``,
``excluded_co2_t`` and ``excluded_rows``. The IPPU (or balance) side is never touched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core.errors import ValidationError
from carbon.inventory.catalog import Catalog

FEEDSTOCK_IN_1A = "feedstock_in_1A"
BOTTOM_UP_OVERLAP = "bottom_up_overlap"
REDUCTANT_IN_1A = "reductant_in_1A"
EXCLUDABLE = (FEEDSTOCK_IN_1A, REDUCTANT_IN_1A)
EXCLUSION_METHOD = "double_count_exclusion"
ALL = "all"

PLANT_COMBUSTION = ("1.A.1.c", "1.A.2")  # where a chemical plant's coal is booked as fuel
COAL_FAMILY = ("raw_coal", "cleaned_coal", "other_washed_coal", "briquettes", "feedstock_coal", "chem_fuel_coal")
MANUFACTURING = "1.A.2"

_SOLID = (*COAL_FAMILY, "coke")
# IPPU category -> {product item, or "*" for every product item of the category: the 1.A fuels it takes as
# reductant or feedstock}. Only rows whose item is of kind "product" are compared.
REDUCTANT_FUELS: dict[str, dict[str, tuple[str, ...]]] = {
    "2.B.1": {"ammonia_coal": _SOLID, "ammonia_gas": ("natural_gas", "lng")},
    "2.B.5": {"*": _SOLID},
    "2.C.1": {"*": _SOLID},
    "2.C.2": {"*": _SOLID},
    "2.C.3": {"*": ("other_petroleum_products",)},
}
# where the plant's fuel is booked in 1.A.2 (by category prefix, first match; an item may override)
COMBUSTION_OF = (("2.B", "1.A.2.c"), ("2.C.1", "1.A.2.a"), ("2.C.2", "1.A.2.a"), ("2.C.3", "1.A.2.b"))
COMBUSTION_OF_ITEM = {"silicon_metal": "1.A.2.b"}


def facility_label(region: str, category: str, facility: str) -> str:
    """The name of a carbon balance: the facility, or "region category" for region-level rows."""
    return facility or f"{region} {category}"


# --------------------------------------------------------------------------------------------------
# bottom_up_overlap: an ETS-verified plant beside region-level rows
# --------------------------------------------------------------------------------------------------

def bottom_up_overlaps(balances: list[dict]) -> list[dict]:
    """An ETS-verified plant (bottom-up) beside region-level rows of the same region × category (no facility
    named): the region's rows may include the plant. Flagged, nothing excluded."""
    verified = {(b["region"], b["category"]): b for b in balances if b.get("method") == "ets_verified"}
    found = []
    for b in balances:
        key = (b["region"], b["category"])
        if key in verified and b.get("method") != "ets_verified" and b["facility"] == facility_label(*key, ""):
            v = verified[key]
            found.append({"check": BOTTOM_UP_OVERLAP, "region": key[0], "balance_category": key[1],
                          "facility": v["facility"], "verified_co2_t": v["co2"]["value"], "region_co2_t": b["co2"]["value"],
                          "message": (f"{key[0]} {key[1]}: the ETS-verified plant {v['facility']} ({v['co2']['value']:,.0f} t CO2) "
                                      f"sits beside region-level rows without a facility ({b['co2']['value']:,.0f} t CO2): "
                                      f"if those rows include the plant it is counted twice (自下而上核对); nothing was excluded")})
    return found


# --------------------------------------------------------------------------------------------------
# feedstock_in_1A: feedstock carbon counted in a balance and again as combustion in 1.A
# --------------------------------------------------------------------------------------------------

def _combustion(detail: pd.DataFrame) -> pd.DataFrame:
    """The territorial CO2 rows of fuel combustion (1.A.*)."""
    cats = detail["category"].astype(str)
    return detail[cats.str.startswith("1.A.") & (detail["gas"] == "CO2") & ~detail["memo"].astype(bool)]


def _rows(region: str, source_category: str, hit: pd.DataFrame) -> list[dict]:
    """The 1.A rows of a finding, per category × fuel, each with the key that excludes that fuel alone."""
    g = hit.groupby(["category", "item"], sort=True, as_index=False)["mass_t"].sum()
    return [{"category": c, "item": i, "co2_t": float(m), "key": f"{region}:{source_category}:{i}"}
            for c, i, m in zip(g["category"], g["item"], g["mass_t"])]


def feedstock_double_counts(detail: pd.DataFrame, catalog: Catalog) -> list[dict]:
    """Possible double counts: a region whose carbon balances take a coal (or a fuel item) as input while
    the same fuel (for coal: any coal of the family) is reported as combustion where a plant's fuel is booked,
    as when the statistics take the chemical industry's whole coal use as fuel:
    1.A.1.c (固体燃料制造和其他能源工业) and 1.A.2 (制造业, 1.A.2.c 化工). Power plants (1.A.1.a), transport and
    households (1.A.3, 1.A.4) burn coal of their own and are not compared.

    Each finding names the region, the balance category and item, the 1.A categories and items, and the CO2
    at stake: the smaller of the 1.A CO2 of those items and the CO2 of the balance input's carbon.
    Nothing is excluded here: the user decides which side the coal belongs to (`apply_exclusions`).
    """
    if detail.empty:
        return []
    bal = detail[(detail["method"] == "carbon_balance") & (detail["mass_t"] > 0)]
    comb = _combustion(detail)
    plant_side = comb["category"].astype(str).str.startswith(PLANT_COMBUSTION)
    found = []
    for (region, category, item), g in bal.groupby(["region", "category", "item"], sort=True):
        family = COAL_FAMILY if item in COAL_FAMILY else (item,)
        hit = comb[(comb["region"] == region) & plant_side & comb["item"].isin(family)]
        if hit.empty:
            continue
        co2_1a = float(hit["mass_t"].sum())
        co2_in = float(g["mass_t"].sum())
        found.append({
            "check": FEEDSTOCK_IN_1A, "region": region, "balance_category": category, "balance_item": item,
            "message": (f"{region}: {item} is a carbon-balance input of {category} and coal of the same family is also "
                        f"burnt in {', '.join(sorted(set(hit['category'])))} ({', '.join(sorted(set(hit['item'])))}, "
                        f"{co2_1a:,.0f} t CO2): 原料煤重复计算? the feedstock must not also be reported as fuel "
                        f"combustion (up to {min(co2_1a, co2_in):,.0f} t CO2 counted twice); nothing was excluded"),
            "combustion_categories": sorted(set(hit["category"])), "combustion_items": sorted(set(hit["item"])),
            "combustion_co2_t": co2_1a, "balance_input_co2_t": co2_in, "co2_at_stake_t": min(co2_1a, co2_in),
            "key": f"{region}:{category}", "source_category": category, "source_co2_t": co2_in,
            "combustion_rows": _rows(region, category, hit), "excluded": False,
        })
    return found


# --------------------------------------------------------------------------------------------------
# reductant_in_1A: production-based IPPU (reductant carbon in its factor) beside the fuel in 1.A.2
# --------------------------------------------------------------------------------------------------

def combustion_category(ippu_category: str, item: str, catalog: Catalog) -> str:
    """The 1.A.2 sub-category where the plant of an IPPU product books its fuel, or its nearest ancestor
    in the catalogue (1.A.2 while the catalogue has no sub-categories)."""
    code = COMBUSTION_OF_ITEM.get(item) or next(
        (target for prefix, target in COMBUSTION_OF if ippu_category == prefix or ippu_category.startswith(prefix + ".")),
        MANUFACTURING)
    while code not in catalog.categories and code != MANUFACTURING:
        code = code.rsplit(".", 1)[0]
    return code


def _reductant_fuels(category: str, item: str) -> tuple[str, ...]:
    table = REDUCTANT_FUELS.get(category, {})
    return table.get(item, table.get("*", ()))


def reductant_double_counts(detail: pd.DataFrame, catalog: Catalog) -> list[dict]:
    """Possible double counts of the reductant rule (module docstring): one finding per region × IPPU
    category × 1.A.2 (sub-)category × set of reductant fuels (so coal- and gas-based ammonia are two), with
    the IPPU rows, the 1.A rows and the CO2 at stake. Nothing is excluded here."""
    if detail.empty:
        return []
    ippu = detail[detail["category"].isin(list(REDUCTANT_FUELS)) & (detail["gas"] == "CO2") & (detail["mass_t"] > 0)
                  & ~detail["memo"].astype(bool)]
    if ippu.empty:
        return []
    kinds = ippu["item"].map(lambda c: catalog.items[c].kind if c in catalog.items else "")
    ippu = ippu[kinds == "product"]
    comb = _combustion(detail)
    # (region, IPPU category, 1.A target, fuels) -> the IPPU items: coal- and gas-based ammonia are apart
    groups: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
    for region, category, item in sorted(set(zip(ippu["region"], ippu["category"], ippu["item"]))):
        fuels = _reductant_fuels(category, item)
        if fuels:
            groups.setdefault((region, category, combustion_category(category, item, catalog), fuels), []).append(item)
    if not groups:
        return []
    # The frames as plain arrays (rows in their order) and their sums per region × category × item, once: a group's
    # rows are picked with numpy, not a pandas filter per group (0.5 s of a compile, bench/cli.py). Sums as pandas
    # makes them: a selection's total by nansum in row order, per-item totals by one groupby (its compensated sum).
    ippu_region, ippu_category, ippu_item = (ippu[c].to_numpy(object) for c in ("region", "category", "item"))
    ippu_mass = ippu["mass_t"].to_numpy(float)
    comb_region, comb_category, comb_item = (comb[c].to_numpy(object) for c in ("region", "category", "item"))
    comb_cats = comb["category"].astype(str).to_numpy(object)
    comb_mass = comb["mass_t"].to_numpy(float)
    ippu_sums = ippu.groupby(["region", "category", "item"], sort=False)["mass_t"].sum().to_dict()
    comb_sums = comb.groupby(["region", "category", "item"], sort=False)["mass_t"].sum().to_dict()
    in_target: dict[str, np.ndarray] = {}
    found = []
    for (region, category, target, fuels), items in groups.items():
        side = (ippu_region == region) & (ippu_category == category) & np.isin(ippu_item, items)
        if target not in in_target:
            in_target[target] = np.array([c == target or c.startswith(target + ".") for c in comb_cats], dtype=bool)
        hit = (comb_region == region) & in_target[target] & np.isin(comb_item, list(fuels))
        co2_1a, co2_ippu = float(np.nansum(comb_mass[hit])), float(np.nansum(ippu_mass[side]))
        if not hit.any() or co2_1a <= 0 or co2_ippu <= 0:
            continue
        ippu_rows = [{"category": category, "item": i, "co2_t": float(ippu_sums[(region, category, i)])}
                     for i in sorted(set(ippu_item[side]))]
        comb_rows = [{"category": c, "item": i, "co2_t": float(comb_sums[(region, c, i)]), "key": f"{region}:{category}:{i}"}
                     for c, i in sorted(set(zip(comb_category[hit], comb_item[hit])))]  # as _rows(region, category, hit)
        finding = {
            "check": REDUCTANT_IN_1A, "region": region, "ippu_category": category,
            "ippu_items": [r["item"] for r in ippu_rows], "ippu_co2_t": co2_ippu, "ippu_rows": ippu_rows,
            "combustion_category": target, "combustion_categories": sorted(set(comb_category[hit])),
            "combustion_items": sorted(set(comb_item[hit])), "combustion_co2_t": co2_1a,
            "combustion_rows": comb_rows, "co2_at_stake_t": min(co2_1a, co2_ippu),
            "key": f"{region}:{category}", "source_category": category, "source_co2_t": co2_ippu, "excluded": False,
        }
        finding["message"] = _reductant_message(finding)
        found.append(finding)
    return found


def _reductant_message(f: dict) -> str:
    head = (f"{f['region']}: {f['ippu_category']} ({', '.join(f['ippu_items'])}, {f['ippu_co2_t']:,.0f} t CO2) is estimated "
            f"from production with a Tier 1 factor that includes the reductant/feedstock carbon, and the same region "
            f"burns {', '.join(f['combustion_items'])} in {', '.join(f['combustion_categories'])} "
            f"({f['combustion_co2_t']:,.0f} t CO2): 还原剂重复计算? the reductant must not also be reported as fuel "
            f"combustion (up to {f['co2_at_stake_t']:,.0f} t CO2 counted twice)")
    return head + f"; nothing was excluded (to exclude it from 1.A: --exclude-double-count {f['key']})"


# --------------------------------------------------------------------------------------------------
# Exclusion on the user's word
# --------------------------------------------------------------------------------------------------

def parse_exclusion_key(text: str, catalog: Catalog) -> str:
    """'all', 'REGION:CATEGORY' or 'REGION:CATEGORY:ITEM' with codes (names are resolved to codes)."""
    from carbon.core.regions import resolve_region

    raw = str(text).strip()
    if raw.lower() == ALL:
        return ALL
    parts = [p.strip() for p in raw.replace("：", ":").split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise ValidationError(key="inventory_bad_exclusion", params={"text": text}, field="exclude_double_counts")
    region = resolve_region(parts[0], field="exclude_double_counts")
    category = catalog.category(parts[1]).code
    return ":".join([region, category, *([catalog.item(parts[2]).code] if len(parts) == 3 else [])])


def apply_exclusions(detail: pd.DataFrame, findings: list[dict], keys: tuple[str, ...]
                     ) -> tuple[pd.DataFrame, list[dict]]:
    """Take the CO2 at stake of the findings the user named out of 1.A (module docstring): the detail with
    one negative ``double_count_exclusion`` CO2 row per region × 1.A category × fuel, and the findings
    marked. Raises ValidationError for a key that matches no finding (nothing is changed then)."""
    if not keys:
        return detail, findings
    comb = _combustion(detail)
    left = comb.groupby(["region", "category", "item"])["mass_t"].sum().to_dict()
    template = {(r, c, i): (int(y), s, gw) for r, c, i, y, s, gw in zip(
        comb["region"], comb["category"], comb["item"], comb["year"], comb["sector"], comb["gwp_set"])}
    used: set[str] = set()
    adjustments: list[dict] = []
    out = []
    for f in findings:
        if f.get("check") not in EXCLUDABLE:
            out.append(f)
            continue
        whole, items, by = False, set(), []
        for k in keys:
            if k == ALL or k == f["key"]:
                whole = True
            elif k.rsplit(":", 1)[0] == f["key"] and any(r["item"] == k.rsplit(":", 1)[1] for r in f["combustion_rows"]):
                items.add(k.rsplit(":", 1)[1])
            else:
                continue
            used.add(k)
            by.append(k)
        if not by:
            out.append(f)
            continue
        rows = [r for r in f["combustion_rows"] if whole or r["item"] in items]
        pool = {(f["region"], r["category"], r["item"]): max(left.get((f["region"], r["category"], r["item"]), 0.0), 0.0)
                for r in rows}
        total = sum(pool.values())
        take = min(total, f["source_co2_t"])
        removed = []
        for k3, have in pool.items():
            x = take * have / total if total > 0 else 0.0
            if x <= 0:
                continue
            left[k3] = have - x
            year, sector, gwp = template[k3]
            adjustments.append({"region": k3[0], "year": year, "sector": sector, "category": k3[1], "item": k3[2],
                                "gas": "CO2", "mass_t": -x, "co2e_t": -x, "gwp_set": gwp, "memo": False,
                                "method": EXCLUSION_METHOD, "factor_refs": "", "basis": "", "records": 0})
            removed.append({"category": k3[1], "item": k3[2], "co2_t": x})
        where = ", ".join(f"{r['category']} {r['item']} {r['co2_t']:,.0f} t" for r in removed) or "nothing (no 1.A CO2 left)"
        excluded = {**f, "excluded": True, "excluded_co2_t": take, "excluded_rows": removed, "excluded_by": by}
        excluded["message"] = (_strip_nothing(f["message"]) + f"; excluded from 1.A on the user's instruction "
                               f"({', '.join(by)}): {take:,.0f} t CO2 removed ({where})")
        out.append(excluded)
    unknown = [k for k in keys if k not in used and k != ALL]
    if unknown:
        known = sorted({f["key"] for f in findings if f.get("check") in EXCLUDABLE}
                       | {r["key"] for f in findings if f.get("check") in EXCLUDABLE for r in f["combustion_rows"]})
        raise ValidationError(key="inventory_exclusion_matches_nothing",
                              params={"unknown": ", ".join(unknown), "known": ", ".join(known) or "(none)"},
                              field="exclude_double_counts")
    if adjustments:
        detail = pd.concat([detail, pd.DataFrame(adjustments).reindex(columns=detail.columns)], ignore_index=True)
    return detail, out


def _strip_nothing(message: str) -> str:
    return message.split("; nothing was excluded", 1)[0]
