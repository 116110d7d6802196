"""``carbon inventory ...``: the inventory store from the command line (database: CARBON_DATABASE_URL).

    carbon inventory create --year 2022 [--gwp AR5] [--ch4-ar6 combined] [--profile CN|IPCC2006] [--label ...]
    carbon inventory import ID FILE [--replace] [--codes ipcc2006|crt]
    carbon inventory compile ID [--factors LOCAL.csv]
    carbon inventory show ID [--region 达拉特旗] [--sector energy] [--level item]
    carbon inventory export ID --out results.csv|results.xlsx [--excel|--no-excel]
    carbon inventory export-activity ID --out activity.csv|activity.xlsx [--excel|--no-excel]   (the records, to import again)
    carbon inventory publish ID        carbon inventory new-version ID        carbon inventory list
    carbon inventory remove-batch ID BATCH        carbon inventory delete ID        carbon inventory sync-factors

Each command is one transaction (``session_scope``): it commits once at the end, or not at all. Domain
errors print on stderr (with the row report for rejected files) and exit 2.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from carbon.core import messages, migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.errors import CarbonError
from carbon.core.messages import help_text
from carbon.core.regions import BY_CODE, CITY_CODE
from carbon.core.settings import get_settings
from carbon.factors.library import DEFAULT_PROFILE
from carbon.inventory.commands import balances_table, err, fail, print_findings, stdout_console, summary_table

inventory_app = typer.Typer(help=help_text("清单库 (数据库): 创建、导入、计算、发布、导出清单。",
                                           "The inventory store: create, import, compile, publish, export (database)."),
                            no_args_is_help=True)
INVENTORY_ID = help_text("清单编号", "Inventory id")

out = stdout_console()


def _user() -> str:
    try:
        return f"cli {getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name (containers): still record that it was the CLI
        return "cli"


def _check_schema(url: str) -> None:
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(migrate.alembic_config(url)).get_heads())
    current = migrate.current_heads(url)
    if current != heads:
        err.print(f"[red]error:[/red] the database is at {', '.join(sorted(current)) or 'no schema'}, "
                  f"not {', '.join(sorted(heads))}; run `carbon db upgrade` first")
        raise typer.Exit(1)


@contextmanager
def db_session() -> Iterator[Session]:
    """One transaction on CARBON_DATABASE_URL; domain errors become exit code 2 with the message."""
    url = get_settings().database_url
    _check_schema(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            yield session
    except CarbonError as exc:
        fail(exc)
    finally:
        engine.dispose()


def _describe(inv) -> str:
    code = inv.region.code
    name = BY_CODE[code].name_zh if code in BY_CODE else code
    label = f" «{inv.label}»" if inv.label else ""
    return f"{inv.id}\t{name} {inv.year} v{inv.version}\t{inv.status}\t{inv.gwp_set}{label}"


@inventory_app.command("create", help=help_text("新建一份草稿清单并打印其编号。", "Create a draft inventory and print its id."))
def create(
    year: Annotated[int, typer.Option(help=help_text("清单年份", "Inventory year"))],
    region: Annotated[str, typer.Option(help=help_text("地区代码或名称 (默认: 全市)",
                                                       "Region code or name (default: the city)"))] = CITY_CODE,
    gwp: Annotated[str, typer.Option(help=help_text("GWP-100 (百年全球增温潜势) 版本: SAR、AR4、AR5 或 AR6",
                                                    "GWP-100 set: SAR, AR4, AR5 or AR6"))] = "AR5",
    ch4_ar6: Annotated[str, typer.Option("--ch4-ar6", help=help_text("AR6 甲烷: combined (合并) 或 split (化石源与非化石源分开)",
                                                                     "AR6 methane: combined or split"))] = "combined",
    profile: Annotated[str, typer.Option(help=help_text(
        "缺省排放因子方案: CN (默认) 或 IPCC2006; 缺项由另一方案补充",
        "Default factor profile: CN (the default) or IPCC2006; the other fills gaps"))] = DEFAULT_PROFILE,
    label: Annotated[Optional[str], typer.Option(help=help_text("标签, 例如 2022年初步清单",
                                                                "A label, e.g. a preliminary 2022 inventory"))] = None,
) -> None:
    """Create a draft inventory and print its id."""
    from carbon.inventory import service

    with db_session() as session:
        inv = service.create_inventory(session, year=year, region=region, gwp_set=gwp, ch4_ar6=ch4_ar6,
                                       factor_profile=profile, label=label, user=_user())
        inventory_id = inv.id
    typer.echo(inventory_id)


@inventory_app.command("import", help=help_text(
    "导入活动数据, 要么全部导入, 要么全不导入。被拒绝的文件会在标准错误上列出每一个有误的行 (退出码 2)。",
    "Import activity data, all or nothing. A rejected file prints every bad row on stderr (exit 2)."))
def import_(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    file: Annotated[Path, typer.Argument(help=help_text("活动数据, CSV 或 XLSX", "Activity data, CSV or XLSX"),
                                         exists=True, dir_okay=False)],
    replace: Annotated[bool, typer.Option(help=help_text("用此文件替换清单现有的数据",
                                                         "Replace the inventory's current data with this file"))] = False,
    codes: Annotated[str, typer.Option(help=help_text(
        "文件使用的类别代码: ipcc2006 (默认) 或 crt (UNFCCC CRT); 一律按 IPCC 2006 代码保存",
        "Category codes of the file: ipcc2006 (the default) or crt (UNFCCC CRT); stored as IPCC 2006 codes"))] = "ipcc2006",
) -> None:
    """Import activity data, all or nothing. A rejected file prints every bad row on stderr (exit 2)."""
    from carbon.inventory import service

    content = file.read_bytes()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task(f"checking {file.name}", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, description=f"loading {file.name}", completed=done, total=total)

        with db_session() as session:
            batch = service.import_activity(session, inventory_id=inventory_id, content=content, filename=file.name,
                                            user=_user(), replace=replace, progress=report, codes=codes)
            rows, batch_id = batch.rows, batch.id
    typer.echo(f"imported {rows} rows into inventory {inventory_id} (batch {batch_id})")


@inventory_app.command("compile", help=help_text("计算清单并按领域和气体打印汇总。",
                                                "Compile the inventory and print the summary by sector and gas."))
def compile_(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    factors: Annotated[Optional[Path], typer.Option(help=help_text("本地实测参数 CSV", "Local measured parameters CSV"),
                                                    exists=True, dir_okay=False)] = None,
    exclude_double_count: Annotated[Optional[list[str]], typer.Option("--exclude-double-count", help=help_text(
        "将跨领域重复计算从 1.A 中扣除: 'all'、REGION:CATEGORY 或 REGION:CATEGORY:ITEM, 按检查结果给出的名称填写; "
        "可重复; 记入保存的检查结果",
        "Take a cross-sector double count out of 1.A: 'all', REGION:CATEGORY or REGION:CATEGORY:ITEM as the finding "
        "names it; repeatable; recorded in the stored findings"))] = None,
) -> None:
    """Compile the inventory and print the summary by sector and gas."""
    from carbon.inventory import service

    with db_session() as session:
        result = service.compile_inventory(session, inventory_id=inventory_id,
                                           local_factors=factors.read_bytes() if factors else None,
                                           local_filename=factors.name if factors else "local_factors.csv",
                                           exclude_double_counts=tuple(exclude_double_count or ()))
        region = service.get_inventory(session, inventory_id=inventory_id).region.code
    out.print(summary_table(result, region=region))
    balances = balances_table(result)
    if balances is not None:
        out.print(balances)
    print_findings(result)


@inventory_app.command("pull-ets", help=help_text(
    "自下而上: 将本地区化工类重点排放单位经核查的工业过程 CO2 作为 2.B.8 / 1.B.3 设施行导入。",
    "Bottom-up: the verified process CO2 of the region's chemical key emitters as 2.B.8 / 1.B.3 facility rows."))
def pull_ets(inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)]) -> None:
    """Bottom-up: the verified process CO2 of the region's chemical key emitters as 2.B.8 / 1.B.3 facility rows."""
    from carbon.inventory.bottom_up import pull_ets_verified

    with db_session() as session:
        batch = pull_ets_verified(session, inventory_id=inventory_id, user=_user())
        rows, batch_id = (batch.rows, batch.id) if batch else (0, None)
    if batch_id is None:
        typer.echo(f"no chemical key emitter has a concluded verification for inventory {inventory_id}'s year; "
                   "earlier pulled rows (if any) removed")
    else:
        typer.echo(f"pulled {rows} verified facility rows into inventory {inventory_id} (batch {batch_id}); compile it next")


@inventory_app.command("show", help=help_text("显示一份清单: 状态、上传批次, 以及结果 (已计算时)。",
                                             "Show an inventory: its state, uploads, and results (when compiled)."))
def show(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    region: Annotated[Optional[str], typer.Option(help=help_text("只看此地区 (代码或名称)",
                                                                 "Only this region (code or name)"))] = None,
    sector: Annotated[Optional[str], typer.Option(help=help_text("只看此领域 (energy、ippu 等)",
                                                                 "Only this sector (energy, ippu, ...)"))] = None,
    category: Annotated[Optional[str], typer.Option(help=help_text("只看此类别及其子类别",
                                                                   "Only this category and its sub-categories"))] = None,
    level: Annotated[str, typer.Option(help=help_text("category (按类别) 或 item (按品种)", "category or item"))] = "category",
) -> None:
    """Show an inventory: its state, uploads, and results (when compiled)."""
    from carbon.inventory import service

    with db_session() as session:
        inv = service.get_inventory(session, inventory_id=inventory_id)
        typer.echo(_describe(inv))
        if inv.parent_id:
            typer.echo(f"corrects inventory {inv.parent_id}")
        typer.echo(f"records: {service.record_count(session, inventory_id=inv.id)}; factors: "
                   f"{inv.factor_fingerprint or '-'}; compiled {_when(inv.compiled_at)}; published {_when(inv.published_at)}")
        for b in service.batches(session, inventory_id=inv.id):
            removed = f" (removed {b.removed_at:%Y-%m-%d %H:%M}Z)" if b.removed_at else ""
            typer.echo(f"  batch {b.id}: {b.filename}, {b.rows} rows, {b.created_at:%Y-%m-%d %H:%M}Z by "
                       f"{b.created_by or '?'}{removed}")
        if inv.status == "draft":
            return
        frame = service.get_results(session, inventory_id=inv.id, region=region, sector=sector, category=category,
                                    level=level)
    table = Table(title=f"results ({len(frame)} rows, t)")
    columns = ["region_name", "category", "crt_category", "category_name", *(["item"] if level == "item" else []), "gas",
               "mass_t", "co2e_t", *(["notation"] if "notation" in frame.columns else [])]
    for c in columns:
        table.add_column(c, justify="right" if c in ("mass_t", "co2e_t") else "left")
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    out.print(table)


def _when(t) -> str:
    return f"{t:%Y-%m-%d %H:%M}Z" if t else "-"


def _cell(v) -> str:
    if isinstance(v, float):
        return "" if v != v else f"{v:,.3f}"
    return str(v)


@inventory_app.command("export", help=help_text(
    "写出结果 (列与 `carbon compile --out` 相同; XLSX 另附所用排放因子和元数据)。",
    "Write the results (the columns of `carbon compile --out`; XLSX adds the factors used and metadata)."))
def export(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    out_path: Annotated[Path, typer.Option("--out", help=help_text("results.csv 或 results.xlsx (XLSX 另附所用的排放因子行)",
                                                                   "results.csv or results.xlsx (XLSX adds factor rows used)"))],
    excel: Annotated[Optional[bool], typer.Option("--excel/--no-excel", help=help_text(
        "供 Excel 使用的 CSV: 以 UTF-8 BOM 开头 (默认, 见 CARBON_CSV_BOM; 否则中文 Windows 上的 Excel 会按 GBK 读取); "
        "--no-excel: 不带 BOM 的 UTF-8",
        "CSV for Excel: start it with a UTF-8 BOM (the default, CARBON_CSV_BOM; Excel on a Chinese Windows otherwise "
        "reads it as GBK); --no-excel: bare UTF-8"))] = None,
) -> None:
    """Write the results (the columns of `carbon compile --out`; XLSX adds the factors used and metadata)."""
    from carbon.inventory import service

    fmt = "xlsx" if out_path.suffix.lower() == ".xlsx" else "csv"
    with db_session() as session:
        content = service.export_results(session, inventory_id=inventory_id, fmt=fmt, excel=excel)
    out_path.write_bytes(content)
    typer.echo(messages.text("cli_wrote", path=out_path))


@inventory_app.command("export-activity", help=help_text(
    "按导入模板写出清单的活动数据记录 (数量列为注释符号时单位为空); 用 `carbon inventory import` 导入该文件可得到相同的记录。",
    "Write the inventory's activity records as the import template (notation keys in the quantity column, empty "
    "unit); `carbon inventory import` of the file gives the same records."))
def export_activity(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    out_path: Annotated[Path, typer.Option("--out", help=help_text("activity.csv 或 activity.xlsx",
                                                                   "activity.csv or activity.xlsx"))],
    excel: Annotated[Optional[bool], typer.Option("--excel/--no-excel", help=help_text(
        "供 Excel 使用的 CSV: 以 UTF-8 BOM 开头 (默认, 见 CARBON_CSV_BOM); --no-excel: 不带 BOM 的 UTF-8",
        "CSV for Excel: start it with a UTF-8 BOM (the default, CARBON_CSV_BOM); --no-excel: bare UTF-8"))] = None,
) -> None:
    """Write the inventory's activity records as the import template (notation keys in the quantity column, empty
    unit); `carbon inventory import` of the file gives the same records."""
    from carbon.inventory import service

    fmt = "xlsx" if out_path.suffix.lower() == ".xlsx" else "csv"
    with db_session() as session:
        content = service.export_activity(session, inventory_id=inventory_id, fmt=fmt, excel=excel)
    out_path.write_bytes(content)
    typer.echo(messages.text("cli_wrote", path=out_path))


@inventory_app.command("publish", help=help_text("发布一份已计算的清单 (发布后不可修改并公开)。",
                                                "Publish a compiled inventory (it becomes immutable and public)."))
def publish(inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)]) -> None:
    """Publish a compiled inventory (it becomes immutable and public)."""
    from carbon.inventory import service

    with db_session() as session:
        inv = service.publish(session, inventory_id=inventory_id)
        text = _describe(inv)
    typer.echo(f"published {text}")


@inventory_app.command("new-version", help=help_text(
    "为更正已发布的清单创建一份草稿副本 (下一版本, 数据相同); 打印其编号。",
    "Create a draft copy (next version, same data) to correct a published inventory; prints its id."))
def new_version(
    inventory_id: Annotated[int, typer.Argument(help=help_text("要更正的清单编号", "Inventory id to correct"))],
    label: Annotated[Optional[str], typer.Option(help=help_text("新版本的标签", "Label of the new version"))] = None,
) -> None:
    """Create a draft copy (next version, same data) to correct a published inventory; prints its id."""
    from carbon.inventory import service

    with db_session() as session:
        inv = service.new_version(session, inventory_id=inventory_id, user=_user(), label=label)
        new_id = inv.id
    typer.echo(new_id)


@inventory_app.command("list", help=help_text("列出清单: 编号、地区、年份和版本、状态、GWP 版本、标签。",
                                             "List inventories: id, region and year and version, status, GWP set, label."))
def list_() -> None:
    """List inventories: id, region and year and version, status, GWP set, label."""
    from carbon.inventory import service

    with db_session() as session:
        rows, _ = service.list_inventories(session, limit=10_000)
        for inv in rows:
            typer.echo(_describe(inv))


@inventory_app.command("remove-batch", help=help_text("从草稿或已计算的清单中删除某一次上传的记录。",
                                                     "Remove the records of one upload from a draft or compiled inventory."))
def remove_batch(
    inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)],
    batch_id: Annotated[int, typer.Argument(help=help_text("上传批次编号 (见 `show`)", "Batch id (see `show`)"))],
) -> None:
    """Remove the records of one upload from a draft or compiled inventory."""
    from carbon.inventory import service

    with db_session() as session:
        n = service.remove_batch(session, inventory_id=inventory_id, batch_id=batch_id)
    typer.echo(f"removed {n} records of batch {batch_id}")


@inventory_app.command("delete", help=help_text("删除一份草稿或已计算的清单。", "Delete a draft or compiled inventory."))
def delete(inventory_id: Annotated[int, typer.Argument(help=INVENTORY_ID)]) -> None:
    """Delete a draft or compiled inventory."""
    from carbon.inventory import service

    with db_session() as session:
        service.delete_inventory(session, inventory_id=inventory_id)
    typer.echo(f"deleted inventory {inventory_id}")


@inventory_app.command("sync-factors", help=help_text(
    "将排放因子库中尚未保存的行复制到数据库 (计算清单时也会这样做)。",
    "Copy factor-library rows not stored yet into the database (compile does this too)."))
def sync_factors() -> None:
    """Copy factor-library rows not stored yet into the database (compile does this too)."""
    from carbon.factors.service import sync_factor_library

    with db_session() as session:
        report = sync_factor_library(session)
    typer.echo(f"{report.added} factor rows added, {report.present} already stored")
    for ref in report.changed:
        err.print(f"[yellow]changed in place[/yellow]: {ref} differs from its stored copy (add a new version instead)")
