"""Issue 17 point 3: schemathesis over the whole OpenAPI document, with a bureau token and without one, on SQLite and
(when CARBON_TEST_DATABASE_URL is set) PostgreSQL. Fails on any 5xx, an undocumented status or a response that does
not match its schema. ``FUZZ_EXAMPLES`` examples per operation (CARBON_FUZZ_EXAMPLES overrides, e.g. 50 for a
longer run)."""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

FUZZ_EXAMPLES = int(os.environ.get("CARBON_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def fuzz(app, headers: dict[str, str]) -> tuple[int, list[str]]:
    """Fuzz every operation; (requests sent, failures as 'METHOD path: what')."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            nonlocal sent
            sent += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001 - collected, so one run reports every operation at fault
                failures.append(f"{operation.label}: {str(exc).splitlines()[0:6]}")
                raise

        try:
            run()
        except BaseException as exc:  # noqa: BLE001 - hypothesis re-raises the (shrunk) failure; it is in failures already
            if isinstance(exc, KeyboardInterrupt):
                raise
    return sent, failures


@pytest.mark.parametrize("who", ["bureau", "anonymous"])
def test_fuzz_no_server_errors(app, client, bureau_token, who):
    headers = {"Authorization": f"Bearer {bureau_token}"} if who == "bureau" else {}
    sent, failures = fuzz(app, headers)
    assert sent >= len(app.openapi()["paths"])  # every operation was tried
    print(f"fuzz {who}: {sent} requests, {len(failures)} failures")
    assert not failures, "\n".join(failures)
