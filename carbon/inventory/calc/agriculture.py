"""Agriculture (农业活动): livestock CH4 and N2O, managed-soil N2O, urea CO2, rice CH4.

Equations (IPCC 2006 Vol 4, Tier 1; 省级温室气体清单编制指南 农业 uses the same forms):
- Enteric fermentation (3.A.1, Ch.10 Eq. 10.19): CH4 = N × EF (kg/head/yr). N is the annual average
  population (年均存栏); for animals kept less than a year (pigs, broilers) N = 出栏 × days alive / 365
  (Eq. 10.1), which the data provider computes.
- Manure management (3.A.2): CH4 = N × EF (Eq. 10.22); direct N2O = N × EF (kg N2O per head per year, the
  provincial guideline's per-head form of Eq. 10.25, which folds N excretion, management-system shares
  and EF3 into one regional factor). The IPCC gives no per-head N2O default; the library ships the
  guideline's 华北 factors (profile CN).
- Urea application (3.C.3, Ch.11 Eq. 11.13): CO2 = M × EF × 44/12, EF = 0.20 t C per t urea.
- Managed soils, direct (3.C.4, Ch.11 Eq. 11.1): N2O = F_N × EF1 × 44/28, with F_N the N input of the item
  (synthetic fertiliser N, manure N applied, crop residue N), in t N. Urine and dung deposited by grazing
  animals (F_PRP, items 放牧排泄氮, kind prp_n) take EF3PRP instead of EF1 (2019 Refinement Table 11.1: CPP for
  cattle, buffalo, pigs and poultry; SO for sheep and other animals); F_PRP = Σ N_T × Nex_T × MS_(T,PRP)
  (Eq. 11.5), which the data provider computes, as for the other N inputs.
- Managed soils, indirect (3.C.5, Eq. 11.9 and 11.10), from the same N inputs entered under 3.C.4:
  N2O = F_N × (Frac_GAS × EF4 + Frac_LEACH × EF5) × 44/28. Activity is entered once, under 3.C.4; 3.C.5
  takes no activity of its own, so the N is never double entered. F_PRP volatilises with Frac_GASM; it leaches
  only on wet or irrigated land (Ordos rangeland: Frac_LEACH 0).
- Manure management, indirect (3.C.6, Ch.10 Eq. 10.26-10.29): N2O = N_MMS × (Frac_GasMS × EF4 +
  Frac_LeachMS × EF5) × 44/28, with N_MMS the N managed in manure management systems (t N, per animal:
  Σ_S N_T × Nex_T × MS_(T,S) over the systems other than pasture and burning, Eq. 10.26/10.28), entered under
  3.C.6 with the animal as item. Direct manure N2O stays the per-head 3.A.2 figure.
- Rice (3.C.7, Ch.5 Eq. 5.1): CH4 = A × EF, A the harvested area of one season (播种面积) and EF per ha per
  season (mass/area, the guideline's regional factor); an EF per ha per year (mass/area/time) is × 1 yr.

All CH4 here is non-fossil (AR6 split: 27.0).
"""

from __future__ import annotations

from carbon.core.errors import ValidationError
from carbon.inventory.calc.base import YEAR, Emission, MethodContext, linear_method

N2O_N_TO_N2O = 44 / 28
C_TO_CO2 = 44 / 12
INDIRECT = "3.C.5"
PRP_KIND = "prp_n"  # N deposited by grazing animals (F_PRP): EF3PRP instead of EF1


@linear_method("enteric_fermentation")
def enteric_fermentation(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 10.19 (Tier 1): CH4 = EF_T × N_T (EF in kg CH4 per head per year)."""
    return [Emission(ctx.category.code, "CH4", ctx.one * ctx.param("ef_enteric") * YEAR)]


@linear_method("manure_management")
def manure_management(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 10.22 (CH4 = EF_T × N_T) and the per-head form of Eq. 10.25 for direct N2O."""
    return [
        Emission(ctx.category.code, "CH4", ctx.one * ctx.param("ef_manure_CH4") * YEAR),
        Emission(ctx.category.code, "N2O", ctx.one * ctx.param("ef_manure_N2O") * YEAR),
    ]


@linear_method("urea_application")
def urea_application(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 11.13: CO2-C = M × EF (EF = 0.20 t C/t urea); CO2 = CO2-C × 44/12."""
    return [Emission(ctx.category.code, "CO2", ctx.one * ctx.param("urea_carbon") * C_TO_CO2)]


@linear_method("managed_soils_n2o")
def managed_soils_n2o(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 11.1 (direct, to 3.C.4; EF1, or EF3PRP for N deposited by grazing animals) and
    Eq. 11.9 + 11.10 (indirect: volatilisation and re-deposition, leaching and runoff; to 3.C.5), all from the
    N input of the activity (t N)."""
    ef = ctx.param("ef3_prp") if ctx.item.kind == PRP_KIND else ctx.param("ef1")
    direct = ctx.one * ef * N2O_N_TO_N2O
    volatilised = ctx.param("frac_gas", category=INDIRECT) * ctx.param("ef4", category=INDIRECT)
    leached = ctx.param("frac_leach", category=INDIRECT) * ctx.param("ef5", category=INDIRECT)
    indirect = ctx.one * (volatilised + leached) * N2O_N_TO_N2O
    return [Emission(ctx.category.code, "N2O", direct), Emission(INDIRECT, "N2O", indirect)]


@linear_method("manure_indirect_n2o")
def manure_indirect_n2o(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 10.26-10.29 (Tier 1): indirect N2O from manure management, from the N managed in manure
    management systems (t N) of one animal category: volatilisation N_MMS × Frac_GasMS × EF4 (Eq. 10.26/10.27) and
    leaching N_MMS × Frac_LeachMS × EF5 (Eq. 10.28/10.29), N2O-N × 44/28."""
    if ctx.item.kind != "livestock":
        raise ValidationError(key="inventory_manure_n_item", params={
            "category": ctx.category.code, "category_zh": ctx.category.name_zh, "item_zh": ctx.item.name_zh,
            "item": ctx.item.code}, field="item")
    volatilised = ctx.param("frac_gas_ms") * ctx.param("ef4")
    leached = ctx.param("frac_leach_ms") * ctx.param("ef5")
    return [Emission(ctx.category.code, "N2O", ctx.one * (volatilised + leached) * N2O_N_TO_N2O)]


@linear_method("rice_cultivation")
def rice_cultivation(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 5.1: CH4 = Σ EF × t × A; here EF × t is the regional factor per ha per season."""
    ef = ctx.param("ef_CH4", dims=("mass/area", "mass/area/time"))
    if not ef.check("[mass] / [length] ** 2"):
        ef = ef * YEAR
    return [Emission(ctx.category.code, "CH4", ctx.one * ef)]
