"""``carbon report ...``: the Chinese inventory report as a PDF.

    carbon report inventory --year 2022 --out out/ordos_2022_inventory.pdf [--inventory ID] [--html report.html]
        [--prepared-by 姓名] [--reviewed-by 姓名] [--approved-by 姓名]   # the sign-off block (编制单位: CARBON_REPORT_ORG)
    carbon report worker      # run queued report jobs in this process (beside or instead of the API's thread)

The CLI renders synchronously, from the store (CARBON_DATABASE_URL).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from carbon.inventory.store_commands import db_session
from carbon.intensity.intensity import DEFAULT_NUMERATOR
from carbon.inventory.commands import err, stdout_console
from carbon.core import messages
from carbon.core.messages import help_text

report_app = typer.Typer(no_args_is_help=True, help=help_text("报告: 中文温室气体清单报告 (PDF)。",
                                                              "Reports: the Chinese GHG inventory report (PDF)."))
out = stdout_console()


@report_app.command("inventory", help=help_text("将 YEAR 年的清单报告生成为 PDF (同步生成)。",
                                                "Render the inventory report of YEAR to a PDF (synchronously)."))
def inventory(
    year: Annotated[int, typer.Option(help=help_text("清单年份", "Inventory year"))],
    out_file: Annotated[Path, typer.Option("--out", help=help_text("要写出的 PDF", "PDF to write"))],
    inventory_id: Annotated[Optional[int], typer.Option("--inventory", help=help_text(
        "清单编号 (默认: 全市 YEAR 年最新发布的清单, 没有则取最新计算的)",
        "Inventory id (default: the city's latest published, else compiled, of YEAR)"))] = None,
    numerator: Annotated[str, typer.Option(help=help_text("碳排放强度的分子", "Carbon-intensity numerator"))] = DEFAULT_NUMERATOR,
    co2_source: Annotated[str, typer.Option(help=help_text(
        "CO2 来源: auto (自动)、inventory (清单) 或 statistics (统计数据)", "auto, inventory or statistics"))] = "auto",
    draws: Annotated[int, typer.Option(help=help_text("不确定性一章的蒙特卡罗抽样次数",
                                                      "Monte Carlo draws for the uncertainty section"))] = 20000,
    seed: Annotated[int, typer.Option(help=help_text("蒙特卡罗随机数种子", "Monte Carlo seed"))] = 20060101,
    html: Annotated[Optional[Path], typer.Option(help=help_text("同时写出生成 PDF 所用的 HTML",
                                                                "Also write the HTML the PDF was made from"))] = None,
    prepared_by: Annotated[Optional[str], typer.Option("--prepared-by", help=help_text(
        "编制人 (默认: 留空行供签字)", "Prepared by (default: a blank line to sign)"))] = None,
    reviewed_by: Annotated[Optional[str], typer.Option("--reviewed-by", help=help_text(
        "审核人 (默认: 留空行供签字)", "Reviewed by (default: a blank line to sign)"))] = None,
    approved_by: Annotated[Optional[str], typer.Option("--approved-by", help=help_text(
        "批准人 (默认: 留空行供签字)", "Approved by (default: a blank line to sign)"))] = None,
) -> None:
    """Render the inventory report of YEAR to a PDF (synchronously)."""
    from carbon.reporting import service
    from carbon.reporting.render import html_to_pdf

    started = time.perf_counter()
    with db_session() as session:
        text = service.report_html(session, year=year, inventory_id=inventory_id, numerator=numerator,
                                   co2_source=co2_source, draws=draws, seed=seed, prepared_by=prepared_by,
                                   reviewed_by=reviewed_by, approved_by=approved_by)
    rendered = html_to_pdf(text)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(rendered.pdf)
    if html is not None:
        html.write_text(text, encoding="utf-8")
    out.print(messages.text("cli_wrote_report", path=out_file, pages=rendered.pages, kb=f"{len(rendered.pdf) / 1024:.0f}",
                   seconds=f"{time.perf_counter() - started:.1f}"))


@report_app.command("worker", help=help_text(
    "在本进程中运行排队的报告任务 (可同时运行多个 worker: 每个任务只被领取一次; worker 中途退出的任务会被重新领取, "
    "见 carbon/reporting/jobs.py)。",
    "Run queued report jobs in this process (several workers may run: each job is claimed once; a job whose "
    "worker died is taken again, see carbon/reporting/jobs.py)."))
def worker(poll: Annotated[float, typer.Option(help=help_text("两次查询新任务之间的秒数",
                                                              "Seconds between polls for new jobs"))] = 2.0,
           once: Annotated[bool, typer.Option(help=help_text("运行完已排队的任务后退出",
                                                             "Run the queued jobs, then exit"))] = False) -> None:
    """Run queued report jobs in this process (several workers may run: each job is claimed once; a job whose
    worker died is taken again, see carbon/reporting/jobs.py)."""
    from carbon.core.db import make_engine, session_factory
    from carbon.core.settings import get_settings
    from carbon.reporting import jobs, service

    engine = make_engine(get_settings().database_url)
    factory = session_factory(engine)
    name = jobs.worker_name("cli")
    try:
        while True:
            n = service.drain(factory, worker=name)
            if n:
                err.print(f"ran {n} report job(s)")
            if once:
                return
            time.sleep(poll)
    finally:
        engine.dispose()
