"""Cement: 《企业温室气体排放核算与报告指南 水泥行业》 CETS—AG—02.01—V01—2024 (MEE, 2024-09).

Two levels, as the guideline sets them: the clinker production line (熟料生产设施) and the enterprise. The
guideline's full text was not retrievable here (only the MEE notice and reposts of its outline), so the
equations below follow the outline (fuel combustion; clinker process emissions with a clinker emission factor
and a deduction for non-carbonate substitute raw materials; raw-meal organic carbon; clinker stock-taking) with
the formulas of the 2013 NDRC cement guideline; the equation numbers are ours ([式号 check] against the text):

    式(C1)  E_line   = E_fuel + E_cli + E_toc                                  per clinker line
    式(C2)  E_fuel   = Σ FC × NCV × CC × OF × 44/12                            carbon.ets.mrv 式(2)
    式(C3)  EF_cli   = (w_CaO − w_CaO,nc) × 44/56 + (w_MgO − w_MgO,nc) × 44/40 t CO2 / t clinker
    式(C4)  w_CaO,nc = Σ_k M_k × CaO_k / Q_cli  (non-carbonate CaO brought in by substitutes such as 电石渣;
                       w_MgO,nc likewise)
    式(C5)  E_cli    = Q_cli × EF_cli
    式(C6)  E_toc    = Q_rm × TOC × 44/12                                      生料中非燃料碳
    式(C7)  Q_cli    = Q_sold + Q_used + S_close − S_open                      熟料盘库 (when not metered)
    式(C8)  E_ent    = Σ lines E_line + Σ other fuels (outside the lines)

Line payload::

    {"name": "1#熟料线", "fuels": [...],
     "clinker": 1500000, "clinker_unit": "t"        or  "clinker_stock": {"unit": "t", "opening": ..., "closing": ...,
                                                                         "sold": ..., "used": ...},
     "clinker_cao": 65.5, "clinker_cao_unit": "%", "clinker_mgo": 1.8, "clinker_mgo_unit": "%",
     "substitutes": [{"name": "电石渣", "quantity": 200000, "unit": "t", "cao": 68, "cao_unit": "%",
                      "mgo"?: 0, "mgo_unit"?: "%"}],
     "raw_meal": 2400000, "raw_meal_unit": "t", "raw_meal_toc": 0.2, "raw_meal_toc_unit": "%"}

No cement default is applied: the clinker CaO/MgO contents, substitute CaO, raw meal and its organic carbon must
be given (sector_defaults.csv lists the candidate values found, none verified).
"""

from __future__ import annotations

from typing import Any

from carbon.core.errors import ValidationError
from carbon.ets.sectors import common as c

GUIDELINE = ("企业温室气体排放核算与报告指南 水泥行业 CETS—AG—02.01—V01—2024 (equations as in the 2013 NDRC cement "
             "guideline; numbering [check] against the 2024 text)")
CO2_CAO = 44 / 56
CO2_MGO = 44 / 40
CO2_C = 44 / 12
LINE_KEYS = {"name", "fuels", "clinker", "clinker_unit", "clinker_stock", "clinker_cao", "clinker_cao_unit",
             "clinker_mgo", "clinker_mgo_unit", "substitutes", "raw_meal", "raw_meal_unit", "raw_meal_toc",
             "raw_meal_toc_unit"}
STOCK_KEYS = {"unit", "opening", "closing", "sold", "used"}
SUB_KEYS = {"name", "quantity", "unit", "cao", "cao_unit", "mgo", "mgo_unit"}
REPORT_KEYS = {"year", "method", "industry", "lines", "fuels", "purchased_electricity_mwh", "purchased_heat_gj"}


def eq_c7_clinker_stock_taking(stock: Any, where: str) -> tuple[c.Value, list[c.Value]]:
    """式(C7) 熟料盘库: Q_cli = sold + used in own cement + closing stock − opening stock (t)."""
    d = c.obj(stock, where, STOCK_KEYS, STOCK_KEYS)
    m = c.quantity({"one": 1, "unit": d["unit"]}, "one", where, "t", unit_key="unit").value  # checks where.unit
    vals = {k: c.Value(k, c.number(d, k, where) * m, "t", c.MEASURED, f"{d[k]} {d['unit']}")
            for k in ("opening", "closing", "sold", "used")}
    q = vals["sold"].value + vals["used"].value + vals["closing"].value - vals["opening"].value
    if q <= 0:
        raise ValidationError(key="ets_sector_stock_taking_negative", params={"where": where, "q": q}, field=where)
    return c.calc("Q_cli", q, "t", "式(C7) Q_sold + Q_used + S_close − S_open"), list(vals.values())


def clinker_output(line: dict[str, Any], where: str) -> tuple[c.Value, list[c.Value]]:
    has_q, has_stock = "clinker" in line, "clinker_stock" in line
    if has_q == has_stock:
        raise ValidationError(key="ets_sector_clinker_one_of", params={"where": where}, field=f"{where}.clinker")
    if has_q:
        return c.quantity(line, "clinker", where, "t", positive=True, what="clinker output 熟料产量"), []
    return eq_c7_clinker_stock_taking(line["clinker_stock"], f"{where}.clinker_stock")


def eq_c4_non_carbonate(subs: Any, q_cli: float, where: str) -> tuple[c.Value, c.Value, list[dict[str, Any]]]:
    """式(C4): non-carbonate CaO and MgO per tonne of clinker brought in by substitute raw materials."""
    cao_t = mgo_t = 0.0
    rows = []
    for i, s in enumerate(c.lst(subs or [], f"{where}.substitutes")):
        w = f"{where}.substitutes[{i}]"
        d = c.obj(s, w, SUB_KEYS, {"name", "quantity", "unit", "cao"})
        c.name(d, w)
        m = c.quantity(d, "quantity", w, "t", unit_key="unit")
        cao = c.fraction(d, "cao", w, what="non-carbonate CaO content of the substitute")
        mgo = c.fraction(d, "mgo", w) if "mgo" in d else c.Value("mgo", 0.0, "1", c.MEASURED, "not given: 0")
        cao_t += m.value * cao.value
        mgo_t += m.value * mgo.value
        rows.append({"name": d["name"], "params": [m.as_dict(), cao.as_dict(), mgo.as_dict()],
                     "cao_t": c.r6(m.value * cao.value), "mgo_t": c.r6(m.value * mgo.value)})
    return (c.calc("w_CaO_nc", cao_t / q_cli, "t/t", "式(C4) Σ M_k × CaO_k / Q_cli"),
            c.calc("w_MgO_nc", mgo_t / q_cli, "t/t", "式(C4) Σ M_k × MgO_k / Q_cli"), rows)


def eq_c3_clinker_factor(cao: float, mgo: float, cao_nc: float, mgo_nc: float, where: str) -> c.Value:
    """式(C3): EF_cli = (w_CaO − w_CaO,nc) × 44/56 + (w_MgO − w_MgO,nc) × 44/40, t CO2 / t clinker."""
    if cao_nc > cao or mgo_nc > mgo:
        raise ValidationError(key="ets_sector_non_carbonate_exceeds", params={"where": where},
                              field=f"{where}.substitutes")
    return c.calc("EF_cli", (cao - cao_nc) * CO2_CAO + (mgo - mgo_nc) * CO2_MGO, "t/t",
                  "式(C3) (w_CaO − w_CaO,nc) × 44/56 + (w_MgO − w_MgO,nc) × 44/40")


def line_emissions(raw: Any, *, year: int, where: str) -> dict[str, Any]:
    """One clinker production line: 式(C1)–(C7), every intermediate with unit and flag."""
    d = c.obj(raw, where, LINE_KEYS, {"name"})
    c.name(d, where)
    fuels, e_fuel = c.fuel_combustion(d.get("fuels"), year=year, where=f"{where}.fuels")
    q_cli, stock = clinker_output(d, where)
    cao = c.fraction(d, "clinker_cao", where, what="CaO content of clinker 熟料中CaO含量")
    mgo = c.fraction(d, "clinker_mgo", where, what="MgO content of clinker 熟料中MgO含量")
    cao_nc, mgo_nc, subs = eq_c4_non_carbonate(d.get("substitutes"), q_cli.value, where)
    ef = eq_c3_clinker_factor(cao.value, mgo.value, cao_nc.value, mgo_nc.value, where)
    e_cli = c.calc("E_cli", q_cli.value * ef.value, "t CO2", "式(C5) Q_cli × EF_cli")
    rm = c.quantity(d, "raw_meal", where, "t", what="raw meal consumed 生料消耗量")
    toc = c.fraction(d, "raw_meal_toc", where, what="organic (non-fuel) carbon of raw meal 生料中非燃料碳含量")
    e_toc = c.calc("E_toc", rm.value * toc.value * CO2_C, "t CO2", "式(C6) Q_rm × TOC × 44/12")
    e_line = c.calc("E_line", e_fuel + e_cli.value + e_toc.value, "t CO2", "式(C1) E_fuel + E_cli + E_toc")
    substitution = sum(s["cao_t"] for s in subs)  # t of non-carbonate CaO
    steps = [*stock, q_cli, cao, mgo, cao_nc, mgo_nc, ef, e_cli, rm, toc, e_toc,
             c.calc("E_fuel", e_fuel, "t CO2", "式(C2) Σ FC × NCV × CC × OF × 44/12"), e_line,
             c.calc("intensity", e_line.value / q_cli.value, "t/t", "E_line / Q_cli (t CO2 / t clinker)")]
    rows = [c.source_row("fuel combustion 化石燃料燃烧", "CO2", e_fuel, e_fuel, "式(C2)", where=f"{where}.fuels"),
            c.source_row("clinker process 熟料生产过程", "CO2", e_cli.value, e_cli.value, "式(C5) Q_cli × EF_cli",
                         where=where),
            c.source_row("raw-meal organic carbon 生料中非燃料碳", "CO2", e_toc.value, e_toc.value, "式(C6)", where=where)]
    for r in rows:
        r["line"] = d["name"]
    return {"name": d["name"], "clinker_t": c.r6(q_cli.value), "clinker_flag": q_cli.flag,
            "clinker_factor_t_per_t": round(ef.value, 10), "non_carbonate_cao_t": c.r6(substitution),
            "fuel_emissions_t": c.r6(e_fuel), "process_emissions_t": c.r6(e_cli.value),
            "raw_meal_carbon_emissions_t": c.r6(e_toc.value), "emissions_t": c.r6(e_line.value),
            "intensity_t_per_t_clinker": round(e_line.value / q_cli.value, 10),
            "substitutes": subs, "fuels": [c.fuel_out(f) for f in fuels], "steps": [s.as_dict() for s in steps],
            "_rows": rows, "_fuels": fuels}


def compute(payload: dict[str, Any], *, year: int, adjustment_t: int = 0) -> dict[str, Any]:
    """Enterprise level, 式(C8): Σ clinker lines + fuels outside the lines; purchased electricity/heat as memo."""
    c.obj(payload, "report", REPORT_KEYS, {"year", "lines"})
    lines = [line_emissions(x, year=year, where=f"lines[{i}]")
             for i, x in enumerate(c.lst(payload["lines"], "lines", nonempty=True))]
    names = [x["name"] for x in lines]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise ValidationError(key="ets_sector_line_twice", params={"i": i, "name": n}, field=f"lines[{i}].name")
    other, e_other = c.fuel_combustion(payload.get("fuels"), year=year, where="fuels")
    rows = [r for x in lines for r in x.pop("_rows")]
    if other:
        rows.append(c.source_row("fuel combustion outside clinker lines 其他化石燃料燃烧", "CO2", e_other, e_other,
                                 "式(C2)", where="fuels"))
    fuels = [f for x in lines for f in x.pop("_fuels")] + other
    q = sum(x["clinker_t"] for x in lines)
    e_lines = sum(x["emissions_t"] for x in lines)
    steps = [c.calc("E_lines", e_lines, "t CO2", "Σ lines 式(C1)"), c.calc("E_other_fuel", e_other, "t CO2", "式(C2)"),
             c.calc("E_ent", e_lines + e_other, "t CO2", "式(C8) Σ E_line + E_other_fuel"),
             c.calc("Q_cli_ent", q, "t", "Σ lines Q_cli")]
    return c.result(year=year, industry="cement", guideline=GUIDELINE, rows=rows, fuels=fuels,
                    memo=c.indirect_memo(payload, year), adjustment_t=adjustment_t, steps=steps,
                    extra={"lines": lines, "fuels": [c.fuel_out(f) for f in other], "clinker_t": c.r6(q)})
