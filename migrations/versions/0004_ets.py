"""ets: emitters, facilities, reports, verification, allocation, allowance ledger, disclosure

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Only new tables (prefix ets_), see carbon/ets/models.py: verifiers, emitters and their generating units,
principals (API token -> verifier organisation or emitter), consultancies (conflict of interest), report
versions, verification engagements and non-conformities, audit events, allocations, the double-entry
allowance ledger (accounts, transactions, entries), settlements, disclosures, inspectors and inspections.

Checklist (engineering-notes §6): runs up AND down on SQLite and PostgreSQL; constraint names explicit
and wrapped in op.f(); enums as sa.Enum(..., native_enum=False, create_constraint=True); changes to
existing tables inside op.batch_alter_table(); data migrations use sa.table(), never ORM models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BIGINT ids on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY (64-bit there anyway).
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _choice(values: tuple[str, ...], constraint: str, length: int = 32) -> sa.Enum:
    """VARCHAR(length) + CHECK with an explicit, final name (matches carbon.core.db.choice)."""
    return sa.Enum(*values, name=op.f(constraint), native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table('ets_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('asset', _choice(('CEA', 'CCER',), "ck_ets_accounts_asset", 8), nullable=False),
    sa.Column('vintage', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_accounts')),
    sa.UniqueConstraint('owner', 'asset', 'vintage', name=op.f('uq_ets_accounts_owner'))
    )
    op.create_table('ets_inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=200), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('population_sha256', sa.String(length=64), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('per_emitter', sa.Integer(), nullable=False),
    sa.Column('selected', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_inspections'))
    )
    op.create_table('ets_inspectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_inspectors'))
    )
    op.create_table('ets_transactions',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('kind', _choice(('issue', 'take_back', 'deposit_ccer', 'transfer', 'surrender', 'cancel',), "ck_ets_transactions_kind", 32), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('counterparty', sa.String(length=40), nullable=True),
    sa.Column('asset', _choice(('CEA', 'CCER',), "ck_ets_transactions_asset", 8), nullable=False),
    sa.Column('vintage', sa.Integer(), nullable=False),
    sa.Column('amount_t', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('memo', sa.String(length=200), nullable=False),
    sa.Column('idempotency_key', sa.String(length=240), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_transactions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ets_transactions_idempotency_key'))
    )
    with op.batch_alter_table('ets_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ets_transactions_owner'), ['owner'], unique=False)

    op.create_table('ets_verifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_verifiers')),
    sa.UniqueConstraint('name', name=op.f('uq_ets_verifiers_name'))
    )
    op.create_table('ets_emitters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('industry', _choice(('power', 'cement', 'aluminium', 'steel', 'coal_chemical', 'chemical', 'other',), "ck_ets_emitters_industry", 32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('quality_plan_ref', sa.String(length=200), nullable=True),
    sa.Column('quality_plan_version', sa.Integer(), nullable=True),
    sa.Column('quality_plan_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_ets_emitters_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_emitters')),
    sa.UniqueConstraint('uscc', name=op.f('uq_ets_emitters_uscc'))
    )
    op.create_table('ets_entries',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('transaction_id', BIG_ID, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount_t', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ets_accounts.id'], name=op.f('fk_ets_entries_account_id_ets_accounts')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ets_transactions.id'], name=op.f('fk_ets_entries_transaction_id_ets_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_entries'))
    )
    with op.batch_alter_table('ets_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ets_entries_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ets_entries_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('ets_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', _choice(('pre', 'final',), "ck_ets_allocations_kind", 32), nullable=False),
    sa.Column('amount_t', sa.BigInteger(), nullable=False),
    sa.Column('obligation_t', sa.BigInteger(), nullable=True),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('rules_version', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_allocations_emitter_id_ets_emitters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_allocations')),
    sa.UniqueConstraint('emitter_id', 'year', 'kind', name=op.f('uq_ets_allocations_emitter_id'))
    )
    op.create_table('ets_consultancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_consultancies_emitter_id_ets_emitters')),
    sa.ForeignKeyConstraint(['verifier_id'], ['ets_verifiers.id'], name=op.f('fk_ets_consultancies_verifier_id_ets_verifiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_consultancies')),
    sa.UniqueConstraint('verifier_id', 'emitter_id', 'year', name=op.f('uq_ets_consultancies_verifier_id'))
    )
    op.create_table('ets_disclosures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_disclosures_emitter_id_ets_emitters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_disclosures')),
    sa.UniqueConstraint('emitter_id', 'year', name=op.f('uq_ets_disclosures_emitter_id'))
    )
    op.create_table('ets_events',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_events_emitter_id_ets_emitters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_events'))
    )
    with op.batch_alter_table('ets_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ets_events_emitter_id'), ['emitter_id'], unique=False)

    op.create_table('ets_principals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=True),
    sa.Column('emitter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(verifier_id IS NULL) <> (emitter_id IS NULL)', name=op.f('ck_ets_principals_one_organisation')),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_principals_emitter_id_ets_emitters')),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_ets_principals_token_id_api_tokens'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verifier_id'], ['ets_verifiers.id'], name=op.f('fk_ets_principals_verifier_id_ets_verifiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_principals')),
    sa.UniqueConstraint('token_id', name=op.f('uq_ets_principals_token_id'))
    )
    op.create_table('ets_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('reported_emissions_t', sa.BigInteger(), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_reports_emitter_id_ets_emitters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_reports')),
    sa.UniqueConstraint('emitter_id', 'year', 'version', name=op.f('uq_ets_reports_emitter_id'))
    )
    op.create_table('ets_settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('obligation_t', sa.BigInteger(), nullable=False),
    sa.Column('surrendered_cea_t', sa.BigInteger(), nullable=False),
    sa.Column('surrendered_ccer_t', sa.BigInteger(), nullable=False),
    sa.Column('shortfall_t', sa.BigInteger(), nullable=False),
    sa.Column('status', _choice(('compliant', 'pending', 'non_compliant',), "ck_ets_settlements_status", 32), nullable=False),
    sa.Column('penalty', sa.JSON(), nullable=True),
    sa.Column('settled_by', sa.String(length=200), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_settlements_emitter_id_ets_emitters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_settlements')),
    sa.UniqueConstraint('emitter_id', 'year', name=op.f('uq_ets_settlements_emitter_id'))
    )
    op.create_table('ets_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('type', _choice(('coal_300_plus', 'coal_under_300', 'coal_unconventional', 'gas',), "ck_ets_units_type", 32), nullable=False),
    sa.Column('capacity_mw', sa.Float(), nullable=False),
    sa.Column('cooling', _choice(('water', 'air', 'back_pressure',), "ck_ets_units_cooling", 32), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_units_emitter_id_ets_emitters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_units')),
    sa.UniqueConstraint('emitter_id', 'code', name=op.f('uq_ets_units_emitter_id'))
    )
    op.create_table('ets_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('emitter_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('state', _choice(('assigned', 'in_review', 'concluded', 'recheck_requested', 'final', 'withdrawn',), "ck_ets_engagements_state", 32), nullable=False),
    sa.Column('review', sa.JSON(), nullable=True),
    sa.Column('verified_payload', sa.JSON(), nullable=True),
    sa.Column('verified_result', sa.JSON(), nullable=True),
    sa.Column('conservative_adjustment_t', sa.BigInteger(), nullable=True),
    sa.Column('verified_emissions_t', sa.BigInteger(), nullable=True),
    sa.Column('covered_emissions_t', sa.BigInteger(), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=True),
    sa.Column('concluded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recheck_deadline', sa.Date(), nullable=True),
    sa.Column('recheck_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recheck_reason', sa.Text(), nullable=True),
    sa.Column('decision_deadline', sa.Date(), nullable=True),
    sa.Column('recheck_outcome', sa.String(length=16), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['emitter_id'], ['ets_emitters.id'], name=op.f('fk_ets_engagements_emitter_id_ets_emitters')),
    sa.ForeignKeyConstraint(['report_id'], ['ets_reports.id'], name=op.f('fk_ets_engagements_report_id_ets_reports')),
    sa.ForeignKeyConstraint(['verifier_id'], ['ets_verifiers.id'], name=op.f('fk_ets_engagements_verifier_id_ets_verifiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_engagements'))
    )
    with op.batch_alter_table('ets_engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ets_engagements_emitter_id'), ['emitter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ets_engagements_verifier_id'), ['verifier_id'], unique=False)

    op.create_table('ets_nonconformities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('parameter', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('conservative_adjustment_t', sa.BigInteger(), nullable=False),
    sa.Column('status', _choice(('open', 'corrected', 'resolved',), "ck_ets_nonconformities_status", 32), nullable=False),
    sa.Column('correction', sa.Text(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['ets_engagements.id'], name=op.f('fk_ets_nonconformities_engagement_id_ets_engagements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ets_nonconformities'))
    )
    with op.batch_alter_table('ets_nonconformities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ets_nonconformities_engagement_id'), ['engagement_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ets_nonconformities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ets_nonconformities_engagement_id'))
    op.drop_table('ets_nonconformities')
    with op.batch_alter_table('ets_engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ets_engagements_verifier_id'))
        batch_op.drop_index(batch_op.f('ix_ets_engagements_emitter_id'))
    op.drop_table('ets_engagements')
    op.drop_table('ets_units')
    op.drop_table('ets_settlements')
    op.drop_table('ets_reports')
    op.drop_table('ets_principals')
    with op.batch_alter_table('ets_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ets_events_emitter_id'))
    op.drop_table('ets_events')
    op.drop_table('ets_disclosures')
    op.drop_table('ets_consultancies')
    op.drop_table('ets_allocations')
    with op.batch_alter_table('ets_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ets_entries_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_ets_entries_account_id'))
    op.drop_table('ets_entries')
    op.drop_table('ets_emitters')
    op.drop_table('ets_verifiers')
    with op.batch_alter_table('ets_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ets_transactions_owner'))
    op.drop_table('ets_transactions')
    op.drop_table('ets_inspectors')
    op.drop_table('ets_inspections')
    op.drop_table('ets_accounts')
