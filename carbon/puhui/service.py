"""碳普惠 services: login, claims, the points ledger, redemption, expiry, pooling and offset claims.

The services live in one module per workflow; this module re-exports them so ``carbon.puhui.service.X`` keeps
working: ``residents`` (login, sessions, locks, footprint), ``common`` (Outcome, idempotency, ledger persistence),
``methodology_store``, ``claims`` (the award path), ``redemption`` (expiry, rewards), ``pooling`` (offset claims),
``summary`` (profile, ledger page, yearly summary, stats), ``operators`` (operator records and evidence).

Keyword-only functions on a session; none of them commits (the request or the CLI job commits once).

Concurrency. Every write that touches a resident's balance first locks that resident's row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has a single writer anyway). Under the lock the service
checks the Idempotency-Key, the caps (which read the resident's earlier claims) and the balance, then appends
the journal with ``balance_after`` on the resident's postings. So:

- 50 concurrent replays of one key: one runs, the other 49 wait for the lock, then find the key and replay
  the stored response (one award);
- the last reward in stock: ``UPDATE puhui_rewards SET stock = stock - 1 WHERE id = :id AND stock > 0`` is
  atomic; the second buyer's update waits for the first commit, re-reads the row and updates nothing: 409;
- the same operator trip claimed by two residents at once: the unique ``trip_ref`` index lets one commit and
  the other gets 409.

The API decides awards in groups (carbon/puhui/award_batch.py: one transaction for the claims that arrive
together, on PostgreSQL) with ``plan_award`` below; ``record_behaviour`` is the single path it falls back to, and
what the CLI, SQLite and the tests use.

The single award path keeps the same lock and the same checks in few round trips:
``authenticate_and_lock`` (token -> resident, locked, one statement), one SELECT for everything read after the
lock (methodology row, Idempotency-Key, the period's earlier claims, the ledger accounts and their balances), then
Core INSERTs for the journal, its postings, the behaviour and the key. Statements are built once per process (SQL
only); methodologies are read from the database on every award and only their parsing is cached, keyed by the
row's full content, so a new version or another database is never served from a stale cache.

Lock order is resident, then the pool account, then a reward row: no two services take them the other way
round, so they cannot deadlock.

Time: every function takes ``now`` (default: the current UTC time) so tests can place claims and expiry
runs in time without sleeping.
"""

from carbon.puhui.claims import (  # noqa: F401
    Claim,
    PlannedAward,
    _award_snapshot,
    _build_snapshot,
    _num,
    _replay,
    plan_award,
    record_behaviour,
)
from carbon.puhui.common import (  # noqa: F401
    BEHAVIOUR_COLUMNS,
    POLICY,
    TRACKED,
    _POSTING_COLUMNS,
    _STATEMENTS,
    IdempotencyKeyReused,
    Outcome,
    _account_ids,
    _balance,
    _insert_journal,
    _points_account,
    _posting_rows,
    _remember,
    _statement,
    _sum,
    conflict,
    post,
    request_hash,
    stored_outcome,
    user_balance,
)
from carbon.puhui.methodology_store import (  # noqa: F401
    METHOD_COLUMNS,
    SyncReport,
    _method_values,
    _methodology_of,
    _row_values,
    add_methodology,
    as_methodology,
    current_methodology,
    list_methodologies,
    sync_methodologies,
)
from carbon.puhui.pooling import (  # noqa: F401
    _lock_pool,
    claim_detail,
    claim_summary,
    contribute,
    list_claims,
    pool_overview,
    pool_status,
    retire,
)
from carbon.puhui.redemption import (  # noqa: F401
    apply_expiry,
    create_reward,
    due_expiry,
    expire_all,
    list_rewards,
    redeem,
    redemption_counts,
    update_reward,
)
from carbon.puhui.residents import (  # noqa: F401
    LOCK_WAIT_MS,
    SESSION_TTL,
    _lock_and_replay,
    _lock_resident,
    authenticate,
    authenticate_and_lock,
    get_footprint,
    hash_token,
    lock_user,
    login,
    prune_keys,
    save_footprint,
    set_display_name,
)
from carbon.puhui.summary import (  # noqa: F401
    daily_totals,
    ledger_page,
    profile,
    stats,
    year_bounds,
    yearly_summary,
)
