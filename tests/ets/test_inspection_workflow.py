from __future__ import annotations

import hashlib

import pytest

from carbon.core.errors import Conflict, Forbidden, ValidationError
from carbon.ets import inspection, workflow

POP = [f"E{i:02d}" for i in range(20)]
INSPECTORS = ["张", "李", "王", "赵", "刘"]


def test_draw_is_reproducible_from_the_published_algorithm():
    d = inspection.draw("公开种子-2024", emitters=POP, k=3, inspectors=INSPECTORS, per_emitter=2)
    # anyone can redo it: sha256("<seed>\n<USCC>"), sort, take the first 3
    by_hand = sorted(POP, key=lambda u: hashlib.sha256(f"公开种子-2024\n{u}".encode()).hexdigest())[:3]
    assert d.emitters == by_hand
    for u, sent in d.inspectors.items():
        assert sent == sorted(INSPECTORS, key=lambda i: hashlib.sha256(f"公开种子-2024\n{u}\n{i}".encode()).hexdigest())[:2]
    assert d == inspection.draw("公开种子-2024", emitters=list(reversed(POP)), k=3, inspectors=INSPECTORS, per_emitter=2)
    other = inspection.draw("another seed", emitters=POP, k=3, inspectors=INSPECTORS, per_emitter=2)
    assert other.population_sha256 == d.population_sha256


def test_draw_rejects_bad_sizes():
    with pytest.raises(ValidationError):
        inspection.draw("s", emitters=POP, k=21, inspectors=INSPECTORS, per_emitter=1)
    with pytest.raises(ValidationError):
        inspection.draw("s", emitters=["A", "A"], k=1, inspectors=INSPECTORS, per_emitter=1)


def test_state_machine():
    assert workflow.next_state("assigned", "record_review", "verifier") == "in_review"
    assert workflow.next_state("in_review", "conclude", "verifier") == "concluded"
    assert workflow.next_state("concluded", "request_recheck", "emitter") == "recheck_requested"
    assert workflow.next_state("recheck_requested", "decide_recheck", "bureau") == "final"
    with pytest.raises(Forbidden):
        workflow.next_state("in_review", "conclude", "emitter")
    with pytest.raises(Conflict, match="cannot conclude an engagement that is final"):
        workflow.next_state("final", "conclude", "verifier")


def test_conservative_estimate_for_unresolved_nonconformities():
    assert workflow.conservative_verified(1_000_000, [12_000, 3_000]) == 1_015_000
