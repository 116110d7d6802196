"""Aluminium smelting: 《企业温室气体排放核算与报告指南 铝冶炼行业》 CETS—AG—04.01—V01—2024 (MEE, 2024-09).

Sources per the guideline's outline (MEE notice 2024-09-13): fuel combustion, anode (carbon) consumption, and
PFCs (CF4, C2F6) from anode effects. A copy of the 2024 text's opening was seen (https://fxbaogao.com/detail/4534862,
search of 2026-12-07): two levels, 6 铝电解工序 and 7 企业层级, 附录A 相关参数缺省值, 附录D 信息公开格式; its
equations and default values were not in what was seen; the formulas are those of the 2013
NDRC aluminium guideline and IPCC 2006 Vol 3 §4.4 (Tier 2 slope method); equation numbers are ours [check]:

    式(A1) E        = E_fuel + E_anode + E_PFC                              direct, t CO2e
    式(A2) E_fuel   = Σ FC × NCV × CC × OF × 44/12                          carbon.ets.mrv 式(2)
    式(A3) EF_anode = NC × (1 − S_a − A_a) × 44/12                          t CO2 / t Al
    式(A4) E_anode  = P_Al × EF_anode
    式(A5) EF_CF4   = SEF_CF4 × AEM    (slope method)  or given directly    kg CF4 / t Al
           EF_C2F6  = EF_CF4 × F_C2F6/CF4 (slope method) or given directly  kg C2F6 / t Al
    式(A6) m_CF4    = P_Al × EF_CF4 / 1000;  m_C2F6 = P_Al × EF_C2F6 / 1000  t of gas (own rows)
    式(A7) E_PFC    = m_CF4 × GWP_CF4 + m_C2F6 × GWP_C2F6                    t CO2e

Payload::

    {"year": 2024, "industry": "aluminium", "aluminium": 500000, "aluminium_unit": "t",
     "fuels": [...],
     "anode": {"net_consumption": 0.41, "net_consumption_unit": "t/t", "sulphur": 2, "sulphur_unit": "%",
               "ash": 0.4, "ash_unit": "%"},
     "pfc": {"ef_cf4": 0.034, "ef_cf4_unit": "kg/t", "ef_c2f6": 0.0034, "ef_c2f6_unit": "kg/t"}
         or {"anode_effect_minutes": 0.1 (AE-min per cell-day), "slope_cf4": 0.143, "slope_cf4_unit": "kg/t",
             "c2f6_cf4_ratio": 0.121},
     "gwp_set": "AR5" | "AR4" | "SAR" | "AR6",  "gwp_source": "bureau's choice ..." (stated in the report),
     "gwp_values"?: {"CF4": 6630, "C2F6": 11100} (overrides the set's values; gwp_source then required),
     "purchased_electricity_mwh"?, "purchased_heat_gj"?}

The GWP set must be stated: no set is assumed. Values come from emission_factors/gwp (its edition is recorded).
No aluminium default factor is applied (sector_defaults.csv lists candidates, none verified in the text).
"""

from __future__ import annotations

from typing import Any

from carbon.core import gases
from carbon.core.errors import ValidationError
from carbon.ets.sectors import common as c

GUIDELINE = ("企业温室气体排放核算与报告指南 铝冶炼行业 CETS—AG—04.01—V01—2024 (formulas as the 2013 NDRC aluminium "
             "guideline and IPCC 2006 V3 §4.4 Tier 2; numbering [check] against the 2024 text)")
CO2_C = 44 / 12
REPORT_KEYS = {"year", "method", "industry", "aluminium", "aluminium_unit", "fuels", "anode", "pfc", "gwp_set",
               "gwp_source", "gwp_values", "purchased_electricity_mwh", "purchased_heat_gj"}
ANODE_KEYS = {"net_consumption", "net_consumption_unit", "sulphur", "sulphur_unit", "ash", "ash_unit"}
PFC_FACTOR_KEYS = {"ef_cf4", "ef_cf4_unit", "ef_c2f6", "ef_c2f6_unit"}
PFC_SLOPE_KEYS = {"anode_effect_minutes", "slope_cf4", "slope_cf4_unit", "c2f6_cf4_ratio"}
PFC_GASES = ("CF4", "C2F6")


def eq_a3_anode_factor(raw: Any, where: str) -> tuple[c.Value, list[c.Value]]:
    """式(A3): EF_anode = NC × (1 − S_a − A_a) × 44/12 (t CO2 per t Al)."""
    d = c.obj(raw, where, ANODE_KEYS, {"net_consumption", "sulphur", "ash"})
    nc = c.quantity(d, "net_consumption", where, "t/t", what="net anode consumption per t Al 吨铝炭阳极净耗")
    s = c.fraction(d, "sulphur", where, what="anode sulphur content 炭阳极含硫量")
    a = c.fraction(d, "ash", where, what="anode ash content 炭阳极灰分")
    if s.value + a.value >= 1:
        raise ValidationError(key="ets_sector_sulphur_ash", params={"where": where}, field=f"{where}.ash")
    ef = c.calc("EF_anode", nc.value * (1 - s.value - a.value) * CO2_C, "t/t", "式(A3) NC × (1 − S − A) × 44/12")
    return ef, [nc, s, a]


def eq_a5_pfc_factors(raw: Any, where: str) -> tuple[c.Value, c.Value, list[c.Value]]:
    """式(A5): CF4 and C2F6 per t Al, given directly or by the slope method (SEF × AEM, ratio for C2F6)."""
    if not isinstance(raw, dict):
        raise ValidationError(key="ets_sector_object_required", params={"where": where}, field=where)
    if set(raw) & PFC_SLOPE_KEYS:
        d = c.obj(raw, where, PFC_SLOPE_KEYS, PFC_SLOPE_KEYS)
        aem = c.Value("AEM", c.number(d, "anode_effect_minutes", where), "min/(cell*day)", c.MEASURED)
        sef = c.quantity(d, "slope_cf4", where, "kg/t", what="CF4 slope coefficient (kg/t Al)/(AE-min/cell-day)")
        ratio = c.Value("F_C2F6/CF4", c.number(d, "c2f6_cf4_ratio", where), "1", c.MEASURED)
        cf4 = c.calc("EF_CF4", sef.value * aem.value, "kg/t", "式(A5) SEF_CF4 × AEM")
        c2f6 = c.calc("EF_C2F6", cf4.value * ratio.value, "kg/t", "式(A5) EF_CF4 × F_C2F6/CF4")
        return cf4, c2f6, [aem, sef, ratio]
    d = c.obj(raw, where, PFC_FACTOR_KEYS, {"ef_cf4", "ef_c2f6"})
    cf4 = c.quantity(d, "ef_cf4", where, "kg/t", what="CF4 emission factor kg/t Al")
    c2f6 = c.quantity(d, "ef_c2f6", where, "kg/t", what="C2F6 emission factor kg/t Al")
    return c.Value("EF_CF4", cf4.value, "kg/t", cf4.flag, cf4.ref), c.Value("EF_C2F6", c2f6.value, "kg/t", c2f6.flag,
                                                                            c2f6.ref), []


def gwp_choice(payload: dict[str, Any]) -> dict[str, Any]:
    """The GWP set stated in the report (required), optionally overridden value by value with a stated source."""
    gset = payload.get("gwp_set")
    if gset is None:
        raise ValidationError(key="ets_sector_gwp_set_required", params={"sets": ", ".join(gases.GWP_SETS)},
                              field="gwp_set")
    if not isinstance(gset, str):
        raise ValidationError(key="ets_sector_gwp_set_string", field="gwp_set")
    gases.check_gwp_set(gset)
    source = payload.get("gwp_source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise ValidationError(key="ets_sector_gwp_source_string", field="gwp_source")
    values = {g: gases.gwp(g, gset) for g in PFC_GASES}
    origin = f"emission_factors/gwp ({gases.GWP_EDITION}), {gset}"
    override = payload.get("gwp_values")
    if override is not None:
        d = c.obj(override, "gwp_values", set(PFC_GASES), set(PFC_GASES))
        if source is None:
            raise ValidationError(key="ets_sector_gwp_source_required", field="gwp_source")
        values = {g: c.number(d, g, "gwp_values", positive=True) for g in PFC_GASES}
        origin = "stated in the report (gwp_values)"
    return {"set": gset, "values": values, "values_from": origin, "source": source or f"GWP-100 {gset} as stated"}


def compute(payload: dict[str, Any], *, year: int, adjustment_t: int = 0) -> dict[str, Any]:
    """式(A1)–(A7) for an aluminium smelter: CO2 rows for fuel and anode, CF4 and C2F6 in their own rows."""
    c.obj(payload, "report", REPORT_KEYS, {"year", "aluminium", "anode", "pfc"})
    gwp = gwp_choice(payload)
    p = c.quantity(payload, "aluminium", "report", "t", positive=True, what="primary aluminium output 原铝产量")
    fuels, e_fuel = c.fuel_combustion(payload.get("fuels"), year=year, where="fuels")
    ef_anode, anode_params = eq_a3_anode_factor(payload["anode"], "anode")
    e_anode = c.calc("E_anode", p.value * ef_anode.value, "t CO2", "式(A4) P_Al × EF_anode")
    ef_cf4, ef_c2f6, pfc_params = eq_a5_pfc_factors(payload["pfc"], "pfc")
    m_cf4 = c.calc("m_CF4", p.value * ef_cf4.value / 1000, "t CF4", "式(A6) P_Al × EF_CF4 / 1000")
    m_c2f6 = c.calc("m_C2F6", p.value * ef_c2f6.value / 1000, "t C2F6", "式(A6) P_Al × EF_C2F6 / 1000")
    g = gwp["values"]
    e_cf4 = c.calc("E_CF4", m_cf4.value * g["CF4"], "t CO2e", f"m_CF4 × GWP_CF4 ({g['CF4']}, {gwp['set']})")
    e_c2f6 = c.calc("E_C2F6", m_c2f6.value * g["C2F6"], "t CO2e", f"m_C2F6 × GWP_C2F6 ({g['C2F6']}, {gwp['set']})")
    e_pfc = c.calc("E_PFC", e_cf4.value + e_c2f6.value, "t CO2e", "式(A7) E_CF4 + E_C2F6")
    e = c.calc("E", e_fuel + e_anode.value + e_pfc.value, "t CO2e", "式(A1) E_fuel + E_anode + E_PFC")
    steps = [p, c.calc("E_fuel", e_fuel, "t CO2", "式(A2)"), *anode_params, ef_anode, e_anode, *pfc_params,
             ef_cf4, ef_c2f6, m_cf4, m_c2f6, e_cf4, e_c2f6, e_pfc, e,
             c.calc("intensity", e.value / p.value, "t/t", "E / P_Al (t CO2e / t Al)")]
    rows = [c.source_row("fuel combustion 化石燃料燃烧", "CO2", e_fuel, e_fuel, "式(A2)", where="fuels", gwp=1),
            c.source_row("anode consumption 阳极消耗", "CO2", e_anode.value, e_anode.value, "式(A4)", where="anode",
                         gwp=1),
            c.source_row("anode effect 阳极效应", "CF4", m_cf4.value, e_cf4.value, "式(A6)/(A7)", where="pfc",
                         gwp=g["CF4"]),
            c.source_row("anode effect 阳极效应", "C2F6", m_c2f6.value, e_c2f6.value, "式(A6)/(A7)", where="pfc",
                         gwp=g["C2F6"])]
    return c.result(year=year, industry="aluminium", guideline=GUIDELINE, rows=rows, fuels=fuels,
                    memo=c.indirect_memo(payload, year), adjustment_t=adjustment_t, gwp=gwp, steps=steps,
                    extra={"aluminium_t": c.r6(p.value), "fuels": [c.fuel_out(f) for f in fuels]})
