"""``carbon export tables --inventory ID --format provincial|crt|gpc --out FILE.xlsx`` (issue 16 item 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbon.core import messages
from carbon.core.messages import help_text

export_app = typer.Typer(help=help_text("按其他机构使用的报表格式导出清单 (省级指南、CRT、GPC)。",
                                        "Export an inventory in the tables others read (provincial guideline, CRT, GPC)."),
                         no_args_is_help=True)


@export_app.callback()
def _group() -> None:
    """Exports of stored inventories."""


@export_app.command("tables", help=help_text("将库中一份清单的省级指南、CRT 或 GPC 报表写成 XLSX。",
                                             "Write the provincial-guideline, CRT or GPC tables of a stored inventory as XLSX."))
def tables(
    inventory_id: Annotated[int, typer.Option("--inventory", help=help_text("清单编号 (已计算或已发布)",
                                                                            "Inventory id (compiled or published)"))],
    fmt: Annotated[str, typer.Option("--format", help=help_text(
        "provincial (省级温室气体清单编制指南) | crt (UNFCCC 通用报告表) | gpc (城市温室气体核算国际标准)",
        "provincial | crt | gpc"))],
    out_path: Annotated[Path, typer.Option("--out", help=help_text("输出文件 FILE.xlsx", "FILE.xlsx"))],
) -> None:
    """Write the provincial-guideline, CRT or GPC tables of a stored inventory as XLSX."""
    from carbon.inventory.store_commands import db_session
    from carbon.reporting.exports import export_tables

    with db_session() as session:
        content = export_tables(session, inventory_id=inventory_id, fmt=fmt.lower())
    out_path.write_bytes(content)
    typer.echo(messages.text("cli_wrote", path=out_path))
