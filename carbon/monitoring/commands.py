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
from carbon.core.messages import help_text

monitoring_app = typer.Typer(help=help_text("碳监测: HJ 212-2017 格式的烟气排放连续监测 (CEMS) 数据。",
                                            "Carbon monitoring: CEMS data in HJ 212-2017."), no_args_is_help=True)
stack_app = typer.Typer(help=help_text("受监测的排放口。", "Monitored stacks."), no_args_is_help=True)
START = help_text("起始时间 (含), ISO 格式并带 UTC 偏移, 例如 2024-01-01T00:00+08:00",
                  "Start (included), ISO time with a UTC offset, e.g. 2024-01-01T00:00+08:00")
END = help_text("结束时间 (不含), ISO 格式并带 UTC 偏移", "End (excluded), ISO time with a UTC offset")
monitoring_app.add_typer(stack_app, name="stack")


_fail = domain_error  # carbon.cli_platform: one line on stderr, exit 2
_job = session_job  # one transaction on CARBON_DATABASE_URL


def _when(value: str, name: str) -> datetime:
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(ValidationError(key="monitoring_option_not_iso", params={"name": name, "value": value},
                                    field=name)) from None
    if t.tzinfo is None:
        raise _fail(ValidationError(key="monitoring_option_no_offset", params={"name": name}, field=name))
    return t


@stack_app.command("add", help=help_text("登记重点排放单位的一个受监测排放口。", "Register a monitored stack of a key emitter."))
def stack_add(uscc: str = typer.Argument(..., help=help_text("重点排放单位的统一社会信用代码。", "The emitter's USCC.")),
              code: str = typer.Argument(..., help=help_text("该单位的排放口编号。", "The emitter's stack code.")),
              mn: str = typer.Argument(..., help=help_text("其数据采集传输仪发送的设备唯一标识 MN。",
                                                           "MN its data acquisition unit sends."))) -> None:
    """Register a monitored stack of a key emitter."""
    from carbon.monitoring import service

    s = _job(lambda session: service.register_stack(session, uscc=uscc, code=code, mn=mn))
    typer.echo(f"{s.id}\t{s.code}\t{s.mn}")


@stack_app.command("list", help=help_text("列出受监测的排放口 (编号、重点排放单位、排放口编号、MN)。",
                                         "List the monitored stacks (id, emitter, stack code, MN)."))
def stack_list(emitter: str = typer.Option("", "--emitter", help=help_text(
        "只列出此重点排放单位的排放口 (统一社会信用代码)。", "Only this emitter's stacks (USCC)."))) -> None:
    from carbon.ets.registry import get_emitter
    from carbon.monitoring import service

    def work(session):
        eid = get_emitter(session, uscc=emitter).id if emitter else None
        return [(s.id, s.emitter_id, s.code, s.mn) for s in service.list_stacks(session, emitter_id=eid)]

    for row in _job(work):
        typer.echo("\t".join(map(str, row)))


@monitoring_app.command("ingest", help=help_text(
    "保存数据帧文件中的小时数据 (CN=2061); 重复运行不会重复保存。以 JSON 打印计数; 有数据帧被拒绝时退出码为 1 "
    "(其余数据帧照常保存)。",
    "Store the hourly data (CN=2061) of a file of frames; re-running stores nothing twice. Prints JSON counts; "
    "exit code 1 if some frames were rejected (the others are stored)."))
def ingest(file: Path = typer.Argument(..., help=help_text("HJ 212 数据帧的文本文件, 每行一帧。",
                                                           "Text file of HJ 212 frames, one per line.")),
           stack: str = typer.Option(..., "--stack", help=help_text(
               "数据帧所属的排放口: 其 MN 或 USCC:CODE。", "The stack the frames are of: its MN or USCC:CODE."))) -> None:
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


@monitoring_app.command("emissions", help=help_text(
    "一个排放口在 [start, end) 内实测的 CO2 (t) 及其数据质量问题 (JSON)。",
    "Measured CO2 (t) of one stack over [start, end), with its data-quality issues (JSON)."))
def emissions(stack: str = typer.Argument(..., help=help_text("排放口的 MN 或 USCC:CODE", "MN or USCC:CODE")),
              start: str = typer.Option(..., "--start", help=START), end: str = typer.Option(..., "--end", help=END),
              flatline_hours: int = typer.Option(6, "--flatline-hours", help=help_text(
                  "读数连续不变达到此小时数即记为数据恒定问题", "Hours of unchanged readings reported as a flat line"))) -> None:
    """Measured CO2 (t) of one stack over [start, end), with its data-quality issues (JSON)."""
    from carbon.monitoring import service

    t0, t1 = _when(start, "start"), _when(end, "end")
    m = _job(lambda session: service.stack_emissions(session, stack=service.get_stack(session, ref=stack),
                                                     start=t0, end=t1, flatline_hours=flatline_hours).as_dict())
    typer.echo(json.dumps(m, ensure_ascii=False, indent=2, default=str))


@monitoring_app.command("compare", help=help_text(
    "重点排放单位的实测 (CEMS) 与核算排放量对比: 偏差, 超过阈值时给出检查结果。",
    "Measured (CEMS) vs calculated emissions of an emitter: deviation and, past the threshold, a finding."))
def compare(uscc: str = typer.Argument(..., help=help_text("重点排放单位的统一社会信用代码。", "The emitter's USCC.")),
            start: str = typer.Option(..., "--start", help=START), end: str = typer.Option(..., "--end", help=END),
            calculated: float = typer.Option(None, "--calculated", help=help_text("核算排放量, t。",
                                                                                  "Calculated emissions, t.")),
            year: int = typer.Option(None, "--year", help=help_text("核算排放量取自该年度的碳市场排放报告。",
                                                                    "Take the calculated figure from this year's ETS report.")),
            threshold: float = typer.Option(None, "--threshold", help=help_text(
                "偏差阈值, % (默认按行业)。", "Deviation threshold, % (default by industry)."))
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
