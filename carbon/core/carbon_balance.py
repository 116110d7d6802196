"""Carbon mass balance of a plant: the one calculator behind coal chemicals in the city inventory
(2.B.8, 1.B.3, 2.B.1) and in a chemical key emitter's report.

Equations:
- IPCC 2006 Vol 3 Ch 3 §3.9.2, Eq. 3.17 (total feedstock carbon mass balance, Tier 2):
  E_CO2 = {Σ_k (FA_k × FC_k) − [Σ_i (PP_i × PC_i) + Σ_j (SP_j × SC_j)]} × 44/12
  with FA feedstock consumed, PP primary and SP secondary products, FC / PC / SC their carbon contents
  (Eq. 3.15–3.16 are the Tier 1 product-based factors, which coal feedstocks do not have);
- 2019 Refinement Vol 2 Ch 4 §4.3 (fuel transformation: coal-to-liquids, coal-to-gas, gasification): the
  same balance over the plant's inputs and outputs;
- 中国化工生产企业温室气体排放核算方法与报告指南（试行） (NDRC 2013), process emissions:
  E_过程 = {Σ_r (AD_r × CC_r) − [Σ_p (Y_p × CC_p) + Σ_w (Q_w × CC_w)]} × 44/12, with CO2 recovered and
  sold outside the plant (回收外供的CO2) deducted.

Each flow carries its quantity and carbon content as pint quantities; the intermediates (carbon in each
flow, the sums, the CO2) are kept with their units. A balance whose outputs hold more carbon than its
inputs is an error naming the facility and the figures, never a negative emission.

Pure: no session, file or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pint

from carbon.core import units
from carbon.core.errors import ValidationError

C_TO_CO2 = 44 / 12

INPUT = "input"          # 原料 / feedstock (and 燃料 where the plant reports them together)
PRODUCT = "product"      # 产品 and 副产品 (primary and secondary products)
WASTE = "waste"          # 废弃物 with carbon (ash, sludge, tar sent away as waste)
RECOVERED = "recovered"  # CO2 recovered and sold or stored (quantity in t CO2, carbon content 12/44)
ROLES = (INPUT, PRODUCT, WASTE, RECOVERED)
OUT_ROLES = (PRODUCT, WASTE, RECOVERED)

ROLE_ZH = {INPUT: "投入", PRODUCT: "产品", WASTE: "废弃物", RECOVERED: "回收CO2"}

MEASURED = "measured"  # 实测
DEFAULT = "default"    # 缺省
SOURCE_ZH = {MEASURED: "实测", DEFAULT: "缺省"}

# relative slack for "outputs exceed inputs": rounding of reported quantities, not a tolerance for bad data
BALANCE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Flow:
    """One stream crossing the plant boundary.

    `quantity` is a mass, a volume (Nm3) or an energy; `carbon_content` is the carbon per unit of it:
    dimensionless (t C per t, a mass fraction), mass/volume (kg C per Nm3) or mass/energy (t C per TJ).
    """

    item: str
    role: str
    quantity: pint.Quantity
    carbon_content: pint.Quantity
    source: str = DEFAULT  # MEASURED (实测) or DEFAULT (缺省)
    ref: str = ""          # the factor row (id:version) or the plant's measurement it came from

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValidationError(key="core_flow_role", params={"role": self.role, "known": ", ".join(ROLES)},
                                  field="role")
        if self.source not in SOURCE_ZH:
            raise ValidationError(key="core_flow_source", params={"source": self.source}, field="source")


@dataclass(frozen=True)
class FlowCarbon:
    """Intermediate: the carbon a flow carries (t C)."""

    flow: Flow
    carbon: pint.Quantity

    def as_dict(self) -> dict:
        f = self.flow
        return {
            "item": f.item, "role": f.role, "role_zh": ROLE_ZH[f.role],
            "quantity": _qdict(f.quantity), "carbon_content": _qdict(f.carbon_content),
            "carbon": _qdict(self.carbon.to("t")), "source": f.source, "source_zh": SOURCE_ZH[f.source], "ref": f.ref,
        }


@dataclass
class BalanceResult:
    """Eq. 3.17 for one facility, every intermediate with its unit."""

    facility: str
    flows: list[FlowCarbon] = field(default_factory=list)
    carbon_in: pint.Quantity = None          # Σ FA × FC
    carbon_products: pint.Quantity = None    # Σ PP × PC
    carbon_wastes: pint.Quantity = None      # Σ SP × SC of wastes
    carbon_recovered: pint.Quantity = None   # CO2 recovered, as carbon
    carbon_emitted: pint.Quantity = None     # the difference, t C
    co2: pint.Quantity = None                # × 44/12, t CO2

    @property
    def co2_t(self) -> float:
        return float(self.co2.to("t").magnitude)

    def as_dict(self) -> dict:
        return {
            "facility": self.facility,
            "equation": "IPCC 2006 Vol 3 Eq. 3.17: CO2 = (ΣFA×FC − ΣPP×PC − ΣSP×SC − R) × 44/12",
            "flows": [fc.as_dict() for fc in self.flows],
            "carbon_in": _qdict(self.carbon_in), "carbon_products": _qdict(self.carbon_products),
            "carbon_wastes": _qdict(self.carbon_wastes), "carbon_recovered": _qdict(self.carbon_recovered),
            "carbon_emitted": _qdict(self.carbon_emitted), "co2": _qdict(self.co2),
        }


def _qdict(q: pint.Quantity) -> dict:
    return {"value": float(q.magnitude), "unit": f"{q.units:~}"}


def flow_carbon(flow: Flow) -> pint.Quantity:
    """FA × FC (or PP × PC ...): the carbon of one flow, in t C. The product must be a mass."""
    c = flow.quantity * flow.carbon_content
    try:
        return c.to("t")
    except pint.DimensionalityError as exc:
        raise ValidationError(key="core_flow_not_carbon_mass",
                              params={"item": flow.item, "quantity_unit": f"{flow.quantity.units:~}",
                                      "content_unit": f"{flow.carbon_content.units:~}"},
                              field="carbon_fraction") from exc


def carbon_mass_balance(facility: str, flows: list[Flow]) -> BalanceResult:
    """Process CO2 of one facility by the carbon mass balance (IPCC 2006 Vol 3 Eq. 3.17).

    Raises ValidationError when the outputs carry more carbon than the inputs: the figures are named so the
    user can find the wrong quantity or carbon content.
    """
    if not flows:
        raise ValidationError(key="core_balance_no_flows", params={"facility": facility}, field="facility")
    if not any(f.role == INPUT for f in flows):
        raise ValidationError(key="core_balance_no_input", params={"facility": facility}, field="facility")
    zero = units.Q_(0.0, "t")
    sums = {r: zero for r in ROLES}
    carried = []
    for f in flows:
        c = flow_carbon(f)
        if c.magnitude < 0:
            raise ValidationError(key="core_flow_negative_carbon", params={"facility": facility, "item": f.item,
                                                                           "carbon": f"{c:~g}"}, field="quantity")
        carried.append(FlowCarbon(f, c))
        sums[f.role] = sums[f.role] + c
    out = sums[PRODUCT] + sums[WASTE] + sums[RECOVERED]
    emitted = sums[INPUT] - out
    if emitted.magnitude < -BALANCE_TOLERANCE * max(sums[INPUT].magnitude, out.magnitude):
        raise ValidationError(key="core_balance_negative", params={
            "facility": facility, "inputs": sums[INPUT].magnitude, "products": sums[PRODUCT].magnitude,
            "wastes": sums[WASTE].magnitude, "recovered": sums[RECOVERED].magnitude,
            "excess": out.magnitude - sums[INPUT].magnitude}, field="quantity")
    if emitted.magnitude < 0:
        emitted = zero
    return BalanceResult(facility=facility, flows=carried, carbon_in=sums[INPUT], carbon_products=sums[PRODUCT],
                         carbon_wastes=sums[WASTE], carbon_recovered=sums[RECOVERED], carbon_emitted=emitted,
                         co2=(emitted * C_TO_CO2).to("t"))
