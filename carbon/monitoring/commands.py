"""``carbon monitoring ...``: CEMS stacks, ingest of HJ 212 frame files, measured vs calculated emissions.

    carbon monitoring stack add USCC CODE MN        register a monitored stack (MN = its DAU's HJ 212 MN)
    carbon monitoring stack list [--emitter USCC]
    carbon monitoring ingest FILE --stack REF        a text file of frames (one per line); REF = MN or USCC:CODE
    carbon monitoring emissions REF --start ISO --end ISO        measured CO2 of one stack (JSON)
    carbon monitoring compare USCC --start ISO --end ISO (--calculated T | --year Y) [--threshold PCT]
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import typer

from carbon.cli_errors import print_problems
from carbon.cli_platform import domain_error, session_job
from carbon.core.errors import ValidationError

monitoring_app = typer.Typer(help="Carbon monitoring (碳监测): CEMS data in HJ 212-2017.", no_args_is_help=True)
stack_app = typer.Typer(help="Monitored stacks (排放口).", no_args_is_help=True)
monitoring_app.add_typer(stack_app, name="stack")


_fail = domain_error  # carbon.cli_platform: one line on stderr, exit 2
_job = session_job  # one transaction on CARBON_DATABASE_URL


def _when(value: str, name: str) -> datetime:
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(ValidationError(f"--{name} {value!r} is not an ISO date/time", field=name)) from None
    if t.tzinfo is None:
        raise _fail(ValidationError(f"--{name} needs a UTC offset, e.g. 2024-01-01T00:00+08:00", field=name))
    return t


@stack_app.command("add")
def stack_add(uscc: str = typer.Argument(...), code: str = typer.Argument(..., help="The emitter's stack code."),
              mn: str = typer.Argument(..., help="MN its data acquisition unit sends.")) -> None:
    """Register a monitored stack of a key emitter."""
    from carbon.monitoring import service

    s = _job(lambda session: service.register_stack(session, uscc=uscc, code=code, mn=mn))
    typer.echo(f"{s.id}\t{s.code}\t{s.mn}")


@stack_app.command("list")
def stack_list(emitter: str = typer.Option("", "--emitter", help="Only this emitter's stacks (USCC).")) -> None:
    from carbon.ets.registry import get_emitter
    from carbon.monitoring import service

    def work(session):
        eid = get_emitter(session, uscc=emitter).id if emitter else None
        return [(s.id, s.emitter_id, s.code, s.mn) for s in service.list_stacks(session, emitter_id=eid)]

    for row in _job(work):
        typer.echo("\t".join(map(str, row)))


@monitoring_app.command("ingest")
def ingest(file: Path = typer.Argument(..., help="Text file of HJ 212 frames, one per line."),
           stack: str = typer.Option(..., "--stack", help="The stack the frames are of: its MN or USCC:CODE.")) -> None:
    """Store the hourly data (CN=2061) of a file of frames; re-running stores nothing twice. Prints JSON counts;
    exit code 1 if some frames were rejected (the others are stored)."""
    from carbon.monitoring import service

    try:
        content = file.read_text(encoding="utf-8-sig")
    except OSError as exc:  # 找不到文件 / 无法读取文件, one line, exit 2 (carbon/cli_errors.py)
        raise typer.Exit(print_problems(exc)) from None
    result = _job(lambda session: service.ingest_text(session, text_=content,
                                                      stack=service.get_stack(session, ref=stack)))
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    if result.errors:
        raise typer.Exit(1)


@monitoring_app.command("emissions")
def emissions(stack: str = typer.Argument(..., help="MN or USCC:CODE"), start: str = typer.Option(..., "--start"),
              end: str = typer.Option(..., "--end"), flatline_hours: int = typer.Option(6, "--flatline-hours")) -> None:
    """Measured CO2 (t) of one stack over [start, end), with its data-quality issues (JSON)."""
    from carbon.monitoring import service

    t0, t1 = _when(start, "start"), _when(end, "end")
    m = _job(lambda session: service.stack_emissions(session, stack=service.get_stack(session, ref=stack),
                                                     start=t0, end=t1, flatline_hours=flatline_hours).as_dict())
    typer.echo(json.dumps(m, ensure_ascii=False, indent=2, default=str))


@monitoring_app.command("compare")
def compare(uscc: str = typer.Argument(...), start: str = typer.Option(..., "--start"),
            end: str = typer.Option(..., "--end"), calculated: float = typer.Option(None, "--calculated",
                                                                                    help="Calculated emissions, t."),
            year: int = typer.Option(None, "--year", help="Take the calculated figure from this year's ETS report."),
            threshold: float = typer.Option(None, "--threshold", help="Deviation threshold, % (default by industry).")
            ) -> None:
    """Measured (CEMS) vs calculated emissions of an emitter: deviation and, past the threshold, a finding."""
    from carbon.monitoring import service

    t0, t1 = _when(start, "start"), _when(end, "end")

    def work(session):
        e = service.get_emitter(session, uscc=uscc)
        return service.compare_emitter(session, uscc=uscc, start=t0, end=t1, calculated_t=calculated, year=year,
                                       thresholds={e.industry: threshold} if threshold is not None else None)

    out = _job(work)
    for s in out["stacks"].values():
        s.pop("issues", None)
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
