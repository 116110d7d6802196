"""``carbon export tables --inventory ID --format provincial|crt|gpc --out FILE.xlsx`` (issue 16 item 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

export_app = typer.Typer(help="Export an inventory in the tables others read (provincial guideline, CRT, GPC).",
                         no_args_is_help=True)


@export_app.callback()
def _group() -> None:
    """Exports of stored inventories."""


@export_app.command("tables")
def tables(
    inventory_id: Annotated[int, typer.Option("--inventory", help="Inventory id (compiled or published)")],
    fmt: Annotated[str, typer.Option("--format", help="provincial | crt | gpc")],
    out_path: Annotated[Path, typer.Option("--out", help="FILE.xlsx")],
) -> None:
    """Write the provincial-guideline, CRT or GPC tables of a stored inventory as XLSX."""
    from carbon.inventory.store_commands import db_session
    from carbon.reporting.exports import export_tables

    with db_session() as session:
        content = export_tables(session, inventory_id=inventory_id, fmt=fmt.lower())
    out_path.write_bytes(content)
    typer.echo(f"wrote {out_path}")
