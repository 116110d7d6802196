"""The ``carbon --help`` screen (the top-level group's) drawn without rich, in the panels typer draws with it.

typer draws help with rich, and ``typer.rich_utils`` imports rich.markdown and markdown-it at load: 0.13-0.16 s of
the 0.33 s that ``carbon --help`` took, against the target of 0.3 s (issue 17; bench/cli.py prints the figure). The
top-level screen lists only flags and one-line command helps, so it is drawn here with the standard library:
display widths of Chinese characters (two columns, ``unicodedata.east_asian_width``), lines broken between words or
between Chinese characters but never before closing punctuation, and bold/cyan names that ``click.echo`` strips
when the output is not a terminal. Every sub-command's screen is still typer's own.

To remove it: delete ``LazyGroup.format_help`` in carbon/cli_lazy.py; typer's screen comes back (and ``carbon --help``
costs the rich import again).
"""

from __future__ import annotations

import re
import shutil
import unicodedata

from carbon.cli_help import RICH_UTILS_ZH
from carbon.core.messages import current_lang

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"  # ideographs, CJK and full-width punctuation
_TOKEN = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+\\s*|\\s+")  # one Chinese character, or a word and the blanks after it
_NO_LINE_START = set("。，、；：！？）」』》】,.;:!?)]%")  # a line never starts with these
_NO_LINE_END = set("（「『《【([")  # nor ends with these
BOLD_CYAN, BOLD, RESET = "\x1b[1;36m", "\x1b[1m", "\x1b[0m"


def width(text: str) -> int:
    """Columns on a terminal: two for wide and full-width (Chinese) characters."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        if tokens and (token[0] in _NO_LINE_START or tokens[-1][-1] in _NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns (a longer word gets a line of its own)."""
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(text):
        size = width(token.rstrip())
        if line and used + size > columns:
            lines.append(line.rstrip())
            line, used = "", 0
            token = token.lstrip()
        line += token
        used += width(token)
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _panel(title: str, rows: list[tuple[str, str]], total: int) -> list[str]:
    """A box ``total`` columns wide: ``╭─ title ─╮``, one row per (name, help), the help wrapped beside the names."""
    inner = total - 4  # "│ " ... " │"
    name_width = max(width(name) for name, _ in rows)
    help_width = max(inner - name_width - 2, 20)
    out = [f"╭─ {BOLD}{title}{RESET} " + "─" * max(total - width(title) - 5, 0) + "╮"]
    for name, text in rows:
        for i, line in enumerate(wrap(text, help_width)):
            left = name if i == 0 else ""
            cell = f"{left}{' ' * (name_width - width(left))}  {line}"
            pad = " " * max(inner - width(cell), 0)
            styled = f"{BOLD_CYAN}{left}{RESET}" + cell[len(left):] if left else cell
            out.append(f"│ {styled}{pad} │")
    out.append("╰" + "─" * (total - 2) + "╯")
    return out


def draw(group, ctx) -> str:
    """The help screen of ``group`` (a click group): usage, its help, an options panel and a commands panel."""
    english = current_lang() == "en"
    total = max(min(shutil.get_terminal_size((80, 24)).columns, 200), 40)
    usage = " ".join(group.collect_usage_pieces(ctx))
    lines = ["", f" {BOLD}Usage:{RESET} {ctx.command_path} {usage}", ""]
    lines += [f" {line}" for line in wrap(group.help or "", total - 2)]
    lines.append("")
    options = []
    for param in group.get_params(ctx):
        if getattr(param, "hidden", False) or not getattr(param, "opts", None):
            continue
        # typer's own options (--help, completion) carry the current language's help (cli_help.localise_options)
        options.append((", ".join([*param.opts, *param.secondary_opts]), param.help or ""))
    if options:
        lines += _panel("Options" if english else RICH_UTILS_ZH["OPTIONS_PANEL_TITLE"], options, total)
    commands = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            commands.append((name, command.short_help or command.help or ""))
    if commands:
        lines += _panel("Commands" if english else RICH_UTILS_ZH["COMMANDS_PANEL_TITLE"], commands, total)
    return "\n".join(lines) + "\n"
