"""Steel: carbon mass balance of GB/T 32151.5-2015 《温室气体排放核算与报告要求 第5部分：钢铁生产企业》 and the
2013 NDRC 《中国钢铁生产企业温室气体排放核算方法与报告指南（试行）》.

No national-ETS steel accounting guideline (a CETS—AG—03.01 for steel) was found when this was written
(search of public pages, 2026-12: only the 2024 cement and aluminium CETS guidelines and GB/T 32151.5-2015
turned up), so this module implements the GB/T / NDRC method, and says so in the result's ``guideline``.
Coverage follows the 2025 MEE work plan: direct emissions only; GB/T's purchased electricity/heat terms are
a memo, and its exported electricity/heat deductions are not applied. Equation numbers are ours [check]:

    式(S1) E       = E_fuel + E_flux + E_C                                  direct, t CO2
    式(S2) E_fuel  = Σ FC × NCV × CC × OF × 44/12                           carbon.ets.mrv 式(2)
    式(S3) E_flux  = Σ_k P_k × DX_k × EF_k     carbonate fluxes (limestone, dolomite) decomposed; EF_k the
                                               stoichiometric CO2 per t of pure carbonate unless measured
    式(S4) C_in    = Σ_i M_i × C_i            reductants, electrodes, carbon-containing raw materials
    式(S5) C_out   = Σ_j M_j × C_j            products and by-products (steel, pig iron, crude benzene, tar ...)
    式(S6) E_C     = (C_in − C_out) × 44/12   (the GB/T 固碳 deduction R = C_out × 44/12)

A fuel burnt for heat goes in ``fuels``; a reductant (coke or coal to the blast furnace as reductant) goes in
``carbon_inputs``: never both, or its carbon counts twice.

Payload::

    {"year": 2024, "industry": "steel", "fuels": [...],
     "fluxes": [{"name": "石灰石", "mineral": "limestone" | "dolomite", "quantity": 800000, "unit": "t",
                 "purity": 92, "purity_unit": "%", "factor"?: 0.44, "factor_unit"?: "t/t"}],
     "carbon_inputs": [{"name": "焦炭", "role": "reductant" | "electrode" | "raw_material", "quantity", "unit",
                        "carbon": 85, "carbon_unit": "%"}],
     "carbon_outputs": [{"name": "粗钢", "role": "product" | "by_product", "quantity", "unit", "carbon", "carbon_unit"}],
     "crude_steel"?: 2500000, "crude_steel_unit"?: "t",
     "purchased_electricity_mwh"?, "purchased_heat_gj"?}

The crude-steel output (the denominator of the disclosed intensity, t CO2 / t crude steel) is ``crude_steel``
when given, else the carbon output of role ``product`` named 粗钢; without either it is null.
"""

from __future__ import annotations

from typing import Any

from carbon.core.errors import ValidationError
from carbon.ets.sectors import common as c

GUIDELINE = ("GB/T 32151.5-2015 温室气体排放核算与报告要求 第5部分：钢铁生产企业 / 中国钢铁生产企业温室气体排放核算方法与"
             "报告指南（试行） (NDRC 2013), carbon mass balance; no CETS steel guideline found")
CO2_C = 44 / 12
MINERALS = {"limestone": "steel.ef_caco3_stoich", "dolomite": "steel.ef_camgco3_stoich"}
IN_ROLES = ("reductant", "electrode", "raw_material")
OUT_ROLES = ("product", "by_product")
REPORT_KEYS = {"year", "method", "industry", "fuels", "fluxes", "carbon_inputs", "carbon_outputs", "crude_steel",
               "crude_steel_unit", "purchased_electricity_mwh", "purchased_heat_gj"}
CRUDE_STEEL = "粗钢"
FLUX_KEYS = {"name", "mineral", "quantity", "unit", "purity", "purity_unit", "factor", "factor_unit"}
FLOW_KEYS = {"name", "role", "quantity", "unit", "carbon", "carbon_unit"}


def eq_s3_flux(raw: Any, where: str) -> tuple[float, list[dict[str, Any]]]:
    """式(S3): E_flux = Σ P_k × DX_k × EF_k (t CO2)."""
    total, out = 0.0, []
    for i, f in enumerate(c.lst(raw or [], where)):
        w = f"{where}[{i}]"
        d = c.obj(f, w, FLUX_KEYS, {"name", "mineral", "quantity", "unit", "purity"})
        c.name(d, w)
        if d["mineral"] not in MINERALS:
            raise ValidationError(key="ets_sector_one_of",
                                  params={"field": f"{w}.mineral", "allowed": ", ".join(MINERALS)},
                                  field=f"{w}.mineral")
        p = c.quantity(d, "quantity", w, "t", unit_key="unit")
        dx = c.fraction(d, "purity", w, what="carbonate purity 纯度")
        ef = (c.quantity(d, "factor", w, "t/t") if "factor" in d else c.verified_default(MINERALS[d["mineral"]]))
        e = c.calc("E_flux", p.value * dx.value * ef.value, "t CO2", "式(S3) P × DX × EF")
        total += e.value
        out.append({"name": d["name"], "mineral": d["mineral"], "emissions_t": c.r6(e.value),
                    "params": [p.as_dict(), dx.as_dict(), ef.as_dict(), e.as_dict()]})
    return total, out


def carbon_flows(raw: Any, where: str, roles: tuple[str, ...], eq: str) -> tuple[float, list[dict[str, Any]]]:
    """式(S4)/(S5): Σ M × C (t C) of carbon inputs or outputs."""
    total, out = 0.0, []
    for i, f in enumerate(c.lst(raw or [], where)):
        w = f"{where}[{i}]"
        d = c.obj(f, w, FLOW_KEYS, {"name", "role", "quantity", "unit", "carbon"})
        c.name(d, w)
        if d["role"] not in roles:
            raise ValidationError(key="ets_sector_one_of", params={"field": f"{w}.role", "allowed": ", ".join(roles)},
                                  field=f"{w}.role")
        m = c.quantity(d, "quantity", w, "t", unit_key="unit")
        cc = c.fraction(d, "carbon", w, what="carbon content 含碳量")
        carbon = c.calc("C", m.value * cc.value, "t C", f"{eq} M × C")
        total += carbon.value
        out.append({"name": d["name"], "role": d["role"], "carbon_t": c.r6(carbon.value),
                    "params": [m.as_dict(), cc.as_dict(), carbon.as_dict()]})
    return total, out


def crude_steel_output(payload: dict[str, Any], outs: list[dict[str, Any]]) -> float | None:
    """The crude-steel output (t): ``crude_steel`` if given, else the 粗钢 product rows of ``carbon_outputs``."""
    if "crude_steel" in payload:
        return c.quantity(payload, "crude_steel", "report", "t", positive=True, what="crude steel output 粗钢产量").value
    rows = [o for o in outs if o["role"] == "product" and o["name"].strip() == CRUDE_STEEL]
    return sum(o["params"][0]["value"] for o in rows) if rows else None


def compute(payload: dict[str, Any], *, year: int, adjustment_t: int = 0) -> dict[str, Any]:
    """式(S1)–(S6) for a steel enterprise (direct emissions; purchased electricity/heat as memo)."""
    c.obj(payload, "report", REPORT_KEYS, {"year"})
    fuels, e_fuel = c.fuel_combustion(payload.get("fuels"), year=year, where="fuels")
    e_flux, fluxes = eq_s3_flux(payload.get("fluxes"), "fluxes")
    c_in, ins = carbon_flows(payload.get("carbon_inputs"), "carbon_inputs", IN_ROLES, "式(S4)")
    c_out, outs = carbon_flows(payload.get("carbon_outputs"), "carbon_outputs", OUT_ROLES, "式(S5)")
    if c_out > c_in + 1e-9:
        raise ValidationError(key="ets_sector_carbon_out_exceeds", params={"c_out": c_out, "c_in": c_in},
                              field="carbon_outputs")
    e_c = (c_in - c_out) * CO2_C
    if not fuels and not fluxes and not ins:
        raise ValidationError(key="ets_sector_steel_empty", field="fuels")
    steps = [c.calc("E_fuel", e_fuel, "t CO2", "式(S2)"), c.calc("E_flux", e_flux, "t CO2", "式(S3) Σ P × DX × EF"),
             c.calc("C_in", c_in, "t C", "式(S4) Σ M × C"), c.calc("C_out", c_out, "t C", "式(S5) Σ M × C"),
             c.calc("R_fixed", c_out * CO2_C, "t CO2", "C_out × 44/12 (固碳)"),
             c.calc("E_C", e_c, "t CO2", "式(S6) (C_in − C_out) × 44/12"),
             c.calc("E", e_fuel + e_flux + e_c, "t CO2", "式(S1) E_fuel + E_flux + E_C")]
    rows = [c.source_row("fuel combustion 化石燃料燃烧", "CO2", e_fuel, e_fuel, "式(S2)", where="fuels"),
            c.source_row("flux decomposition 熔剂消耗", "CO2", e_flux, e_flux, "式(S3)", where="fluxes"),
            c.source_row("carbon balance 含碳物料（还原剂、电极、原料 − 产品）", "CO2", e_c, e_c, "式(S6)",
                         where="carbon_inputs")]
    return c.result(year=year, industry="steel", guideline=GUIDELINE, rows=rows, fuels=fuels,
                    memo=c.indirect_memo(payload, year), adjustment_t=adjustment_t, steps=steps,
                    extra={"fuels": [c.fuel_out(f) for f in fuels], "fluxes": fluxes, "carbon_inputs": ins,
                           "carbon_outputs": outs, "crude_steel_t": c.r6(crude_steel_output(payload, outs))})
