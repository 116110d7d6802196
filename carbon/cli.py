"""The ``carbon`` command. Kept to wiring only: each group's commands live in their own module.

    carbon db upgrade|downgrade|current      carbon token create|list|revoke      carbon serve
"""

from __future__ import annotations

import typer

from carbon.cli_platform import db_app, serve, token_app

app = typer.Typer(
    help="carbon: GHG inventory service for the Ordos ecology bureau.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold tokens and database URLs
)

# --- platform ------------------------------------------------------------------------------------
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.command("serve")(serve)

# --- domain command groups: register them below, one block per domain ------------------------------
# inventory (carbon compile, carbon inventory ...): e.g.
#   from carbon.inventory.cli import compile_command, inventory_app
#   app.add_typer(inventory_app, name="inventory")
#   app.command("compile")(compile_command)
from carbon.inventory.commands import register as register_inventory  # noqa: E402

register_inventory(app)

from carbon.inventory.store_commands import inventory_app  # noqa: E402

app.add_typer(inventory_app, name="inventory")  # carbon inventory create|import|compile|show|export|publish|...

from carbon.ets.commands import ets_app  # noqa: E402

app.add_typer(ets_app, name="ets")  # carbon ets compute|emitter|verifier|principal|summary

from carbon.intensity.commands import intensity_app  # noqa: E402

app.add_typer(intensity_app, name="intensity")  # carbon intensity RESULTS ECONOMY --year Y | import-economy | split | ...

from carbon.reporting.commands import report_app  # noqa: E402

app.add_typer(report_app, name="report")  # carbon report inventory --year Y --out report.pdf

from carbon.puhui.commands import puhui_app  # noqa: E402

app.add_typer(puhui_app, name="puhui")  # carbon puhui methodologies|sync-methodologies|expire|reward-add|rewards|stats|prune-keys

from carbon.monitoring.commands import monitoring_app  # noqa: E402

app.add_typer(monitoring_app, name="monitoring")  # carbon monitoring stack add|list, ingest FILE --stack, emissions, compare

from carbon.reconcile.commands import reconcile_command  # noqa: E402

app.command("reconcile")(reconcile_command)  # carbon reconcile --year Y [--mapping FILE] [--json]

from carbon.reporting.export_commands import export_app  # noqa: E402

app.add_typer(export_app, name="export")  # carbon export tables --inventory ID --format provincial|crt|gpc --out F.xlsx
