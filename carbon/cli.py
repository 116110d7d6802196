"""The ``carbon`` command. Kept to wiring only: each group's commands live in their own module, imported when the
command runs (carbon/cli_lazy.py), so that ``carbon --help`` and ``carbon --version`` stay quick (bench/cli.py).

    carbon db upgrade|downgrade|current      carbon token create|list|revoke      carbon serve

A new command group: add its line to ``LAZY_COMMANDS`` (module:attribute, one-line help for ``carbon --help``);
tests/test_cli_startup.py checks that every entry loads and that --help still imports no heavy library.
"""

from __future__ import annotations

import typer

import carbon
from carbon.cli_errors import CarbonGroup
from carbon.cli_lazy import LazyEntry, LazyGroup

LAZY_COMMANDS: dict[str, LazyEntry] = {
    # platform
    "serve": LazyEntry("carbon.cli_platform:serve", "Migrate the database to head, then serve the API (OpenAPI at /docs)."),
    "db": LazyEntry("carbon.cli_platform:db_app", "Database schema migrations (alembic)."),
    "token": LazyEntry("carbon.cli_platform:token_app",
                       "API tokens (Bearer) for bureau, verifier, emitter and citizen clients."),
    # inventory: carbon compile FILE --year Y (no database), carbon template SECTOR, the store
    "compile": LazyEntry("carbon.inventory.commands:compile_command",
                         "Compile an inventory from a file, with no database. Prints a summary by sector and gas."),
    "template": LazyEntry("carbon.inventory.commands:template_command",
                          "Write a blank data-collection template for one sector."),
    "inventory": LazyEntry("carbon.inventory.store_commands:inventory_app",
                           "The inventory store: create, import, compile, publish, export (database)."),
    "reconcile": LazyEntry("carbon.reconcile.commands:reconcile_command",
                           "Reconcile the inventory of YEAR with the key emitters' verified emissions."),
    "export": LazyEntry("carbon.reporting.export_commands:export_app",
                        "Export an inventory in the tables others read (provincial guideline, CRT, GPC)."),
    # the other domains
    "ets": LazyEntry("carbon.ets.commands:ets_app",
                     "Key emitters (national ETS): MRV, verification, allocation, settlement."),
    "intensity": LazyEntry("carbon.intensity.commands:intensity_app",
                           "Carbon and energy intensity, banner target splits, plan indicators, key categories."),
    "report": LazyEntry("carbon.reporting.commands:report_app", "Reports: the Chinese GHG inventory report (PDF)."),
    "puhui": LazyEntry("carbon.puhui.commands:puhui_app",
                       "碳普惠 personal carbon points: methodologies, expiry, rewards, totals."),
    "monitoring": LazyEntry("carbon.monitoring.commands:monitoring_app",
                            "Carbon monitoring (碳监测): CEMS data in HJ 212-2017."),
}


class CarbonCommand(LazyGroup, CarbonGroup):
    """Commands loaded on use (LazyGroup), errors as one line per problem (CarbonGroup, carbon/cli_errors.py)."""

    LAZY = LAZY_COMMANDS


app = typer.Typer(
    cls=CarbonCommand,
    help="carbon: GHG inventory service for the Ordos ecology bureau.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold tokens and database URLs
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carbon {carbon.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="On an error, show the Python traceback instead of one line "
                                                      "per problem (also CARBON_DEBUG=1). 出错时显示完整的调用栈。"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit. 显示版本。"),
) -> None:
    """carbon: GHG inventory service for the Ordos ecology bureau. Messages in Chinese; CARBON_LANG=en for English."""
