"""The FastAPI application factory. Run: ``carbon serve`` (or ``uvicorn --factory api.main:create_app``)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import carbon
from api.body_limit import BodyLimit
from api.errors import install_error_handlers
from api.guards import CatchAll, TextGuard
from api.openapi_responses import document_responses
from api.routes import factors, intensity, inventory, platform, reports
from api.routes import ets
from api.routes import puhui
from api.routes import monitoring
from api.routes import reconcile
from carbon.core.db import make_engine, session_factory
from carbon.core.settings import Settings, get_settings
from web.app import install_web

API_PREFIX = "/api/v1"

# Swagger UI and ReDoc from vendored copies (api/static/README.md: versions, sha256), not from a CDN: an
# intranet reaches no other host. Same public URLs as FastAPI's defaults.
STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"

# Routers mounted under /api/v1. Each domain adds its own line here (api/routes/<domain>.py).
ROUTERS: list[APIRouter] = [
    platform.router,
    inventory.router,  # /inventories
    inventory.templates_router,  # /templates/{sector}
    factors.router,  # /factors
    ets.router,  # /ets (key emitters)
    ets.public_router,  # /public/ets (disclosures, inspection draws)
    puhui.router,  # /puhui (碳普惠)
    intensity.router,  # /intensity
    reports.router,  # /reports (its lifespan starts the report worker thread)
    monitoring.router,  # /monitoring (CEMS: stacks, HJ 212 frames, measured vs calculated)
    reconcile.router,  # /reconcile (inventory vs key emitters, bureau only)
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app with its own engine (``app.state.engine``), created once and disposed at shutdown.

    The schema is not created here: run migrations first (``carbon db upgrade``; ``carbon serve`` does).
    """
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists by now (modules, the unit registry, models, routes: ~200,000 objects) lives as long as the
        # process. Frozen, it is left out of the garbage collector's full passes, each of which otherwise stopped
        # every request in flight for ~150 ms (bench/points_api.py, 32 connections: the award endpoint's p99).
        gc.freeze()
        try:
            yield
        finally:
            engine.dispose()
            gc.unfreeze()  # a process that makes many apps (the tests) can collect them again

    app = FastAPI(
        title="carbon: GHG inventory service (Ordos ecology bureau)",
        version=carbon.__version__,
        docs_url=None,  # served by install_docs from api/static
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    install_error_handlers(app)
    # Middleware, innermost first (each add_middleware wraps the ones before it). api/guards.py: NUL and unencodable
    # text are 422 before any route; an unexpected error is a 500 that keeps the connection open.
    app.add_middleware(TextGuard)
    app.add_middleware(BodyLimit, max_bytes=settings.input_max_body_bytes)  # 413 past it (issue 19)
    if settings.forwarded_allow_ips.strip():  # X-Forwarded-For only from these proxies (issue 19); none by default
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(CatchAll)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_docs(app)
    install_web(app)  # the web console (web/): HTML pages, not in the OpenAPI schema
    document_responses(app)
    return app


def install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc on the vendored assets under /static: no script, style, font or icon
    from another host (FastAPI's "Custom Docs UI Static Assets (Self-Hosting)").

    URLs are prefixed with the ASGI ``root_path``, as FastAPI's own docs routes do behind a proxy.
    """
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="static")

    def base(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = base(request)
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            swagger_js_url=f"{root}{STATIC_URL}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_URL}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_URL}/swagger-ui/favicon-32x32.png",
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc_html(request: Request) -> HTMLResponse:
        root = base(request)
        return get_redoc_html(
            openapi_url=root + app.openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{STATIC_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_URL}/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,
        )
