"""Mount the console on the API's app: static files, routers (none in the OpenAPI schema), page errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from web.deps import STATIC_DIR, STATIC_URL, PageError, SignInRequired, redirect, sign_in_url, templates
from web.routes import analysis, auth, ets, ets_verify, factors, inventories, public, puhui

CONSOLE_PATHS = ("/console", "/public", STATIC_URL)


class ConsoleGZip:
    """Starlette's GZipMiddleware for the console's pages and static files only (ECharts: 1 MB, 0.34 MB gzipped);
    the API's responses are left as they were."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1000):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONSOLE_PATHS):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_web(app: FastAPI) -> None:
    app.add_middleware(ConsoleGZip)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="console-static")
    for router in (auth.router, inventories.router, public.router, ets.router, ets_verify.router, ets.public_router,
                   puhui.router, analysis.router, factors.router):
        app.include_router(router)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return templates.TemplateResponse(request, "error.html", {"message": exc.message, "status": exc.status_code,
                                                                  "static": STATIC_URL, "user": None},
                                          status_code=exc.status_code)

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired):
        return redirect(sign_in_url(exc.next_url))
