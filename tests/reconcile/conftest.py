"""Reuse the ETS world (bureau, verifiers, tokens, fixed clock)."""

from tests.ets.conftest import fixed_now, world  # noqa: F401
