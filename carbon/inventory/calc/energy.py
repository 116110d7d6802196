"""Energy sector (能源活动): fuel combustion, fugitive emissions, and the electricity memo view.

Equations:
- Fuel combustion (IPCC 2006 Vol 2 Ch 2 Eq. 2.1; 省级指南 能源活动):
  E_CO2 = AD × NCV × CC × OF × 44/12, E_CH4 = AD × NCV × EF_CH4, E_N2O = AD × NCV × EF_N2O.
  Activity in energy units (TJ, tce) skips NCV. A volume of gas with an NCV per mass uses `density`.
  A local `ef_CO2` (t CO2 per TJ or per unit of fuel) replaces CC × OF × 44/12 when it is the more
  specific row. Biomass fuels: CO2 goes to the memo item M.biomass_CO2, never to the territorial total.
- Coal mining (1.B.1.a): `carbon.inventory.calc.coal_mining` (mining / post-mining CH4, recovered and flared CMM).
- Oil and gas systems (Vol 2 Ch 4 Tier 1, Table 4.2.5): CH4 and CO2 (venting and flaring) = throughput × EF
  per gas of the category (ef_CH4, ef_CO2 rows).
- Electricity transfer (memo, 电力调入调出): CO2 = MWh × grid factor; exports count negative. Never
  added to the territorial total. The grid factor is the provincial factor MEE/NBS published for the
  inventory year (a library row valid for that year alone) or a local row; a year without one is an error
  naming the year: a factor carried forward from an earlier year (open validity) is never used.
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
        raise FactorError(key="inventory_volume_without_ncv", params={
            "item_zh": ctx.item.name_zh, "unit": ctx.activity_unit, "category": ctx.category.code}, field="unit")
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


@linear_method("throughput_ef")
def throughput_ef(ctx: MethodContext) -> list[Emission]:
    """Activity × EF for each gas of the category (ef_<gas> rows)."""
    return [Emission(ctx.category.code, gas, ctx.one * ctx.param(f"ef_{gas}")) for gas in ctx.category.gases]


@linear_method("electricity_transfer")
def electricity_transfer(ctx: MethodContext) -> list[Emission]:
    sign = -1 if ctx.item.code == "electricity_export" else 1
    row = grid_factor_row(ctx)
    ctx.used.append(row)
    return [Emission(ctx.category.code, "CO2", sign * ctx.one * row.quantity(), memo=True)]


def grid_factor_row(ctx: MethodContext):
    """The grid factor (ef_CO2 of M.electricity) of the inventory year.

    A local row (地方实测 or the bureau's chosen factor) is taken as given. A library row must have been
    published for that year: valid_from == valid_to == year. MEE/NBS publish each year's factors about two
    years later, so a row with an open validity (the latest factor carried forward) is skipped, and a year
    without a published factor is an error naming the year, never the last value silently. The national
    average (grid_ef_national) is a different product: the message names it, it is never substituted."""
    for r in ctx.library.candidates("ef_CO2", ctx.category.code, ctx.item.code, ctx.region, ctx.year):
        if r.basis == "local" or (r.valid_from == ctx.year and r.valid_to == ctx.year):
            return r
    published = sorted({r.valid_from for r in ctx.library.rows
                        if r.parameter == "ef_CO2" and r.scope == ctx.category.code and r.basis != "local"
                        and r.valid_from is not None and r.valid_from == r.valid_to})
    national = next((r for r in ctx.library.candidates("grid_ef_national", ctx.category.code, ctx.item.code, ctx.region, ctx.year)
                     if r.valid_from == ctx.year and r.valid_to == ctx.year), None)
    params = {"year": ctx.year, "category": ctx.category.code, "category_zh": ctx.category.name_zh,
              "published": ", ".join(map(str, published)) or "none"}
    if national is not None:  # the message names the national average, which is not used in its place
        params.update(national=national.value, national_unit=national.unit, national_ref=national.ref)
    raise FactorError(key="inventory_no_grid_factor_national" if national is not None else "inventory_no_grid_factor",
                      params=params, field="factor")
