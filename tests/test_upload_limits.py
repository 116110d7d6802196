"""Bounded input (issue 19) through HTTP: every bomb is answered 413/422 naming its limit, samples still load,
and every string in every request body has a maxLength (so a new field without one fails here)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from bench import limits as bombs
from carbon.core.settings import Settings

SAMPLES = Path(__file__).parents[1] / "sample_data"
API = "/api/v1"


@pytest.fixture
def bureau(client, auth_headers):
    headers = auth_headers("bureau")
    response = client.post(f"{API}/inventories", json={"year": 2022}, headers=headers)
    assert response.status_code == 201, response.text
    return headers, response.json()["id"]


def upload(client, bureau, content: bytes, filename: str):
    headers, inventory = bureau
    return client.post(f"{API}/inventories/{inventory}/activity", files={"file": (filename, content)}, headers=headers)


def limit_error(response, status: int, limit: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["limit"] == limit, error
    assert error["actual"] > error["limit_value"] and error["setting"].startswith("CARBON_INPUT_MAX_")
    return error


@pytest.mark.parametrize(("build", "filename", "limit"), [
    (bombs.xlsx_declared, "bomb.xlsx", "rows"),
    (bombs.xlsx_undeclared, "bomb.xlsx", "rows"),
    (lambda: bombs.xlsx_zipbomb(250), "bomb.xlsx", "xlsx_uncompressed_bytes"),
    (lambda: bombs.xlsx_zipbomb(20), "bomb.xlsx", "compression_ratio"),
    (bombs.csv_columns, "bomb.csv", "columns"),
    (lambda: bombs.csv_rows(200_001), "bomb.csv", "rows"),
    (lambda: bombs.csv_long_text(200_000), "bomb.csv", "text_chars"),
])
def test_each_bomb_is_refused_naming_its_limit(client, bureau, build, filename, limit):
    error = limit_error(upload(client, bureau, build(), filename), 422, limit)
    assert error["code"] == "limit_exceeded" and error["field"] == "file"


def test_an_upload_past_the_byte_limit_is_413(client, bureau):
    error = limit_error(upload(client, bureau, bombs.csv_rows(700_000), "big.csv"), 413, "body_bytes")
    assert error["code"] == "too_large"


def test_the_upload_limit_follows_the_apps_settings(migrated_url, auth_headers):
    app = create_app(Settings(database_url=migrated_url, input_max_upload_bytes=1000))
    with TestClient(app) as client:
        headers = auth_headers("bureau")
        inventory = client.post(f"{API}/inventories", json={"year": 2022}, headers=headers).json()["id"]
        response = client.post(f"{API}/inventories/{inventory}/activity", headers=headers,
                               files={"file": ("a.csv", bombs.csv_rows(40))})  # 1.3 KB: under the body limit
        assert limit_error(response, 413, "upload_bytes")["limit_value"] == 1000


def test_a_chunked_body_past_the_limit_is_413(migrated_url, auth_headers):
    app = create_app(Settings(database_url=migrated_url, input_max_upload_bytes=1000))
    with TestClient(app) as client:
        headers = auth_headers("bureau")

        def chunks():
            for _ in range(2000):
                yield b'{"name": "x", "description": "' + b"y" * 1000
        response = client.post(f"{API}/puhui/rewards", content=chunks(),
                               headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "too_large"


def test_a_long_text_field_is_refused(client, auth_headers):
    headers = auth_headers("bureau")
    body = {"name": "bench", "description": "x" * 10_001, "cost_points": 1, "stock": 1}
    response = client.post(f"{API}/puhui/rewards", json=body, headers=headers)
    assert response.status_code == 422 and response.json()["error"]["field"] == "body.description"
    big = {**body, "description": "x" * (25 * 1024 * 1024)}
    assert client.post(f"{API}/puhui/rewards", json=big, headers=headers).status_code == 413
    assert client.post(f"{API}/puhui/rewards", json={**body, "description": "x" * 10_000},
                       headers=headers).status_code == 201


def test_the_samples_still_load_as_csv_and_xlsx(client, bureau):
    content = (SAMPLES / "ordos_2022_synthetic.csv").read_bytes()
    response = upload(client, bureau, content, "ordos.csv")
    assert response.status_code == 201, response.text
    rows = response.json()["rows"]
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, comment=None,
                        skiprows=sum(1 for line in content.decode("utf-8-sig").splitlines() if line.startswith("#")))
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    headers, inventory = bureau
    response = client.post(f"{API}/inventories/{inventory}/activity", params={"replace": True}, headers=headers,
                           files={"file": ("ordos.xlsx", buf.getvalue())})
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == rows
    economy = (SAMPLES / "ordos_economy_synthetic.csv").read_bytes()
    response = client.post(f"{API}/intensity/economy", headers=headers, files={"file": ("economy.csv", economy)})
    assert response.status_code == 201, response.text


# --- every string in a request body has a maxLength ----------------------------------------------------------

def _strings_without_max_length(schema: dict, schemas: dict, where: str, seen: frozenset) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _strings_without_max_length(schemas[name], schemas, name, seen | {name})
    found: list[str] = []
    branches = [s for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, [])]
    # pydantic's Decimal is "a number or a string": its length is bounded by max_digits (not in the schema; the
    # Decimal fields of api/routes/puhui.py all set it) and by the body limit
    decimal = any(s.get("type") == "number" for s in branches)
    for sub in branches:
        if not (decimal and sub == {"type": "string"}):
            found += _strings_without_max_length(sub, schemas, where, seen)
    if (schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema and "const" not in schema
            and "contentMediaType" not in schema and schema.get("format") not in ("binary", "date", "date-time")):
        found.append(where)
    if "items" in schema:
        found += _strings_without_max_length(schema["items"], schemas, f"{where}[]", seen)
    for name, sub in schema.get("properties", {}).items():
        found += _strings_without_max_length(sub, schemas, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _strings_without_max_length(schema["additionalProperties"], schemas, f"{where}{{}}", seen)
    return found


def test_every_string_in_every_request_body_has_a_max_length():
    spec = create_app(Settings(database_url="sqlite://")).openapi()
    schemas = spec.get("components", {}).get("schemas", {})
    missing, bodies = [], 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                bodies += 1
                missing += [f"{method.upper()} {path}: {m}"
                            for m in _strings_without_max_length(content["schema"], schemas, "body", frozenset())]
    assert bodies > 20
    assert not missing, "request strings without max_length (add Field(max_length=...)):\n" + "\n".join(missing)


def test_the_walker_finds_a_string_without_max_length():
    schemas = {"In": {"type": "object", "properties": {"ok": {"type": "string", "maxLength": 5},
                                                       "bad": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                                       "tags": {"type": "array", "items": {"type": "string"}}}}}
    assert _strings_without_max_length({"$ref": "#/components/schemas/In"}, schemas, "body", frozenset()) == [
        "In.bad", "In.tags[]"]
