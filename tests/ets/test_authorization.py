"""Every ETS endpoint × role: no token 401, citizen 403, a role the endpoint does not admit 403, another
organisation's verifier or another emitter 404 on what is not theirs (or an empty, filtered list)."""

from __future__ import annotations

from carbon.core.db import session_scope
from carbon.ets import service
from tests.ets.helpers import E1_REPORT, EMITTER_A, EMITTER_B

ALL3 = {"bureau", "verifier", "emitter"}
B, BE = {"bureau"}, {"bureau", "emitter"}
E1 = E1_REPORT

# (method, path template, body, roles admitted, scope): scope "scoped" = another organisation gets 404,
# "filtered" = it gets an empty list, None = bureau only / open
MATRIX = [
    ("POST", "/ets/compute", E1, ALL3, "open"),
    ("POST", "/ets/emitters", {"uscc": EMITTER_B, "name": "x"}, B, None),
    ("GET", "/ets/emitters", None, B, None),
    ("GET", "/ets/emitters/{uscc}", None, ALL3, "scoped"),
    ("POST", "/ets/emitters/{uscc}/units", {"code": "2", "type": "gas", "capacity_mw": 100, "cooling": "air"}, B, None),
    ("POST", "/ets/emitters/{uscc}/quality-plan", {"ref": "DQCP-2"}, BE, "scoped"),
    ("POST", "/ets/emitters/{uscc}/quality-plans",
     {"ref": "DQCP-3", "applies_from": 2022, "parameters": [{"parameter": "coal_consumption", "frequency": "monthly",
                                                             "method": "皮带秤"}]}, BE, "scoped"),
    ("GET", "/ets/emitters/{uscc}/quality-plans", None, ALL3, "scoped"),
    ("GET", "/ets/emitters/{uscc}/quality-plans/{version}", None, ALL3, "scoped"),
    ("POST", "/ets/emitters/{uscc}/monthly/{year}/{month}",
     {"values": [{"parameter": "coal_consumption", "value": 1.0, "unit": "t", "source": "measured"}]}, BE, "scoped"),
    ("GET", "/ets/emitters/{uscc}/monthly/{year}", None, ALL3, "scoped"),
    ("GET", "/ets/emitters/{uscc}/monthly/{year}/check", None, ALL3, "scoped"),
    ("GET", "/ets/registry/{year}", None, B, None),
    ("POST", "/ets/verifiers", {"name": "丙"}, B, None),
    ("GET", "/ets/verifiers", None, B, None),
    ("POST", "/ets/principals", {"token_id": 1, "verifier_id": 1}, B, None),
    ("POST", "/ets/consultancies", {"verifier_id": 1, "uscc": EMITTER_A, "year": 2021}, B, None),
    ("POST", "/ets/emitters/{uscc}/reports", E1, BE, "scoped"),
    ("GET", "/ets/emitters/{uscc}/reports", None, ALL3, "scoped"),
    ("GET", "/ets/reports/{report_id}", None, ALL3, "scoped"),
    ("GET", "/ets/emitters/{uscc}/figures/{year}", None, ALL3, "scoped"),
    ("POST", "/ets/engagements", {"uscc": EMITTER_A, "year": 2022, "verifier_id": 1}, B, None),
    ("GET", "/ets/engagements", None, ALL3, "filtered"),
    ("GET", "/ets/engagements/{engagement_id}", None, ALL3, "scoped"),
    ("GET", "/ets/engagements/{engagement_id}/events", None, ALL3, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/reviews", {"kind": "document", "notes": "n"}, {"verifier"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/nonconformities",
     {"parameter": "p", "description": "d", "conservative_adjustment_t": 1}, {"verifier"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/nonconformities/{nc_id}/correction", {"correction": "c"}, {"emitter"},
     "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/nonconformities/{nc_id}/resolve", None, {"verifier"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/conclusion", {"conclusion": "c"}, {"verifier"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/accept", None, {"emitter"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/recheck", {"reason": "r"}, {"emitter"}, "scoped"),
    ("POST", "/ets/engagements/{engagement_id}/recheck/decision", {"outcome": "upheld"}, B, None),
    ("POST", "/ets/engagements/{engagement_id}/finalise", None, B, None),
    ("POST", "/ets/engagements/{engagement_id}/withdraw", None, B, None),
    ("GET", "/ets/events", None, B, None),
    ("POST", "/ets/emitters/{uscc}/allocations/{year}/pre", {"basis_t": 1}, B, None),
    ("POST", "/ets/emitters/{uscc}/allocations/{year}/final", None, B, None),
    ("GET", "/ets/emitters/{uscc}/allocations", None, BE, "scoped"),
    ("GET", "/ets/emitters/{uscc}/accounts", None, BE, "scoped"),
    ("POST", "/ets/emitters/{uscc}/transfers", {"to_uscc": EMITTER_B, "vintage": 2022, "amount_t": 1}, BE, "scoped"),
    ("POST", "/ets/emitters/{uscc}/ccer", {"vintage": 2017, "amount_t": 1}, B, None),
    ("POST", "/ets/emitters/{uscc}/surrenders", {"year": 2022, "vintage": 2022, "amount_t": 1}, BE, "scoped"),
    ("GET", "/ets/emitters/{uscc}/compliance/{year}", None, BE, "scoped"),
    ("POST", "/ets/emitters/{uscc}/settlements/{year}", {}, B, None),
    ("GET", "/ets/emitters/{uscc}/summary/{year}.{fmt}", None, BE, "scoped"),
    ("GET", "/ets/summary/{year}.{fmt}", None, B, None),
    ("POST", "/ets/disclosures", {"uscc": EMITTER_A, "year": 2022}, B, None),
    ("POST", "/ets/inspectors", {"name": "n"}, B, None),
    ("POST", "/ets/inspections", {"year": 2024, "k": 1}, B, None),
    ("POST", "/ets/inspections/{inspection_id}/results", {"uscc": EMITTER_A, "passed": True}, B, None),
]
PUBLIC = [
    "/public/ets/disclosures", "/public/ets/disclosures.html", "/public/ets/inspections",
    "/public/ets/inspections/{inspection_id}",
]


def test_matrix_covers_every_ets_route(app):
    routes = {(m.upper(), path.removeprefix("/api/v1")) for path, ops in app.openapi()["paths"].items()
              if path.startswith(("/api/v1/ets", "/api/v1/public/ets")) for m in ops}
    listed = {(m, p) for m, p, *_ in MATRIX} | {("GET", p) for p in PUBLIC} | {
        ("GET", "/public/ets/disclosures/{uscc}/{year}")}
    assert routes == listed


def test_every_endpoint_by_role(client, world, engine):
    with session_scope(engine) as s:
        report = service.submit_report(s, uscc=EMITTER_A, payload=E1_REPORT, actor="test")
        g = service.assign_verifier(s, uscc=EMITTER_A, year=2022, verifier_id=world.verifier_a, actor="test")
        service.record_review(s, engagement_id=g.id, kind="document", notes="n", actor="test")
        nc = service.raise_nonconformity(s, engagement_id=g.id, parameter="p", description="d",
                                         conservative_adjustment_t=1, actor="test")
        service.add_inspector(s, name="张三", actor="test")
        insp = service.create_inspection(s, year=2024, k=1, per_emitter=1, seed="s", actor="test")
        plan = service.create_plan(s, uscc=EMITTER_A, ref="DQCP-2", applies_from=2022, actor="test",
                                   parameters=[{"parameter": "coal_consumption", "frequency": "monthly",
                                                "method": "皮带秤"}])
        ids = {"uscc": EMITTER_A, "report_id": report.id, "engagement_id": g.id, "nc_id": nc.id, "year": 2022,
               "inspection_id": insp.id, "fmt": "html", "version": plan.version, "month": 5}

    def call(method, template, body, who):
        url = "/api/v1" + template.format(**ids)
        return client.request(method, url, json=body, headers=world.headers[who])

    failures = []
    for method, template, body, roles, scope in MATRIX:
        for who, role in [("public", None), ("citizen", "citizen"), ("verifier_b", "verifier"),
                          ("emitter_b", "emitter"), ("bureau", "bureau")]:
            if who == "bureau" and "bureau" in roles and method == "POST":
                continue  # bureau writes are exercised by the workflow tests (they change state)
            r = call(method, template, body, who)
            if role is None:
                want = {401}
            elif role not in roles:
                want = {403}
            elif role == "bureau":  # admitted: any answer but an authorization one (e.g. 409 "no allocation yet")
                want = set(range(200, 600)) - {401, 403, 404}
            elif scope == "scoped":
                want = {404}
            else:  # "open", or "filtered": admitted, sees only its own
                want = {200}
            if r.status_code not in want:
                failures.append(f"{method} {template} as {who}: {r.status_code} (want {want}) {r.text[:120]}")
            elif scope == "filtered" and role in ("verifier", "emitter"):
                assert r.json() == [], f"{template} as {who} leaks {r.json()}"
    assert not failures, "\n".join(failures)
    # the state did not move: nothing above was allowed to write
    assert client.get(f"/api/v1/ets/engagements/{g.id}", headers=world.headers["bureau"]).json()["state"] == "in_review"

    for template in PUBLIC:
        assert client.get("/api/v1" + template.format(**ids)).status_code == 200, template
    assert client.get(f"/api/v1/public/ets/disclosures/{EMITTER_A}/2022").status_code == 404  # not published
