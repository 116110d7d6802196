"""typer's own words on a help screen (panel titles, ``[default: ...]``, ``[required]``, the help text of ``--help``
and of the completion options) in Chinese unless CARBON_LANG=en, beside our own help texts
(``carbon.core.messages.help_text``).

typer 0.29 keeps them as constants of ``typer.rich_utils`` (read when a screen is drawn) and as the ``help`` of the
options it adds; ``localise`` sets both. It runs when a help screen is drawn (``LazyGroup.format_help`` for the
top-level group, ``cli_lazy.localise_on_help`` for every command it loads), never on a command that only runs.
click's ``Usage:`` and its error messages stay English.
"""

from __future__ import annotations

from carbon.core.messages import current_lang

RICH_UTILS_ZH = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "DEFAULT_STRING": "[默认: {}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "ENVVAR_STRING": "[环境变量: {}]",
    "DEPRECATED_STRING": "(已弃用) ",
}
BUILTIN_OPTIONS = {  # (zh, en): en is typer's own text
    "help": ("显示本帮助并退出。", "Show this message and exit."),
    "install_completion": ("为当前 shell 安装命令补全。", "Install completion for the current shell."),
    "show_completion": ("显示当前 shell 的命令补全脚本, 以便复制或自行安装。",
                        "Show completion for the current shell, to copy it or customize the installation."),
}
_rich_utils_en: dict[str, str] = {}  # typer's originals, kept to put back under CARBON_LANG=en (tests switch in-process)


def localise(command) -> None:
    """typer's screen words, and the help of ``--help`` and of the completion options of ``command`` and of every
    command under it, in the current language."""
    from typer import rich_utils

    if not _rich_utils_en:
        _rich_utils_en.update({name: getattr(rich_utils, name) for name in RICH_UTILS_ZH})
    english = current_lang() == "en"
    for name, text in (_rich_utils_en if english else RICH_UTILS_ZH).items():
        setattr(rich_utils, name, text)
    localise_options(command)


def localise_options(command) -> None:
    """The help of ``--help`` and of the completion options of ``command`` and of every command under it, in the
    current language (no rich: the top-level screen, carbon/cli_screen.py, needs only this)."""
    _options(command, 1 if current_lang() == "en" else 0)


def _options(command, lang: int) -> None:
    help_option = command.get_help_option(command.context_class(command))  # made once per command, then kept
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if param.name in BUILTIN_OPTIONS:
            param.help = BUILTIN_OPTIONS[param.name][lang]
    for sub in getattr(command, "commands", {}).values():
        _options(sub, lang)
