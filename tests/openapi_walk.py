"""Walking the OpenAPI document (shared by tests/test_security_bounds.py, test_fuzz_api.py, test_authz_matrix.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

INT63 = 2**63 - 1
METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation in the document."""
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _integers(schema: dict[str, Any], node: Any, where: str, seen: set[str]) -> Iterator[tuple[str, dict]]:
    """Every integer sub-schema of ``node`` with where it is."""
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen = seen | {name}
        yield from _integers(schema, _resolve(schema, node), f"{where}<{name}>", seen)
        return
    if node.get("type") == "integer":
        yield where, node
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            yield from _integers(schema, sub, where, seen)
    for name, sub in node.get("properties", {}).items():
        yield from _integers(schema, sub, f"{where}.{name}", seen)
    if isinstance(node.get("items"), dict):
        yield from _integers(schema, node["items"], f"{where}[]", seen)
    if isinstance(node.get("additionalProperties"), dict):
        yield from _integers(schema, node["additionalProperties"], f"{where}{{}}", seen)


def unbounded_integers(schema: dict[str, Any]) -> list[str]:
    """Integer parameters and request-body fields without both bounds, or with bounds beyond 64 bits."""
    found = []
    for method, path, op in operations(schema):
        label = f"{method.upper()} {path}"
        nodes = [(f"{p['in']}.{p['name']}", p.get("schema", {})) for p in op.get("parameters", [])]
        for content in op.get("requestBody", {}).get("content", {}).values():
            nodes.append(("body", content.get("schema", {})))
        for where, node in nodes:
            for field, integer in _integers(schema, node, where, set()):
                low = integer.get("minimum", integer.get("exclusiveMinimum"))
                high = integer.get("maximum", integer.get("exclusiveMaximum"))
                # float() on both sides: pydantic writes a body field's bounds as floats (2**63-1 -> 9.223372036854776e18)
                if low is None or high is None or float(low) < -float(INT63) or float(high) > float(INT63):
                    found.append(f"{label} {field} (minimum {low}, maximum {high})")
    return found
