"""Energy sector (能源活动): fuel combustion, fugitive emissions, and the electricity memo view.

Equations:
- Fuel combustion (IPCC 2006 Vol 2 Ch 2 Eq. 2.1; 省级指南 能源活动):
  E_CO2 = AD × NCV × CC × OF × 44/12, E_CH4 = AD × NCV × EF_CH4, E_N2O = AD × NCV × EF_N2O.
  Activity in energy units (TJ, tce) skips NCV. A volume of gas with an NCV per mass uses `density`.
  A local `ef_CO2` (t CO2 per TJ or per unit of fuel) replaces CC × OF × 44/12 when it is the more
  specific row. Biomass fuels: CO2 goes to the memo item M.biomass_CO2, never to the territorial total.
- Coal mining (Vol 2 Ch 4 Eq. 4.1.3–4.1.8): CH4 = raw coal × (mining | post-mining m3/t) × CH4 density;
  results go to the sub-categories .1 (mining) and .2 (post-mining).
- Oil and gas systems (Vol 2 Ch 4 Tier 1): CH4 = throughput × EF.
- Electricity transfer (memo, 电力调入调出): CO2 = MWh × grid factor; exports count negative. Never
  added to the territorial total.
"""

from __future__ import annotations

from carbon.core.errors import FactorError
from carbon.inventory.calc.base import Emission, MethodContext, linear_method

C_TO_CO2 = 44 / 12


def _energy(ctx: MethodContext):
    """Energy content of one unit of activity."""
    if ctx.activity_is("energy"):
        return ctx.one
    if ctx.activity_is("mass"):
        return ctx.one * ctx.param("ncv", dims=("energy/mass",))
    # a volume: an NCV per volume, or a density and an NCV per mass
    ncv = ctx.param("ncv", dims=("energy/volume",), required=False)
    if ncv is not None:
        return ctx.one * ncv
    density = ctx.param("density", required=False)
    if density is None:
        raise FactorError(
            f"{ctx.item.name_zh} is given as a volume ({ctx.activity_unit}) but there is no 'ncv' per volume and no "
            f"'density' for it in {ctx.category.code}; give the quantity as a mass or add a local ncv per volume",
            field="unit",
        )
    return ctx.one * density * ctx.param("ncv", dims=("energy/mass",))


@linear_method("fuel_combustion")
def fuel_combustion(ctx: MethodContext) -> list[Emission]:
    energy = _energy(ctx)
    local_ef = ctx.library.resolve("ef_CO2", ctx.category.code, ctx.item.code, ctx.region, ctx.year)
    if local_ef is not None and local_ef.basis == "local":
        ctx.used.append(local_ef)
        ef = local_ef.quantity()
        co2 = energy * ef if ef.check("[mass]/[energy]") else ctx.one * ef
    else:
        co2 = energy * ctx.param("carbon_content") * ctx.param("oxidation") * C_TO_CO2
    out = [
        Emission("M.biomass_CO2", "CO2", co2, memo=True) if ctx.item.biogenic else Emission(ctx.category.code, "CO2", co2),
        Emission(ctx.category.code, "CH4", energy * ctx.param("ef_CH4")),
        Emission(ctx.category.code, "N2O", energy * ctx.param("ef_N2O")),
    ]
    return out


@linear_method("coal_mining")
def coal_mining(ctx: MethodContext) -> list[Emission]:
    density = ctx.param("ch4_density")
    return [
        Emission(f"{ctx.category.code}.1", "CH4", ctx.one * ctx.param("ch4_mining") * density),
        Emission(f"{ctx.category.code}.2", "CH4", ctx.one * ctx.param("ch4_post_mining") * density),
    ]


@linear_method("throughput_ef")
def throughput_ef(ctx: MethodContext) -> list[Emission]:
    """Activity × EF for each gas of the category (ef_<gas> rows)."""
    return [Emission(ctx.category.code, gas, ctx.one * ctx.param(f"ef_{gas}")) for gas in ctx.category.gases]


@linear_method("electricity_transfer")
def electricity_transfer(ctx: MethodContext) -> list[Emission]:
    sign = -1 if ctx.item.code == "electricity_export" else 1
    return [Emission(ctx.category.code, "CO2", sign * ctx.one * ctx.param("ef_CO2"), memo=True)]
