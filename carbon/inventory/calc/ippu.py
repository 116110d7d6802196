"""Industrial processes and product use (工业生产过程): process CO2, N2O and fluorinated gases.

Equations (IPCC 2006 Vol 3, Tier 1 unless stated; 省级温室气体清单编制指南 工业生产过程 uses the same forms):
- Cement (2.A.1, Ch.2 Eq. 2.2 with Eq. 2.4): CO2 = M_cl × EF_cl, EF_cl = CaO × (M_CO2/M_CaO) × CF_ckd.
- Lime (2.A.2, Eq. 2.8), carbonate flux in iron and steel (2.C.1, Table 2.1 stoichiometry, full
  calcination), carbide (2.B.5, Table 3.8: per t produced, and per t of calcium carbide used for acetylene
  that is burnt, item 电石用于乙炔), nitric and adipic acid (2.B.2, 2.B.3, Eq. 3.5/3.8), ferroalloys (2.C.2, CO2
  Table 4.5, CH4 Table 4.7: Si alloys only, the others a cited zero), primary aluminium CO2 and PFCs (2.C.3,
  Eq. 4.19/4.25): production × EF per gas.
- Ammonia (2.B.1, Ch.3 Eq. 3.1): CO2 = AP × FR × CCF × COF × 44/12 − R_CO2, with R_CO2 the CO2 bound in
  urea made on site (44/60 t CO2 per t urea, entered as item 尿素 under 2.B.1; the same CO2 comes back
  when the urea is applied, 3.C.3).
- HCFC-22 (2.B.9.a.1, Ch.3 Eq. 3.30): HFC-23 = P_HCFC-22 × EF_default, less HFC-23 destroyed (item
  HFC-23销毁量, entered as a mass of HFC-23).
- Refrigeration and AC (2.F.1) and SF6 in electrical equipment (2.G.1): E_species = A × x_species × r, where
  the item names the gas (a pure species or a blend with its composition x) and r is either a
  dimensionless share of A (mass balance: refrigerant used to service existing equipment, SF6 not
  recovered from equipment serviced or retired) or an annual leak rate of an installed bank (Tier 1
  default-EF method, A = nameplate bank, × 1 year).

Feedstock coal and gas used for ammonia (and the coal chemicals of 2.B.8) must not also be counted as
fuel combustion in 1.A: the IPCC counts their CO2 here.
"""

from __future__ import annotations

from carbon.core.errors import FactorError
from carbon.inventory.calc.base import YEAR, Emission, MethodContext, linear_method, not_implemented

C_TO_CO2 = 44 / 12
M_CO2, M_CAO = 44.01, 56.08  # g/mol; IPCC Eq. 2.4 uses 44.01/56.08 = 0.785
UREA_CO2 = 44 / 60  # t CO2 bound per t urea, CO(NH2)2 (IPCC Vol 3 §3.2: 0.733)
COMPOSITION_TOLERANCE = 1e-3  # the mass fractions of a refrigerant must add up to 1


def _ef_parameter(gas: str) -> str:
    """Factor parameter holding the EF of a gas: ef_CO2, ef_N2O, ef_CF4, ef_C2F6, ef_HFC23."""
    return "ef_" + gas.replace("-", "")


@linear_method("cement_clinker")
def cement_clinker(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 3 Eq. 2.2 (clinker basis) with Eq. 2.4: EF_cl = CaO × 44.01/56.08 × CF_ckd.

    A local (地方实测) ef_CO2 per t clinker replaces the derived factor.
    """
    local = ctx.library.resolve("ef_CO2", ctx.category.code, ctx.item.code, ctx.region, ctx.year, dims=("mass/mass",))
    if local is not None and local.basis == "local":
        ctx.used.append(local)
        return [Emission(ctx.category.code, "CO2", ctx.one * local.quantity())]
    ef = ctx.param("cao_content") * (M_CO2 / M_CAO) * ctx.param("ckd_correction")
    return [Emission(ctx.category.code, "CO2", ctx.one * ef)]


@linear_method("process_ef")
def process_ef(ctx: MethodContext) -> list[Emission]:
    """Production × EF for every gas of the category, the Tier 1 form of IPCC 2006 Vol 3 Eq. 2.8 (lime),
    3.5 (nitric acid), 3.8 (adipic acid), 4.19 and 4.25 (aluminium CO2 and PFCs), and of the carbonate-use,
    carbide and ferroalloy equations (Ch.2 §2.5, Ch.3 §3.6, Ch.4 §4.3) [check the numbers against the PDF].
    Rows ef_CO2, ef_N2O, ef_CF4, ef_C2F6 per item; every gas of the category is required."""
    return [Emission(ctx.category.code, gas, ctx.one * ctx.param(_ef_parameter(gas))) for gas in ctx.category.gases]


@linear_method("ammonia_production")
def ammonia_production(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 3 Eq. 3.1 (Tier 1): E_CO2 = AP × FR × CCF × COF × 44/12 − R_CO2.

    Item 尿素 (urea produced from the plant's CO2) gives R_CO2 = urea × 44/60 as a negative entry.
    A local ef_CO2 (t CO2 per t NH3) replaces FR × CCF × COF × 44/12.
    """
    if ctx.item.code == "urea":
        return [Emission(ctx.category.code, "CO2", -ctx.one * UREA_CO2)]
    local = ctx.library.resolve("ef_CO2", ctx.category.code, ctx.item.code, ctx.region, ctx.year, dims=("mass/mass",))
    if local is not None and local.basis == "local":
        ctx.used.append(local)
        return [Emission(ctx.category.code, "CO2", ctx.one * local.quantity())]
    co2 = ctx.one * ctx.param("fuel_requirement") * ctx.param("carbon_content") * ctx.param("oxidation") * C_TO_CO2
    return [Emission(ctx.category.code, "CO2", co2)]


@linear_method("hcfc22_hfc23")
def hcfc22_hfc23(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 3 Eq. 3.30 (Tier 1): HFC-23 = P_HCFC-22 × EF_default; HFC-23 destroyed counts negative
    (the provincial guideline's generation minus destruction)."""
    if ctx.item.kind == "destruction":
        return [Emission(ctx.category.code, "HFC-23", -ctx.one)]
    return [Emission(ctx.category.code, "HFC-23", ctx.one * ctx.param("ef_HFC23"))]


def _composition(ctx: MethodContext) -> dict[str, float]:
    """Mass fraction of each species in the item's gas, from its species_fraction rows (one per gas)."""
    best: dict[str, object] = {}
    for r in ctx.library.candidates("species_fraction", ctx.category.code, ctx.item.code, ctx.region, ctx.year):
        if r.gas and r.gas not in best:
            best[r.gas] = r
    if not best:
        raise FactorError(key="inventory_no_composition", params={
            "item_zh": ctx.item.name_zh, "item": ctx.item.code, "category": ctx.category.code,
            "category_zh": ctx.category.name_zh}, field="item")
    total = sum(r.value for r in best.values())
    if abs(total - 1) > COMPOSITION_TOLERANCE:
        raise FactorError(key="inventory_fractions_not_one", params={
            "item_zh": ctx.item.name_zh, "total": total, "refs": ", ".join(r.ref for r in best.values())},
            field="factor")
    ctx.used.extend(best.values())
    return {gas: r.value for gas, r in best.items()}


@linear_method("fgas_use")
def fgas_use(ctx: MethodContext) -> list[Emission]:
    """F-gases in products (2.F.1 refrigeration and AC, 2.G.1 electrical equipment), per species.

    IPCC 2006 Vol 3 Ch.7 mass balance (Tier 2b, Eq. 7.9: refrigerant used to service existing equipment is
    what leaked) and Ch.8 §8.2 (Tier 1 default-EF method: use-phase emissions = nameplate bank × EF; mass
    balance of equipment serviced or retired). emission_rate is dimensionless (share of the mass reported)
    or 1/yr (leak rate of a bank: × 1 year).
    """
    rate = ctx.param("emission_rate", dims=("dimensionless", "1/time"))
    if not rate.dimensionless:
        rate = rate * YEAR
    return [Emission(ctx.category.code, gas, ctx.one * frac * rate) for gas, frac in _composition(ctx).items()]


not_implemented(
    "semiconductor_fgas",
    "electronics manufacturing (CF4, C2F6, NF3, SF6, HFC-23) needs substrate area and gas-use data by fab (IPCC Vol 3 "
    "Ch.6, Tier 1 Table 6.2 not verified here); no such plants are known in Ordos: report 'NO' or 'NE'",
)
