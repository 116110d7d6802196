"""``carbon intensity ...``: intensity from files (stateless) or from the store.

    carbon intensity RESULTS.csv ECONOMY.csv --year 2022 [--base-year 2020] [--numerator energy_co2] [--out OUT.csv [--excel|--no-excel]]
    carbon intensity import-economy FILE           carbon intensity import-plan FILE
    carbon intensity show --year 2022 [--base-year 2020] [--co2-source auto|inventory|statistics]
    carbon intensity targets                       carbon intensity split TARGET_ID [--method ...] [--adopt]
    carbon intensity evaluate TARGET_ID --year 2022
    carbon intensity plan [--year 2022]
    carbon intensity key-categories INVENTORY_ID [--base-inventory ID]
    carbon intensity uncertainty INVENTORY_ID [--draws 20000] [--seed N]

The first form reads RESULTS (``carbon compile --out``; several years may be concatenated) and ECONOMY (region,
year, gdp, unit, price_base_year, …; see carbon/intensity/io.py) and needs no database. The others use
CARBON_DATABASE_URL, one transaction per command (committed at the end, or not at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import click
import pandas as pd
import typer
from rich.table import Table
from typer.core import TyperGroup

from carbon.core import messages
from carbon.core.errors import CarbonError
from carbon.core.messages import help_text
from carbon.intensity import decomposition as dec
from carbon.intensity.intensity import BASE_COLUMNS, DEFAULT_NUMERATOR, NUMERATORS, OUTPUT_COLUMNS
from carbon.inventory.commands import err, fail, stdout_console
from carbon.inventory.store_commands import db_session  # one transaction per command, schema checked


class DefaultToCompute(TyperGroup):
    """``carbon intensity FILE FILE ...`` runs the stateless ``compute`` command; a sub-command name runs it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["compute", *args]
        return super().parse_args(ctx, args)


intensity_app = typer.Typer(cls=DefaultToCompute, no_args_is_help=True, help=help_text(
    "碳排放强度和能耗强度、目标分解到各旗区、规划指标、关键类别、不确定性。"
    "`carbon intensity RESULTS.csv ECONOMY.csv --year Y` 不需要数据库。",
    "Carbon and energy intensity, targets split across banners, plan indicators, key categories, uncertainty. "
    "`carbon intensity RESULTS.csv ECONOMY.csv --year Y` needs no database."))
out = stdout_console()
INVENTORY_ID = help_text("清单编号", "Inventory id")
REGION = help_text("地区代码或名称 (默认: 全市, 150600)", "Region code or name (default: the city, 150600)")
CO2_SOURCE = help_text("CO2 来源: auto (自动)、inventory (清单) 或 statistics (统计数据)", "auto, inventory or statistics")




def _table(frame: pd.DataFrame, title: str, formats: dict[str, str] | None = None) -> Table:
    t = Table(title=title)
    formats = formats or {}
    for c in frame.columns:
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(frame[c]) else "left")
    for row in frame.itertuples(index=False):
        t.add_row(*["—" if v is None or (isinstance(v, float) and v != v) else
                    (format(v, formats.get(c, ",.4g")) if isinstance(v, float) else str(v))
                    for c, v in zip(frame.columns, row)])
    return t


@intensity_app.command("compute", help=help_text(
    "由文件计算各旗区和全市的强度 (不用数据库)。RESULTS 需含 region、year、sector、category、gas 和 co2e_t 列 "
    "(memo 列可不填: 信息项可由类别目录识别)。",
    "Intensity of every banner and the city from files (no database). RESULTS needs region, year, sector, "
    "category, gas and co2e_t (memo is optional: memo rows are known from the category catalogue)."))
def compute(
    results: Annotated[Path, typer.Argument(help=help_text(
        "`carbon compile --out` 写出的 RESULTS.csv (可将多个年份首尾相接)",
        "RESULTS.csv from `carbon compile --out` (several years may be concatenated)"), exists=True, dir_okay=False)],
    economy: Annotated[Path, typer.Argument(help=help_text(
        "经济数据 ECONOMY.csv: region, year, gdp, unit, price_base_year[, energy, energy_unit, ...]",
        "ECONOMY.csv: region, year, gdp, unit, price_base_year[, energy, energy_unit, ...]"), exists=True, dir_okay=False)],
    year: Annotated[int, typer.Option(help=help_text("计算的年份", "Year to compute"))],
    base_year: Annotated[Optional[int], typer.Option(help=help_text(
        "计算变化率的基准年 (其结果须在 RESULTS 中)", "Base year for the change (its results must be in RESULTS)"))] = None,
    numerator: Annotated[str, typer.Option(help=help_text(
        "计入的 CO2 (强度的分子): " + "; ".join(f"{n.key} ({n.label_zh})" for n in NUMERATORS.values()),
        f"What CO2 counts: {', '.join(NUMERATORS)}"))] = DEFAULT_NUMERATOR,
    price_base_year: Annotated[Optional[int], typer.Option(help=help_text(
        "ECONOMY 中有多种价格基期时, GDP 所用的基期", "Price basis of GDP when ECONOMY has several"))] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", help=help_text("将表格写成 CSV 或 XLSX",
                                                                             "Write the table as CSV or XLSX"))] = None,
    excel: Annotated[Optional[bool], typer.Option("--excel/--no-excel", help=help_text(
        "供 Excel 使用的 CSV: --out 文件以 UTF-8 BOM 开头 (默认, 见 CARBON_CSV_BOM); --no-excel: 不带 BOM 的 UTF-8",
        "CSV for Excel: start --out with a UTF-8 BOM (the default, CARBON_CSV_BOM); --no-excel: bare UTF-8"))] = None,
) -> None:
    """Intensity of every banner and the city from files (no database). RESULTS needs region, year, sector,
    category, gas and co2e_t (memo is optional: memo rows are known from the category catalogue)."""
    from carbon.intensity import io
    from carbon.intensity.intensity import emissions_from_results, get_numerator, intensity_table
    from carbon.inventory.io import write_table

    try:
        num = get_numerator(numerator)
        emissions = emissions_from_results(io.read_results(results), num)
        econ = io.economy_frame(io.read_economy(economy))
        table = intensity_table(emissions, econ, year=year, base_year=base_year, numerator=num,
                                price_base_year=price_base_year)
    except CarbonError as exc:
        fail(exc)
        return
    columns = OUTPUT_COLUMNS + (BASE_COLUMNS if base_year is not None else []) + ["note"]
    table = table[columns]
    out.print(_table(table[[c for c in columns if c not in ("numerator", "note", "price_base_year")]],
                     f"{year} intensity — numerator {num.describe()}; GDP at constant {int(table['price_base_year'].iloc[0])} prices"))
    if out_file is not None:
        write_table({"intensity": table}, out_file, excel=excel)
        out.print(messages.text("cli_wrote_rows", n=len(table), path=out_file))


@intensity_app.command("import-economy", help=help_text(
    "将经济数据 (GDP、能耗、占比、人口) 导入数据库, 要么全部导入, 要么全不导入。",
    "Import economic data (GDP, energy, shares, population) into the store, all or nothing."))
def import_economy(file: Annotated[Path, typer.Argument(help=help_text(
        "经济数据文件, CSV 或 XLSX (region, year, gdp, unit, price_base_year, ...)",
        "Economic data, CSV or XLSX (region, year, gdp, unit, price_base_year, ...)"), exists=True, dir_okay=False)]
                   ) -> None:
    """Import economic data (GDP, energy, shares, population) into the store, all or nothing."""
    from carbon.intensity import service

    with db_session() as session:
        res = service.import_economy(session, content=file.read_bytes(), filename=file.name)
    out.print(f"imported {res['rows']} rows from {res['filename']} ({res['added']} new, {res['replaced']} replaced)")


@intensity_app.command("import-plan", help=help_text("导入规划指标表 (及其设定的全市目标)。",
                                                    "Import the plan's indicator table (and the city targets it sets)."))
def import_plan(file: Annotated[Path, typer.Argument(help=help_text("规划指标表, CSV 或 XLSX",
                                                                    "The plan's indicator table, CSV or XLSX"),
                                                     exists=True, dir_okay=False)]) -> None:
    """Import the plan's indicator table (and the city targets it sets)."""
    from carbon.intensity import service

    with db_session() as session:
        res = service.import_plan_indicators(session, content=file.read_bytes(), filename=file.name)
    out.print(f"imported {res['indicators']} indicators ({res['added']} new, {res['updated']} updated); "
              f"{res['targets']} set city targets")


@intensity_app.command("show", help=help_text("由数据库 (清单和已导入的经济数据) 计算强度。",
                                             "Intensity from the store (inventories and imported economic data)."))
def show(
    year: Annotated[int, typer.Option(help=help_text("计算的年份", "Year to compute"))],
    base_year: Annotated[Optional[int], typer.Option(help=help_text("计算变化率的基准年",
                                                                    "Base year for the change"))] = None,
    numerator: Annotated[str, typer.Option(help=help_text(
        "计入的 CO2 (强度的分子): " + "; ".join(f"{n.key} ({n.label_zh})" for n in NUMERATORS.values()),
        f"What CO2 counts: {', '.join(NUMERATORS)}"))] = DEFAULT_NUMERATOR,
    co2_source: Annotated[str, typer.Option(help=CO2_SOURCE)] = "auto",
) -> None:
    """Intensity from the store (inventories and imported economic data)."""
    from carbon.intensity import service

    with db_session() as session:
        table, prov = service.intensity(session, year=year, base_year=base_year, numerator=numerator,
                                        co2_source=co2_source)
    cols = ["region_name", "co2_t", "gdp_10k_cny", "intensity_t_per_10k_cny", "energy_intensity_tce_per_10k_cny"]
    if base_year is not None:
        cols += ["change_vs_base_pct", "energy_change_vs_base_pct"]
    out.print(_table(table[cols], f"{year}: {prov['numerator_definition']}; CO2 from {prov['co2_source']}; "
                                  f"GDP at constant {prov['price_base_year']} prices"))


@intensity_app.command("targets", help=help_text("全市目标及为其采用的旗区目标。",
                                                "City targets and the banner targets adopted for them."))
def targets() -> None:
    """City targets and the banner targets adopted for them."""
    from carbon.intensity import service

    with db_session() as session:
        for t in service.list_targets(session, city_only=True):
            children = service.list_targets(session, parent_id=t.id)
            out.print(f"{t.id}\t{t.metric}\t{t.base_year}–{t.target_year}\t{t.value:g} {t.unit}\t{t.kind}\t"
                      f"{t.label or ''}\t{len(children)} banner targets")


@intensity_app.command("split", help=help_text(
    "将全市强度目标分解到各旗区, 并检验在 GDP 路径下分解结果能否实现全市目标。",
    "Split a city intensity target across banners and check the split meets it under the GDP path."))
def split(
    target_id: Annotated[int, typer.Argument(help=help_text("全市目标编号 (见 `carbon intensity targets`)",
                                                            "City target id (see `carbon intensity targets`)"))],
    method: Annotated[str, typer.Option(help=help_text(
        "分解方法: " + "; ".join(f"{k} ({v})" for k, v in dec.METHODS.items()), ", ".join(dec.METHODS)))] = "equal_rate",
    alpha: Annotated[float, typer.Option(help=help_text(
        "差异化分解的指数 α (intensity_level、gdp_share)", "Exponent α of the weights (intensity_level, gdp_share)"))] = 1.0,
    gdp_path: Annotated[str, typer.Option(help=help_text("GDP 路径: trend (按趋势) 或 uniform (统一增速)",
                                                         "trend or uniform"))] = "trend",
    growth_pct: Annotated[Optional[float], typer.Option(help=help_text(
        "uniform 路径的 GDP 年增长率, %", "Yearly GDP growth of the uniform path, %"))] = None,
    adopt: Annotated[bool, typer.Option(help=help_text("保存旗区目标", "Store the banner targets"))] = False,
) -> None:
    """Split a city intensity target across banners and check the split meets it under the GDP path."""
    from carbon.intensity import service

    with db_session() as session:
        result, _ = service.decompose(session, target_id=target_id, method=method, alpha=alpha, gdp_path=gdp_path,
                                      growth_pct=growth_pct)
        if adopt:
            service.adopt(session, target_id=target_id, method=method, alpha=alpha, gdp_path=gdp_path,
                          growth_pct=growth_pct)
    frame = result.as_frame()[["region_name", "base_intensity", "weight", "reduction_pct", "required_annual_pct",
                               "base_gdp_share_pct", "target_gdp_share_pct"]]
    out.print(_table(frame, f"{dec.METHODS[method]}: city −{result.city_reduction * 100:g}% "
                            f"{result.base_year}–{result.target_year}; banner targets give "
                            f"−{result.implied_city_reduction * 100:.3f}% ({'meets' if result.meets else 'DOES NOT meet'})"))
    for note in result.notes:
        err.print(f"note: {note}")
    if adopt:
        out.print("adopted")


@intensity_app.command("evaluate", help=help_text("各旗区 YEAR 年相对目标的进展 (判定规则打印在表下)。",
                                                 "Each banner's progress against the target in YEAR (status rule printed below)."))
def evaluate(target_id: Annotated[int, typer.Argument(help=help_text(
                 "全市目标编号 (见 `carbon intensity targets`)", "City target id (see `carbon intensity targets`)"))],
             year: Annotated[int, typer.Option(help=help_text("评估的年份", "Year to evaluate"))],
             co2_source: Annotated[str, typer.Option(help=CO2_SOURCE)] = "auto") -> None:
    """Each banner's progress against the target in YEAR (status rule printed below)."""
    from carbon.intensity import service

    with db_session() as session:
        rows, prov = service.evaluate(session, target_id=target_id, year=year, co2_source=co2_source)
    frame = pd.DataFrame(rows)[["region_name", "target_reduction_pct", "required_annual_pct", "achieved_cumulative_pct",
                                "achieved_annual_pct", "expected_cumulative_pct", "remaining_required_annual_pct",
                                "status", "target_source"]]
    out.print(_table(frame, f"target {target_id}, {year} ({prov['banner_targets']})", {}))
    out.print(f"rule: {prov['status_rule']}")


@intensity_app.command("plan", help=help_text("规划指标的进展。", "Progress of the plan's indicators."))
def plan(year: Annotated[Optional[int], typer.Option(help=help_text("年份 (默认: 各指标的最新值)",
                                                                    "Year (default: each indicator's latest value)"))] = None
         ) -> None:
    """Progress of the plan's indicators."""
    from carbon.intensity import service

    with db_session() as session:
        rows = service.plan_progress(session, year=year)
    frame = pd.DataFrame(rows)[["seq", "name_zh", "unit", "kind", "baseline", "target", "latest_year", "latest",
                                "progress_pct", "expected_pct", "status"]]
    out.print(_table(frame, "plan indicators"))


@intensity_app.command("key-categories", help=help_text(
    "IPCC 方法 1 关键类别 (水平评估; 给出基准年清单时加趋势评估)。",
    "IPCC Approach 1 key categories (level, and trend with a base inventory)."))
def key_categories(inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
                   base_inventory: Annotated[Optional[int], typer.Option(help=help_text(
                       "基准年的清单 (趋势评估)", "Inventory of the base year (trend)"))] = None,
                   region: Annotated[str, typer.Option(help=REGION)] = "150600") -> None:
    """IPCC Approach 1 key categories (level, and trend with a base inventory)."""
    from carbon.intensity import service

    with db_session() as session:
        res = service.key_categories(session, inventory_id=inventory_id, base_inventory_id=base_inventory, region=region)
    cols = ["rank", "category", "category_name", "gas", "co2e_t", "share", "cumulative", "key"]
    out.print(_table(res["level"][cols], f"level assessment {res['year']} (key: cumulative share up to 95%)"))
    if res["trend"] is not None:
        out.print(_table(res["trend"][["rank", "category", "gas", "co2e_t_base", "co2e_t", "share", "cumulative", "key"]],
                         f"trend assessment {res['base_year']}–{res['year']}"))


@intensity_app.command("uncertainty", help=help_text("清单总量的不确定性: 方法 1 (及指定随机数种子的方法 2)。",
                                                    "Approach 1 (and Approach 2, seeded) uncertainty of the inventory total."))
def uncertainty(inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
                region: Annotated[str, typer.Option(help=REGION)] = "150600",
                draws: Annotated[int, typer.Option(help=help_text("蒙特卡罗抽样次数 (0: 只用方法 1)",
                                                                  "Monte Carlo draws (0: Approach 1 only)"))] = 20000,
                seed: Annotated[int, typer.Option(help=help_text("蒙特卡罗随机数种子", "Monte Carlo seed"))] = 20060101
                ) -> None:
    """Approach 1 (and Approach 2, seeded) uncertainty of the inventory total."""
    from carbon.intensity import service

    with db_session() as session:
        res = service.uncertainty(session, inventory_id=inventory_id, region=region, monte_carlo_draws=draws or None,
                                  seed=seed)
    cats = res["categories"][["category", "category_name", "gas", "emissions", "u_activity_pct", "u_factor_pct",
                              "u_combined_pct", "variance_share"]]
    out.print(_table(cats.head(20), "largest contributions to the variance (Approach 1)"))
    for key in ("approach1", "approach2"):
        r = res[key]
        if r:
            out.print(f"{key}: total {r['total_t']:,.0f} t CO2e, 95% interval {r['low_t']:,.0f} – {r['high_t']:,.0f} "
                      f"(−{r['u_low_pct']:.1f}% / +{r['u_high_pct']:.1f}%)"
                      + (f", {r['draws']} draws, seed {r['seed']}" if r["draws"] else ""))
