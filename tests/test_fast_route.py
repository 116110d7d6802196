"""api/fast_route.py: the fast path answers the plain requests, FastAPI's own handler everything else."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from api.fast_route import fast_path_route


class Item(BaseModel):
    name: str = Field(min_length=1)


@pytest.fixture
def client() -> TestClient:
    calls: list[str] = []

    async def fast(request: Request) -> JSONResponse | None:
        body = json.loads(await request.body() or b"null")  # read the body, then perhaps hand the request on
        if not isinstance(body, dict) or body.get("name") in (None, "", "slow"):
            calls.append("fast declined")
            return None
        calls.append("fast")
        return JSONResponse({"name": body["name"], "by": "fast"}, status_code=201)

    async def create(item: Item) -> JSONResponse:
        calls.append("standard")
        return JSONResponse({"name": item.name, "by": "standard"}, status_code=201)

    app = FastAPI()
    app.router.add_api_route("/items", create, methods=["POST"], status_code=201,
                             route_class_override=fast_path_route(fast))
    client = TestClient(app)
    client.calls = calls
    return client


def test_the_fast_path_answers_alone(client):
    r = client.post("/items", json={"name": "a"})
    assert (r.status_code, r.json()) == (201, {"name": "a", "by": "fast"})
    assert client.calls == ["fast"]


def test_a_declined_request_gets_the_standard_answer_from_the_body_read_once(client):
    r = client.post("/items", json={"name": "slow"})
    assert (r.status_code, r.json()) == (201, {"name": "slow", "by": "standard"})
    assert client.calls == ["fast declined", "standard"]


def test_a_declined_invalid_request_gets_fastapis_422(client):
    plain = FastAPI()

    @plain.post("/items", status_code=201)
    async def create(item: Item) -> dict:  # the same endpoint without a fast path
        return {}

    for body in ({"name": ""}, {}):
        r = client.post("/items", json=body)
        expected = TestClient(plain).post("/items", json=body)
        assert r.status_code == expected.status_code == 422
        assert r.json() == expected.json()
    r = client.post("/items", content=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]


def test_the_openapi_comes_from_the_endpoint(client):
    operation = client.get("/openapi.json").json()["paths"]["/items"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
