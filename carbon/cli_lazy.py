"""Commands loaded when they run, so that ``carbon --help`` and ``carbon --version`` import neither pandas,
SQLAlchemy, pint, FastAPI nor WeasyPrint (issue 17: under 0.3 s; figures in bench/cli.py).

This is click's documented pattern for lazily loaded subcommands
(https://click.palletsprojects.com/en/stable/complex/#lazily-loading-subcommands) on typer's group class:
the top-level group lists each command by name with a short help kept here, and imports its module only
when the command is resolved to run (or to print its own help). To remove it, register the command modules
on the Typer app directly again (``app.add_typer(module.x_app, name=...)``) and drop ``cls=LazyGroup``.
"""

from __future__ import annotations

import gc
import importlib
import sys
from dataclasses import dataclass

import click
import typer.core

from carbon.cli_coercion import plain_coercion
from carbon.cli_help import localise, localise_options
from carbon.core.messages import help_text


def command_help(zh: str, en: str):
    """Give a command function (one that is not on a Typer app of its own: ``carbon compile``, ``carbon serve``...)
    its help in the current language, as ``@app.command(help=...)`` does for a group's commands; the docstring stays
    for developers. ``load`` reads it."""

    def mark(function):
        function.cli_help = help_text(zh, en)
        return function

    return mark


@dataclass(frozen=True)
class LazyEntry:
    target: str  # "package.module:attribute": a typer.Typer (a group) or a command function
    help: str  # one line for `carbon --help`; the command's own help comes from its module


class _Listed(click.Command):
    """What `carbon --help` lists for a command that is not loaded: its name and its one-line help."""

    def __init__(self, name: str, entry: LazyEntry) -> None:
        super().__init__(name, help=entry.help, short_help=entry.help)


def load(name: str, entry: LazyEntry) -> click.Command:
    """Import the entry's module and build its click command (a group for a Typer app)."""
    module_name, attr = entry.target.split(":")
    obj = getattr(_import_paused(module_name), attr)
    if isinstance(obj, typer.Typer):
        group = typer.main.get_group(obj)
        group.name = name
        localise_on_help(group)
        plain_coercion(group)  # str/int/bool/Path values without pydantic (carbon/cli_coercion.py)
        return group
    holder = typer.Typer()
    holder.command(name, help=getattr(obj, "cli_help", None))(obj)
    command = typer.main.get_command(holder)  # a Typer of one command and no callback is that command
    command.name = name
    localise_on_help(command)
    plain_coercion(command)
    return command


def _import_paused(module_name: str):
    """Import a command's module with the cyclic garbage collector paused, then freeze what it imported.

    Importing pandas, pint and the domain core makes hundreds of thousands of objects and no garbage: the collector's
    passes over them took about a tenth of the import, and every full collection during the command went over them
    all again. Frozen (``gc.freeze``), they are left out of the collections the command itself triggers. bench/cli.py
    prints the import and compile of 10^4 rows both ways (about 0.75 of the time with the pause). To remove: call
    ``importlib.import_module`` in ``load`` again, and delete this function and that figure in bench/cli.py."""
    if module_name in sys.modules:  # imported before (a test process running many commands): nothing to pause for
        return importlib.import_module(module_name)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return importlib.import_module(module_name)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def localise_on_help(command: click.Command) -> None:
    """Localise (carbon/cli_help.py) ``command`` and each command under it when its help screen is drawn, not when
    it loads: ``localise`` imports typer.rich_utils and builds every --help option, which a command that runs does not
    need (0.1 s of every ``carbon compile``, bench/cli.py). Each command's ``format_help`` is wrapped on the instance."""
    original = command.format_help

    def format_help(ctx: click.Context, formatter) -> None:
        localise(command)
        original(ctx, formatter)

    command.format_help = format_help
    for sub in getattr(command, "commands", {}).values():
        localise_on_help(sub)


class LazyGroup(typer.core.TyperGroup):
    """typer's group with commands that load on use. ``LAZY`` is set by the subclass made in ``carbon.cli``."""

    LAZY: dict[str, LazyEntry] = {}

    def format_help(self, ctx: click.Context, formatter) -> None:
        """The top-level screen without rich (carbon/cli_screen.py: why, and how to remove it)."""
        from carbon.cli_screen import draw

        localise_options(self)  # typer's --help and completion options in the current language (carbon/cli_help.py)
        formatter.write(draw(self, ctx))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            # `carbon` alone: the screen above on stdout, exit 2, as typer's rich path does (its NoArgsIsHelpError
            # is printed through typer.rich_utils, which prints nothing for it after importing rich)
            typer.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(2)
        plain_coercion(self)  # --debug, --version: no pydantic either (carbon/cli_coercion.py)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return eager + [name for name in self.LAZY if name not in eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.LAZY:
            return _Listed(cmd_name, self.LAZY[cmd_name])  # enough to list; resolve_command loads it
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if isinstance(command, _Listed):
            command = load(name, self.LAZY[name])
            self.commands[name] = command  # once per process
        return name, command, rest
