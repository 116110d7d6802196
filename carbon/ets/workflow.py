"""Verification engagement (核查) as a state machine: who may do what, in which state.

    assigned --record_review--> in_review --conclude--> concluded --request_recheck--> recheck_requested
       |                          ^   |                      |                               |
       |                          +---+ raise_nonconformity,  +--finalise (bureau, after    decide_recheck (bureau)
       |                                record_correction,        the 7-day window,          |
       |                                resolve_nonconformity     or the emitter accepts)    v
       +--withdraw (bureau) --> withdrawn                     +---------------------------> final

Steps follow 企业温室气体排放报告核查指南（试行） (2021, S15): document review (文件评审), on-site checks,
non-conformities (不符合项) that the emitter corrects, the conclusion (核查结论) with verified emissions
(unresolved non-conformities estimated on the conservative principle, S17), re-check (复核) on the
emitter's request within 7 working days and the bureau's decision within 10 working days (S16).

Every transition is recorded as an audit event (who, when, what) by the service. ``TRANSITIONS`` is the
whole table; ``next_state`` is the only way to move.
"""

from __future__ import annotations

from carbon.core.errors import Conflict, Forbidden

STATES = ("assigned", "in_review", "concluded", "recheck_requested", "final", "withdrawn")
RECHECK_REQUEST_DAYS = 7  # working days after notification of the conclusion (S16)
RECHECK_DECISION_DAYS = 10  # working days after the request (S16)

# (state, action) -> (new state, roles allowed)
TRANSITIONS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("assigned", "record_review"): ("in_review", ("verifier",)),
    ("in_review", "record_review"): ("in_review", ("verifier",)),
    ("in_review", "raise_nonconformity"): ("in_review", ("verifier",)),
    ("in_review", "record_correction"): ("in_review", ("emitter",)),
    ("in_review", "resolve_nonconformity"): ("in_review", ("verifier",)),
    ("in_review", "conclude"): ("concluded", ("verifier",)),
    ("concluded", "request_recheck"): ("recheck_requested", ("emitter",)),
    ("concluded", "accept"): ("final", ("emitter",)),
    ("concluded", "finalise"): ("final", ("bureau",)),
    ("recheck_requested", "decide_recheck"): ("final", ("bureau",)),
    ("assigned", "withdraw"): ("withdrawn", ("bureau",)),
    ("in_review", "withdraw"): ("withdrawn", ("bureau",)),
}
ACTIONS = tuple(sorted({a for _, a in TRANSITIONS}))


def next_state(state: str, action: str, role: str) -> str:
    """The state after ``action`` by ``role``; Conflict if not allowed in ``state``, Forbidden for the role."""
    found = TRANSITIONS.get((state, action))
    if found is None:
        allowed = sorted(a for s, a in TRANSITIONS if s == state)
        raise Conflict(key="ets_action_not_allowed" if allowed else "ets_action_not_allowed_none",
                       params={"action": action, "state": state, "allowed": ", ".join(allowed)}, field="state")
    new, roles = found
    if role not in roles:
        raise Forbidden(key="ets_action_role", params={"action": action, "roles": " or ".join(roles), "role": role})
    return new


def conservative_verified(emissions_from_corrected_data_t: int, unresolved_adjustments_t: list[int]) -> int:
    """Verified emissions: the figure from corrected data plus, for every non-conformity left unresolved,
    its conservative estimate (保守性原则: the adjustment that cannot understate emissions)."""
    if emissions_from_corrected_data_t < 0 or any(a < 0 for a in unresolved_adjustments_t):
        raise ValueError("emissions and adjustments are >= 0")
    return emissions_from_corrected_data_t + sum(unresolved_adjustments_t)
