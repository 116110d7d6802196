"""Every operation's OpenAPI ``responses`` list the error statuses it can answer (issue 19), in the API's error shape.

FastAPI documents a success and a 422 (in its own ``{"detail": [...]}`` shape, which this API never sends). The
schema is completed once, when it is first generated, from what each route depends on:

- 422 for every operation (a query string or path with a NUL is refused on any route: api/guards.py);
- 401 and 403 where a bearer token is read (api/deps.py ``bearer``); 404 where the operation names objects (path
  or query parameters, a body); 409 for writes; 413 where a body is read;
- any status a dependency declares with ``@responds(...)`` (the 碳普惠 rate limits: 429);
- statuses a route declares itself (``responses={503: ...}``) are kept as they are.

tests/test_openapi_responses.py walks the routes and checks that the statuses the fuzz and authorization tests
observe are all listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "machine-readable, e.g. not_found, validation_error"},
                "message": {"type": "string", "description": "for people (Chinese or English)"},
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "the field at fault"},
            },
            "additionalProperties": True,
        }
    },
}
DESCRIPTIONS = {
    401: "No, a malformed or an unknown bearer token (`WWW-Authenticate: Bearer`)",
    403: "The token's role or organisation may not do this",
    404: "A named object does not exist (or is not visible to the caller)",
    409: "Conflicts with the object's state (already done, wrong status, concurrent change)",
    413: "Request body or upload beyond the configured limit",
    422: "A parameter or field is invalid (`field` names it)",
    429: "Rate limited (`Retry-After`)",
    503: "A dependency of the service is unavailable",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def responds(*statuses: int) -> Callable[[Callable], Callable]:
    """Mark a dependency as answering ``statuses`` (e.g. ``@responds(429)`` on a rate limit) for the OpenAPI."""

    def mark(func: Callable) -> Callable:
        func.__responses__ = tuple(statuses)  # type: ignore[attr-defined]
        return func

    return mark


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _has_params(dependant: Dependant, kind: str) -> bool:
    if getattr(dependant, kind):
        return True
    return any(_has_params(dep, kind) for dep in dependant.dependencies)


def statuses_for(route: APIRoute) -> set[int]:
    """The error statuses ``route`` can answer (see the module docstring)."""
    from api.deps import bearer

    calls = list(_calls(route.dependant))
    statuses = {422}
    if any(call is bearer for call in calls):
        statuses |= {401, 403}
    has_body = route.body_field is not None or _has_params(route.dependant, "body_params")
    if has_body or _has_params(route.dependant, "path_params") or _has_params(route.dependant, "query_params"):
        statuses.add(404)
    if has_body:
        statuses.add(413)
    if route.methods & WRITE_METHODS:
        statuses.add(409)
    for call in calls:
        statuses.update(getattr(call, "__responses__", ()))
    return statuses


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}}
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return response


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The routes as the OpenAPI document sees them (included routers flattened, prefixes applied): FastAPI's own
    iteration (``fastapi.openapi.utils.get_openapi``)."""
    from fastapi import routing
    from fastapi.openapi.utils import _get_api_route_for_openapi

    for context in routing.iter_route_contexts(routes):
        route = _get_api_route_for_openapi(context)
        if route is not None and route.include_in_schema:
            yield route


def complete(schema: dict[str, Any], routes: list[Any]) -> dict[str, Any]:
    """``schema`` (an OpenAPI document of ``routes``) with the error responses added in place."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    for route in api_routes(routes):
        operations = schema.get("paths", {}).get(route.path_format, {})
        for method in route.methods:
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses_for(route)):
                key = str(status)
                existing = responses.get(key)
                if existing is None or _is_fastapi_validation(existing):
                    responses[key] = {**_error_response(status), **({"description": existing["description"]}
                                                                       if existing and status != 422 else {})}
                elif "content" not in existing:  # a route's own description without a schema: ours
                    existing["content"] = _error_response(status)["content"]
    return schema


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.endswith("/HTTPValidationError")


def document_responses(app: FastAPI) -> None:
    """Make ``app.openapi()`` list every operation's error statuses (generated once, then cached by FastAPI)."""
    generate = app.openapi

    done: list[int] = []  # id of the document completed last (FastAPI makes a new one when routes change)

    def openapi() -> dict[str, Any]:
        schema = generate()
        if done != [id(schema)]:
            complete(schema, app.routes)
            done[:] = [id(schema)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
