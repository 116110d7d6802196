"""``carbon puhui ...``: 碳普惠 jobs and bureau chores from the command line (database: CARBON_DATABASE_URL).

    carbon puhui methodologies                 every methodology version with its factor and source
    carbon puhui sync-methodologies            insert data-file editions the database lacks
    carbon puhui expire [--as-of ISO-TIME]     the expiry job (run daily, e.g. from cron; idempotent)
    carbon puhui reward-add NAME --cost N --stock N        carbon puhui rewards
    carbon puhui stats                         platform totals and the conservation check
    carbon puhui prune-keys [--days 90]        drop old idempotency keys

Each command is one transaction (``session_scope``); domain errors print on stderr and exit 2.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Optional

import typer
from rich.table import Table

from carbon.core.db import make_engine, session_scope
from carbon.core.errors import CarbonError, ValidationError
from carbon.core.messages import help_text
from carbon.core.settings import get_settings
from carbon.inventory.commands import fail, stdout_console
from carbon.puhui import service

puhui_app = typer.Typer(help=help_text("碳普惠个人碳积分: 方法学、积分过期、兑换奖励、汇总。",
                                       "Puhui personal carbon points: methodologies, expiry, rewards, totals."),
                        no_args_is_help=True)
out = stdout_console()


def _engine():
    return make_engine(get_settings().database_url)


@puhui_app.command("methodologies", help=help_text("列出全部方法学版本 (代码、版本、减排因子、上限、来源)。",
                                                   "List every methodology version (code, version, factor, caps, source)."))
def methodologies_command() -> None:
    """List every methodology version (code, version, factor, caps, source)."""
    engine = _engine()
    try:
        with session_scope(engine) as s:
            table = Table("code", "v", "名称", "factor", "unit", "cap", "window", "confidence", "source")
            for r in service.list_methodologies(s):
                cap = f"{r.cap_claims or r.cap_quantity or ''}/{r.cap_period}" if r.cap_period else "-"
                table.add_row(r.code, str(r.version), r.name_zh, r.factor, r.factor_unit, cap, f"{r.window_days} d",
                              r.confidence, r.source[:60])
            out.print(table)
    finally:
        engine.dispose()


@puhui_app.command("sync-methodologies", help=help_text(
    "将随程序发布的数据文件中数据库尚未收录的方法学写入数据库 (从不修改已保存的方法学)。",
    "Insert the methodologies of the shipped data files that the database lacks (never edits a stored one)."))
def sync_command() -> None:
    """Insert the methodologies of the shipped data files that the database lacks (never edits a stored one)."""
    engine = _engine()
    try:
        with session_scope(engine) as s:
            report = service.sync_methodologies(s)
        out.print(f"added {len(report.added)} ({', '.join(report.added) or 'none'}); unchanged {report.unchanged}")
    except CarbonError as exc:
        fail(exc)
    finally:
        engine.dispose()


@puhui_app.command("expire", help=help_text(
    "按积分过期规则, 使截止时间之前获得的积分过期 (获得积分的次年年底)。",
    "Expire points earned before the cut-off of the expiry policy (end of the year after earning)."))
def expire_command(as_of: Annotated[Optional[str], typer.Option(help=help_text(
        "带时区的 ISO 时间; 默认为当前时间", "ISO time with zone; default now"))] = None) -> None:
    """Expire points earned before the cut-off of the expiry policy (end of the year after earning)."""
    engine = _engine()
    try:
        now = None
        if as_of:
            now = datetime.fromisoformat(as_of)
            if now.tzinfo is None:
                raise ValidationError(key="puhui_as_of_timezone", field="as_of")
        with session_scope(engine) as s:
            result = service.expire_all(s, now=now)
        out.print_json(json.dumps(result))
    except (CarbonError, ValueError) as exc:
        fail(exc if isinstance(exc, CarbonError) else ValidationError(str(exc)))
    finally:
        engine.dispose()


@puhui_app.command("reward-add", help=help_text("上架一项兑换奖励。", "Offer a reward."))
def reward_add(name: Annotated[str, typer.Argument(help=help_text("奖励名称", "name of the reward"))],
               cost: Annotated[int, typer.Option(help=help_text("所需积分", "points"))],
               stock: Annotated[int, typer.Option(help=help_text("可兑换数量", "items available"))],
               description: Annotated[str, typer.Option(help=help_text("奖励说明", "description of the reward"))] = ""
               ) -> None:
    """Offer a reward."""
    engine = _engine()
    try:
        with session_scope(engine) as s:
            reward = service.create_reward(s, name=name, cost_points=cost, stock=stock, description=description)
            out.print(f"reward {reward.id}: {reward.name}, {reward.cost_points} points, stock {reward.stock}")
    except CarbonError as exc:
        fail(exc)
    finally:
        engine.dispose()


@puhui_app.command("rewards", help=help_text("列出全部兑换奖励 (含已下架的): 编号、名称、所需积分、库存、是否上架。",
                                             "List every reward (inactive ones too): id, name, cost, stock, active."))
def rewards_command() -> None:
    engine = _engine()
    try:
        with session_scope(engine) as s:
            table = Table("id", "name", "cost", "stock", "active")
            for r in service.list_rewards(s, include_inactive=True):
                table.add_row(str(r.id), r.name, str(r.cost_points), str(r.stock), "yes" if r.active else "no")
            out.print(table)
    finally:
        engine.dispose()


@puhui_app.command("stats", help=help_text("根据积分账本统计的平台汇总; 两种资产的 ``conservation`` (守恒差额) 都必须为 0。",
                                           "Platform totals from the ledger; ``conservation`` must be 0 for both assets."))
def stats_command() -> None:
    """Platform totals from the ledger; ``conservation`` must be 0 for both assets."""
    engine = _engine()
    try:
        with session_scope(engine) as s:
            out.print_json(json.dumps(service.stats(s)))
    finally:
        engine.dispose()


@puhui_app.command("prune-keys", help=help_text(
    "删除超过 ``days`` 天的居民幂等键 (该期限长于所有申报时限)。",
    "Drop residents' idempotency keys older than ``days`` (longer than every claim window)."))
def prune_command(days: Annotated[int, typer.Option(help=help_text(
        "保留天数: 删除更早的幂等键", "age in days beyond which keys are dropped"))] = 90) -> None:
    """Drop residents' idempotency keys older than ``days`` (longer than every claim window)."""
    from datetime import timedelta

    engine = _engine()
    try:
        with session_scope(engine) as s:
            out.print(f"dropped {service.prune_keys(s, older_than=timedelta(days=days))} keys")
    finally:
        engine.dispose()
