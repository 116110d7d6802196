"""Land-use change and forestry (土地利用变化和林业): forest biomass carbon. A sink is NEGATIVE CO2.

Equations (IPCC 2006 Vol 4, gain-loss method; 省级温室气体清单编制指南 土地利用变化和林业 has the same structure):
- Growth (4.A.1, Ch.2 Eq. 2.9 and 2.10, Ch.4 §4.2.1): ΔC_G = A × G_W × (1 + R) × CF (Tier 1, activity
  = area of the forest type, ha), or, from the growing stock (activity in m3, the forest inventory's
  蓄积量): ΔC_G = V × r × D × BEF × (1 + R) × CF (the Tier 2 form of Eq. 2.10, with r the stock's annual
  growth rate). CO2 = −ΔC_G × 44/12.
- Wood removals (4.A.2, Eq. 2.12 with BCEF_R = D × BEF): L = H × D × BEF × (1 + R) × CF, H the growing
  stock consumed (活立木消耗量: commercial and self-used timber and fuelwood), m3. CO2 = +L × 44/12.
- Forest conversion (4.B.1, Eq. 2.16 with B_after = 0, Tier 1): ΔC = A × B_before × (1 + R) × CF, all
  biomass carbon of the converted area lost in the year. CO2 = +ΔC × 44/12. Burning on site releases
  part of that same carbon, so its CO2 is not counted again.
- On-site burning of converted forest (4.B.2, Eq. 2.27): L_fire = A × M_B × C_f × G_ef for CH4 and N2O,
  A the area burnt (ha), M_B the above-ground biomass (t d.m./ha), G_ef in g per kg d.m. burnt.
"""

from __future__ import annotations

from carbon.inventory.calc.base import YEAR, Emission, MethodContext, linear_method

C_TO_CO2 = 44 / 12


def _carbon_per_stem_volume(ctx: MethodContext):
    """t C in the whole tree (above and below ground) per m3 of stem volume: D × BEF × (1 + R) × CF."""
    return (ctx.param("wood_density") * ctx.param("bef") * (1 + ctx.param("root_shoot"))
            * ctx.param("biomass_carbon_fraction"))


@linear_method("forest_biomass_growth")
def forest_biomass_growth(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 2.9/2.10: ΔC_G = A × G_W × (1 + R) × CF (area), or V × r × D × BEF × (1 + R) × CF
    (growing stock volume); a sink, so CO2 = −ΔC_G × 44/12."""
    if ctx.activity_is("area"):
        carbon = (ctx.one * ctx.param("biomass_growth") * YEAR * (1 + ctx.param("root_shoot"))
                  * ctx.param("biomass_carbon_fraction"))
    else:
        carbon = ctx.one * ctx.param("volume_growth_rate") * YEAR * _carbon_per_stem_volume(ctx)
    return [Emission(ctx.category.code, "CO2", -carbon * C_TO_CO2)]


@linear_method("wood_removals")
def wood_removals(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 2.12: L_wood-removals = H × BCEF_R × (1 + R) × CF with BCEF_R = D × BEF."""
    return [Emission(ctx.category.code, "CO2", ctx.one * _carbon_per_stem_volume(ctx) * C_TO_CO2)]


@linear_method("forest_conversion")
def forest_conversion(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 2.16 (Tier 1, B_after = 0): ΔC = A × B_before × (1 + R) × CF; CO2 = ΔC × 44/12."""
    carbon = (ctx.one * ctx.param("biomass_stock") * (1 + ctx.param("root_shoot"))
              * ctx.param("biomass_carbon_fraction"))
    return [Emission(ctx.category.code, "CO2", carbon * C_TO_CO2)]


@linear_method("forest_conversion_burning")
def forest_conversion_burning(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 2.27: L_fire = A × M_B × C_f × G_ef (CH4 and N2O; CO2 is in 4.B.1)."""
    burnt = ctx.one * ctx.param("biomass_stock") * ctx.param("combustion_factor")
    return [
        Emission(ctx.category.code, "CH4", burnt * ctx.param("ef_CH4", dims=("mass/mass",))),
        Emission(ctx.category.code, "N2O", burnt * ctx.param("ef_N2O", dims=("mass/mass",))),
    ]
