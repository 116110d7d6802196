"""Issue 17 point 3: the authorization matrix, generated from the OpenAPI document: every operation x every role
(bureau, verifier, emitter, citizen, anonymous). Expectations are kept in tests/data/authz_matrix.json, keyed by
operationId: an operation without its row fails the test, so a new endpoint cannot ship without one.

Each cell is the outcome class for a request with that role's token on a fresh database: "401" (not
authenticated), "403" (authenticated, refused), "ok" (let through to validation or the handler: any other status).
Every status observed is also checked to be documented in the operation's ``responses``. The third axis, another
tenant's object (emitter B or verifier B on emitter A's report, engagement, non-conformity), is generated the same
way in tests/ets/test_authz_tenants.py with its rows in tests/data/authz_tenants.json.

To add rows for new operations: ``CARBON_AUTHZ_PRINT=1 pytest tests/test_authz_matrix.py -s`` prints the observed
row of each missing operation; review it (who *should* get in?) before pasting it into the file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.openapi_walk import operations

MATRIX = Path(__file__).parent / "data" / "authz_matrix.json"
ROLES = ("bureau", "verifier", "emitter", "citizen", "anonymous")
SAMPLE_USCC = "91150600MA0Q8XXXXX"


def _path_value(name: str, schema: dict) -> str:
    kinds = {s.get("type") for s in [schema, *schema.get("anyOf", [])]}
    if "integer" in kinds:
        return str(max(1, int(schema.get("minimum", 1))) if name != "year" else 2024)
    if "enum" in schema:
        return str(schema["enum"][0])
    return SAMPLE_USCC if name == "uscc" else "x"


def _url(path: str, op: dict) -> str:
    params = {p["name"]: _path_value(p["name"], p.get("schema", {})) for p in op.get("parameters", [])
              if p["in"] == "path"}
    return re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)


def _outcome(status: int) -> str:
    return str(status) if status in (401, 403) else "ok"


def observe(client, app, tokens: dict[str, str | None]) -> tuple[dict[str, dict[str, str]], list[str]]:
    observed: dict[str, dict[str, str]] = {}
    undocumented: list[str] = []
    for method, path, op in operations(app.openapi()):
        row = {}
        for role in ROLES:
            headers = {"Authorization": f"Bearer {tokens[role]}"} if tokens[role] else {}
            kwargs = {"json": {}} if method in ("post", "put", "patch") else {}
            response = client.request(method.upper(), _url(path, op), headers=headers, **kwargs)
            row[role] = _outcome(response.status_code)
            if str(response.status_code) not in op.get("responses", {}):
                undocumented.append(f"{op['operationId']} as {role}: {response.status_code} not in OpenAPI responses")
        observed[op["operationId"]] = row
    return observed, undocumented


def test_authorization_matrix(app, client, make_token):
    tokens = {role: make_token(role) for role in ROLES if role != "anonymous"} | {"anonymous": None}
    expected = json.loads(MATRIX.read_text(encoding="utf-8"))
    observed, undocumented = observe(client, app, tokens)
    missing = sorted(set(observed) - set(expected))
    if missing and os.environ.get("CARBON_AUTHZ_PRINT"):
        print(json.dumps({k: observed[k] for k in missing}, ensure_ascii=False, indent=1))
    assert not missing, f"operations without a row in {MATRIX.name}: {missing}"
    stale = sorted(set(expected) - set(observed))
    assert not stale, f"rows in {MATRIX.name} for operations that no longer exist: {stale}"
    wrong = [f"{op} as {role}: expected {expected[op][role]}, got {observed[op][role]}"
             for op in sorted(observed) for role in ROLES if expected[op][role] != observed[op][role]]
    assert not wrong, "\n".join(wrong)
    assert not undocumented, "\n".join(undocumented)


def test_matrix_rows_are_consistent():
    """Sanity of the table itself: a row per role, and anonymous callers are never a 403 (no token is a 401)."""
    expected = json.loads(MATRIX.read_text(encoding="utf-8"))
    for op, row in expected.items():
        assert set(row) == set(ROLES), op
        assert row["anonymous"] in ("401", "ok"), op
