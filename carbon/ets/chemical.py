"""The chemical-plant method of a key emitter's report (``"method": "chemical"``).

中国化工生产企业温室气体排放核算方法与报告指南（试行） (NDRC 2013):

    E = E_燃烧 + E_过程 + E_购入电 + E_购入热

- E_燃烧: fuel combustion, 式(2) of ``carbon.ets.mrv`` for the report's ``fuels``, exactly as the generic method;
- E_过程: process CO2 of each facility by the carbon mass balance (``carbon.core.carbon_balance``, IPCC 2006 Vol 3
  Eq. 3.17), CO2 recovered and sold outside the plant (回收外供的CO2, flows of role ``recovered``) deducted inside
  the balance;
- purchased electricity and heat as the generic method (式(4) × the year's grid factor; 0.11 t CO2/GJ).

The guideline's N2O process emissions (nitric and adipic acid) are not covered here.

Payload::

    {"year": 2025, "method": "chemical", "industry": "chemical" | "petrochemical" | "coal_chemical",
     "fuels": [... as the generic method ...],
     "facilities": [{"name": "甲醇装置", "flows": [
         {"item": "原料煤", "role": "input" | "product" | "waste" | "recovered", "quantity": 1000000, "unit": "t",
          "carbon_fraction": 0.6, "carbon_fraction_unit": "" | "1" | "dimensionless" | "无量纲" | "%" | "‰" | "kg/Nm3" | "t/TJ" ...,
          "source": "measured" | "default"}]}],
     "purchased_electricity_mwh"?: ..., "purchased_heat_gj"?: ...}

``carbon_fraction`` is the carbon per unit of the flow: a mass fraction (blank, "1", "dimensionless", "无量纲"; "%" is
divided by 100, "‰" by 1000), or carbon per unit of volume or energy ("kg/Nm3", "t/TJ", the quantity then in Nm3 or TJ).
Omitted: 12/44 for a ``recovered`` flow (its quantity in t CO2, ``unit`` optional, default "t"), the
stoichiometric fraction of a pure product (``PRODUCT_DEFAULTS``), otherwise an error naming the flow. ``source``
defaults to "measured" for a given fraction and "default" for a looked-up one.

Pure: no session, file or HTTP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from carbon.core import carbon_balance as cb
from carbon.core import units
from carbon.core.errors import UnitError, ValidationError

FACILITY_KEYS = {"name", "flows"}
FLOW_KEYS = {"item", "role", "quantity", "unit", "carbon_fraction", "carbon_fraction_unit", "source"}
FLOW_REQUIRED = {"item", "role", "quantity"}
CHEMICAL_INDUSTRIES = ("chemical", "petrochemical", "coal_chemical")
FRACTION_UNITS = ("", "1", "dimensionless", "无量纲", "%", "‰")  # documentation: units.is_fraction_unit decides
GUIDELINE = "中国化工生产企业温室气体排放核算方法与报告指南（试行） (NDRC 2013)"

# Pure products: stoichiometric carbon mass fraction with integer atomic masses (C 12, H 1, O 16, N 14).
_STOICH = [
    (("methanol", "甲醇"), 12 / 32, "CH3OH: 12/32"),
    (("ethylene", "乙烯"), 12 / 14, "C2H4: 24/28 = 12/14"),
    (("propylene", "丙烯"), 12 / 14, "C3H6: 36/42 = 12/14"),
    (("ethylene glycol", "ethylene_glycol", "乙二醇"), 24 / 62, "C2H6O2: 24/62"),
    (("urea", "尿素"), 12 / 60, "CO(NH2)2: 12/60"),
    (("sulphur", "sulfur", "硫磺", "硫黄"), 0.0, "S: no carbon"),
    (("ammonia", "合成氨", "氨"), 0.0, "NH3: no carbon"),
]
PRODUCT_DEFAULTS: dict[str, tuple[float, str]] = {
    name: (value, f"stoichiometric carbon mass fraction, {ref}") for names, value, ref in _STOICH for name in names}
RECOVERED_DEFAULT = (12 / 44, "stoichiometric carbon mass fraction, CO2: 12/44")


@dataclass
class FacilityResult:
    name: str
    balance: cb.BalanceResult
    defaults_applied: list[str] = field(default_factory=list)

    @property
    def process_co2_t(self) -> float:
        return self.balance.co2_t

    @property
    def recovered_co2_t(self) -> float:
        return float((self.balance.carbon_recovered * cb.C_TO_CO2).to("t").magnitude)

    def as_dict(self, r: Callable[[float], float]) -> dict[str, Any]:
        return {"name": self.name, **self.balance.as_dict(), "process_co2_t": r(self.process_co2_t),
                "recovered_co2_t": r(self.recovered_co2_t), "defaults_applied": self.defaults_applied}


def product_default(item: str) -> tuple[float, str] | None:
    """The stoichiometric carbon fraction of a pure product by name (English or Chinese), or None."""
    return PRODUCT_DEFAULTS.get(" ".join(item.strip().lower().split()))


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(key="ets_not_finite", params={"where": where, "value": value}, field=where)
    if value < 0:
        raise ValidationError(key="ets_negative", params={"where": where, "value": value}, field=where)
    return float(value)


def _parse_unit(text: str, where: str):
    try:
        return units.parse_unit(text)
    except UnitError as exc:
        raise UnitError(f"{where}: {exc.message}", key="ets_located",
                        params={"where": where, "problem": exc}, field=where) from None


def _carbon_content(value: float, unit_text: Any, where: str):
    """The carbon content as a pint quantity: a mass fraction (blank/"1"/"dimensionless"/"无量纲", "%" / 100, "‰" / 1000), or a
    carbon mass per unit of the flow's volume or energy."""
    if unit_text is None:
        unit_text = ""
    if not isinstance(unit_text, str):
        raise ValidationError(key="ets_carbon_fraction_unit_type", params={"where": where, "unit_text": unit_text},
                              field=f"{where}.carbon_fraction_unit")
    u = unit_text.strip()
    if units.is_fraction_unit(u):  # blank, 1, dimensionless, 无量纲, % or ‰ (the spellings of carbon.core.units)
        fraction = units.as_fraction(value, u)
        if fraction > 1:
            spelled = units.dimensionless_spelling(u)
            if spelled == "dimensionless":
                raise ValidationError(key="ets_carbon_fraction_above_one_hint",
                                      params={"where": where, "value": value}, field=f"{where}.carbon_fraction")
            raise ValidationError(key="ets_carbon_fraction_exceeds",
                                  params={"where": where, "value": value, "u": u,
                                          "limit": "100 %" if spelled == "percent" else "1000 ‰"},
                                  field=f"{where}.carbon_fraction")
        return units.Q_(fraction, "")
    q = value * _parse_unit(u, f"{where}.carbon_fraction_unit")
    if q.dimensionless and q.to("").magnitude > 1:
        raise ValidationError(key="ets_carbon_fraction_above_one", params={"where": where, "value": value, "u": u},
                              field=f"{where}.carbon_fraction")
    return q


def parse_flow(raw: Any, where: str, obj: Callable[..., dict[str, Any]]) -> tuple[cb.Flow, str | None]:
    """One flow of the payload as a ``carbon_balance.Flow``, and the note of a default applied (or None)."""
    d = obj(raw, where, FLOW_KEYS, FLOW_REQUIRED)
    item, role = d["item"], d["role"]
    if not isinstance(item, str) or not item.strip():
        raise ValidationError(key="ets_item_required", params={"where": where}, field=f"{where}.item")
    if role not in cb.ROLES:
        raise ValidationError(key="ets_flow_role",
                              params={"where": where, "role": role, "roles": ", ".join(cb.ROLES)},
                              field=f"{where}.role")
    qty = _number(d["quantity"], f"{where}.quantity")
    unit_text = d.get("unit", "t" if role == cb.RECOVERED else None)
    if not isinstance(unit_text, str) or not unit_text.strip():
        raise ValidationError(key="ets_flow_unit_required", params={"where": where}, field=f"{where}.unit")
    quantity = qty * _parse_unit(unit_text, f"{where}.unit")
    if role == cb.RECOVERED and quantity.dimensionality != units.ureg.get_dimensionality("[mass]"):
        raise UnitError(key="ets_recovered_co2_mass",
                        params={"where": where, "unit_text": unit_text}, field=f"{where}.unit")
    source = d.get("source")
    if source is not None and source not in cb.SOURCE_ZH:
        raise ValidationError(key="ets_flow_source", params={"where": where, "source": source}, field=f"{where}.source")
    note = None
    if d.get("carbon_fraction") is not None:
        content = _carbon_content(_number(d["carbon_fraction"], f"{where}.carbon_fraction"),
                                  d.get("carbon_fraction_unit"), where)
        ref = "reported"
        source = source or cb.MEASURED
    else:
        cfu = d.get("carbon_fraction_unit")
        if cfu is not None and not (isinstance(cfu, str) and units.dimensionless_spelling(cfu) == "dimensionless"):
            raise ValidationError(key="ets_carbon_fraction_unit_alone", params={"where": where},
                                  field=f"{where}.carbon_fraction")
        found = RECOVERED_DEFAULT if role == cb.RECOVERED else product_default(item)
        if found is None:
            raise ValidationError(
                key="ets_carbon_fraction_no_default",
                params={"where": where, "item": item, "role_zh": cb.ROLE_ZH[role],
                        "products": ", ".join(sorted(PRODUCT_DEFAULTS))},
                field=f"{where}.carbon_fraction")
        if source == cb.MEASURED:
            raise ValidationError(key="ets_measured_without_fraction", params={"where": where},
                                  field=f"{where}.source")
        value, ref = found
        content = units.Q_(value, "")
        source = cb.DEFAULT
        note = f"{where}.carbon_fraction: {value:.10g} {cb.SOURCE_ZH[cb.DEFAULT]}值 ({ref})"
    flow = cb.Flow(item=item, role=role, quantity=quantity, carbon_content=content, source=source, ref=ref)
    try:
        cb.flow_carbon(flow)  # the quantity × carbon content must be a mass: report the JSON path of the flow
    except ValidationError as exc:
        raise ValidationError(exc.message, key=exc.key, params=exc.params,
                              field=f"{where}.carbon_fraction_unit") from None
    return flow, note


def facility_balances(raw_facilities: Any, obj: Callable[..., dict[str, Any]],
                      as_list: Callable[[Any, str], list[Any]]) -> list[FacilityResult]:
    """Every facility's carbon mass balance. ``obj`` and ``as_list`` are the report's own payload checkers.

    A negative balance raises the ValidationError of ``carbon_balance.carbon_mass_balance`` (its message names the
    facility and the figures); its ``field`` becomes the facility's JSON path."""
    facilities = as_list(raw_facilities, "facilities")
    if not facilities:
        raise ValidationError(key="ets_facilities_required",
                              field="facilities")
    out, seen = [], set()
    for i, raw in enumerate(facilities):
        where = f"facilities[{i}]"
        d = obj(raw, where, FACILITY_KEYS, FACILITY_KEYS)
        name = d["name"]
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(key="ets_name_required", params={"where": where}, field=f"{where}.name")
        if name in seen:
            raise ValidationError(key="ets_name_twice", params={"where": where, "name": name}, field=f"{where}.name")
        seen.add(name)
        parsed = [parse_flow(f, f"{where}.flows[{j}]", obj) for j, f in enumerate(as_list(d["flows"], f"{where}.flows"))]
        try:
            balance = cb.carbon_mass_balance(name, [f for f, _ in parsed])
        except ValidationError as exc:
            # the balance's own errors (no input, negative balance: field "facility" / "quantity") are the
            # facility's; a flow's unit or fraction was already checked by parse_flow
            exc.field = where if exc.field in ("facility", "quantity") else f"{where}.flows"
            raise
        out.append(FacilityResult(name, balance, [n for _, n in parsed if n]))
    return out
