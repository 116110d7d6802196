"""The disclosure format of the sectors that joined the national ETS in 2024-25 (cement, aluminium, steel):
what ``disclosure.py`` publishes beside power's fields, and what the summary's sector block shows.

Built from the verified result of ``carbon.ets.sectors`` (pure: no database). Covered (direct) emissions by
source and gas, CF4 and C2F6 in their own rows with the GWP set named; the sector's product output and its
intensity (verified covered emissions / output: t CO2 per t clinker, t CO2e per t aluminium, t CO2 per t crude
steel); purchased electricity and heat as a memo that is never in the covered total.
"""

from __future__ import annotations

from typing import Any

from carbon.ets.sectors import SECTOR_INDUSTRIES

# industry: (name_zh, product key in the result, product_zh, product_en, intensity unit)
SECTORS = {
    "cement": ("水泥熟料生产", "clinker_t", "熟料", "clinker", "t CO2/t clinker"),
    "aluminium": ("铝冶炼", "aluminium_t", "原铝", "primary aluminium", "t CO2e/t aluminium"),
    "steel": ("钢铁生产", "crude_steel_t", "粗钢", "crude steel", "t CO2/t crude steel"),
}
INTENSITY_PLACES = 6


def is_sector_result(result: dict[str, Any] | None) -> bool:
    return bool(result) and result.get("method") in SECTOR_INDUSTRIES


def intensity(covered_t: int | float, output_t: float | None) -> float | None:
    """Covered emissions per tonne of product, 6 decimals; None without an output."""
    if not output_t:
        return None
    return round(covered_t / output_t, INTENSITY_PLACES)


def entities(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The sector's facilities as the guideline counts them: clinker lines for cement; the enterprise otherwise."""
    industry = result["method"]
    if industry == "cement":
        return [{"name": x["name"], "product_t": x["clinker_t"], "fuel_emissions_t": x["fuel_emissions_t"],
                 "process_emissions_t": x["process_emissions_t"],
                 "raw_meal_carbon_emissions_t": x["raw_meal_carbon_emissions_t"], "emissions_t": x["emissions_t"],
                 "intensity": x["intensity_t_per_t_clinker"]} for x in result.get("lines", [])]
    t = result["total"]
    output = result.get(SECTORS[industry][1])
    return [{"name": "企业", "product_t": output, "fuel_emissions_t": t["fuel_emissions_t"],
             "process_emissions_t": t["process_emissions_t"], "raw_meal_carbon_emissions_t": None,
             "emissions_t": t["direct_emissions_t"],
             "intensity": round(t["direct_emissions_t"] / output, 10) if output else None}]


def memo_of(result: dict[str, Any]) -> dict[str, Any] | None:
    m = result.get("indirect_memo")
    if not m:
        return None
    return {"in_covered_total": False, "co2_t": m.get("co2_t"),
            "electricity_mwh": (m.get("electricity") or {}).get("mwh"),
            "electricity_co2_t": (m.get("electricity") or {}).get("co2_t"),
            "heat_gj": (m.get("heat") or {}).get("gj"), "heat_co2_t": (m.get("heat") or {}).get("co2_t")}


def sector_content(result: dict[str, Any], *, covered_t: int, verification: dict[str, Any] | None) -> dict[str, Any]:
    """The sector disclosure of one emitter-year from its verified result (``result["method"]`` a sector)."""
    industry = result["method"]
    name_zh, product_key, product_zh, product_en, unit = SECTORS[industry]
    t = result["total"]
    output = result.get(product_key)
    gwp = result.get("gwp")
    return {
        "industry": industry, "industry_zh": name_zh, "guideline": result.get("guideline"),
        "coverage": "direct", "coverage_zh": "仅直接排放（化石燃料燃烧和工业生产过程），外购电力、热力不纳入",
        "covered_emissions_t": covered_t, "direct_emissions_t": t["direct_emissions_t"],
        "fuel_emissions_t": t["fuel_emissions_t"], "process_emissions_t": t["process_emissions_t"],
        "conservative_adjustment_t": t.get("conservative_adjustment_t", 0),
        "sources": [{"source": r["source"], "line": r.get("line"), "gas": r["gas"], "mass_t": r["mass_t"],
                     "co2e_t": r["co2e_t"], "gwp": r.get("gwp"), "equation": r.get("equation")}
                    for r in result.get("sources", [])],
        "gases": result.get("gases", []),
        "gwp": None if not gwp else {"set": gwp["set"], "values": gwp["values"], "source": gwp.get("source")},
        "product": {"name_zh": product_zh, "name": product_en, "output_t": output},
        "intensity": intensity(covered_t, output), "intensity_unit": unit,
        "intensity_basis": "covered_emissions_t / product output",
        "entities": entities(result),
        "indirect_memo": memo_of(result),
        "verification": verification,
    }
