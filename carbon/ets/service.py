"""Key-emitter services: registration, reports, verification, allocation, ledger, settlement, disclosure,
inspections. Keyword-only ``f(session, *, ...)``; they flush but never commit (the request or CLI job
commits once). Every write records an audit event (``ets_events``: who, when, what).

Authorization is the caller's business (api/routes/ets.py): these functions trust ``actor``/``role``.
Time-dependent rules take ``now`` (default: the current time) so tests can stand on a given day.

This module is the one entry point callers import; the code lives in one module per workflow:

    registry.py      emitters, generating units, quality plans, verifiers, principals, consultancy
    filing.py        yearly reports (submit, get, list) and the figures that stand for a year
    verification.py  engagements, reviews, non-conformities, conclude / accept / finalise / re-check / withdraw
    accounts.py      the allowance accounts: post operations, balances, transactions, transfer, CCER, cancel
    compliance.py    allocation (pre, final with true-up), surrender, compliance, settle
    disclosure.py    public disclosure of the final verified figures
    spot_checks.py   双随机、一公开 inspectors, draws and results
    summary.py       what the verification and settlement summary (PDF / HTML) shows
    quality_plans.py versioned data-quality control plans (数据质量控制计划)
    monthly.py       monthly key-parameter filings (关键参数月度存证) and their check (monthly_check.py)
    covered.py       covered entities (重点排放单位名录) and the cycle's deadlines (data/deadlines.json)
    common.py        what they share: the clock, the audit trail, the emitter lock, the settled-year rule
"""

from __future__ import annotations

# The clock of every workflow module (common.utcnow looks it up here at each call): patch this name to
# stand the ETS services on a given day.
from carbon.core.db import utcnow
from carbon.ets.accounts import (
    apply_operation,
    balances,
    cancel,
    deposit_ccer,
    total_of_all_accounts,
    transactions,
    transfer,
)
from carbon.ets.common import events
from carbon.ets.compliance import allocate_final, allocate_pre, allocations, compliance, settle, surrender
from carbon.ets.covered import covered_entities, deadlines
from carbon.ets.disclosure import disclosure_figures, get_disclosure, list_disclosures, publish_disclosure
from carbon.ets.filing import figures, get_report, list_reports, submit_report
from carbon.ets.monthly import check as check_monthly
from carbon.ets.monthly import file_month, get_filing, latest_filings, list_filings
from carbon.ets.quality_plans import create_plan, get_plan, list_plans, plan_for_year
from carbon.ets.registry import (
    add_unit,
    bind_principal,
    create_emitter,
    create_verifier,
    get_emitter,
    get_verifier,
    list_emitters,
    list_principals,
    list_verifiers,
    principal_of,
    record_consultancy,
    record_quality_plan,
)
from carbon.ets.spot_checks import (
    add_inspector,
    create_inspection,
    get_inspection,
    list_inspections,
    record_inspection_result,
)
from carbon.ets.summary import summary_data
from carbon.ets.verification import (
    ACTIVE_STATES,
    VERIFIED_STATES,
    accept,
    assign_verifier,
    conclude,
    decide_recheck,
    finalise,
    get_engagement,
    list_engagements,
    raise_nonconformity,
    record_correction,
    record_review,
    request_recheck,
    resolve_nonconformity,
    withdraw,
)

__all__ = [
    "ACTIVE_STATES", "VERIFIED_STATES", "accept", "add_inspector", "add_unit", "allocate_final", "allocate_pre",
    "allocations", "apply_operation", "assign_verifier", "balances", "bind_principal", "cancel", "compliance",
    "conclude", "create_emitter", "create_inspection", "create_verifier", "decide_recheck", "deposit_ccer",
    "disclosure_figures", "events", "figures", "finalise", "get_disclosure", "get_emitter", "get_engagement",
    "get_inspection", "get_report", "get_verifier", "list_disclosures", "list_emitters", "list_engagements",
    "list_inspections", "list_principals", "list_reports", "list_verifiers", "principal_of", "publish_disclosure",
    "raise_nonconformity", "record_consultancy", "record_correction", "record_inspection_result",
    "record_quality_plan", "record_review", "request_recheck", "resolve_nonconformity", "settle", "submit_report",
    "summary_data", "surrender", "total_of_all_accounts", "transactions", "transfer", "utcnow", "withdraw",
    # monthly key parameters, data-quality control plans, covered entities and deadlines
    "check_monthly", "covered_entities", "create_plan", "deadlines", "file_month", "get_filing", "get_plan",
    "latest_filings", "list_filings", "list_plans", "plan_for_year",
]
