"""A route class for a hot endpoint: a fast path that reads the request itself, FastAPI's handler for the rest.

FastAPI (0.165) solves an endpoint's parameters anew for every request: for ``POST /api/v1/puhui/behaviours`` (a
JSON body, the bearer scheme, a header) that cost ~60 us of CPU per request (bench/award_route.py, in-process, the
award writer stubbed out: a bare ``async def`` endpoint 155 us, the award route through FastAPI's handler 223 us,
through its fast path 161 us).

``fast_path_route(fast)`` makes an ``APIRoute`` class whose handler first awaits ``fast(request)``. ``fast`` returns
the response, or None when the request is anything but the plain case (a body that does not validate, a header out
of bounds, another content type...): the route's standard FastAPI handler then takes the same request and answers
it exactly as it would have alone, 422 wording included (Starlette keeps the body read once, so it is read again
from memory). The endpoint is declared as usual, so OpenAPI, validation errors and the standard handler all come
from its signature; ``fast`` must give the same answer as the endpoint for every request it does not hand back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute

FastPath = Callable[[Request], Awaitable[Response | None]]


def fast_path_route(fast: FastPath) -> type[APIRoute]:
    """An ``APIRoute`` subclass (for ``add_api_route(..., route_class_override=...)``) that tries ``fast`` first.
    The class keeps it as ``fast``, read at each request (a test may set it to one that declines everything)."""

    class FastPathRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            standard = super().get_route_handler()
            route_class = type(self)

            async def handler(request: Request) -> Response:
                response = await route_class.fast(request)
                return response if response is not None else await standard(request)

            return handler

    FastPathRoute.fast = fast
    FastPathRoute.__qualname__ = FastPathRoute.__name__ = f"FastPathRoute[{fast.__name__}]"
    return FastPathRoute
