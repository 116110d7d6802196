"""Issue 19 point 7: secure defaults. The server refuses development secrets on a reachable interface, proxy headers
are believed only from CARBON_FORWARDED_ALLOW_IPS, missing or malformed tokens are 401, text a database cannot hold
is a 422, a 500 leaves the connection usable, and every integer parameter and field is bounded."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from carbon.cli import app as cli
from carbon.core.settings import Settings, insecure_defaults, is_loopback
from tests.openapi_walk import operations, unbounded_integers

runner = CliRunner()
SECRETS = {"CARBON_TOKEN_SECRET": "s" * 48, "CARBON_PUHUI_OPENID_SECRET": "o" * 48}


# --- carbon serve ------------------------------------------------------------------------------------------------

@pytest.fixture
def served(monkeypatch):
    """uvicorn.run replaced by a recorder: the tests see what serve would start, without a server."""
    calls = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    return calls


def test_serve_on_all_interfaces_with_the_development_secret_exits_non_zero(served, monkeypatch):
    monkeypatch.delenv("CARBON_TOKEN_SECRET", raising=False)
    monkeypatch.setenv("CARBON_PUHUI_OPENID_SECRET", "o" * 48)
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code != 0
    assert "CARBON_TOKEN_SECRET" in result.output and "CARBON_PUHUI_OPENID_SECRET" not in result.output
    assert served == []


def test_serve_names_every_development_secret(served, monkeypatch):
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(cli, ["serve", "--host", "10.1.2.3"])
    assert result.exit_code != 0
    assert "CARBON_TOKEN_SECRET" in result.output and "CARBON_PUHUI_OPENID_SECRET" in result.output


def test_serve_starts_with_real_secrets_or_on_loopback(served, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    assert runner.invoke(cli, ["serve", "--host", "0.0.0.0"]).exit_code == 0
    for name in SECRETS:
        monkeypatch.delenv(name)
    assert runner.invoke(cli, ["serve"]).exit_code == 0  # 127.0.0.1 with development secrets: a developer's machine
    assert [c["host"] for c in served] == ["0.0.0.0", "127.0.0.1"]
    assert all(c["proxy_headers"] is False for c in served)  # uvicorn's own 127.0.0.1 trust is off


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("127.0.0.2", True), ("0.0.0.0", False), ("::", False),
                                            ("192.168.1.5", False), ("carbon.example", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_insecure_defaults():
    assert insecure_defaults(Settings()) == ["CARBON_TOKEN_SECRET", "CARBON_PUHUI_OPENID_SECRET"]
    assert insecure_defaults(Settings(token_secret="x" * 40, puhui_openid_secret="y" * 40)) == []


# --- proxy headers and the per-IP rate limit ---------------------------------------------------------------------

def _rate_limited_after(migrated_url: str, forwarded_allow_ips: str, addresses: list[str]) -> list[int]:
    settings = Settings(database_url=migrated_url, puhui_rate_ip_per_minute=2, forwarded_allow_ips=forwarded_allow_ips)
    with TestClient(create_app(settings)) as client:
        return [client.get("/api/v1/puhui/rewards", headers={"X-Forwarded-For": a}).status_code for a in addresses]


def test_forwarded_for_is_ignored_by_default(migrated_url):
    """A client that sends X-Forwarded-For itself cannot spread its requests over invented addresses."""
    assert _rate_limited_after(migrated_url, "", ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]


def test_forwarded_for_from_a_trusted_proxy_is_the_address(migrated_url):
    # TestClient's peer is "testclient": trusted by "*", so each forwarded address has its own count
    assert _rate_limited_after(migrated_url, "*", ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 200]
    assert _rate_limited_after(migrated_url, "*", ["1.1.1.1", "1.1.1.1", "1.1.1.1"]) == [200, 200, 429]
    # a proxy that is not listed is not believed
    assert _rate_limited_after(migrated_url, "10.0.0.1", ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]


# --- tokens ------------------------------------------------------------------------------------------------------

def test_no_token_on_a_protected_resource_is_401(client, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    created = client.post("/api/v1/inventories", json={"year": 2023, "region": "150602"}, headers=bureau)
    assert created.status_code == 201, created.text
    for url in (f"/api/v1/inventories/{created.json()['id']}", "/api/v1/inventories/999999", "/api/v1/me",
                "/api/v1/tokens"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "token abc", "abc",
                                           "Bearer a b", "Digest x"])
def test_malformed_or_non_bearer_authorization_is_401(client, authorization):
    for url in ("/api/v1/inventories", "/api/v1/me"):  # a public one too: never taken as anonymous
        response = client.get(url, headers={"Authorization": authorization})
        assert response.status_code == 401, (url, authorization)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["field"] == "Authorization"


def test_public_list_without_authorization_header_is_still_public(client):
    assert client.get("/api/v1/inventories").status_code == 200


# --- text a database cannot hold ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [("region=a%00b", "query.region"), ("region=%ff", "query.region"),
                                          ("year=2020&region=%ed%a0%80", "query.region"), ("a%00=1", "query.a\x00")])
def test_nul_and_unencodable_query_text_is_422(client, query, field):
    response = client.get(f"/api/v1/inventories?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_nul_in_path_is_422(client):
    response = client.get("/api/v1/factors/a%00b")
    assert (response.status_code, response.json()["error"]["field"]) == (422, "path")


@pytest.mark.parametrize("body, field", [('{"year": 2023, "region": "150602", "label": "\\ud800"}', "body.label"),
                                         ('{"year": 2023, "region": "15\\u00000602"}', "body.region"),
                                         ('{"year": 2023, "region": "150602", "a\\udfff": 1}', "body.a\\udfff")])
def test_nul_and_lone_surrogates_in_json_are_422(client, bureau_token, body, field):
    response = client.post("/api/v1/inventories", content=body.encode(),
                           headers={"Authorization": f"Bearer {bureau_token}", "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_refused_text_is_worded_in_chinese_by_default_and_english_on_request(client, bureau_token, monkeypatch):
    monkeypatch.delenv("CARBON_LANG", raising=False)
    body = '{"year": 2023, "region": "150602", "a\\udfff": 1}'
    headers = {"Authorization": f"Bearer {bureau_token}", "Content-Type": "application/json"}
    zh = client.post("/api/v1/inventories", content=body.encode(), headers=headers).json()["error"]
    assert zh["details"][0]["message"] == "键名含有单独的代理字符 (如 \\ud800), 不是可编码的文本"
    assert zh["message"].startswith("body.a\\udfff: 键名")
    en = client.get("/api/v1/inventories?region=a%00b", headers={"Accept-Language": "en"}).json()["error"]
    assert en["message"] == "query.region contains a NUL character (%00), which cannot be stored"


def test_invalid_utf8_json_is_422(client, bureau_token):
    response = client.post("/api/v1/inventories", content=b'{"year": 2023, "region": "\xff"}',
                           headers={"Authorization": f"Bearer {bureau_token}", "Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]["field"]) == (422, "body")


def test_escaped_text_that_is_fine_passes(client, bureau_token):
    body = '{"year": 2023, "region": "150602", "label": "\\u9102\\u5c14\\u591a\\u65af \\ud83c\\udf33 \\\\u0000"}'
    response = client.post("/api/v1/inventories", content=body.encode(),
                           headers={"Authorization": f"Bearer {bureau_token}", "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["label"] == "鄂尔多斯 🌳 \\u0000"


# --- a 500 keeps the connection ----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_500_keeps_the_connection_usable(migrated_url):
    import uvicorn

    app = create_app(Settings(database_url=migrated_url))

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom, include_in_schema=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.02)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/boom")
        first = connection.getresponse()
        assert first.status == 500
        assert json.loads(first.read())["error"]["code"] == "internal_error"
        assert (first.getheader("connection") or "").lower() != "close"
        connection.request("GET", "/api/v1/health")  # the same connection
        second = connection.getresponse()
        assert (second.status, json.loads(second.read())) == (200, {"status": "ok"})
        connection.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- bounds and documented statuses ------------------------------------------------------------------------------

def test_every_integer_parameter_and_field_is_bounded(app):
    assert unbounded_integers(app.openapi()) == []


def test_year_and_id_bounds_are_422(client, bureau_token):
    bureau = {"Authorization": f"Bearer {bureau_token}"}
    for url in ("/api/v1/inventories/99999999999999999999", "/api/v1/inventories/0", "/api/v1/inventories?year=1899",
                "/api/v1/ets/registry/2101", "/api/v1/ets/emitters?industry=Asia%2FShanghai",
                f"/api/v1/inventories?offset={2**63}"):
        assert client.get(url, headers=bureau).status_code == 422, url


def test_every_operation_documents_its_error_statuses(app):
    schema = app.openapi()
    for method, path, op in operations(schema):
        responses = op["responses"]
        assert "422" in responses, (method, path)
        assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if op.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        if method != "get":
            assert "409" in responses, (method, path)
