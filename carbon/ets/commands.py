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
from carbon.core.messages import help_text

ets_app = typer.Typer(help=help_text("重点排放单位 (全国碳市场): 监测、报告与核查 (MRV), 核查流程, 配额分配, 清缴履约。",
                                     "Key emitters (national ETS): MRV, verification, allocation, settlement."),
                      no_args_is_help=True)
emitter_app = typer.Typer(help=help_text("重点排放单位。", "Key emitters."), no_args_is_help=True)
verifier_app = typer.Typer(help=help_text("第三方核查机构。", "Verification organisations (third-party verifiers)."),
                           no_args_is_help=True)
principal_app = typer.Typer(help=help_text("API 令牌代表哪个核查机构或重点排放单位。",
                                           "Which organisation or emitter an API token acts for."), no_args_is_help=True)
ets_app.add_typer(emitter_app, name="emitter")
ets_app.add_typer(verifier_app, name="verifier")
ets_app.add_typer(principal_app, name="principal")


_fail = domain_error  # carbon.cli_platform: one line on stderr, exit 2


@ets_app.command("compute", help=help_text(
    "计算一份年度排放报告的排放量、强度、配额和缺口, 以 JSON 打印。不需要数据库。",
    "Compute emissions, intensities, quota and gap of a yearly report; print JSON. No database needed."))
def compute(report: Path = typer.Argument(..., help=help_text(
        "REPORT.json (见 carbon/ets/report.py); '-' 表示从标准输入读取。",
        "REPORT.json (see carbon/ets/report.py); '-' reads stdin."))) -> None:
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
        raise _fail(ValidationError(key="ets_report_not_json",
                                    params={"report": report, "msg": exc.msg, "line": exc.lineno}, field="report")) from None
    try:
        result = compute_report(payload)
    except CarbonError as exc:
        raise _fail(exc) from None
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


_session_job = session_job  # carbon.cli_platform


@emitter_app.command("add", help=help_text("登记一家重点排放单位。", "Register a key emitter."))
def emitter_add(
    uscc: str = typer.Argument(..., help=help_text("统一社会信用代码 (18 位)。",
                                                   "Unified social credit code (USCC, 18 characters).")),
    name: str = typer.Argument(..., help=help_text("登记名称。", "Registered name.")),
    industry: str = typer.Option("power", "--industry", help=help_text(
        "行业: power (发电)、cement (水泥)、aluminium (电解铝)、coal_chemical (煤化工) 等",
        "power, cement, aluminium, coal_chemical, ...")),
    region: str = typer.Option("150600", "--region", help=help_text("旗区代码或名称。", "Banner or district code or name.")),
    quality_plan: str = typer.Option("", "--quality-plan", help=help_text(
        "备案的数据质量控制计划编号。", "Reference of the data-quality control plan on record.")),
) -> None:
    """Register a key emitter."""
    from carbon.ets import service

    e = _session_job(lambda s: service.create_emitter(s, uscc=uscc, name=name, industry=industry, region=region,
                                                      quality_plan_ref=quality_plan or None, actor="cli"))
    typer.echo(f"{e.uscc}\t{e.name}")


@verifier_app.command("add", help=help_text("登记一家核查机构; 打印其编号。",
                                           "Register a verification organisation; prints its id."))
def verifier_add(name: str = typer.Argument(..., help=help_text("核查机构名称。", "Name of the organisation.")),
                 uscc: str = typer.Option("", "--uscc", help=help_text(
                     "核查机构的统一社会信用代码 (可不填)。", "Its unified social credit code (optional)."))) -> None:
    """Register a verification organisation; prints its id."""
    from carbon.ets import service

    v = _session_job(lambda s: service.create_verifier(s, name=name, uscc=uscc or None, actor="cli"))
    typer.echo(f"{v.id}\t{v.name}")


@principal_app.command("add", help=help_text(
    "将核查机构令牌绑定到其核查机构, 或将重点排放单位令牌绑定到该单位。",
    "Bind a verifier token to its organisation, or an emitter token to its emitter."))
def principal_add(
    token_id: int = typer.Argument(..., help=help_text("令牌编号 (见 `carbon token list`)。",
                                                       "Token id (see `carbon token list`).")),
    verifier: int = typer.Option(0, "--verifier", help=help_text("核查机构编号 (用于核查机构令牌)。",
                                                                 "Verifier organisation id (for a verifier token).")),
    emitter: str = typer.Option("", "--emitter", help=help_text("重点排放单位的统一社会信用代码 (用于重点排放单位令牌)。",
                                                                "Emitter USCC (for an emitter token).")),
) -> None:
    """Bind a verifier token to its organisation, or an emitter token to its emitter."""
    from carbon.ets import service

    p = _session_job(lambda s: service.bind_principal(s, token_id=token_id, verifier_id=verifier or None,
                                                      uscc=emitter or None, actor="cli"))
    typer.echo(f"token {p.token_id} -> {p.describe()}")


@principal_app.command("list", help=help_text("已绑定到机构的令牌。", "Tokens bound to organisations."))
def principal_list() -> None:
    """Tokens bound to organisations."""
    from carbon.ets import service

    rows = _session_job(lambda s: [(p.token_id, p.describe()) for p in service.list_principals(s)])
    for token_id, what in rows:
        typer.echo(f"{token_id}\t{what}")


@ets_app.command("summary", help=help_text(
    "写出某重点排放单位某年度的核查与清缴汇总 (生成 PDF 需要 WeasyPrint)。",
    "Write the verification and settlement summary of an emitter and year (PDF needs WeasyPrint)."))
def summary(uscc: str = typer.Argument(..., help=help_text("重点排放单位的统一社会信用代码。", "The emitter's USCC.")),
            year: int = typer.Argument(..., help=help_text("年度。", "Year.")),
            output: Path = typer.Option(..., "--output", "-o", help=help_text("FILE.html 或 FILE.pdf",
                                                                              "FILE.html or FILE.pdf"))) -> None:
    """Write the verification and settlement summary of an emitter and year (PDF needs WeasyPrint)."""
    from carbon.ets import render, service

    def work(s: Any) -> bytes:
        data = service.summary_data(s, uscc=uscc, year=year)
        html = render.summary_html(data)
        return render.pdf(html) if output.suffix.lower() == ".pdf" else html.encode("utf-8")

    output.write_bytes(_session_job(work))
    typer.echo(str(output))
