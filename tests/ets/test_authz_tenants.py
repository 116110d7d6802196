"""Issue 17 point 3, the third axis of the authorization matrix: another tenant's object.

Generated from the OpenAPI document like tests/test_authz_matrix.py: every operation whose path names an object that
belongs to one emitter or one verifier's engagement ({uscc}, {report_id}, {engagement_id}, {nc_id}) is called with
emitter A's objects (a submitted report, an engagement of verifier A with one non-conformity) by the *other*
emitter (B) and the *other* verifier organisation (B). The statuses expected are kept in
tests/data/authz_tenants.json keyed by operationId: an operation without its row fails, so a new endpoint on a
tenant's object cannot ship without one; and no row may let another tenant through (a 2xx) except on the public
disclosure routes. After the walk, emitter A's report, engagement and allowances are unchanged.

To add rows: ``CARBON_AUTHZ_PRINT=1 pytest tests/ets/test_authz_tenants.py -s`` prints the observed rows of the
missing operations; review them before pasting.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.ets.helpers import E1_REPORT, EMITTER_A
from tests.ets.test_authorization import MATRIX as ETS_MATRIX
from tests.openapi_walk import operations

ROWS = Path(__file__).resolve().parents[1] / "data" / "authz_tenants.json"
OTHERS = ("emitter_b", "verifier_b")
TENANT_PARAMS = {"uscc", "report_id", "engagement_id", "nc_id"}
API = "/api/v1/ets"
PUBLIC = re.compile(r"^/api/v1/public/")
# a valid body per operation (the ETS role matrix's), so that the request reaches the object instead of stopping at
# validation; queries that an operation requires
BODIES = {(method, "/api/v1" + path): body for method, path, body, _, _ in ETS_MATRIX} | {
    ("POST", "/api/v1/monitoring/engagements/{engagement_id}/nonconformity"):
        {"start": "2022-01-01T00:00:00+08:00", "end": "2022-02-01T00:00:00+08:00", "calculated_t": 1}}
QUERIES = {"/api/v1/monitoring/emitters/{uscc}/comparison": {"start": "2022-01-01T00:00:00+08:00",
                                                               "end": "2022-02-01T00:00:00+08:00"}}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def _seed(client, world) -> dict[str, str]:
    """Emitter A's report, verifier A's engagement on it with one non-conformity: the objects the others try."""
    bureau, va, ea = world.headers["bureau"], world.headers["verifier_a"], world.headers["emitter_a"]
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=ea), 201)
    report_id = ok(client.get(f"{API}/emitters/{EMITTER_A}/reports", headers=ea))[0]["id"]
    g = ok(client.post(f"{API}/engagements", json={"uscc": EMITTER_A, "year": 2022, "verifier_id": world.verifier_a},
                       headers=bureau), 201)
    ok(client.post(f"{API}/engagements/{g['id']}/reviews", json={"kind": "document", "notes": "文件评审"}, headers=va))
    g = ok(client.post(f"{API}/engagements/{g['id']}/nonconformities",
                       json={"parameter": "FC", "description": "入炉煤量与台账不符", "conservative_adjustment_t": 1},
                       headers=va), 201)
    return {"uscc": EMITTER_A, "report_id": str(report_id), "engagement_id": str(g["id"]),
            "nc_id": str(g["nonconformities"][0]["id"]), "year": "2022", "month": "1", "version": "1",
            "fmt": "html"}


def _state(client, world, ids) -> tuple:
    bureau = world.headers["bureau"]
    return (client.get(f"{API}/emitters/{EMITTER_A}/reports", headers=bureau).json(),
            client.get(f"{API}/engagements/{ids['engagement_id']}", headers=bureau).json(),
            client.get(f"{API}/emitters/{EMITTER_A}/accounts", headers=bureau).json())


def test_another_tenants_objects_are_out_of_reach(app, client, world):
    ids = _seed(client, world)
    before = _state(client, world, ids)
    observed: dict[str, dict[str, str]] = {}
    for method, path, op in operations(app.openapi()):
        names = set(re.findall(r"\{(\w+)\}", path))
        if not names & TENANT_PARAMS:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "1"), path)
        kwargs: dict = {"params": QUERIES.get(path, {})}
        if method in ("post", "put", "patch"):
            kwargs["json"] = BODIES.get((method.upper(), path)) or {}
        observed[op["operationId"]] = {
            who: str(client.request(method.upper(), url, headers=world.headers[who], **kwargs).status_code)
            for who in OTHERS}
        observed[op["operationId"]]["path"] = path
    expected = json.loads(ROWS.read_text(encoding="utf-8"))
    missing = sorted(set(observed) - set(expected))
    if missing and os.environ.get("CARBON_AUTHZ_PRINT"):
        print(json.dumps({k: observed[k] for k in missing}, ensure_ascii=False, indent=1))
    assert not missing, f"operations on a tenant's object without a row in {ROWS.name}: {missing}"
    stale = sorted(set(expected) - set(observed))
    assert not stale, f"rows in {ROWS.name} for operations that no longer exist: {stale}"
    wrong = [f"{op} as {who}: expected {expected[op][who]}, got {observed[op][who]}"
             for op in sorted(observed) for who in OTHERS if expected[op][who] != observed[op][who]]
    assert not wrong, "\n".join(wrong)
    assert _state(client, world, ids) == before, "another tenant's request changed emitter A's objects"


def test_no_row_lets_another_tenant_in():
    """The table itself: on a tenant's object the others are refused (403 for a role the route does not admit, 404
    for an object that is not theirs), except on the public disclosure routes."""
    for op, row in json.loads(ROWS.read_text(encoding="utf-8")).items():
        assert set(row) == {*OTHERS, "path"}, op
        for who in OTHERS:
            if not PUBLIC.match(row["path"]):
                assert row[who] in ("403", "404"), f"{op}: {who} gets {row[who]}"
