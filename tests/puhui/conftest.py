"""Fixtures for the 碳普惠 API: an app with the development login on, residents logged in through it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from carbon.core.settings import Settings, get_settings

API = "/api/v1/puhui"


@pytest.fixture(autouse=True)
def evidence_taken_as_given(monkeypatch):
    """The service-level default of the evidence check is the setting (on): the tests of the ledger written before
    issue 17 claim invented trips, so they run with CARBON_PUHUI_EVIDENCE_CHECK=0, as their apps do
    (``puhui_settings``); tests/puhui/test_evidence.py turns it back on."""
    monkeypatch.setenv("CARBON_PUHUI_EVIDENCE_CHECK", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def puhui_settings(url: str, **overrides) -> Settings:
    values = {"database_url": url, "puhui_dev_login": True, "puhui_openid_secret": "test-openid-secret",
              # tests written before issue 17 claim invented trips; tests/puhui/test_evidence.py turns the check on
              "puhui_evidence_check": False,
              "puhui_rate_user_per_minute": 10_000, "puhui_rate_ip_per_minute": 10_000}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def pclient(migrated_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(puhui_settings(migrated_url))) as client:
        yield client


@pytest.fixture
def resident(pclient: TestClient) -> Callable[[str], dict[str, str]]:
    """``resident("alice")`` -> Authorization headers of a resident logged in with the dev code dev-alice."""

    def login(name: str = "alice") -> dict[str, str]:
        r = pclient.post(f"{API}/login", json={"code": f"dev-{name}"})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return login


def ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def bus(km=8, trip="T-1", **extra) -> dict:
    body = {"type": "bus", "quantity": km, "unit": "km", "occurred_at": ago(hours=1),
            "evidence": {"operator": "ordos-bus", "trip_id": trip}}
    body.update(extra)
    return body
