"""A yearly report (REPORT.json) computed end to end: MRV per unit, then the year's allocation rules.

Pure: a dict in (the parsed JSON), a dict out (JSON-able). Used by ``carbon ets compute``, by the API's
stateless ``POST /ets/compute`` and by the service when a report is submitted or verified.

Power generation (``"method": "power"``, the default)::

    {"year": 2022, "units": [{"id", "type", "capacity_mw", "cooling", "operating_hours",
      "fuels": [{"name", "quantity", "unit", "ncv"?, "ncv_unit"?, "carbon_content"?, "carbon_content_unit"?,
                 "oxidation"?, "oxidation_unit"? (blank, "1", "dimensionless", "无量纲", "%" or "‰")}],
      "purchased_electricity_mwh", "gross_generation_mwh", "supplied_mwh", "heat_supplied_gj"?, "heat_ratio"?}]}

Other industries (``"method": "generic"``)::

    {"year": 2024, "method": "generic", "industry": "cement", "fuels": [...],
     "processes": [{"name", "quantity", "unit", "factor", "factor_unit"}],
     "purchased_electricity_mwh"?, "purchased_heat_gj"?}

Chemical plants (``"method": "chemical"``, ``carbon.ets.chemical``): fuel combustion as the generic method, plus
process CO2 of each facility by the carbon mass balance (IPCC 2006 Vol 3 Eq. 3.17), CO2 recovered and sold
deducted inside each balance::

    {"year": 2024, "method": "chemical", "industry": "coal_chemical", "fuels": [...],
     "facilities": [{"name": "甲醇装置", "flows": [{"item", "role", "quantity", "unit"?, "carbon_fraction"?,
                                                  "carbon_fraction_unit"?, "source"?}]}],
     "purchased_electricity_mwh"?, "purchased_heat_gj"?}

Sector reports of the industries joining the national ETS (``carbon.ets.sectors``): ``"industry": "cement" |
"aluminium" | "steel"`` with ``"method"`` absent or equal to the industry name. Direct emissions only; purchased
electricity/heat, if given, appear in ``indirect_memo`` and never in ``covered_emissions_t``. The result has
``sources`` (per source and gas: ``gas``, ``mass_t``, ``co2e_t``, ``flag``), ``gases``, ``steps`` (every intermediate
with unit and 实测/缺省/计算 flag), ``guideline``, ``total`` and ``allocation``::

    {"year": 2024, "industry": "cement", "lines": [{"name", "fuels": [...], "clinker", "clinker_unit" | "clinker_stock":
       {"unit", "opening", "closing", "sold", "used"}, "clinker_cao", "clinker_cao_unit", "clinker_mgo", "clinker_mgo_unit",
       "substitutes": [{"name", "quantity", "unit", "cao", "cao_unit", "mgo"?, "mgo_unit"?}], "raw_meal", "raw_meal_unit",
       "raw_meal_toc", "raw_meal_toc_unit"}], "fuels"? (outside the lines), "purchased_electricity_mwh"?, "purchased_heat_gj"?}
    {"year": 2024, "industry": "aluminium", "aluminium", "aluminium_unit", "fuels"?, "anode": {"net_consumption",
       "net_consumption_unit", "sulphur", "sulphur_unit", "ash", "ash_unit"}, "pfc": {"ef_cf4", "ef_cf4_unit", "ef_c2f6",
       "ef_c2f6_unit"} | {"anode_effect_minutes", "slope_cf4", "slope_cf4_unit", "c2f6_cf4_ratio"},
       "gwp_set", "gwp_source"?, "gwp_values"? {"CF4", "C2F6"}, "purchased_electricity_mwh"?, "purchased_heat_gj"?}
    {"year": 2024, "industry": "steel", "fuels"?, "fluxes"?: [{"name", "mineral", "quantity", "unit", "purity",
       "purity_unit", "factor"?, "factor_unit"?}], "carbon_inputs"?: [{"name", "role", "quantity", "unit", "carbon",
       "carbon_unit"}], "carbon_outputs"?: [...], "purchased_electricity_mwh"?, "purchased_heat_gj"?}

Bad input raises ValidationError (or UnitError) whose ``field`` is the JSON path, e.g. ``units[0].fuels[1].ncv_unit``
or ``lines[0].clinker_cao``.
"""

from __future__ import annotations

from typing import Any

from carbon.core import carbon_balance as cb
from carbon.core.errors import ValidationError
from carbon.ets import allocation, chemical, mrv, sectors
from carbon.ets.sectors.common import obj

UNIT_KEYS = {"id", "type", "capacity_mw", "cooling", "operating_hours", "fuels", "purchased_electricity_mwh",
             "gross_generation_mwh", "supplied_mwh", "heat_supplied_gj", "heat_ratio"}
UNIT_REQUIRED = {"id", "type", "capacity_mw", "cooling", "operating_hours", "fuels", "gross_generation_mwh",
                 "supplied_mwh"}
FUEL_KEYS = {"name", "quantity", "unit", "ncv", "ncv_unit", "carbon_content", "carbon_content_unit", "oxidation",
             "oxidation_unit"}
PROCESS_KEYS = {"name", "quantity", "unit", "factor", "factor_unit"}
INDUSTRIES = ("power", "cement", "aluminium", "steel", "coal_chemical", "chemical", "other")
ROUND = 6


def _r(x: float | None) -> float | None:
    """Tonnes to the gram (6 decimals), which also removes binary noise such as 2940299.9999999995."""
    return None if x is None else round(x, ROUND)


def _ratio(x: float | None) -> float | None:
    """Intensities, factors and rates to 10 decimals."""
    return None if x is None else round(x, 10)


_obj = obj  # a JSON object with known keys and its required ones (carbon.ets.sectors.common, shared with the sectors)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(key="ets_not_a_list", params={"where": where}, field=where)
    return value


def _fuel(d: Any, where: str) -> mrv.FuelInput:
    d = _obj(d, where, FUEL_KEYS, {"name", "quantity", "unit"})
    if not isinstance(d["name"], str) or not d["name"].strip():
        raise ValidationError(key="ets_name_required", params={"where": where}, field=f"{where}.name")
    return mrv.FuelInput(**d)


def parse_year(payload: dict[str, Any]) -> int:
    year = payload.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2005 <= year <= 2100:
        raise ValidationError(key="ets_year_integer", params={"year": year}, field="year")
    return year


def parse_power_units(payload: dict[str, Any]) -> list[mrv.PowerUnitInput]:
    units = _list(payload.get("units"), "units")
    if not units:
        raise ValidationError(key="ets_units_required", field="units")
    out, seen = [], set()
    for i, raw in enumerate(units):
        where = f"units[{i}]"
        u = _obj(raw, where, UNIT_KEYS, UNIT_REQUIRED)
        if not isinstance(u["id"], str) or not u["id"].strip():
            raise ValidationError(key="ets_id_required", params={"where": where}, field=f"{where}.id")
        if u["id"] in seen:
            raise ValidationError(key="ets_id_twice", params={"where": where, "id": u["id"]}, field=f"{where}.id")
        seen.add(u["id"])
        fuels = tuple(_fuel(f, f"{where}.fuels[{j}]") for j, f in enumerate(_list(u["fuels"], f"{where}.fuels")))
        out.append(mrv.PowerUnitInput(
            id=u["id"], type=u["type"], capacity_mw=u["capacity_mw"], cooling=u["cooling"],
            operating_hours=u["operating_hours"], fuels=fuels,
            purchased_electricity_mwh=u.get("purchased_electricity_mwh", 0), gross_generation_mwh=u["gross_generation_mwh"],
            supplied_mwh=u["supplied_mwh"], heat_supplied_gj=u.get("heat_supplied_gj", 0), heat_ratio=u.get("heat_ratio", 0)))
    return out


def _fuel_out(f: mrv.FuelResult) -> dict[str, Any]:
    return {"name": f.name, "fuel": f.fuel, "kind": f.kind, "emissions_t": _r(f.emissions_t),
            "params": [p.as_dict() for p in f.params], "steps": [s.as_dict() for s in f.steps],
            "defaults_applied": f.defaults_applied}


def _without_rules(year: int, inputs: list[mrv.PowerUnitInput], results: list[mrv.PowerUnitResult], note: str,
                   adjustment_t: int) -> dict[str, Any]:
    """Emissions only, for a year without an allocation plan in the data (e.g. 2025-26, still a draft):
    no quota, no gap; covered emissions follow the latest plan (direct emissions only, since 2023)."""
    units_out = [{
        "id": r.id, "type": r.type, "cooling": r.cooling, "fuel_emissions_t": _r(r.fuel_emissions_t),
        "electricity_emissions_t": _r(r.electricity_emissions_t), "emissions_t": _r(r.emissions_t),
        "covered_emissions_t": _r(r.fuel_emissions_t), "intensity_t_per_mwh": _ratio(r.intensity_generated_t_per_mwh),
        "intensity_basis": "generated", "intensity_supplied_t_per_mwh": _ratio(r.intensity_supplied_t_per_mwh),
        "intensity_generated_t_per_mwh": _ratio(r.intensity_generated_t_per_mwh),
        "heat_intensity_t_per_gj": _ratio(r.heat_intensity_t_per_gj), "heat_ratio": r.heat_ratio,
        "load_factor": _ratio(r.load_factor), "correction_factors": {}, "quota_t": None, "gap_t": None,
        "gap_rate": None, "grid_factor": r.grid_factor.as_dict(), "defaults_applied": r.defaults_applied,
        "fuels": [_fuel_out(f) for f in r.fuels], "steps": [s.as_dict() for s in r.steps]} for r in results]
    gross = sum(float(u.gross_generation_mwh) for u in inputs)
    total = {
        "fuel_emissions_t": _r(sum(r.fuel_emissions_t for r in results)),
        "electricity_emissions_t": _r(sum(r.electricity_emissions_t for r in results)),
        "emissions_t": _r(sum(r.emissions_t for r in results) + adjustment_t), "conservative_adjustment_t": adjustment_t,
        "covered_emissions_t": allocation.round_half_up(sum(r.fuel_emissions_t for r in results)) + adjustment_t,
        "intensity_t_per_mwh": _ratio(sum(r.power_emissions_t for r in results) / gross) if gross else None,
        "intensity_basis": "generated",
        "load_factor": _ratio(gross / sum(float(u.capacity_mw) * float(u.operating_hours) for u in inputs)),
        "correction_factors": {}, "quota_t": None, "obligation_t": None, "gap_t": None, "gap_rate": None,
        "defaults_applied": [d for u in units_out for d in u["defaults_applied"]]}
    return {"year": year, "method": "power", "rules": None, "allocation": f"not computed: {note}",
            "units": units_out, "total": total}


def compute_power(payload: dict[str, Any], *, adjustment_t: int = 0) -> dict[str, Any]:
    year = parse_year(payload)
    inputs = parse_power_units(payload)
    results = [mrv.power_unit_emissions(u, year=year, where=f"units[{i}]") for i, u in enumerate(inputs)]
    try:
        rule = allocation.rule(year)
    except ValidationError as exc:
        return _without_rules(year, inputs, results, exc.message, adjustment_t)
    covered = [r.emissions_t if rule["indirect_in_scope"] else r.fuel_emissions_t for r in results]
    quota = allocation.emitter_quota([
        allocation.UnitAllocationInput(
            id=r.id, type=r.type, cooling=r.cooling, load_factor=r.load_factor, heat_ratio=r.heat_ratio,
            supplied_mwh=float(r.inputs.supplied_mwh), generated_mwh=float(r.inputs.gross_generation_mwh),
            heat_supplied_gj=float(r.inputs.heat_supplied_gj), emissions_t=c)
        for r, c in zip(results, covered, strict=True)], year, adjustment_t=adjustment_t)
    basis = rule["basis"]
    units_out = []
    for r, c, q in zip(results, covered, quota.units, strict=True):
        intensity = r.intensity_supplied_t_per_mwh if basis == "supplied" else r.intensity_generated_t_per_mwh
        units_out.append({
            "id": r.id, "type": r.type, "cooling": r.cooling,
            "fuel_emissions_t": _r(r.fuel_emissions_t), "electricity_emissions_t": _r(r.electricity_emissions_t),
            "emissions_t": _r(r.emissions_t), "covered_emissions_t": _r(c),
            "intensity_t_per_mwh": _ratio(intensity), "intensity_basis": basis,
            "intensity_supplied_t_per_mwh": _ratio(r.intensity_supplied_t_per_mwh),
            "intensity_generated_t_per_mwh": _ratio(r.intensity_generated_t_per_mwh),
            "heat_intensity_t_per_gj": _ratio(r.heat_intensity_t_per_gj), "heat_ratio": r.heat_ratio,
            "load_factor": _ratio(r.load_factor), "correction_factors": {k: _ratio(v) for k, v in q.correction_factors.items()},
            "electricity_benchmark_t_per_mwh": q.electricity_benchmark, "heat_benchmark_t_per_gj": q.heat_benchmark,
            "electricity_quota_t": _r(q.electricity_quota_t), "heat_quota_t": _r(q.heat_quota_t),
            "gas_top_up_t": q.gas_top_up_t, "quota_t": q.quota_t, "gap_t": _r(q.gap_t), "gap_rate": _ratio(q.gap_rate),
            "grid_factor": r.grid_factor.as_dict(), "defaults_applied": r.defaults_applied,
            "fuels": [_fuel_out(f) for f in r.fuels], "steps": [s.as_dict() for s in r.steps],
        })
    gross = sum(float(u.gross_generation_mwh) for u in inputs)
    supplied = sum(float(u.supplied_mwh) for u in inputs)
    e_total = sum(r.emissions_t for r in results)
    power_e = sum(r.power_emissions_t for r in results)
    denominator = supplied if basis == "supplied" else gross
    total = {
        "fuel_emissions_t": _r(sum(r.fuel_emissions_t for r in results)),
        "electricity_emissions_t": _r(sum(r.electricity_emissions_t for r in results)),
        "emissions_t": _r(e_total + adjustment_t), "covered_emissions_t": quota.emissions_t,
        "conservative_adjustment_t": adjustment_t,
        "intensity_t_per_mwh": _ratio(power_e / denominator) if denominator else None, "intensity_basis": basis,
        "load_factor": _ratio(gross / sum(float(u.capacity_mw) * float(u.operating_hours) for u in inputs)),
        "correction_factors": {u["id"]: u["correction_factors"] for u in units_out},
        "benchmark_quota_t": quota.benchmark_quota_t, "cap_top_up_t": quota.cap_top_up_t, "quota_t": quota.quota_t,
        "obligation_t": quota.obligation_t, "gap_t": quota.gap_t, "gap_rate": _ratio(quota.gap_rate),
        "ccer_limit_t": quota.ccer_limit_t, "borrowing_limit_t": quota.borrowing_limit_t,
        "defaults_applied": [d for u in units_out for d in u["defaults_applied"]],
    }
    return {"year": year, "method": "power", "rules": quota.rules, "rounding": allocation.periods()["rounding"],
            "units": units_out, "total": total}


def compute_generic(payload: dict[str, Any], *, adjustment_t: int = 0) -> dict[str, Any]:
    year = parse_year(payload)
    industry = payload.get("industry", "other")
    if industry not in INDUSTRIES:
        raise ValidationError(key="ets_industry", params={"industries": ", ".join(INDUSTRIES)}, field="industry")
    fuels = [_fuel(f, f"fuels[{i}]") for i, f in enumerate(_list(payload.get("fuels", []), "fuels"))]
    processes = [mrv.ProcessInput(**_obj(p, f"processes[{i}]", PROCESS_KEYS, PROCESS_KEYS))
                 for i, p in enumerate(_list(payload.get("processes", []), "processes"))]
    res = mrv.generic_emissions(year=year, fuels=fuels, processes=processes,
                                purchased_electricity_mwh=payload.get("purchased_electricity_mwh", 0),
                                purchased_heat_gj=payload.get("purchased_heat_gj", 0), where="report")
    return {
        "year": year, "method": "generic", "industry": industry,
        "fuels": [_fuel_out(f) for f in res.fuels], "processes": [s.as_dict() for s in res.processes],
        "params": [p.as_dict() for p in res.params],
        "total": {"fuel_emissions_t": _r(res.fuel_emissions_t), "process_emissions_t": _r(res.process_emissions_t),
                  "electricity_emissions_t": _r(res.electricity_emissions_t), "heat_emissions_t": _r(res.heat_emissions_t),
                  "emissions_t": _r(res.emissions_t + adjustment_t), "conservative_adjustment_t": adjustment_t,
                  "covered_emissions_t": allocation.round_half_up(res.emissions_t) + adjustment_t,
                  "quota_t": None, "gap_t": None, "gap_rate": None, "defaults_applied": res.defaults_applied},
        "allocation": f"not computed: no {industry} benchmarks in the reference (shared/reference/ets.md covers power only)",
    }


_FUEL_PARAM_FIELD = {"NCV": "ncv", "CC": "carbon_content", "OF": "oxidation"}


def _data_quality(facilities: list[chemical.FacilityResult], fuels: list[mrv.FuelResult]) -> dict[str, Any]:
    """Where each carbon fraction and fuel parameter came from (实测 measured / 缺省 default), for the verifier."""
    flows = [{"where": f"facilities[{i}].flows[{j}]", "facility": fr.name, "item": fc.flow.item,
              "role": fc.flow.role, "role_zh": cb.ROLE_ZH[fc.flow.role], "source": fc.flow.source,
              "source_zh": cb.SOURCE_ZH[fc.flow.source], "ref": fc.flow.ref}
             for i, fr in enumerate(facilities) for j, fc in enumerate(fr.balance.flows)]
    params = [{"where": f"fuels[{i}].{_FUEL_PARAM_FIELD[p.name]}", "fuel": f.name, "param": p.name,
               "source": p.source, "source_zh": p.label_zh, "ref": p.citation}
              for i, f in enumerate(fuels) for p in f.params if p.name in _FUEL_PARAM_FIELD]
    return {
        "carbon_fractions": {"measured": sum(f["source"] == cb.MEASURED for f in flows),
                             "default": sum(f["source"] == cb.DEFAULT for f in flows), "flows": flows},
        "fuel_parameters": {"measured": sum(p["source"] == "measured" for p in params),
                            "default": sum(p["source"] == "default" for p in params), "params": params},
    }


def compute_chemical(payload: dict[str, Any], *, adjustment_t: int = 0) -> dict[str, Any]:
    """化工生产企业指南: E = E_燃烧 + E_过程 + E_购入电 + E_购入热, E_过程 = Σ facilities' carbon mass balance
    (IPCC 2006 Vol 3 Eq. 3.17) with CO2 recovered and sold deducted (see ``carbon.ets.chemical``)."""
    year = parse_year(payload)
    industry = payload.get("industry", "chemical")
    if industry not in chemical.CHEMICAL_INDUSTRIES:
        raise ValidationError(key="ets_chemical_industry",
                              params={"industries": ", ".join(chemical.CHEMICAL_INDUSTRIES), "industry": industry},
                              field="industry")
    fuels = [_fuel(f, f"fuels[{i}]") for i, f in enumerate(_list(payload.get("fuels", []), "fuels"))]
    facilities = chemical.facility_balances(payload.get("facilities"), _obj, _list)
    res = mrv.generic_emissions(year=year, fuels=fuels, processes=[],
                                purchased_electricity_mwh=payload.get("purchased_electricity_mwh", 0),
                                purchased_heat_gj=payload.get("purchased_heat_gj", 0), where="report")
    e_process = sum(f.process_co2_t for f in facilities)
    recovered = sum(f.recovered_co2_t for f in facilities)
    e_total = res.emissions_t + e_process
    steps = [mrv.Step("E_fuel", res.fuel_emissions_t, "t CO2", "Σ fuels 式(2) FC × NCV × CC × OF × 44/12"),
             mrv.Step("E_process", e_process, "t CO2", "Σ facilities IPCC 2006 V3 Eq. 3.17 (回收外供CO2 deducted)"),
             mrv.Step("R_CO2", recovered, "t CO2", "Σ CO2 recovered and sold (already deducted in E_process)"),
             mrv.Step("E_elec", res.electricity_emissions_t, "t CO2", "式(4) AD × EF_grid"),
             mrv.Step("E_heat", res.heat_emissions_t, "t CO2", f"AD_heat × {mrv.PURCHASED_HEAT_FACTOR} t CO2/GJ"),
             mrv.Step("E", e_total, "t CO2", "E_fuel + E_process + E_elec + E_heat")]
    defaults = res.defaults_applied + [d for f in facilities for d in f.defaults_applied]
    return {
        "year": year, "method": "chemical", "industry": industry, "guideline": chemical.GUIDELINE,
        "fuels": [_fuel_out(f) for f in res.fuels], "facilities": [f.as_dict(_r) for f in facilities],
        "params": [p.as_dict() for p in res.params],
        "steps": [s.as_dict() for s in steps],
        "data_quality": _data_quality(facilities, res.fuels),
        "total": {"fuel_emissions_t": _r(res.fuel_emissions_t), "process_emissions_t": _r(e_process),
                  "recovered_co2_t": _r(recovered), "electricity_emissions_t": _r(res.electricity_emissions_t),
                  "heat_emissions_t": _r(res.heat_emissions_t),
                  "emissions_t": _r(e_total + adjustment_t), "conservative_adjustment_t": adjustment_t,
                  "covered_emissions_t": allocation.round_half_up(e_total) + adjustment_t,
                  "quota_t": None, "gap_t": None, "gap_rate": None, "defaults_applied": defaults},
        "allocation": f"not computed: no chemical benchmarks in the reference for {industry} "
                      f"(shared/reference/ets.md covers power only)",
    }


GENERIC_KEYS = {"year", "method", "industry", "fuels", "processes", "purchased_electricity_mwh", "purchased_heat_gj"}
CHEMICAL_KEYS = {"year", "method", "industry", "fuels", "facilities", "purchased_electricity_mwh", "purchased_heat_gj"}
POWER_KEYS = {"year", "method", "units"}


def compute_report(payload: Any, *, adjustment_t: int = 0) -> dict[str, Any]:
    """Compute a REPORT.json payload (see the module docstring). ``adjustment_t``: the verifier's conservative
    estimate for unresolved non-conformities, added to the emitter's emissions and obligation."""
    if not isinstance(payload, dict):
        raise ValidationError(key="ets_report_object", field="report")
    industry = payload.get("industry")
    if isinstance(industry, str) and industry in sectors.SECTOR_INDUSTRIES and payload.get("method", industry) == industry:
        return sectors.CALCULATORS[industry](payload, year=parse_year(payload), adjustment_t=adjustment_t)
    method = payload.get("method", "power")
    if method == "power":
        _obj(payload, "report", POWER_KEYS, {"year", "units"})
        return compute_power(payload, adjustment_t=adjustment_t)
    if method == "generic":
        _obj(payload, "report", GENERIC_KEYS, {"year"})
        return compute_generic(payload, adjustment_t=adjustment_t)
    if method == "chemical":
        _obj(payload, "report", CHEMICAL_KEYS, {"year", "facilities"})
        return compute_chemical(payload, adjustment_t=adjustment_t)
    if method in sectors.SECTOR_INDUSTRIES:
        raise ValidationError(key="ets_method_needs_industry",
                              params={"method": method, "industry": industry}, field="method")
    raise ValidationError(key="ets_method", params={"industries": ", ".join(sectors.SECTOR_INDUSTRIES)}, field="method")


def unit_allocation(year: int, *, industry: str) -> None:
    """Allocation outside power generation."""
    raise NotImplementedError(f"allocation for {industry}: no benchmarks in the reference (ets.md covers power only)")
