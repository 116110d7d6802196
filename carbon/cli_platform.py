"""Platform CLI commands: database migrations, API tokens, the web server.

The database is ``CARBON_DATABASE_URL`` (default: ``carbon.db`` in the working directory). Settings are
read when a command runs, not at import, so tests can point the environment elsewhere.
"""

from __future__ import annotations

import enum

import typer
from sqlalchemy import select

from carbon.cli_errors import exit_for
from carbon.cli_lazy import command_help
from carbon.core import messages, migrate
from carbon.core.db import make_engine, session_scope
from carbon.core.errors import CarbonError
from carbon.core.messages import help_text
from carbon.core.models import ROLES, ApiToken
from carbon.core.settings import get_settings

db_app = typer.Typer(help=help_text("数据库结构迁移 (alembic)。", "Database schema migrations (alembic)."),
                     no_args_is_help=True)
token_app = typer.Typer(help=help_text("API 令牌 (Bearer): 生态环境局、核查机构、重点排放单位和公众用户的客户端。",
                                       "API tokens (Bearer) for bureau, verifier, emitter and citizen clients."),
                        no_args_is_help=True)


Role = enum.StrEnum("Role", {r: r for r in ROLES})  # typer shows enum members as the choices


def _url() -> str:
    return get_settings().database_url


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"{messages.text('error_prefix')}: {message}", err=True)
    return typer.Exit(code)


def _require_migrated(url: str) -> None:
    if not migrate.current_heads(url):
        raise _fail(f"database {_safe(url)} has no schema; run `carbon db upgrade` first")


def domain_error(exc: CarbonError) -> typer.Exit:
    """A domain error as one line per problem on stderr and exit code 2: the domain command groups' answer
    (carbon/cli_errors.py; Chinese unless CARBON_LANG=en)."""
    return exit_for(exc)


def session_job(work):
    """Run ``work(session)`` in one transaction on CARBON_DATABASE_URL (migrated); domain errors exit 2."""
    url = _url()
    _require_migrated(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return work(session)
    except CarbonError as exc:
        raise domain_error(exc) from None
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade", help=help_text("将数据库迁移到版本 REVISION (默认: head, 即最新版本)。",
                                          "Migrate the database up to REVISION (default: head)."))
def db_upgrade(revision: str = typer.Option("head", "--revision", "-r",
                                            help=help_text("目标版本。", "Target revision."))) -> None:
    """Migrate the database up to REVISION (default: head)."""
    url = _url()
    migrate.upgrade(url, revision)
    typer.echo(f"{_safe(url)} at {', '.join(sorted(migrate.current_heads(url))) or 'base'}")


@db_app.command("downgrade", help=help_text("将数据库回退到版本 REVISION (`base` 删除全部数据表)。",
                                            "Migrate the database down to REVISION (`base` drops every table)."))
def db_downgrade(revision: str = typer.Argument(..., help=help_text("目标版本, 例如 0001 或 base。",
                                                                    "Target revision, e.g. 0001 or base."))) -> None:
    """Migrate the database down to REVISION (`base` drops every table)."""
    url = _url()
    migrate.downgrade(url, revision)
    typer.echo(f"{_safe(url)} at {', '.join(sorted(migrate.current_heads(url))) or 'base'}")


@db_app.command("current", help=help_text("显示数据库当前所在的版本。", "Print the revision the database is at."))
def db_current() -> None:
    """Print the revision the database is at."""
    url = _url()
    typer.echo(", ".join(sorted(migrate.current_heads(url))) or "base")


@token_app.command("create", help=help_text(
    "创建一个令牌并打印 (标准输出上只有令牌本身)。令牌只显示这一次, 数据库只保存其哈希值。",
    "Create a token and print it (only the token, on stdout). It is shown once; only a hash is kept."))
def token_create(
    role: Role = typer.Option(..., "--role", help=help_text("持有者的角色。", "Role of the holder."),
                              case_sensitive=False),
    name: str = typer.Option("", "--name", help=help_text("令牌的持有者 (人或系统; 默认: 角色名)。",
                                                          "Who or what holds the token (default: the role).")),
) -> None:
    """Create a token and print it (only the token, on stdout). It is shown once; only a hash is kept."""
    url = _url()
    _require_migrated(url)
    from carbon.core.auth import create_token

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            token = create_token(session, role.value, name or role.value)
    except CarbonError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()
    typer.echo(token)


@token_app.command("list", help=help_text("列出令牌 (编号、角色、名称、创建时间、吊销时间), 从不显示令牌本身。",
                                         "List tokens (id, role, name, created, revoked); never the tokens themselves."))
def token_list() -> None:
    """List tokens (id, role, name, created, revoked); never the tokens themselves."""
    url = _url()
    _require_migrated(url)
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            for t in session.scalars(select(ApiToken).order_by(ApiToken.id)):
                revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}Z" if t.revoked_at else "active"
                typer.echo(f"{t.id}\t{t.role}\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}Z\t{revoked}")
    finally:
        engine.dispose()


@token_app.command("revoke", help=help_text("吊销一个令牌。令牌仍保留在表中, 以备审计追溯。",
                                           "Revoke a token. It stays in the table for the audit trail."))
def token_revoke(token_id: int = typer.Argument(..., help=help_text("令牌编号 (见 `carbon token list`)。",
                                                                   "Token id (see `carbon token list`)."))) -> None:
    """Revoke a token. It stays in the table for the audit trail."""
    url = _url()
    _require_migrated(url)
    from carbon.core.auth import revoke_token

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            revoke_token(session, token_id)
    except CarbonError as exc:
        raise _fail(exc.message) from None
    finally:
        engine.dispose()
    typer.echo(f"token {token_id} revoked")


@command_help("将数据库迁移到最新版本, 然后启动 API 服务 (OpenAPI 文档在 /docs)。",
              "Migrate the database to head, then serve the API (OpenAPI at /docs).")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help=help_text("监听的网络接口。", "Interface to listen on.")),
    port: int = typer.Option(8000, "--port", help=help_text("TCP 端口。", "TCP port.")),
) -> None:
    """Migrate the database to head, then serve the API (OpenAPI at /docs)."""
    import uvicorn

    from api.main import create_app

    from carbon.core.settings import insecure_defaults, is_loopback

    settings = get_settings()
    unsafe = insecure_defaults(settings)
    if unsafe and not is_loopback(host):  # issue 19: a reachable server never runs on the development secrets
        raise _fail(f"refusing to serve on {host}: {', '.join(unsafe)} still has the development default; "
                    "set it to a long random value (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                    "or listen on 127.0.0.1")
    migrate.upgrade(settings.database_url)
    # Proxy headers are handled by the app (api/main.py, CARBON_FORWARDED_ALLOW_IPS), not by uvicorn, whose own
    # default trusts X-Forwarded-For from 127.0.0.1 (or $FORWARDED_ALLOW_IPS) whatever the settings say.
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=False)
