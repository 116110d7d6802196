"""The ``carbon`` command. Kept to wiring only: each group's commands live in their own module, imported when the
command runs (carbon/cli_lazy.py), so that ``carbon --help`` and ``carbon --version`` stay quick (bench/cli.py).

    carbon db upgrade|downgrade|current      carbon token create|list|revoke      carbon serve

A new command group: add its line to ``LAZY_COMMANDS`` (module:attribute, one-line help for ``carbon --help``);
tests/test_cli_startup.py checks that every entry loads and that --help still imports no heavy library.
"""

from __future__ import annotations

import typer

import carbon
from carbon.cli_errors import CarbonGroup
from carbon.cli_lazy import LazyEntry, LazyGroup
from carbon.core.messages import help_text

LAZY_COMMANDS: dict[str, LazyEntry] = {
    # platform
    "serve": LazyEntry("carbon.cli_platform:serve",
                       help_text("将数据库迁移到最新版本, 然后启动 API 服务 (OpenAPI 文档在 /docs)。",
                                 "Migrate the database to head, then serve the API (OpenAPI at /docs).")),
    "db": LazyEntry("carbon.cli_platform:db_app",
                    help_text("数据库结构迁移 (alembic)。", "Database schema migrations (alembic).")),
    "token": LazyEntry("carbon.cli_platform:token_app",
                       help_text("API 令牌 (Bearer): 生态环境局、核查机构、重点排放单位和公众用户的客户端。",
                                 "API tokens (Bearer) for bureau, verifier, emitter and citizen clients.")),
    # inventory: carbon compile FILE --year Y (no database), carbon template SECTOR, the store
    "compile": LazyEntry("carbon.inventory.commands:compile_command",
                         help_text("由活动数据文件计算清单 (不用数据库), 按领域和气体打印汇总。",
                                   "Compile an inventory from a file, with no database. Prints a summary by sector and gas.")),
    "template": LazyEntry("carbon.inventory.commands:template_command",
                          help_text("生成某一领域的空白数据收集模板。", "Write a blank data-collection template for one sector.")),
    "inventory": LazyEntry("carbon.inventory.store_commands:inventory_app",
                           help_text("清单库 (数据库): 创建、导入、计算、发布、导出清单。",
                                     "The inventory store: create, import, compile, publish, export (database).")),
    "reconcile": LazyEntry("carbon.reconcile.commands:reconcile_command",
                           help_text("将 YEAR 年清单与重点排放单位的核查排放量对账。",
                                     "Reconcile the inventory of YEAR with the key emitters' verified emissions.")),
    "export": LazyEntry("carbon.reporting.export_commands:export_app",
                        help_text("按其他机构使用的报表格式导出清单 (省级指南、CRT、GPC)。",
                                  "Export an inventory in the tables others read (provincial guideline, CRT, GPC).")),
    # the other domains
    "ets": LazyEntry("carbon.ets.commands:ets_app",
                     help_text("重点排放单位 (全国碳市场): 监测、报告与核查 (MRV), 核查流程, 配额分配, 清缴履约。",
                               "Key emitters (national ETS): MRV, verification, allocation, settlement.")),
    "intensity": LazyEntry("carbon.intensity.commands:intensity_app",
                           help_text("碳排放强度和能耗强度、旗区目标分解、规划指标、关键类别。",
                                     "Carbon and energy intensity, banner target splits, plan indicators, key categories.")),
    "report": LazyEntry("carbon.reporting.commands:report_app",
                        help_text("报告: 中文温室气体清单报告 (PDF)。", "Reports: the Chinese GHG inventory report (PDF).")),
    "puhui": LazyEntry("carbon.puhui.commands:puhui_app",
                       help_text("碳普惠个人碳积分: 方法学、积分过期、兑换奖励、汇总。",
                                 "Puhui personal carbon points: methodologies, expiry, rewards, totals.")),
    "monitoring": LazyEntry("carbon.monitoring.commands:monitoring_app",
                            help_text("碳监测: HJ 212-2017 格式的烟气排放连续监测 (CEMS) 数据。",
                                      "Carbon monitoring: CEMS data in HJ 212-2017.")),
}


class CarbonCommand(LazyGroup, CarbonGroup):
    """Commands loaded on use (LazyGroup), errors as one line per problem (CarbonGroup, carbon/cli_errors.py)."""

    LAZY = LAZY_COMMANDS


app = typer.Typer(
    cls=CarbonCommand,
    help=help_text("carbon: 鄂尔多斯市生态环境局温室气体清单服务。默认显示中文, 设 CARBON_LANG=en 显示英文。",
                   "carbon: GHG inventory service for the Ordos ecology bureau."),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold tokens and database URLs
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carbon {carbon.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help=help_text(
        "出错时显示完整的 Python 调用栈, 而不是每个问题一行 (也可设 CARBON_DEBUG=1)。",
        "On an error, show the Python traceback instead of one line per problem (also CARBON_DEBUG=1).")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help=help_text("显示版本并退出。", "Print the version and exit.")),
) -> None:
    """carbon: GHG inventory service for the Ordos ecology bureau. Messages in Chinese; CARBON_LANG=en for English."""
