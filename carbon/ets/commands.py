"""``carbon ets ...``: the stateless calculator and the bureau's registration commands.

    carbon ets compute REPORT.json            MRV + allocation of a report, JSON on stdout (no database)
    carbon ets emitter add USCC NAME ...      register a key emitter (统一社会信用代码 checked)
    carbon ets verifier add NAME [--uscc]     register a verification organisation
    carbon ets principal add TOKEN_ID ...     bind an API token to a verifier organisation or an emitter
    carbon ets principal list
    carbon ets summary USCC YEAR -o FILE      the verification and settlement summary (HTML, or PDF by suffix)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from carbon.cli_errors import print_problems
from carbon.cli_platform import domain_error, session_job
from carbon.core.errors import CarbonError

ets_app = typer.Typer(help="Key emitters (national ETS): MRV, verification, allocation, settlement.",
                      no_args_is_help=True)
emitter_app = typer.Typer(help="Key emitters (重点排放单位).", no_args_is_help=True)
verifier_app = typer.Typer(help="Verification organisations (第三方核查机构).", no_args_is_help=True)
principal_app = typer.Typer(help="Which organisation or emitter an API token acts for.", no_args_is_help=True)
ets_app.add_typer(emitter_app, name="emitter")
ets_app.add_typer(verifier_app, name="verifier")
ets_app.add_typer(principal_app, name="principal")


_fail = domain_error  # carbon.cli_platform: one line on stderr, exit 2


@ets_app.command("compute")
def compute(report: Path = typer.Argument(..., help="REPORT.json (see carbon/ets/report.py); '-' reads stdin.")) -> None:
    """Compute emissions, intensities, quota and gap of a yearly report; print JSON. No database needed."""
    from carbon.core.errors import ValidationError
    from carbon.ets.report import compute_report

    try:
        text = sys.stdin.read() if str(report) == "-" else report.read_text(encoding="utf-8-sig")
    except OSError as exc:  # 找不到文件 / 无法读取文件, one line, exit 2 (carbon/cli_errors.py)
        raise typer.Exit(print_problems(exc)) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(ValidationError(f"{report} is not JSON: {exc.msg} at line {exc.lineno}", field="report")) from None
    try:
        result = compute_report(payload)
    except CarbonError as exc:
        raise _fail(exc) from None
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


_session_job = session_job  # carbon.cli_platform


@emitter_app.command("add")
def emitter_add(
    uscc: str = typer.Argument(..., help="统一社会信用代码 (18 characters)."),
    name: str = typer.Argument(..., help="Registered name."),
    industry: str = typer.Option("power", "--industry", help="power, cement, aluminium, coal_chemical, ..."),
    region: str = typer.Option("150600", "--region", help="Banner or district code or name."),
    quality_plan: str = typer.Option("", "--quality-plan", help="Reference of the data-quality control plan on record."),
) -> None:
    """Register a key emitter."""
    from carbon.ets import service

    e = _session_job(lambda s: service.create_emitter(s, uscc=uscc, name=name, industry=industry, region=region,
                                                      quality_plan_ref=quality_plan or None, actor="cli"))
    typer.echo(f"{e.uscc}\t{e.name}")


@verifier_app.command("add")
def verifier_add(name: str = typer.Argument(...), uscc: str = typer.Option("", "--uscc")) -> None:
    """Register a verification organisation; prints its id."""
    from carbon.ets import service

    v = _session_job(lambda s: service.create_verifier(s, name=name, uscc=uscc or None, actor="cli"))
    typer.echo(f"{v.id}\t{v.name}")


@principal_app.command("add")
def principal_add(
    token_id: int = typer.Argument(..., help="Token id (see `carbon token list`)."),
    verifier: int = typer.Option(0, "--verifier", help="Verifier organisation id (for a verifier token)."),
    emitter: str = typer.Option("", "--emitter", help="Emitter USCC (for an emitter token)."),
) -> None:
    """Bind a verifier token to its organisation, or an emitter token to its emitter."""
    from carbon.ets import service

    p = _session_job(lambda s: service.bind_principal(s, token_id=token_id, verifier_id=verifier or None,
                                                      uscc=emitter or None, actor="cli"))
    typer.echo(f"token {p.token_id} -> {p.describe()}")


@principal_app.command("list")
def principal_list() -> None:
    """Tokens bound to organisations."""
    from carbon.ets import service

    rows = _session_job(lambda s: [(p.token_id, p.describe()) for p in service.list_principals(s)])
    for token_id, what in rows:
        typer.echo(f"{token_id}\t{what}")


@ets_app.command("summary")
def summary(uscc: str = typer.Argument(...), year: int = typer.Argument(...),
            output: Path = typer.Option(..., "--output", "-o", help="FILE.html or FILE.pdf")) -> None:
    """Write the verification and settlement summary of an emitter and year (PDF needs WeasyPrint)."""
    from carbon.ets import render, service

    def work(s: Any) -> bytes:
        data = service.summary_data(s, uscc=uscc, year=year)
        html = render.summary_html(data)
        return render.pdf(html) if output.suffix.lower() == ".pdf" else html.encode("utf-8")

    output.write_bytes(_session_job(work))
    typer.echo(str(output))
