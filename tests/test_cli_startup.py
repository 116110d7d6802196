"""`carbon --help` and `carbon --version` load no heavy library (issue 17: under 0.3 s, timed in bench/cli.py, not
here); a command loads its own module when it runs, and its help is the same as before the commands became lazy."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

import carbon
from carbon.cli import app

HEAVY = ("pandas", "sqlalchemy", "pint", "fastapi", "weasyprint", "numpy", "alembic", "openpyxl")

PROBE = """
import json, sys
from carbon.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy})))
"""


def loaded_after(*args: str) -> list[str]:
    code = PROBE.format(heavy=set(HEAVY))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_and_version_import_no_heavy_library():
    assert loaded_after("--help") == []
    assert loaded_after("--version") == []


def test_the_top_level_help_screen_imports_no_rich():
    """rich.markdown and markdown-it cost 0.13-0.16 s of `carbon --help` (carbon/cli_screen.py draws it without)."""
    code = PROBE.format(heavy={"rich", "markdown_it"})
    for args in (["--help"], []):
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
        assert json.loads(done.stdout.strip().splitlines()[-1]) == []
        assert "compile" in done.stdout and "╭─" in done.stdout  # the screen was drawn, to stdout, without rich


def test_a_command_loads_what_it_needs():
    assert "pandas" in loaded_after("compile", "--help")


def test_version_prints_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"carbon {carbon.__version__}"


def test_every_command_is_listed_and_loads():
    runner = CliRunner()
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    from carbon.cli import LAZY_COMMANDS

    for name in LAZY_COMMANDS:
        assert name in listing.output
        own = runner.invoke(app, [name, "--help"], prog_name="carbon", env={"COLUMNS": "200"})
        assert own.exit_code == 0, (name, own.output)
        assert f"carbon {name}" in own.output  # its own help, not the listing's one line


def test_a_command_is_imported_with_the_collector_paused_then_frozen():
    """carbon/cli_lazy.py: no collection while the command's modules import, the imported objects frozen out of
    later collections, and the collector running again afterwards, also when the import fails."""
    code = """
import gc, json, sys
from carbon import cli_lazy
from carbon.cli import LAZY_COMMANDS
seen = []
real = cli_lazy.importlib.import_module
def watched(name, package=None):
    if name.startswith("carbon."):
        seen.append(gc.isenabled())
    return real(name, package)
cli_lazy.importlib.import_module = watched
cli_lazy.load("compile", LAZY_COMMANDS["compile"])
after = (gc.isenabled(), gc.get_freeze_count())
try:
    cli_lazy.load("missing", cli_lazy.LazyEntry("carbon.no_such_module:x", "-"))
except ImportError:
    pass
print(json.dumps({"during": seen, "enabled": after[0], "frozen": after[1], "after_failure": gc.isenabled()}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    state = json.loads(done.stdout)
    assert state["during"] and not any(state["during"])
    assert state["enabled"] and state["after_failure"]
    assert state["frozen"] > 100_000  # pandas, pint and the core: their objects left out of later collections
