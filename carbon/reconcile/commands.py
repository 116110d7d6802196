"""``carbon reconcile --year Y [--mapping FILE] [--json]``: the inventory's banner × category figures beside
the key emitters' verified emissions, the findings, and the 碳普惠 pool beside the city total (read only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from carbon.core.db import make_engine, session_scope
from carbon.cli_lazy import command_help
from carbon.core.errors import CarbonError
from carbon.core.messages import help_text
from carbon.core.regions import BY_CODE
from carbon.core.settings import get_settings
from carbon.inventory.commands import fail, stdout_console
from carbon.reconcile import service

out = stdout_console()


@command_help("将 YEAR 年清单与重点排放单位的核查排放量对账 (有检查结果时退出码为 1)。",
              "Reconcile the inventory of YEAR with the key emitters' verified emissions (exit 1 when findings).")
def reconcile_command(
        year: Annotated[int, typer.Option(help=help_text("清单年份 (取最新发布的一份, 没有则取最新计算的一份)",
                                                         "inventory year (latest published, else latest compiled)"))],
        mapping: Annotated[Optional[Path], typer.Option(help=help_text(
            "覆盖用的 CSV (industry,uscc,categories,note), 替换内置对应表中的相应行",
            "override CSV (industry,uscc,categories,note) replacing rows of the bundled mapping"))] = None,
        as_json: Annotated[bool, typer.Option("--json", help=help_text("以 JSON 打印完整结果",
                                                                       "print the full result as JSON"))] = False) -> None:
    """Reconcile the inventory of YEAR with the key emitters' verified emissions (exit 1 when findings)."""
    engine = make_engine(get_settings().database_url)
    try:
        text = mapping.read_text(encoding="utf-8") if mapping else None
        with session_scope(engine) as s:
            body = service.reconcile(s, year=year, mapping_text=text)
    except CarbonError as exc:
        fail(exc)
        return
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=1, default=str))
    else:
        i = body["inventory"]
        out.print(f"inventory {i['id']} v{i['version']} ({i['status']}, {i['gwp_set']}), year {body['year']}")
        table = Table("region", "旗区", "scope", "inventory t", "emitters t", "n", "coverage", "status")
        for r in body["rows"]:
            cov = "-" if r["coverage"] is None else f"{r['coverage']:.1%}"
            table.add_row(r["region"], BY_CODE[r["region"]].name_zh if r["region"] in BY_CODE else "", r["scope"],
                          f"{r['inventory_t']:,.0f}", f"{r['emitters_t']:,.0f}", str(r["n_emitters"]), cov, r["status"])
        out.print(table)
        for f in body["findings"]:
            out.print(f"[{f['kind']}] {f['message']}")
        p = body["puhui"]
        out.print(f"碳普惠: pooled {p['pooled_available_g']:,} g, retired {p['retired_g']:,} g "
                  f"({p['offset_claims']} claims) beside city total {p['city_total_co2e_t']:,.0f} t CO2e "
                  f"(not netted)")
    if body["findings"]:
        raise typer.Exit(1)
