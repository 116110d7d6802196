"""What the ``carbon`` command prints when something goes wrong: one line per problem on stderr, never a traceback.

    错误: 找不到文件 活动水平.csv                       exit 2: bad input (a domain error, a missing or unreadable
    错误: 导入被拒绝: 2 行有误, 未导入任何数据            file, a file pandas cannot parse); a row report prints
    错误: 第 3 行, region 列: 未知地区 'X'; ...          one line per bad row
    错误: 内部错误: KeyError: 'x' (加 --debug ...)      exit 1: a bug; ``carbon --debug ...`` or CARBON_DEBUG=1
                                                      re-raises it with the traceback

Messages are Chinese unless CARBON_LANG=en (carbon/core/messages.py). :class:`CarbonGroup` is the top-level Typer
app's click group (``typer.Typer(cls=CarbonGroup)``), so every sub-command, run by the ``carbon`` script or by a
test's CliRunner, goes through :meth:`CarbonGroup.invoke`. Only typer, the error classes and the message catalogue
are imported here, to keep ``carbon --help`` quick.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from carbon.core import messages
from carbon.core.errors import CarbonError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130
DEBUG_ENV = "CARBON_DEBUG"


_debug_option = False  # the top-level --debug of the command running (set by carbon.cli's callback)


def set_debug(value: bool) -> None:
    global _debug_option
    _debug_option = bool(value)


def debug_requested(ctx: typer.Context | None = None) -> bool:
    """``--debug`` on the command line (the top-level option) or CARBON_DEBUG=1 in the environment."""
    if _debug_option or (ctx is not None and ctx.params.get("debug")):
        return True
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def problem_lines(exc: BaseException, lang: str | None = None) -> tuple[list[str], int]:
    """(the lines to print, without the ``错误:`` prefix; the exit code) for an exception a command let through."""
    if isinstance(exc, CarbonError):
        lines = exc.problems(lang)
        if len(lines) == 1 and exc.field and exc.field != "file":  # which input it was about (a row report says it)
            lines = [lines[0] + messages.text("field_suffix", lang, field=exc.field)]
        return lines, EXIT_BAD_INPUT
    if isinstance(exc, FileNotFoundError):
        return [messages.text("file_not_found", lang, path=exc.filename or exc)], EXIT_BAD_INPUT
    if isinstance(exc, (IsADirectoryError, PermissionError, OSError)):
        reason = exc.strerror or str(exc)
        return [messages.text("file_unreadable", lang, path=exc.filename or "", reason=reason)], EXIT_BAD_INPUT
    if isinstance(exc, UnicodeDecodeError) or type(exc).__module__.startswith("pandas"):  # pandas.errors.ParserError,
        return [messages.text("file_parse", lang, path="", reason=str(exc).strip())], EXIT_BAD_INPUT  # EmptyDataError
    if isinstance(exc, KeyboardInterrupt):
        return [messages.text("interrupted", lang)], EXIT_INTERRUPTED
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return [messages.text("internal_error", lang, detail=detail)], EXIT_INTERNAL


def print_problems(exc: BaseException, lang: str | None = None) -> int:
    """Print one ``错误: ...`` line per problem of ``exc`` on stderr; return the exit code it calls for."""
    lines, code = problem_lines(exc, lang)
    prefix = messages.text("error_prefix", lang)
    for line in lines:
        for part in str(line).splitlines() or [""]:  # one problem, one line: a message never spans lines
            if part.strip():
                typer.echo(f"{prefix}: {part}", err=True)
    return code


def exit_for(exc: CarbonError) -> typer.Exit:
    """A domain error printed (one line per problem) as the Exit to raise: what the command modules' ``fail`` do.
    Under --debug the error itself is raised again, with its traceback."""
    if debug_requested():
        raise exc
    return typer.Exit(print_problems(exc))


class CarbonGroup(TyperGroup):
    """The top-level group: an exception out of any command becomes problem lines and an exit code."""

    def invoke(self, ctx):
        set_debug(bool(ctx.params.get("debug")))
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort, SystemExit):  # usage errors, explicit exits: click's own
            raise
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the point of this class
            if debug_requested(ctx):
                raise
            sys.stdout.flush()
            raise typer.Exit(print_problems(exc)) from None
