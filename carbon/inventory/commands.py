"""CLI commands of the inventory domain (registered on the top-level Typer app in carbon/cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from carbon.cli_errors import exit_for
from carbon.cli_lazy import command_help
from carbon.core import messages
from carbon.core.errors import CarbonError, ValidationError
from carbon.core.gases import FAMILIES, family_of
from carbon.core.messages import help_text
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.factors.library import DEFAULT_PROFILE, load_library
from carbon.inventory.catalog import DEFAULT_CODES, SECTOR_NAMES_ZH, check_codes, load_catalog
from carbon.inventory.engine import CompileOptions, CompileResult, compile_activity
from carbon.inventory.io import balances_table as balances_sheet
from carbon.inventory.io import blank_template, read_activity, read_local_factors, results_table, write_table
from carbon.inventory.proxy import read_proxy
from carbon.inventory.years import describe_skipped, rows_for_year

# notices on stderr: when it is a log file or a pipe, one line per notice (rich would break lines at 80 columns, inside
# numbers such as 34,258,264,191); on a terminal, wrapped to its width
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())


def stdout_console() -> Console:
    """A console for tables: wide enough for the summary when output goes to a file or a pipe."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def fail(exc: CarbonError) -> None:
    """Print a domain error on stderr, one ``错误: ...`` line per problem (a row report: one per bad row), and exit 2
    (carbon/cli_errors.py; Chinese unless CARBON_LANG=en)."""
    raise exit_for(exc)


def summary_table(result: CompileResult, region: str = CITY_CODE) -> Table:
    """Territorial CO2e by sector (rows) and gas family (columns) for one region, memo items below."""
    d = result.detail[result.detail["region"] == region].copy()
    d["family"] = d["gas"].map(family_of)
    opts = result.options
    title = (f"{BY_CODE[region].name_zh} {opts.year} 温室气体排放 (t CO2e, GWP {d['gwp_set'].iloc[0] if len(d) else opts.gwp_set}; "
             f"factors {result.factor_fingerprint})")
    t = Table(title=title)
    t.add_column("sector 领域")
    for fam in FAMILIES:
        t.add_column(fam, justify="right")
    t.add_column("total 合计", justify="right")
    terr = d[~d["memo"]]
    pivot = terr.pivot_table(index="sector", columns="family", values="co2e_t", aggfunc="sum", fill_value=0.0)
    for sector in [s for s in SECTOR_NAMES_ZH if s != "memo"]:
        row = pivot.loc[sector] if sector in pivot.index else None
        cells = [f"{row.get(f, 0.0):,.1f}" if row is not None else "–" for f in FAMILIES]
        total = f"{row.sum():,.1f}" if row is not None else "– (no data)"
        t.add_row(f"{SECTOR_NAMES_ZH[sector]} {sector}", *cells, total)
    fam_tot = terr.groupby("family")["co2e_t"].sum()
    t.add_row("合计 total", *[f"{fam_tot.get(f, 0.0):,.1f}" for f in FAMILIES], f"{terr['co2e_t'].sum():,.1f}", style="bold")
    memo = d[d["memo"]].groupby("category")["co2e_t"].sum()
    catalog = load_catalog()
    for code, v in memo.items():
        t.add_row(f"[dim]{catalog.categories[code].name_zh}[/dim]", *[""] * len(FAMILIES), f"[dim]{v:,.1f}[/dim]")
    return t


def balances_table(result: CompileResult) -> Table | None:
    """The carbon mass balances of the compile (2.B.8, 1.B.3): one row per facility, t C and t CO2."""
    if not result.balances:
        return None
    t = Table(title="碳平衡 carbon mass balances (IPCC 2006 Vol 3 Eq. 3.17; t C, CO2 in t)")
    for c in ("region", "category", "facility 设施", "投入 in", "产品 products", "废弃物 wastes", "回收 recovered",
              "排放 emitted", "CO2", "缺省 defaults"):
        t.add_column(c, justify="right" if c not in ("region", "category", "facility 设施") else "left")
    for b in result.balances:
        if "carbon_in" not in b:  # an ETS-verified figure pulled bottom-up: no flows here
            t.add_row(b["region"], b["category"], b["facility"], *["–"] * 5, f"{b['co2']['value']:,.1f}", "核查 verified")
            continue
        n_default = sum(f["source"] == "default" for f in b["flows"])
        t.add_row(b["region"], b["category"], b["facility"],
                  *(f"{b[k]['value']:,.1f}" for k in ("carbon_in", "carbon_products", "carbon_wastes",
                                                       "carbon_recovered", "carbon_emitted", "co2")),
                  f"{n_default}/{len(b['flows'])}")
    return t


CHECK_LABELS = {"landfill_history_short": ("填埋历史数据不足", "landfill history too short"),
                "landfill_backcast": ("填埋量已回推", "landfill back-cast")}


def print_findings(result: CompileResult) -> None:
    """What the compile noticed, on stderr: banner/city double counts and the cross-sector checks, in Chinese unless
    CARBON_LANG=en (the English ``message`` of each finding is what the JSON and CSV carry either way)."""
    from carbon.core.messages import current_lang

    zh = current_lang() != "en"
    catalog = None
    for d in result.double_counts:
        if zh:
            err.print(f"[yellow]可能重复计算[/yellow]：{d.get('category')} {d.get('item')} {d.get('gas')} 同时由全市"
                      f"（{d.get('city_mass_t', 0):.6g} t）和旗区（{d.get('banner_mass_t', 0):.6g} t）报告；"
                      "全市合计未计入市级数据行")
        else:
            err.print(f"[yellow]possible double count[/yellow]: {d.get('category')} {d.get('item')} {d.get('gas')} "
                      f"reported by the city ({d.get('city_mass_t', 0):.6g} t) and by banners "
                      f"({d.get('banner_mass_t', 0):.6g} t); city-level rows left out of the city total")
    for c in result.cross_sector:
        if c.get("excluded"):
            label = "[red]已扣除的跨领域重复计算[/red]" if zh else "[red]cross-sector double count excluded[/red]"
        else:
            names = CHECK_LABELS.get(c.get("check"), ("跨领域核对", "cross-sector check"))
            label = f"[yellow]{names[0] if zh else names[1]}[/yellow]"
        if zh:
            from carbon.inventory.calc.findings_zh import finding_zh
            from carbon.inventory.catalog import load_catalog

            catalog = catalog or load_catalog()
            text = finding_zh(c, catalog)
            if not c.get("excluded") and c.get("key") and "--exclude-double-count" in c.get("message", ""):
                text += f"（如需从 1.A 扣除：--exclude-double-count {c['key']}）"
        else:
            text = c["message"]
        err.print(f"{label}: {escape(text)}", markup=True)


@command_help("由活动数据文件计算清单 (不用数据库), 按领域和气体打印汇总。",
              "Compile an inventory from a file, with no database. Prints a summary by sector and gas.")
def compile_command(
    activity: Annotated[Path, typer.Argument(help=help_text(
        "活动数据, CSV 或 XLSX (region, year, category, item, quantity, unit)",
        "Activity data, CSV or XLSX (region, year, category, item, quantity, unit)"))],
    year: Annotated[int, typer.Option(help=help_text(
        "清单年份; 文件中更早年份的数据作为历史数据 (填埋一阶衰减法 FOD)",
        "Inventory year; earlier years in the file serve as history (landfill FOD)"))],
    factors: Annotated[Optional[Path], typer.Option(help=help_text(
        "本地实测参数 CSV (category, item, parameter, value, unit)",
        "Local measured parameters CSV (category, item, parameter, value, unit)"))] = None,
    gwp: Annotated[str, typer.Option(help=help_text("GWP-100 (百年全球增温潜势) 版本: SAR、AR4、AR5 或 AR6",
                                                    "GWP-100 set: SAR, AR4, AR5 or AR6"))] = "AR5",
    ch4_ar6: Annotated[str, typer.Option("--ch4-ar6", help=help_text(
        "AR6 甲烷: combined (合并, 27.9) 或 split (分开: 化石源 29.8 / 非化石源 27.0)",
        "AR6 methane: combined (27.9) or split (fossil 29.8 / non-fossil 27.0)"))] = "combined",
    profile: Annotated[str, typer.Option(help=help_text(
        "缺省排放因子方案: CN (默认: 中国统计的平均低位发热量和指南排放因子) 或 IPCC2006; 缺项由另一方案补充",
        "Default factor profile: CN (the default: China's statistical NCVs and guideline factors) or IPCC2006; the "
        "other fills gaps"))] = DEFAULT_PROFILE,
    out: Annotated[Optional[Path], typer.Option(help=help_text("将结果 RESULTS.csv (或 .xlsx) 写到此处",
                                                               "Write RESULTS.csv (or .xlsx) here"))] = None,
    balances_out: Annotated[Optional[Path], typer.Option("--balances", help=help_text(
        "将碳质量平衡 (每一股物料流、含碳率和带单位的中间量) 以 JSON 写到此处",
        "Write the carbon mass balances (every flow, carbon fraction and intermediate with its unit) as JSON "
        "here"))] = None,
    excel: Annotated[Optional[bool], typer.Option("--excel/--no-excel", help=help_text(
        "供 Excel 使用的 CSV: --out 文件以 UTF-8 BOM 开头 (默认, 见 CARBON_CSV_BOM; 否则中文 Windows 上的 Excel 会按 GBK "
        "读取); --no-excel: 不带 BOM 的 UTF-8",
        "CSV for Excel: start --out with a UTF-8 BOM (the default, CARBON_CSV_BOM; Excel on a Chinese Windows otherwise "
        "reads it as GBK); --no-excel: bare UTF-8"))] = None,
    exclude_double_count: Annotated[Optional[list[str]], typer.Option("--exclude-double-count", help=help_text(
        "将跨领域重复计算 (同时计入 1.A 燃烧的还原剂或原料用燃料) 从 1.A 中扣除: 'all'、REGION:CATEGORY 或 "
        "REGION:CATEGORY:ITEM, 按检查结果给出的名称填写 (例如 150602:2.C.2 或 东胜区:2.C.2:焦炭); 可重复。"
        "不加此项时只列出检查结果, 不扣除",
        "Take a cross-sector double count (reductant or feedstock fuel also burnt in 1.A) out of 1.A: 'all', "
        "REGION:CATEGORY or REGION:CATEGORY:ITEM as named by the finding (e.g. 150602:2.C.2); repeatable. Without it "
        "findings are listed and nothing is excluded"))] = None,
    codes: Annotated[str, typer.Option(help=help_text(
        "文件使用的类别代码: ipcc2006 (默认; 4.A 固体废弃物处置) 或 crt (UNFCCC CRT; 5.A 固体废弃物处置)。两种代码下"
        "都可以用类别名称; 结果同时带两种代码 (category, crt_category)",
        "Category codes of the files: ipcc2006 (the default; 4.A solid waste disposal) or crt (UNFCCC CRT; 5.A solid "
        "waste disposal). Names work under both; RESULTS carry both (category, crt_category)"))] = DEFAULT_CODES,
    backcast: Annotated[Optional[str], typer.Option(help=help_text(
        "首个给出年份之前缺失的填埋 (4.A) 量 (一阶衰减法需要 50 年, 或回溯到 1950 年): population 或 gdp 表示按 "
        "--proxy 外推 (IPCC 2006 第 5 卷 §3.2.2); 这些行的 basis 为 backcast_<proxy>。不加此项: 给出警告",
        "Landfill (4.A) deposits missing before the first year given (the FOD needs 50 years, or back to 1950): "
        "population or gdp extrapolates them from --proxy (IPCC 2006 Vol 5 §3.2.2); the rows say backcast_<proxy> in "
        "basis. Without it: a warning"))] = None,
    proxy: Annotated[Optional[Path], typer.Option(help=help_text(
        "--backcast 使用的代理序列: 含 region、year 和 population 或 gdp 列的 CSV/XLSX (经济数据文件即可)",
        "Proxy series for --backcast: CSV/XLSX with region, year and population or gdp (the economic data file "
        "serves)"))] = None,
) -> None:
    """Compile an inventory from a file, with no database. Prints a summary by sector and gas."""
    try:
        result = compile_file(activity, year=year, factors=factors, gwp=gwp, ch4_ar6=ch4_ar6, profile=profile,
                              exclude_double_counts=tuple(exclude_double_count or ()), codes=codes,
                              backcast=backcast, proxy=proxy,
                              on_skipped=lambda skipped: err.print(describe_skipped(skipped), markup=False))
    except CarbonError as exc:
        fail(exc)
        return
    console = stdout_console()
    console.print(summary_table(result))
    balances = balances_table(result)
    if balances is not None:
        console.print(balances)
    print_findings(result)
    if out is not None:
        table = results_table(result)
        sheets = {"results": table}
        if out.suffix.lower() == ".xlsx" and result.balances:
            sheets["carbon_balances"] = balances_sheet(result.balances)
        write_table(sheets, out, excel=excel)
        console.print(messages.text("cli_wrote_rows", n=len(table), path=out))
    if balances_out is not None:
        balances_out.write_text(json.dumps(result.balances, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(messages.text("cli_wrote_balances", n=len(result.balances), path=balances_out))


def compile_file(activity: Path, *, year: int, factors: Path | None = None, gwp: str = "AR5", ch4_ar6: str = "combined",
                 profile: str = DEFAULT_PROFILE, exclude_double_counts: tuple[str, ...] = (),
                 codes: str = DEFAULT_CODES, backcast: str | None = None, proxy: Path | None = None,
                 on_skipped: Callable[[dict[int, int]], None] | None = None) -> CompileResult:
    """``codes``: the category-code scheme of both files (activity data and local parameters). ``backcast`` and
    ``proxy``: landfill deposits before the first year given, from a population or GDP series.

    A file without data rows, or without rows for ``year``, is a ValidationError; rows of other years (not history
    of a time-series category, carbon/inventory/years.py) are left out and ``on_skipped({year: rows})`` told."""
    check_codes(codes)
    options = CompileOptions(year=year, gwp_set=gwp.upper(), ch4_ar6=ch4_ar6, exclude_double_counts=exclude_double_counts,
                             backcast=backcast)
    if proxy is not None and not backcast:
        raise ValidationError(key="inventory_proxy_without_backcast", field="proxy")
    series = read_proxy(proxy, backcast) if proxy is not None else None
    library = load_library(profile=profile)
    if factors is not None:
        rows, fingerprint = read_local_factors(factors, codes=codes)
        library = library.with_local(rows, fingerprint)
    act = read_activity(activity, codes=codes)
    if act.empty:
        raise ValidationError(key="no_data_rows", params={"path": str(activity)}, field="file")
    act, skipped = rows_for_year(act, year, source=str(activity))
    if skipped and on_skipped is not None:
        on_skipped(skipped)
    return compile_activity(act, library, options, proxy=series)


@command_help("生成某一领域的空白数据收集模板。", "Write a blank data-collection template for one sector.")
def template_command(
    sector: Annotated[str, typer.Argument(help=help_text(
        "领域: energy (能源)、ippu (工业生产过程)、agriculture (农业)、lulucf (土地利用、土地利用变化和林业)、"
        "waste (废弃物) 或 memo (信息项)",
        "energy, ippu, agriculture, lulucf, waste or memo"))],
    out: Annotated[Path, typer.Option(help=help_text(
        "CSV 或 XLSX 路径 (XLSX: 中文表头、下拉列表、“示例”工作表、品种工作表)",
        "CSV or XLSX path (XLSX: Chinese headers, drop-down lists, a sheet of examples, a sheet of items)"))],
    excel: Annotated[Optional[bool], typer.Option("--excel/--no-excel", help=help_text(
        "供 Excel 使用的 CSV: 以 UTF-8 BOM 开头 (默认, 见 CARBON_CSV_BOM); --no-excel: 不带 BOM 的 UTF-8",
        "CSV for Excel: start it with a UTF-8 BOM (the default, CARBON_CSV_BOM); --no-excel: bare UTF-8"))] = None,
) -> None:
    """Write a blank data-collection template for one sector."""
    try:
        if out.suffix.lower() == ".xlsx":  # Chinese headers, drop-down lists, examples on 示例 (inventory/templates.py)
            from carbon.inventory.templates import template_xlsx  # openpyxl only when a template is written

            out.write_bytes(template_xlsx(sector))
        else:
            write_table({"activity": blank_template(sector)}, out, excel=excel)
    except CarbonError as exc:
        fail(exc)
    Console().print(messages.text("cli_wrote_template", sector=sector, path=out))


def register(app: typer.Typer) -> None:
    app.command("compile", help=compile_command.cli_help)(compile_command)
    app.command("template", help=template_command.cli_help)(template_command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(typer.run(compile_command))
