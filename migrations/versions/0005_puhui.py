"""puhui: carbon points users, methodologies, behaviours, points ledger, rewards, redemptions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

碳普惠 tables (carbon/puhui/models.py). Only new tables. Seeds, read here with the csv module (a migration
never imports application code):

- the platform ledger accounts (carbon/puhui/ledger.py PLATFORM_ACCOUNTS), so an award never has to create one;
- the first edition of the methodologies, ``carbon/puhui/data/methodologies_v1.csv``. That file is never
  edited in place (a change is a new version in a new file, or through the API), so this migration produces
  the same rows forever. Later editions are inserted by ``carbon puhui sync-methodologies``.

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit
and wrapped in op.f(); enums as sa.Enum(..., native_enum=False, create_constraint=True); changes to
existing tables inside op.batch_alter_table(); data migrations use sa.table(), never ORM models.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BIGINT ids on PostgreSQL for tables that grow with every claim; SQLite autoincrements only an INTEGER
# PRIMARY KEY (64-bit there anyway).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# the frozen v1 file, read from the installed package (this folder is carbon/_data/migrations in a wheel)
METHODOLOGIES_V1 = files("carbon.puhui").joinpath("data", "methodologies_v1.csv")
PLATFORM_ACCOUNTS = (
    ("platform:issuance", "points"), ("platform:redeemed", "points"), ("platform:expired", "points"),
    ("platform:forfeited", "points"), ("platform:reduction_issuance", "reduction_g"),
    ("pool:platform", "reduction_g"), ("platform:retired", "reduction_g"),
)
SEED_TIME = datetime(2026, 11, 28, tzinfo=UTC)


def _choice(values: tuple[str, ...], constraint: str, length: int = 32) -> sa.Enum:
    """VARCHAR(length) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=length)


def _seed() -> None:
    accounts = sa.table("puhui_accounts", sa.column("key", sa.String), sa.column("asset", sa.String))
    op.bulk_insert(accounts, [{"key": k, "asset": a} for k, a in PLATFORM_ACCOUNTS])

    columns = ("code", "version", "name_zh", "behaviour", "quantity_unit", "factor", "factor_unit", "confidence",
               "baseline", "source", "cap_period", "cap_claims", "cap_quantity", "speed_min_kmh", "speed_max_kmh",
               "step_length_m", "max_quantity_per_claim", "window_days", "evidence_required", "valid_from", "note")
    ints = {"version", "cap_claims", "window_days"}

    def _type_of(c: str) -> sa.types.TypeEngine:
        return sa.Integer() if c in ints else sa.Boolean() if c == "evidence_required" else \
            sa.Date() if c == "valid_from" else sa.Text()

    methodologies = sa.table(
        "puhui_methodologies", *(sa.column(c, _type_of(c)) for c in columns), sa.column("origin", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    lines = [ln for ln in METHODOLOGIES_V1.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    rows = []
    for raw in csv.DictReader(lines):
        row: dict = {}
        for c in columns:
            text = (raw.get(c) or "").strip()
            if c in ints:
                row[c] = int(text) if text else None
            elif c == "evidence_required":
                row[c] = text.lower() in ("true", "1", "yes")
            elif c == "valid_from":
                row[c] = date.fromisoformat(text)
            elif c in ("note", "baseline"):
                row[c] = text
            else:
                row[c] = text or None
        row["origin"] = METHODOLOGIES_V1.name
        row["created_at"] = SEED_TIME
        rows.append(row)
    op.bulk_insert(methodologies, rows)


def upgrade() -> None:
    op.create_table('puhui_journals',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('kind', _choice(('award', 'redemption', 'expiry', 'forfeit', 'contribution', 'retirement',), 'ck_puhui_journals_kind'), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_journals'))
    )
    op.create_table('puhui_methodologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('behaviour', sa.String(length=300), nullable=False),
    sa.Column('quantity_unit', sa.String(length=32), nullable=False),
    sa.Column('factor', sa.String(length=40), nullable=False),
    sa.Column('factor_unit', sa.String(length=40), nullable=False),
    sa.Column('confidence', _choice(('high', 'medium', 'low', 'placeholder',), 'ck_puhui_methodologies_confidence'), nullable=False),
    sa.Column('baseline', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('cap_period', _choice(('day', 'month',), 'ck_puhui_methodologies_cap_period'), nullable=True),
    sa.Column('cap_claims', sa.Integer(), nullable=True),
    sa.Column('cap_quantity', sa.String(length=40), nullable=True),
    sa.Column('speed_min_kmh', sa.String(length=40), nullable=True),
    sa.Column('speed_max_kmh', sa.String(length=40), nullable=True),
    sa.Column('step_length_m', sa.String(length=40), nullable=True),
    sa.Column('max_quantity_per_claim', sa.String(length=40), nullable=True),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('evidence_required', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_methodologies')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_puhui_methodologies_code'))
    )
    op.create_table('puhui_rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cost_points', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_points > 0', name=op.f('ck_puhui_rewards_cost_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_puhui_rewards_stock_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_rewards'))
    )
    op.create_table('puhui_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid_hash', sa.String(length=64), nullable=True),
    sa.Column('display_name', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_users')),
    sa.UniqueConstraint('openid_hash', name=op.f('uq_puhui_users_openid_hash'))
    )
    op.create_table('puhui_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('asset', _choice(('points', 'reduction_g',), 'ck_puhui_accounts_asset'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_accounts_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_accounts')),
    sa.UniqueConstraint('key', name=op.f('uq_puhui_accounts_key'))
    )
    with op.batch_alter_table('puhui_accounts') as batch_op:
        batch_op.create_index(batch_op.f('ix_puhui_accounts_user_id'), ['user_id'], unique=False)

    op.create_table('puhui_behaviours',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('methodology_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('quantity_in_unit', sa.String(length=40), nullable=False),
    sa.Column('eligible_quantity', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('operator', sa.String(length=64), nullable=True),
    sa.Column('trip_id', sa.String(length=128), nullable=True),
    sa.Column('trip_ref', sa.String(length=64), nullable=True),
    sa.Column('reduction_exact', sa.String(length=40), nullable=False),
    sa.Column('reduction_g', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('capped', sa.Boolean(), nullable=False),
    sa.Column('cap_reason', sa.String(length=20), nullable=True),
    sa.Column('pooled_g', sa.BigInteger(), nullable=False),
    sa.Column('retired_g', sa.BigInteger(), nullable=False),
    sa.Column('journal_id', BIG_ID, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pooled_g >= 0 AND retired_g >= 0 AND retired_g <= pooled_g AND pooled_g <= reduction_g', name=op.f('ck_puhui_behaviours_pooling')),
    sa.CheckConstraint('reduction_g >= 0 AND points >= 0', name=op.f('ck_puhui_behaviours_amounts')),
    sa.ForeignKeyConstraint(['journal_id'], ['puhui_journals.id'], name=op.f('fk_puhui_behaviours_journal_id_puhui_journals')),
    sa.ForeignKeyConstraint(['methodology_id'], ['puhui_methodologies.id'], name=op.f('fk_puhui_behaviours_methodology_id_puhui_methodologies')),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_behaviours_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_behaviours')),
    sa.UniqueConstraint('journal_id', name=op.f('uq_puhui_behaviours_journal_id')),
    sa.UniqueConstraint('trip_ref', name=op.f('uq_puhui_behaviours_trip_ref'))
    )
    with op.batch_alter_table('puhui_behaviours') as batch_op:
        batch_op.create_index('ix_puhui_behaviours_user_code_day', ['user_id', 'code', 'local_date'], unique=False)

    op.create_table('puhui_footprints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_footprints_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_footprints')),
    sa.UniqueConstraint('user_id', 'year', name=op.f('uq_puhui_footprints_user_id'))
    )
    op.create_table('puhui_idempotency_keys',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('route', sa.String(length=120), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_idempotency_keys_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_idempotency_keys')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_puhui_idempotency_keys_user_id'))
    )
    op.create_table('puhui_offset_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('beneficiary', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reduction_g', sa.BigInteger(), nullable=False),
    sa.Column('journal_id', BIG_ID, nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('reduction_g > 0', name=op.f('ck_puhui_offset_claims_positive')),
    sa.ForeignKeyConstraint(['journal_id'], ['puhui_journals.id'], name=op.f('fk_puhui_offset_claims_journal_id_puhui_journals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_offset_claims'))
    )
    op.create_table('puhui_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('points_spent', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('voucher_code', sa.String(length=32), nullable=False),
    sa.Column('journal_id', BIG_ID, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['journal_id'], ['puhui_journals.id'], name=op.f('fk_puhui_redemptions_journal_id_puhui_journals')),
    sa.ForeignKeyConstraint(['reward_id'], ['puhui_rewards.id'], name=op.f('fk_puhui_redemptions_reward_id_puhui_rewards')),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_redemptions_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_redemptions')),
    sa.UniqueConstraint('journal_id', name=op.f('uq_puhui_redemptions_journal_id')),
    sa.UniqueConstraint('voucher_code', name=op.f('uq_puhui_redemptions_voucher_code'))
    )
    with op.batch_alter_table('puhui_redemptions') as batch_op:
        batch_op.create_index(batch_op.f('ix_puhui_redemptions_reward_id'), ['reward_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_puhui_redemptions_user_id'), ['user_id'], unique=False)

    op.create_table('puhui_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['puhui_users.id'], name=op.f('fk_puhui_sessions_user_id_puhui_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_puhui_sessions_token_hash'))
    )
    with op.batch_alter_table('puhui_sessions') as batch_op:
        batch_op.create_index(batch_op.f('ix_puhui_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('puhui_claim_allocations',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('behaviour_id', BIG_ID, nullable=False),
    sa.Column('grams', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('grams > 0', name=op.f('ck_puhui_claim_allocations_positive')),
    sa.ForeignKeyConstraint(['behaviour_id'], ['puhui_behaviours.id'], name=op.f('fk_puhui_claim_allocations_behaviour_id_puhui_behaviours')),
    sa.ForeignKeyConstraint(['claim_id'], ['puhui_offset_claims.id'], name=op.f('fk_puhui_claim_allocations_claim_id_puhui_offset_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_claim_allocations')),
    sa.UniqueConstraint('claim_id', 'behaviour_id', name=op.f('uq_puhui_claim_allocations_claim_id'))
    )
    with op.batch_alter_table('puhui_claim_allocations') as batch_op:
        batch_op.create_index(batch_op.f('ix_puhui_claim_allocations_behaviour_id'), ['behaviour_id'], unique=False)

    op.create_table('puhui_postings',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('journal_id', BIG_ID, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_puhui_postings_amount_nonzero')),
    sa.CheckConstraint('balance_after IS NULL OR balance_after >= 0', name=op.f('ck_puhui_postings_balance_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['puhui_accounts.id'], name=op.f('fk_puhui_postings_account_id_puhui_accounts')),
    sa.ForeignKeyConstraint(['journal_id'], ['puhui_journals.id'], name=op.f('fk_puhui_postings_journal_id_puhui_journals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_puhui_postings'))
    )
    with op.batch_alter_table('puhui_postings') as batch_op:
        batch_op.create_index('ix_puhui_postings_account_id_id', ['account_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_puhui_postings_journal_id'), ['journal_id'], unique=False)

    _seed()


def downgrade() -> None:
    with op.batch_alter_table('puhui_postings') as batch_op:
        batch_op.drop_index(batch_op.f('ix_puhui_postings_journal_id'))
        batch_op.drop_index('ix_puhui_postings_account_id_id')

    op.drop_table('puhui_postings')
    with op.batch_alter_table('puhui_claim_allocations') as batch_op:
        batch_op.drop_index(batch_op.f('ix_puhui_claim_allocations_behaviour_id'))

    op.drop_table('puhui_claim_allocations')
    with op.batch_alter_table('puhui_sessions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_puhui_sessions_user_id'))

    op.drop_table('puhui_sessions')
    with op.batch_alter_table('puhui_redemptions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_puhui_redemptions_user_id'))
        batch_op.drop_index(batch_op.f('ix_puhui_redemptions_reward_id'))

    op.drop_table('puhui_redemptions')
    op.drop_table('puhui_offset_claims')
    op.drop_table('puhui_idempotency_keys')
    op.drop_table('puhui_footprints')
    with op.batch_alter_table('puhui_behaviours') as batch_op:
        batch_op.drop_index('ix_puhui_behaviours_user_code_day')

    op.drop_table('puhui_behaviours')
    with op.batch_alter_table('puhui_accounts') as batch_op:
        batch_op.drop_index(batch_op.f('ix_puhui_accounts_user_id'))

    op.drop_table('puhui_accounts')
    op.drop_table('puhui_users')
    op.drop_table('puhui_rewards')
    op.drop_table('puhui_methodologies')
    op.drop_table('puhui_journals')
