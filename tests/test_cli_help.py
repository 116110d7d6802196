"""Every ``carbon ... --help`` screen is Chinese by default and English under CARBON_LANG=en (issue 19 point 5).

The language is read when a command module is imported, so each language runs in its own interpreter: PROBE walks
the whole click command tree (every lazy command loaded as it is when it runs) and prints, as JSON, the help of
every command and of every option and argument, typer's own --help and completion options included (their words are
set when a screen is drawn, carbon/cli_help.py, so the probe draws each screen first).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")

PROBE = """
import contextlib, io, json
import typer.main
from carbon.cli import app
from carbon.cli_lazy import LazyGroup

texts = []

def walk(command, path):
    ctx = command.context_class(command, info_name=path.split()[-1])
    with contextlib.redirect_stdout(io.StringIO()):
        command.get_help(ctx)  # the screen `--help` draws
    texts.append([path, command.help or ""])
    for param in command.get_params(ctx):
        texts.append([f"{path} {param.opts[0]}", getattr(param, "help", None) or ""])
    if hasattr(command, "list_commands"):  # a group (typer 0.29 carries its own click: no isinstance)
        for name in command.list_commands(ctx):
            if isinstance(command, LazyGroup):
                texts.append([f"{path} {name} (listed)", command.get_command(ctx, name).help or ""])
            _, sub, _ = command.resolve_command(ctx, [name])
            walk(sub, f"{path} {name}")

walk(typer.main.get_command(app), "carbon")
print(json.dumps(texts, ensure_ascii=False))
"""


def _env(lang: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CARBON_LANG"}
    if lang:
        env["CARBON_LANG"] = lang
    env["COLUMNS"] = "200"
    return env


def _run(args: list[str], lang: str | None) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=_env(lang), timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def texts() -> dict[str, list[tuple[str, str]]]:
    return {lang: [tuple(t) for t in json.loads(_run(["-c", PROBE], lang))] for lang in ("zh", "en")}


def test_the_walk_reaches_every_command_and_option(texts):
    zh, en = texts["zh"], texts["en"]
    assert [path for path, _ in zh] == [path for path, _ in en]
    paths = {path for path, _ in zh}
    # a few of each kind, from different modules: the walk went into every lazy group
    for path in ("carbon serve --host", "carbon compile --year", "carbon inventory import", "carbon ets",
                 "carbon puhui", "carbon monitoring", "carbon report", "carbon export", "carbon reconcile --year",
                 "carbon db upgrade --revision", "carbon token create --role", "carbon intensity", "carbon --debug",
                 "carbon --help", "carbon --install-completion", "carbon db upgrade --help"):
        assert path in paths
    assert len(zh) > 150


def test_every_help_is_chinese_by_default(texts):
    missing = [(path, text) for path, text in texts["zh"] if not CJK.search(text)]
    assert missing == []


def test_every_help_is_english_under_carbon_lang_en(texts):
    wrong = [(path, text) for path, text in texts["en"] if not text.strip() or CJK.search(text)]
    assert wrong == []


def test_the_two_languages_differ_everywhere(texts):
    same = [zh for zh, en in zip(texts["zh"], texts["en"]) if zh == en]
    assert same == []


HELP = "from carbon.cli import app; app(['--help'], prog_name='carbon')"


def test_carbon_help_prints_chinese_by_default_and_english_under_carbon_lang_en():
    zh = _run(["-c", HELP], None)
    en = _run(["-c", HELP], "en")
    assert "鄂尔多斯" in zh and "清单" in zh and "选项" in zh and "显示本帮助并退出" in zh
    assert "Ordos ecology bureau" in en and "Database schema migrations (alembic)." in en and "Options" in en
    assert not CJK.search(en)


def test_a_sub_command_help_follows_the_language():
    args = ["-c", "from carbon.cli import app; app(['inventory', 'import', '--help'], prog_name='carbon')"]
    assert "活动数据" in _run(args, None)
    en = _run(args, "en")
    assert "Import activity data, all or nothing." in en and not CJK.search(en)
