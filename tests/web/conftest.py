"""Fixtures of the console tests: the bundled sample compiled into the store, a signed-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from carbon.core.db import session_scope
from carbon.inventory import service
from carbon.sample import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "ordos_2022_synthetic.csv"
LOCAL_FACTORS = SAMPLE_DIR / "ordos_local_factors.csv"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has a form with its CSRF token"
    return found.group(1)


def compile_sample(engine, *, publish: bool = False) -> int:
    """The sample 2022 inventory of the city, imported and compiled (and published); its id."""
    with session_scope(engine) as session:
        inventory = service.create_inventory(session, year=2022)
        service.import_activity(session, inventory_id=inventory.id, content=SAMPLE.read_bytes(), filename=SAMPLE.name)
        service.compile_inventory(session, inventory_id=inventory.id, local_factors=LOCAL_FACTORS.read_bytes(),
                                  local_filename=LOCAL_FACTORS.name)
        if publish:
            service.publish(session, inventory_id=inventory.id)
        return inventory.id


@pytest.fixture
def sample_inventory(engine) -> int:
    return compile_sample(engine)


@pytest.fixture
def sign_in(client: TestClient, make_token: Callable[..., str]) -> Callable[..., str]:
    """``sign_in("bureau")`` signs the client in through the form; returns the session's CSRF token."""

    def go(role: str = "bureau") -> str:
        form = client.get("/console/login")
        response = client.post("/console/login", data={"csrf": csrf_of(form.text), "token": make_token(role),
                                                       "next": "/console/inventories"}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return csrf_of(client.get("/public").text)

    return go
