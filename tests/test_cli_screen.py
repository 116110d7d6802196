"""The top-level help screen drawn without rich (carbon/cli_screen.py): Chinese characters take two columns, no
line is wider than the terminal, no line starts with closing punctuation, and it lists every option and command
with its whole help, in the current language."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st
from typer.testing import CliRunner

from carbon.cli import LAZY_COMMANDS, app
from carbon.cli_screen import _tokens, width, wrap

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_width_counts_chinese_characters_twice():
    assert width("CO2") == 3
    assert width("鄂尔多斯") == 8
    assert width("（也可设）") == 10


PIECES = [*"碳排放清单。，、（）", *"ab .,()", " ", "CO2", "Ordos", "CARBON_LANG=en"]


@given(st.lists(st.sampled_from(PIECES), max_size=120).map("".join), st.integers(min_value=8, max_value=100))
def test_wrapped_lines_fit_and_lose_nothing(text, columns):
    lines = wrap(text, columns)
    unbreakable = max((width(t.strip()) for t in _tokens(text)), default=0)  # a word with the punctuation it holds
    assert all(width(line) <= max(columns, unbreakable) for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())  # every character kept, in order
    assert not any(line[:1] in "。，、）" for line in lines[1:] if line)


@pytest.mark.parametrize("columns", [60, 80, 132])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_screen_fits_the_terminal_and_lists_everything(monkeypatch, columns, lang):
    monkeypatch.setenv("CARBON_LANG", lang)
    monkeypatch.setenv("COLUMNS", str(columns))
    result = CliRunner().invoke(app, ["--help"], prog_name="carbon")
    assert result.exit_code == 0
    screen = ANSI.sub("", result.output)
    assert all(width(line) <= columns for line in screen.splitlines())
    boxed = [line for line in screen.splitlines() if line.startswith("│")]
    assert boxed and all(width(line) == columns and line.endswith("│") for line in boxed)
    flat = "".join("".join(line.strip("│ ").split()) for line in screen.splitlines())
    for name in LAZY_COMMANDS:
        assert re.search(rf"│ {name} ", screen)
    for option in ("--debug", "--version", "--install-completion", "--show-completion", "--help"):
        assert f"│ {option} " in screen
    if lang == "zh":
        assert "选项" in screen and "命令" in screen and "显示本帮助并退出。" in flat
    else:
        assert "Options" in screen and "Commands" in screen and "Show this message and exit." in "".join(screen.split("│"))


def test_carbon_alone_prints_the_screen_and_exits_2():
    result = CliRunner().invoke(app, [], prog_name="carbon")
    assert result.exit_code == 2
    assert "Usage: carbon [OPTIONS] COMMAND [ARGS]..." in ANSI.sub("", result.output)
    assert "compile" in result.output
