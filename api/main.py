"""The FastAPI application factory. Run: ``carbon serve`` (or ``uvicorn --factory api.main:create_app``)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import carbon
from api.errors import install_error_handlers
from api.routes import factors, intensity, inventory, platform, reports
from api.routes import ets
from api.routes import puhui
from carbon.core.db import make_engine, session_factory
from carbon.core.settings import Settings, get_settings

API_PREFIX = "/api/v1"

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
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
