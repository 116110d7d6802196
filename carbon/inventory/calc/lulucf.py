"""Land-use change and forestry (土地利用变化和林业): forest biomass carbon. A sink is NEGATIVE CO2.

IPCC 2006 places (sector ``lulucf`` in 3.B land and 3.C.1 biomass burning; CRT codes in tables/crt_codes.csv):

- 3.B.1.a Forest land remaining forest land (CRT 4.A.1), the provincial guideline's 森林和其他木质生物质生物量
  碳贮量变化, by the gain-loss method (Vol 4 Ch 2 Eq. 2.7: ΔC = ΔC_G − ΔC_L), one category with two kinds of
  item (before the recode: 4.A.1 growth and 4.A.2 wood removals):
  - Growth, items of kind ``forest`` (乔木林, 灌木林, ..., Ch.2 Eq. 2.9 and 2.10, Ch.4 §4.2.1): ΔC_G = A × G_W ×
    (1 + R) × CF (Tier 1, activity = area of the forest type, ha), or, from the growing stock (activity in m3,
    the forest inventory's 蓄积量): ΔC_G = V × r × D × BEF × (1 + R) × CF (the Tier 2 form of Eq. 2.10, with r
    the stock's annual growth rate). CO2 = −ΔC_G × 44/12.
  - Wood removals, item 活立木消耗 (kind ``removal``, Eq. 2.12 with BCEF_R = D × BEF): L = H × D × BEF × (1 + R)
    × CF, H the growing stock consumed (commercial and self-used timber and fuelwood), m3. CO2 = +L × 44/12.
  The results keep the two apart by item, so the category total is the net change.
- 3.B.5.b.i Forest land converted to settlements (CRT 4.E.2.1; before: 4.B.1 森林转化, the guideline's forest
  conversion, whose activity data are the 征占用林地 of the forestry bureau: forest land taken for construction),
  Eq. 2.16 with B_after = 0, Tier 1: ΔC = A × B_before × (1 + R) × CF, all biomass carbon of the converted area
  lost in the year. CO2 = +ΔC × 44/12. Burning on site releases part of that same carbon, so its CO2 is not
  counted again.
- 3.C.1.d Biomass burning in all other land: the on-site burning of that converted forest (CRT 4(V) E.2;
  before: 4.B.2), Eq. 2.27: L_fire = A × M_B × C_f × G_ef for CH4 and N2O, A the area burnt (ha), M_B the
  above-ground biomass burnt (t d.m./ha: B_before of the converted forest, unless a row is given for 3.C.1.d
  itself), G_ef in g per kg d.m. burnt.
"""

from __future__ import annotations

from carbon.core.errors import UnitError, ValidationError
from carbon.inventory.calc.base import YEAR, Emission, MethodContext, linear_method

C_TO_CO2 = 44 / 12
FOREST = "forest"  # item kinds of items_lulucf.csv
REMOVAL = "removal"
# the land-conversion category whose pre-conversion biomass (B_before) an on-site burning category burns
BURNT_ON = {"3.C.1.d": "3.B.5.b.i"}


def _carbon_per_stem_volume(ctx: MethodContext):
    """t C in the whole tree (above and below ground) per m3 of stem volume: D × BEF × (1 + R) × CF."""
    return (ctx.param("wood_density") * ctx.param("bef") * (1 + ctx.param("root_shoot"))
            * ctx.param("biomass_carbon_fraction"))


@linear_method("forest_gain_loss")
def forest_gain_loss(ctx: MethodContext) -> list[Emission]:
    """3.B.1.a (IPCC 2006 Vol 4 Eq. 2.7, gain-loss): growth of a forest type is a gain (negative CO2), the growing
    stock consumed (活立木消耗) a loss, reported per item so that the category adds up to the net change."""
    if ctx.item.kind == REMOVAL:
        if not ctx.activity_is("volume"):
            raise UnitError(key="inventory_stock_not_volume", params={
                "item_zh": ctx.item.name_zh, "item": ctx.item.code, "category": ctx.category.code,
                "unit": ctx.activity_unit}, field="unit")
        return wood_removals(ctx)
    if ctx.item.kind != FOREST:
        raise ValidationError(key="inventory_not_forest_item", params={
            "item_zh": ctx.item.name_zh, "item": ctx.item.code, "category": ctx.category.code,
            "category_zh": ctx.category.name_zh}, field="item")
    return forest_biomass_growth(ctx)


def forest_biomass_growth(ctx: MethodContext) -> list[Emission]:
    """IPCC 2006 Vol 4 Eq. 2.9/2.10: ΔC_G = A × G_W × (1 + R) × CF (area), or V × r × D × BEF × (1 + R) × CF
    (growing stock volume); a sink, so CO2 = −ΔC_G × 44/12."""
    if ctx.activity_is("area"):
        carbon = (ctx.one * ctx.param("biomass_growth") * YEAR * (1 + ctx.param("root_shoot"))
                  * ctx.param("biomass_carbon_fraction"))
    else:
        carbon = ctx.one * ctx.param("volume_growth_rate") * YEAR * _carbon_per_stem_volume(ctx)
    return [Emission(ctx.category.code, "CO2", -carbon * C_TO_CO2)]


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
    """IPCC 2006 Vol 4 Eq. 2.27: L_fire = A × M_B × C_f × G_ef (CH4 and N2O; the CO2 is in the conversion,
    3.B.5.b.i). M_B: a biomass_stock row for this category, else the B_before of the land being converted."""
    stock = ctx.param("biomass_stock", required=ctx.category.code not in BURNT_ON)
    if stock is None:
        stock = ctx.param("biomass_stock", category=BURNT_ON[ctx.category.code])
    burnt = ctx.one * stock * ctx.param("combustion_factor")
    return [
        Emission(ctx.category.code, "CH4", burnt * ctx.param("ef_CH4", dims=("mass/mass",))),
        Emission(ctx.category.code, "N2O", burnt * ctx.param("ef_N2O", dims=("mass/mass",))),
    ]
