"""The ETS API end to end (SQLite, and PostgreSQL when configured): example E-1 through the API, the
verification workflow with conservative estimates and re-check, allocation, ledger, settlement, disclosure."""

from __future__ import annotations

import pytest

from tests.ets.helpers import E1_REPORT, EMITTER_A, EMITTER_B, e1

API = "/api/v1/ets"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_example_e1_through_the_api(client, world):
    out = ok(client.post(f"{API}/compute", json=E1_REPORT, headers=world.headers["verifier_a"]))
    t = out["total"]
    # examples.md E-1: E = 2,940,300 + 5,703 = 2,946,003; quota 0.8177 × 3,118,500 = 2,549,997.45 -> 2,549,997
    assert t["emissions_t"] == pytest.approx(2_946_003, rel=1e-9)
    assert (t["quota_t"], t["gap_t"]) == (2_549_997, 396_006)
    assert t["gap_rate"] == pytest.approx(0.1344, abs=5e-5)
    bad = client.post(f"{API}/compute", json=e1(type="nuclear"), headers=world.headers["emitter_a"])
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "units[0].type"


def test_registration_rejects_a_bad_check_character(client, world):
    r = client.post(f"{API}/emitters", json={"uscc": "91440300708461136U", "name": "x"},
                    headers={**world.headers["bureau"], "Accept-Language": "en"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "uscc" and "check character" in r.json()["error"]["message"]


def test_report_versions_and_unit_consistency(client, world):
    h = world.headers["emitter_a"]
    first = ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=h), 201)
    assert (first["version"], first["reported_emissions_t"]) == (1, 2_946_003)
    second = ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=e1(supplied_mwh=3_100_000), headers=h), 201)
    assert second["version"] == 2
    assert [r["version"] for r in ok(client.get(f"{API}/emitters/{EMITTER_A}/reports", headers=h))] == [1, 2]
    r = client.post(f"{API}/emitters/{EMITTER_A}/reports", json=e1(cooling="air"), headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "units[0].cooling"
    # another emitter cannot see or write these reports
    assert client.get(f"{API}/emitters/{EMITTER_A}/reports", headers=world.headers["emitter_b"]).status_code == 404
    assert client.get(f"{API}/reports/{first['id']}", headers=world.headers["emitter_b"]).status_code == 404
    assert client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT,
                       headers=world.headers["emitter_b"]).status_code == 404


def test_report_submission_is_idempotent(client, world, engine):
    h = {**world.headers["emitter_a"], "Idempotency-Key": "report-2022-1"}
    a = client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=h)
    b = client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=h)
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    assert b.headers.get("Idempotent-Replayed") == "true"
    assert len(ok(client.get(f"{API}/emitters/{EMITTER_A}/reports", headers=h))) == 1
    c = client.post(f"{API}/emitters/{EMITTER_A}/reports", json=e1(supplied_mwh=1), headers=h)
    assert c.status_code == 422


def test_verification_allocation_settlement_and_disclosure(client, world):
    bureau, va, ea = world.headers["bureau"], world.headers["verifier_a"], world.headers["emitter_a"]
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=ea), 201)

    # conflict of interest: verifier B consulted for A in 2022
    ok(client.post(f"{API}/consultancies", json={"verifier_id": world.verifier_b, "uscc": EMITTER_A, "year": 2022},
                   headers=bureau), 201)
    r = client.post(f"{API}/engagements", json={"uscc": EMITTER_A, "year": 2022, "verifier_id": world.verifier_b},
                    headers={**bureau, "Accept-Language": "en"})
    assert r.status_code == 409 and "conflict of interest" in r.json()["error"]["message"]
    g = ok(client.post(f"{API}/engagements", json={"uscc": EMITTER_A, "year": 2022, "verifier_id": world.verifier_a},
                       headers=bureau), 201)
    gid = g["id"]
    url = f"{API}/engagements/{gid}"

    # another organisation's verifier and another emitter see nothing and can write nothing
    assert client.get(url, headers=world.headers["verifier_b"]).status_code == 404
    assert client.post(f"{url}/reviews", json={"kind": "document", "notes": "x"},
                       headers=world.headers["verifier_b"]).status_code == 404
    assert client.get(url, headers=world.headers["emitter_b"]).status_code == 404
    assert [x["id"] for x in ok(client.get(f"{API}/engagements", headers=world.headers["verifier_b"]))] == []
    assert [x["id"] for x in ok(client.get(f"{API}/engagements", headers=va))] == [gid]

    ok(client.post(f"{url}/reviews", json={"kind": "document", "notes": "文件评审: 燃煤消耗台账"}, headers=va))
    g = ok(client.post(f"{url}/nonconformities", json={"parameter": "FC", "description": "入炉煤量与台账不符",
                                                       "conservative_adjustment_t": 12_000}, headers=va), 201)
    g = ok(client.post(f"{url}/nonconformities", json={"parameter": "EF_grid", "description": "外购电量缺少凭证",
                                                       "conservative_adjustment_t": 5_000}, headers=va), 201)
    nc1, nc2 = (n["id"] for n in g["nonconformities"])
    # the verifier cannot resolve before the emitter corrects; the emitter corrects only the first one
    assert client.post(f"{url}/nonconformities/{nc1}/resolve", headers=va).status_code == 409
    ok(client.post(f"{url}/nonconformities/{nc1}/correction", json={"correction": "按入厂煤量更正为151万吨"}, headers=ea))
    ok(client.post(f"{url}/nonconformities/{nc1}/resolve", headers=va))
    # the emitter cannot conclude, the verifier can
    assert client.post(f"{url}/conclusion", json={"conclusion": "x"}, headers=ea).status_code == 403
    corrected = e1()
    corrected["units"][0]["fuels"][0]["quantity"] = 1_510_000
    g = ok(client.post(f"{url}/conclusion", json={"conclusion": "核查结论: 数据基本可信", "corrected_report": corrected},
                       headers=va))
    # corrected coal 1,510,000 t: 1.51e6 × 20 × 0.027 × 0.99 × 44/12 = 2,959,902; + 5,703 = 2,965,605;
    # NC2 unresolved -> + 5,000 (conservative) = 2,970,605, which supersedes the reported 2,946,003
    assert (g["state"], g["verified_emissions_t"], g["conservative_adjustment_t"]) == ("concluded", 2_970_605, 5_000)
    # Mon 3 Jun + 7 working days, Mon 10 Jun (端午) off: 4, 5, 6, 7, 11, 12, 13
    assert g["recheck_deadline"] == "2024-06-13"
    fig = ok(client.get(f"{API}/emitters/{EMITTER_A}/figures/2022", headers=ea))
    assert (fig["source"], fig["emissions_t"], fig["reported_emissions_t"]) == ("verified", 2_970_605, 2_946_003)

    # bureau cannot finalise inside the re-check window; the emitter asks for a re-check; the bureau upholds
    assert client.post(f"{url}/finalise", headers=bureau).status_code == 409
    g = ok(client.post(f"{url}/recheck", json={"reason": "外购电凭证已补充"}, headers=ea))
    assert (g["state"], g["decision_deadline"]) == ("recheck_requested", "2024-06-18")  # 4-7, 11-14, 17, 18
    g = ok(client.post(f"{url}/recheck/decision", json={"outcome": "upheld", "note": "维持"}, headers=bureau))
    assert (g["state"], g["recheck_outcome"]) == ("final", "upheld")
    events = ok(client.get(f"{url}/events", headers=ea))
    assert [e["action"] for e in events] == ["assign", "record_review", "raise_nonconformity", "raise_nonconformity",
                                             "record_correction", "resolve_nonconformity", "conclude",
                                             "request_recheck", "decide_recheck"]
    assert events[6]["actor"].startswith(f"token {world.token_ids['verifier_a']} (verifier")
    assert (events[6]["from_state"], events[6]["to_state"]) == ("in_review", "concluded")

    # allocation: 70% pre-allocation of a 2,000,000 t basis, then the final quota from the verified report
    pre = ok(client.post(f"{API}/emitters/{EMITTER_A}/allocations/2022/pre", json={"basis_t": 2_000_000},
                         headers=bureau), 201)
    assert pre["amount_t"] == 1_400_000
    final = ok(client.post(f"{API}/emitters/{EMITTER_A}/allocations/2022/final", headers=bureau), 201)
    # quota 2,549,997 (supplied unchanged); gap (2,970,605 − 2,549,997) / 2,970,605 = 14.2% < 20%: no top-up
    assert (final["amount_t"], final["obligation_t"], final["basis"]["true_up_t"]) == (2_549_997, 2_970_605, 1_149_997)
    acc = ok(client.get(f"{API}/emitters/{EMITTER_A}/accounts", headers=ea))
    assert acc["balances"] == [{"asset": "CEA", "vintage": 2022, "balance_t": 2_549_997}]

    # settlement: CCER capped at floor(5% × 2,970,605 = 148,530.25) = 148,530
    ok(client.post(f"{API}/emitters/{EMITTER_A}/ccer", json={"vintage": 2017, "amount_t": 200_000}, headers=bureau), 201)
    over = client.post(f"{API}/emitters/{EMITTER_A}/surrenders",
                       json={"year": 2022, "asset": "CCER", "vintage": 2017, "amount_t": 148_531}, headers=ea)
    assert over.status_code == 409 and "5%" in over.json()["error"]["message"]
    ok(client.post(f"{API}/emitters/{EMITTER_A}/surrenders",
                   json={"year": 2022, "asset": "CCER", "vintage": 2017, "amount_t": 148_530}, headers=ea), 201)
    key = {**ea, "Idempotency-Key": "surrender-2022-cea"}
    body = {"year": 2022, "asset": "CEA", "vintage": 2022, "amount_t": 2_549_997}
    first = ok(client.post(f"{API}/emitters/{EMITTER_A}/surrenders", json=body, headers=key), 201)
    again = ok(client.post(f"{API}/emitters/{EMITTER_A}/surrenders", json=body, headers=key), 201)
    assert first == again
    acc = ok(client.get(f"{API}/emitters/{EMITTER_A}/accounts", headers=ea))
    assert {(b["asset"], b["vintage"]): b["balance_t"] for b in acc["balances"]} == {("CCER", 2017): 51_470,
                                                                                   ("CEA", 2022): 0}
    # another emitter cannot surrender from A's account
    assert client.post(f"{API}/emitters/{EMITTER_A}/surrenders", json=body,
                       headers=world.headers["emitter_b"]).status_code == 404

    # shortfall 2,970,605 − 2,549,997 − 148,530 = 272,078; the 2022 deadline (31 Dec 2023) has passed on
    # 3 Jun 2024: non-compliant under the 2021 Measures (fine 20,000-30,000 CNY, shortfall deducted next year)
    c = ok(client.get(f"{API}/emitters/{EMITTER_A}/compliance/2022", headers=ea))
    assert (c["status"], c["shortfall_t"], c["penalty"]["regime"]) == ("non_compliant", 272_078, "measures_2021")
    assert c["penalty"]["deduct_next_year_t"] == 272_078
    s = ok(client.post(f"{API}/emitters/{EMITTER_A}/settlements/2022", json={}, headers=bureau), 201)
    assert s["settled"] is True and s["status"] == "non_compliant"
    # settled years are immutable (the English message asked for: Chinese by default)
    en = {"Accept-Language": "en"}
    for response in (
        client.post(f"{API}/emitters/{EMITTER_A}/surrenders", json={**body, "amount_t": 1}, headers={**ea, **en}),
        client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers={**ea, **en}),
        client.post(f"{API}/emitters/{EMITTER_A}/settlements/2022", json={}, headers={**bureau, **en}),
    ):
        assert response.status_code == 409 and "settled" in response.json()["error"]["message"]

    # disclosure: public JSON and HTML page
    ok(client.post(f"{API}/disclosures", json={"uscc": EMITTER_A, "year": 2022}, headers=bureau), 201)
    pub = ok(client.get(f"/api/v1/public/ets/disclosures/{EMITTER_A}/2022"))
    assert (pub["verified_emissions_t"], pub["compliance_status"]) == (2_970_605, "non_compliant")
    assert pub["intensity_t_per_mwh"] == pytest.approx(2_965_605 / 3_118_500, rel=1e-6)  # E_power / supplied
    page = client.get("/api/v1/public/ets/disclosures.html?year=2022")
    assert page.status_code == 200 and "鄂尔多斯甲电厂" in page.text and "2,970,605" in page.text
    assert "未足额清缴" in page.text and "&#34;" not in page.text  # CSS survived autoescape
    assert client.get(f"/api/v1/public/ets/disclosures/{EMITTER_B}/2022").status_code == 404

    html = client.get(f"{API}/emitters/{EMITTER_A}/summary/2022.html", headers=ea)
    assert html.status_code == 200 and "2,970,605" in html.text and "外购电量缺少凭证" in html.text
    assert client.get(f"{API}/emitters/{EMITTER_A}/summary/2022.html", headers=world.headers["emitter_b"]).status_code == 404


def test_unbound_tokens_are_refused(client, world):
    r = client.get(f"{API}/engagements", headers=world.headers["verifier_unbound"])
    assert r.status_code == 403 and "principal add" in r.json()["error"]["message"]


def test_inspection_draw_is_published_with_its_seed(client, world):
    bureau = world.headers["bureau"]
    for name in ("张三", "李四", "王五"):
        ok(client.post(f"{API}/inspectors", json={"name": name, "unit": "市生态环境综合行政执法支队"}, headers=bureau), 201)
    d = ok(client.post(f"{API}/inspections", json={"year": 2024, "k": 1, "per_emitter": 2, "seed": "2024-双随机-1"},
                       headers=bureau), 201)
    from carbon.ets.inspection import draw
    again = draw("2024-双随机-1", emitters=[EMITTER_A, EMITTER_B], k=1, inspectors=["1", "2", "3"], per_emitter=2)
    assert list(d["selected"]) == again.emitters and d["population_sha256"] == again.population_sha256
    uscc = again.emitters[0]
    ok(client.post(f"{API}/inspections/{d['id']}/results", json={"uscc": uscc, "passed": True, "finding": "无问题"},
                   headers=bureau))
    pub = ok(client.get("/api/v1/public/ets/inspections"))
    assert pub[0]["seed"] == "2024-双随机-1" and pub[0]["results"][uscc]["passed"] is True
