"""card_refunds: each intended card refund stored, with its idempotency key, before Stripe

Revision ID: 0008_card_refunds
Reviewed by hand: a new table only; refunds made before it have no request row (they were
booked in the same request that asked Stripe), so nothing is backfilled.
Revises: 0007_refunds
Create Date: 2026-12-07 11:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_card_refunds'
down_revision = '0007_refunds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=100), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_card_refunds_amount_positive')),
    sa.CheckConstraint("state IN ('pending', 'done', 'failed')", name=op.f('ck_card_refunds_state_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_card_refunds_created_by_id_users')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_card_refunds_payment_id_payments')),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_card_refunds_refund_id_refunds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_refunds')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_card_refunds_idempotency_key'))
    )
    with op.batch_alter_table('card_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_refunds_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_refunds_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('card_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_refunds_state'))
        batch_op.drop_index(batch_op.f('ix_card_refunds_payment_id'))
    op.drop_table('card_refunds')
