"""Plain command-line values coerced without pydantic (carbon/cli_coercion.py): for every value, the same result or the
same error as typer's own coercion, and no pydantic import in a command that runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import pytest
import typer
import typer.main
from hypothesis import given, settings, strategies as st
from typer._coercion import build_runtime_param

from carbon.cli_coercion import PlainRuntimeParam, plain_coercion

ROOT = Path(__file__).resolve().parents[1]

probe = typer.Typer()


@probe.command()
def run(path: Path, year: Annotated[int, typer.Option()] = 2022, name: str = "x", out: Optional[Path] = None,
        flag: Optional[bool] = None, many: Annotated[Optional[list[str]], typer.Option()] = None,
        years: Annotated[Optional[list[int]], typer.Option()] = None,
        bounded: Annotated[int, typer.Option(min=1900, max=2100)] = 2022) -> None:
    pass


COMMAND = typer.main.get_command(probe)
plain_coercion(COMMAND)
PARAMS = {p.name: p for p in COMMAND.params}


def outcome(runtime, param, value):
    ctx = COMMAND.context_class(COMMAND)
    try:
        return "ok", runtime.coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return type(exc).__name__, str(exc)


def same_as_typer(name, value):
    param = PARAMS[name]
    assert outcome(param.get_runtime_param(), param, value) == outcome(build_runtime_param(param.type_descriptor),
                                                                       param, value)


def test_plain_parameters_get_the_plain_coercion_and_others_keep_typers():
    plain = {name for name, p in PARAMS.items() if isinstance(p._runtime_param, PlainRuntimeParam)}
    assert {"path", "year", "name", "out", "flag", "many", "years"} <= plain
    assert "bounded" not in plain  # min/max: typer's (pydantic's) range check and message


NUMBERISH = st.one_of(st.integers(-10**20, 10**20).map(str), st.sampled_from(
    ["2022", "-3", "0", "007", "+5", " 12", "12 ", "20.5", "1e3", "2_022", "", "abc", "٢٠٢٢", "-0", "9" * 19]))


@settings(max_examples=150, deadline=None)
@given(NUMBERISH)
def test_int_values_as_typer(value):
    same_as_typer("year", value)
    same_as_typer("years", [value, "1"])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_str_values_as_typer(value):
    same_as_typer("name", value)
    same_as_typer("many", [value])


@pytest.mark.parametrize("value", ["sample_data/ordos_2022_synthetic.csv", "no/such/file.csv", ".", "", "中文.csv"])
def test_path_values_as_typer(value):
    same_as_typer("path", value)
    same_as_typer("out", value)


@pytest.mark.parametrize("value", [True, False, None])
def test_bool_values_as_typer(value):
    same_as_typer("flag", value)


def test_carbon_compile_runs_without_pydantic(tmp_path):
    code = ("import json, sys\nfrom carbon.cli import app\ntry:\n    app(sys.argv[1:], prog_name='carbon')\n"
            "except SystemExit as exc:\n    code = exc.code\n"
            "print(json.dumps([code, 'pydantic' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code, "compile", "sample_data/ordos_2022_synthetic.csv", "--year", "2022",
                           "--factors", "sample_data/ordos_local_factors.csv", "--out", str(tmp_path / "r.csv")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, False], done.stderr[-2000:]
    assert (tmp_path / "r.csv").stat().st_size > 0
