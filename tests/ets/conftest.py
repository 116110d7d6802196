"""ETS API fixtures: a bureau, two verifier organisations and two emitters, each with a bound token.

Time is fixed (``carbon.ets.service.utcnow``) at Mon 2024-06-03 10:00 Beijing so that working-day deadlines
do not depend on the day the suite runs (the holiday table ends in 2026).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from carbon.core.auth import hash_token
from carbon.core.db import session_scope
from carbon.core.models import ApiToken
from carbon.ets import service
from tests.ets.helpers import EMITTER_A, EMITTER_B

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)


@dataclass
class World:
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    verifier_a: int = 0
    verifier_b: int = 0


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: NOW)
    return NOW


@pytest.fixture
def world(engine, make_token, fixed_now) -> World:
    w = World()
    tokens = {name: make_token(role, name) for name, role in [
        ("bureau", "bureau"), ("verifier_a", "verifier"), ("verifier_b", "verifier"), ("emitter_a", "emitter"),
        ("emitter_b", "emitter"), ("citizen", "citizen"), ("verifier_unbound", "verifier")]}
    with session_scope(engine) as s:
        for name, tok in tokens.items():
            w.token_ids[name] = s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(tok)))
        service.create_emitter(s, uscc=EMITTER_A, name="鄂尔多斯甲电厂", industry="power", region="东胜区",
                               quality_plan_ref="DQCP-2022-A", actor="test",
                               units=[{"code": "1", "type": "coal_300_plus", "capacity_mw": 600, "cooling": "water"}])
        service.create_emitter(s, uscc=EMITTER_B, name="鄂尔多斯乙电厂", region="准格尔旗", actor="test")
        w.verifier_a = service.create_verifier(s, name="甲核查机构", actor="test").id
        w.verifier_b = service.create_verifier(s, name="乙核查机构", actor="test").id
        service.bind_principal(s, token_id=w.token_ids["verifier_a"], verifier_id=w.verifier_a, actor="test")
        service.bind_principal(s, token_id=w.token_ids["verifier_b"], verifier_id=w.verifier_b, actor="test")
        service.bind_principal(s, token_id=w.token_ids["emitter_a"], uscc=EMITTER_A, actor="test")
        service.bind_principal(s, token_id=w.token_ids["emitter_b"], uscc=EMITTER_B, actor="test")
    w.headers = {name: {"Authorization": f"Bearer {tok}"} for name, tok in tokens.items()}
    w.headers["public"] = {}
    return w
