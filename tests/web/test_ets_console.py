"""Issue 15 item 4/5: the key-emitter (ETS) pages of the console through TestClient, on SQLite and PostgreSQL.

The organisations and tokens are the ETS API tests' ``world`` (tests/ets/conftest.py): verifiers A and B, emitters
A and B, each token bound to its organisation. Each role sees what the API lets it see and nothing else; the
verifier's findings go through the same service as the API; the balance shown is the sum of the ledger's entries,
summed here from the table itself; the public page shows what the public disclosure API serves.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from carbon.core.db import session_scope
from carbon.ets import service
from carbon.ets.models import Account, Entry, Engagement
from tests.ets.conftest import fixed_now, world  # noqa: F401 - the ETS API tests' fixtures, reused
from tests.ets.helpers import E1_REPORT, EMITTER_A, EMITTER_B, e1
from tests.web.conftest import csrf_of

API = "/api/v1/ets"
E1_EMISSIONS_T = 2_946_003  # shared/reference/examples.md E-1: 2,940,300 + 5,703


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def token_of(w, name: str) -> str:
    return w.headers[name]["Authorization"].removeprefix("Bearer ")


def sign_in(client, w, name: str) -> str:
    """Sign the client in as ``name`` of the world (through the form); the session's CSRF token."""
    form = client.get("/console/login")
    r = client.post("/console/login", data={"csrf": csrf_of(form.text), "token": token_of(w, name),
                                            "next": "/public"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/public").text)


def thousands(value: int) -> str:
    return f"{value:,}"


@pytest.fixture
def engagement(client, world) -> int:
    """Emitter A's 2022 report (example E-1) under check by verifier A."""
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=E1_REPORT, headers=world.headers["emitter_a"]), 201)
    return ok(client.post(f"{API}/engagements", json={"uscc": EMITTER_A, "year": 2022, "verifier_id": world.verifier_a},
                          headers=world.headers["bureau"]), 201)["id"]


def test_a_verifier_sees_only_its_own_engagements(client, world, engagement):
    sign_in(client, world, "verifier_a")
    page = client.get("/console/ets/engagements")
    assert page.status_code == 200
    assert re.findall(r'<tr data-id="(\d+)"', page.text) == [str(engagement)]
    one = client.get(f"/console/ets/engagements/{engagement}")
    assert one.status_code == 200 and "鄂尔多斯甲电厂" in one.text
    assert f"{thousands(E1_EMISSIONS_T)} t" in one.text  # the report under check
    assert 'id="review-form"' in one.text and 'id="conclusion-form"' in one.text

    sign_in(client, world, "verifier_b")
    page = client.get("/console/ets/engagements")
    assert page.status_code == 200 and "data-id=" not in page.text and "暂无核查任务" in page.text
    refused = client.get(f"/console/ets/engagements/{engagement}")
    api = client.get(f"{API}/engagements/{engagement}", headers=world.headers["verifier_b"])
    assert refused.status_code == api.status_code == 404
    assert "不属于您的机构" in refused.text and "鄂尔多斯甲电厂" not in refused.text
    assert client.get("/console/ets/engagements/999999").status_code == 404

    sign_in(client, world, "verifier_unbound")  # a verifier token bound to no organisation: as the API, 403
    assert client.get("/console/ets/engagements").status_code == 403
    sign_in(client, world, "citizen")
    assert client.get("/console/ets/engagements").status_code == 403
    assert client.get("/console/ets").status_code == 403


def test_findings_go_through_the_service_with_csrf(client, world, engagement, engine):
    url = f"/console/ets/engagements/{engagement}"
    csrf = sign_in(client, world, "verifier_a")
    assert client.post(f"{url}/reviews", data={"kind": "document", "notes": "x"}).status_code == 403  # no CSRF
    assert client.post(f"{url}/reviews", data={"kind": "document", "notes": "x", "csrf": "x" + csrf}).status_code == 403
    r = client.post(f"{url}/reviews", data={"csrf": csrf, "kind": "document", "notes": "文件评审：燃煤台账"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=review"
    bad = client.post(f"{url}/nonconformities", data={"csrf": csrf, "parameter": "FC", "description": "入炉煤量不符",
                                                      "conservative_adjustment_t": "-5"})
    assert bad.status_code == 422 and "保守调整量" in bad.text
    r = client.post(f"{url}/nonconformities", data={"csrf": csrf, "parameter": "FC", "description": "入炉煤量不符",
                                                    "conservative_adjustment_t": "12000"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"{url}/conclusion", data={"csrf": csrf, "conclusion": "核查结论：数据基本可信"},
                    follow_redirects=False)
    assert r.status_code == 303
    g = ok(client.get(f"{API}/engagements/{engagement}", headers=world.headers["bureau"]))
    # the open non-conformity is added conservatively: 2,946,003 + 12,000
    assert (g["state"], g["verified_emissions_t"]) == ("concluded", E1_EMISSIONS_T + 12_000)
    assert [n["parameter"] for n in g["nonconformities"]] == ["FC"] and g["review"][0]["notes"] == "文件评审：燃煤台账"
    page = client.get(f"{url}?done=concluded")
    assert "已出具结论" in page.text and thousands(E1_EMISSIONS_T + 12_000) in page.text
    assert 'id="review-form"' not in page.text  # concluded: no more findings
    again = client.post(f"{url}/conclusion", data={"csrf": csrf, "conclusion": "再次"})
    assert again.status_code == 409  # the service refuses a second conclusion, shown on the page
    with session_scope(engine) as s:
        assert s.get(Engagement, engagement).conclusion == "核查结论：数据基本可信"

    csrf_b = sign_in(client, world, "verifier_b")  # another organisation cannot post, exactly as the API
    assert client.post(f"{url}/reviews", data={"csrf": csrf_b, "kind": "document", "notes": "x"}).status_code == 404
    csrf_e = sign_in(client, world, "emitter_a")  # the emitter reads its engagement, posts no findings
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/reviews", data={"csrf": csrf_e, "kind": "document", "notes": "x"}).status_code == 403


def _ledger_sum(engine, owner: str) -> dict[tuple[str, int], int]:
    with session_scope(engine) as s:
        rows = s.execute(select(Account.asset, Account.vintage, func.sum(Entry.amount_t))
                         .join(Entry, Entry.account_id == Account.id).where(Account.owner == owner)
                         .group_by(Account.asset, Account.vintage))
        return {(a, v): int(t) for a, v, t in rows}


def test_emitter_sees_its_own_balance_from_the_ledger_and_nothing_of_others(client, world, engagement, engine):
    bureau, ea = world.headers["bureau"], world.headers["emitter_a"]
    ok(client.post(f"{API}/emitters/{EMITTER_A}/allocations/2022/pre", json={"basis_t": 2_000_000},
                   headers=bureau), 201)
    ok(client.post(f"{API}/emitters/{EMITTER_A}/ccer", json={"vintage": 2017, "amount_t": 12_345}, headers=bureau), 201)
    ok(client.post(f"{API}/emitters/{EMITTER_A}/transfers", json={"to_uscc": EMITTER_B, "vintage": 2022,
                                                                   "amount_t": 1_001}, headers=ea), 201)
    ledger = _ledger_sum(engine, EMITTER_A)
    assert ledger == {("CEA", 2022): 1_400_000 - 1_001, ("CCER", 2017): 12_345}  # 70% of 2,000,000, less the transfer

    sign_in(client, world, "emitter_a")
    page = client.get("/console/ets/mine")
    assert page.status_code == 200 and "鄂尔多斯甲电厂" in page.text
    for (asset, vintage), total in ledger.items():
        cell = re.search(rf'<tr data-asset="{asset}" data-vintage="{vintage}">.*?class="num balance">([^<]+)<',
                         page.text)
        assert cell and cell.group(1) == thousands(total)
    year_row = re.search(r'<tr data-year="2022">(.*?)</tr>', page.text, re.S).group(1)
    assert thousands(1_400_000) in year_row and "尚未核定配额" in year_row  # pre-allocated, no final quota yet
    assert "鄂尔多斯乙电厂" not in page.text.split('id="transactions"')[0]  # B appears only as a transfer's counterparty
    assert client.get(f"/console/ets/emitters/{EMITTER_A}").status_code == 200
    other = client.get(f"/console/ets/emitters/{EMITTER_B}")
    assert other.status_code == 404 and "乙电厂" not in other.text
    assert client.get("/console/ets").status_code == 403  # the bureau's registry

    sign_in(client, world, "emitter_b")
    page = client.get("/console/ets/mine")
    assert page.status_code == 200 and "鄂尔多斯乙电厂" in page.text and "鄂尔多斯甲电厂" not in page.text
    cell = re.search(r'data-asset="CEA" data-vintage="2022">.*?class="num balance">([^<]+)<', page.text)
    assert cell.group(1) == thousands(_ledger_sum(engine, EMITTER_B)[("CEA", 2022)]) == "1,001"
    assert client.get(f"/console/ets/emitters/{EMITTER_A}").status_code == 404
    assert client.get(f"/console/ets/engagements/{engagement}").status_code == 404

    sign_in(client, world, "bureau")
    page = client.get(f"/console/ets/emitters/{EMITTER_A}")
    assert page.status_code == 200 and thousands(1_400_000 - 1_001) in page.text and thousands(1_400_000) in page.text


def test_bureau_year_view_shows_who_is_late(client, world, monkeypatch):
    # 15 Apr 2025 Beijing: the 2024 reports were due on 31 Mar 2025; A files late, B not at all
    monkeypatch.setattr(service, "utcnow", lambda: datetime(2025, 4, 15, 2, 0, tzinfo=UTC))
    ok(client.post(f"{API}/emitters/{EMITTER_A}/reports", json=e1() | {"year": 2024},
                   headers=world.headers["emitter_a"]), 201)
    sign_in(client, world, "bureau")
    page = client.get("/console/ets?year=2024")
    assert page.status_code == 200
    assert "鄂尔多斯甲电厂" in page.text and "鄂尔多斯乙电厂" in page.text and "准格尔旗" in page.text
    rows = dict(re.findall(r'<tr data-uscc="(\w+)"(?: class="late")?><td>[^<]+</td>(.*?)</tr>',
                           page.text.split('id="registry"')[1], re.S))
    assert 'class="ms-done_late">逾期完成' in rows[EMITTER_A]
    assert 'class="ms-late"><strong>已逾期' in rows[EMITTER_B]
    assert "1 家单位有逾期事项" in page.text
    outside = client.get("/console/ets?year=2023")  # no deadlines on record for 2023: the service says so
    assert outside.status_code == 200 and 'id="registry-error"' in outside.text


def test_public_disclosures_are_shown_without_sign_in(client, world, engagement):
    bureau, va, ea = world.headers["bureau"], world.headers["verifier_a"], world.headers["emitter_a"]
    assert "尚无已公开的信息" in client.get("/public/ets").text
    ok(client.post(f"{API}/engagements/{engagement}/reviews", json={"kind": "on_site", "notes": "现场核查"}, headers=va))
    ok(client.post(f"{API}/engagements/{engagement}/conclusion", json={"conclusion": "可信"}, headers=va))
    ok(client.post(f"{API}/engagements/{engagement}/accept", headers=ea))
    ok(client.post(f"{API}/disclosures", json={"uscc": EMITTER_A, "year": 2022}, headers=bureau), 201)
    served = ok(client.get("/api/v1/public/ets/disclosures"))
    assert [d["uscc"] for d in served] == [EMITTER_A] and served[0]["verified_emissions_t"] == E1_EMISSIONS_T
    client.cookies.clear()
    page = client.get("/public/ets")
    assert page.status_code == 200 and "鄂尔多斯甲电厂" in page.text and "甲核查机构" in page.text
    cell = re.search(r'class="num verified">([^<]+)<', page.text)
    assert cell.group(1) == thousands(E1_EMISSIONS_T)
    assert "鄂尔多斯乙电厂" not in page.text  # not disclosed
    assert 'href="/public/ets"' in client.get("/public").text
    assert "尚无已公开的信息" in client.get("/public/ets?year=2023").text
