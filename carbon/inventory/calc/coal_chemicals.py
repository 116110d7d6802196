"""Coal chemicals and fuel transformation by carbon mass balance (`carbon_balance`).

Categories: 2.B.8.a 甲醇生产, 2.B.8.b 乙烯生产 (coal-to-olefins: ethylene and propylene), 2.B.8.g 其他 (ethylene
glycol), and the fuel transformation of the 2019 Refinement in energy: 1.B.3.a 煤制油, 1.B.3.b 煤制天然气,
1.B.3.c 煤气化. The equation is IPCC 2006 Vol 3 Eq. 3.17, in `carbon.core.carbon_balance` (shared with the
chemical key emitter's report):

  CO2 = (Σ carbon in inputs − Σ carbon in products − Σ carbon in wastes − CO2 recovered as carbon) × 44/12

Activity rows: one per input or output of a plant, the item saying which it is (原料煤, 燃料煤, 原煤 or 天然气
as inputs; 甲醇, 乙烯, 丙烯, 乙二醇, 煤制油品, 煤制天然气, 焦油, 硫磺, 尿素 as products; 含碳废弃物; 回收CO2 in t CO2).
The optional `facility` column names the plant (name or USCC): a balance closes per facility, or per
region × category where no facility is named. Splitting a facility's rows across files or permuting
them changes nothing (the rows are summed per facility and item before the balance).

Carbon per unit of each flow: `carbon_fraction` (t C/t) for a mass; otherwise `ncv` × `carbon_content`
(for a fuel item the 1.A rows of the profile, e.g. 天然气 in 万m3). A local row (地方实测: a plant's measured
carbon content) overrides the default and is flagged 实测 in the balance.

Result rows are per item: inputs positive, outputs negative CO2, so that they add up to the facility's
emission (as landfill recovery does in 5.A). The balances themselves, with every intermediate and unit,
are in the compile result's `balances`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon.core import units
from carbon.core.carbon_balance import (DEFAULT, INPUT, MEASURED, PRODUCT, RECOVERED, WASTE, Flow,
                                        carbon_mass_balance)
from carbon.core.errors import CarbonError, FactorError, ValidationError
from carbon.factors.library import FactorLibrary, FactorRow
from carbon.inventory.calc.base import SeriesInput, SeriesRowErrors, row_problem, series_method
# the cross-sector checks live in calc/cross_checks.py; re-exported here for the callers of this module
from carbon.inventory.calc.cross_checks import (BOTTOM_UP_OVERLAP, COAL_FAMILY, FEEDSTOCK_IN_1A,  # noqa: F401
                                                PLANT_COMBUSTION, bottom_up_overlaps, facility_label,
                                                feedstock_double_counts)
from carbon.inventory.catalog import Catalog

ROLE_OF_KIND = {"cb_input": INPUT, "fuel": INPUT, "cb_product": PRODUCT, "cb_waste": WASTE, "cb_recovered": RECOVERED,
                "cb_verified": "verified"}
# A chemical key emitter's process CO2 as verified in the ETS (t CO2), pulled bottom-up
# (carbon.inventory.bottom_up): the facility's figure is the verified one, not recomputed here.
VERIFIED = "ets_verified_co2"
ROLE_OF_ITEM = {"urea": PRODUCT}  # urea (an agricultural item) made in the plant from its recovered CO2
FUEL_SCOPE = "1.A"
# carbon per unit of a flow, by the flow's dimension, in the units the guidelines print (t C/t, kg C/m3, t C/TJ)
_CONTENT_UNIT = {"mass": "", "volume": "kg/m**3", "energy": "t/TJ"}  # where the NCV and carbon content of a fuel used as feedstock are found


# The category of a plant by what it makes, for an ETS-verified plant pulled bottom-up (first match wins).
CATEGORY_BY_PRODUCT = (("ctl_oil_products", "1.B.3.a"), ("coal_sng", "1.B.3.b"), ("ethylene", "2.B.8.b"),
                       ("propylene", "2.B.8.b"), ("methanol", "2.B.8.a"), ("ethylene_glycol", "2.B.8.g"))
OTHER_CATEGORY = "2.B.8.g"


def category_of_plant(products: set[str]) -> str:
    """1.B.3.a for coal-to-liquids, 1.B.3.b coal-to-SNG, 2.B.8.b olefins, 2.B.8.a methanol, else 2.B.8.g."""
    return next((cat for item, cat in CATEGORY_BY_PRODUCT if item in products), OTHER_CATEGORY)


def _carbon_per_unit(library: FactorLibrary, category: str, item, region: str, year: int, unit: str
                     ) -> tuple[object, list[FactorRow]]:
    """Carbon content of one unit of the flow as a pint quantity (× the quantity gives a mass), and the rows."""
    dim = units.dimension_of(unit)
    mass = dim == "mass"
    scopes = [category] + ([FUEL_SCOPE] if item.kind == "fuel" else [])
    for scope in scopes:
        cf = library.resolve("carbon_fraction", scope, item.code, region, year, dims=("dimensionless",)) if mass else None
        if cf is not None:
            return cf.quantity().to(""), [cf]
        ncv = library.resolve("ncv", scope, item.code, region, year, dims=(f"energy/{dim}",)) if dim != "energy" else None
        cc = library.resolve("carbon_content", scope, item.code, region, year, dims=("mass/energy",))
        if cc is not None and (ncv is not None or dim == "energy"):
            content = cc.quantity() * (ncv.quantity() if ncv is not None else 1)
            return content.to(_CONTENT_UNIT[dim]), [r for r in (ncv, cc) if r is not None]
    key = "inventory_no_carbon_fraction" if mass else "inventory_no_carbon_content"
    raise FactorError(key=key, params={"item_zh": item.name_zh, "item": item.code, "category": category,
                                       "region": region, "year": year}, field="factor")


@series_method("carbon_balance", unit=None)
def carbon_balance(inp: SeriesInput, *, library: FactorLibrary, catalog: Catalog) -> pd.DataFrame:
    """Process CO2 of each coal-chemical or fuel-transformation facility (IPCC 2006 Vol 3 Eq. 3.17)."""
    target = inp.target_year
    n = len(inp.region)
    facility = inp.facility or [""] * n
    unit = inp.unit or ["t"] * n
    note = inp.note or [""] * n
    df = pd.DataFrame({"region": inp.region, "year": inp.year, "category": inp.category, "item": inp.item,
                       "unit": unit, "facility": facility, "note": note,
                       "quantity": np.asarray(inp.quantity_t, dtype=float)})
    df = df[df["year"] == target]
    if df.empty:
        return _empty()
    errors: list[tuple[int, str, str, str]] = []  # (position, column, reason, value): every bad record and facility
    for code in pd.unique(df["item"]):
        it = catalog.items.get(code)
        if it is None or (it.kind not in ROLE_OF_KIND and code not in ROLE_OF_ITEM):
            name = f"{it.name_zh} ({code})" if it else repr(code)
            reason = row_problem("inventory_not_balance_item", name=name)
            errors.extend((int(pos), "item", reason, str(code)) for pos in df.index[df["item"] == code])
    if errors:
        raise SeriesRowErrors(errors)
    keys = ["region", "category", "facility", "item", "unit"]
    flows = df.assign(pos=df.index).groupby(keys, sort=True, as_index=False).agg(
        quantity=("quantity", "sum"), records=("quantity", "size"), note=("note", _union), pos=("pos", "min"))
    per_unit: dict[tuple, tuple] = {}
    rows, balances = [], []
    for (region, category, fac), g in flows.groupby(["region", "category", "facility"], sort=True):
        label = facility_label(region, category, fac)
        try:
            rows.extend(_facility(region, category, label, g, target, library, catalog, per_unit, balances))
        except CarbonError as exc:  # the facility's first record carries the report; the other facilities go on
            pos = int(g["pos"].min())
            if getattr(exc, "item", None) is not None:  # set by _facility for a flow without a carbon content
                pos = int(g.loc[g["item"] == exc.item, "pos"].min())
            errors.append((pos, "facility" if fac else "category", exc, fac or category))
    if errors:
        raise SeriesRowErrors(errors)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out = out.groupby(["region", "year", "category", "item", "gas", "memo", "method"], as_index=False, sort=False).agg(
        mass_t=("mass_t", "sum"), factor_refs=("factor_refs", _union), basis=("basis", _union), records=("records", "sum"))
    out = out[_COLUMNS]
    out.attrs["balances"] = balances
    out.attrs["cross_sector"] = bottom_up_overlaps(balances)
    return out


def _facility(region: str, category: str, label: str, g: pd.DataFrame, target: int, library: FactorLibrary,
              catalog: Catalog, per_unit: dict, balances: list) -> list[tuple]:
    """The result rows of one facility (its flows summed per item and unit in ``g``); appends its balance."""
    if (g["item"] == VERIFIED).any():
        balances.append(_verified(region, category, label, g))
        return [(region, target, category, VERIFIED, "CO2", balances[-1]["co2"]["value"], False, "carbon_balance",
                 "", "verified", int(g["records"].sum()))]
    plant, refs = [], []
    for item_code, u, q, nrec in zip(g["item"], g["unit"], g["quantity"], g["records"]):
        item = catalog.items[item_code]
        key = (category, item_code, region, u)
        if key not in per_unit:
            try:
                per_unit[key] = _carbon_per_unit(library, category, item, region, target, u)
            except CarbonError as exc:
                exc.item = item_code
                raise
        content, used = per_unit[key]
        measured = any(r.basis == "local" for r in used)
        plant.append(Flow(item=item_code, role=ROLE_OF_ITEM.get(item_code) or ROLE_OF_KIND[item.kind],
                          quantity=q * units.parse_unit(u), carbon_content=content,
                          source=MEASURED if measured else DEFAULT, ref=";".join(sorted({r.ref for r in used}))))
        refs.append((used, int(nrec)))
    result = carbon_mass_balance(label, plant)
    balances.append({"region": region, "category": category, **result.as_dict()})
    out = []
    for fc, (used, nrec) in zip(result.flows, refs):
        sign = 1.0 if fc.flow.role == INPUT else -1.0
        out.append((region, target, category, fc.flow.item, "CO2", sign * float(fc.carbon.to("t").magnitude) * 44 / 12,
                    False, "carbon_balance", fc.flow.ref, ";".join(sorted({r.basis for r in used})), nrec))
    return out


def _verified(region: str, category: str, label: str, g: pd.DataFrame) -> dict:
    """A facility whose figure is its ETS-verified process CO2: the balance entry records where it came from.
    Flows of the same facility beside it would count the plant twice (or disagree with the verification)."""
    others = sorted(set(g["item"]) - {VERIFIED})
    if others:
        raise ValidationError(key="inventory_verified_and_flows", params={
            "facility": label, "category": category, "verified": VERIFIED,
            "quantity": float(g.loc[g["item"] == VERIFIED, "quantity"].sum()), "flows": ", ".join(others)}, field="item")
    if not all(units.dimension_of(u) == "mass" for u in g["unit"]):
        raise ValidationError(key="inventory_verified_not_mass", params={"facility": label, "verified": VERIFIED},
                              field="unit")
    co2 = float(sum(q * units.parse_unit(u).to("t").magnitude for q, u in zip(g["quantity"], g["unit"])))
    return {"region": region, "category": category, "facility": label, "method": "ets_verified",
            "equation": "ETS-verified process CO2 of the key emitter (中国化工生产企业温室气体排放核算方法与报告指南), pulled bottom-up",
            "source": _union(g["note"]), "co2": {"value": co2, "unit": "t"}}


_COLUMNS = ["region", "year", "category", "item", "gas", "mass_t", "memo", "method", "factor_refs", "basis", "records"]


def _union(values) -> str:
    """The distinct ';'-separated parts of ``values``, sorted; each distinct value split once (a facility's note
    repeats on each of its records: per record this was most of the balance's time at 10^6 rows, bench/cli.py)."""
    distinct = dict.fromkeys(np.asarray(values, dtype=object).tolist())
    return ";".join(sorted({p for v in distinct for p in str(v).split(";") if p}))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in _COLUMNS})
