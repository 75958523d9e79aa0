"""refunds: each refund its own dated movement

Revision ID: 0007_refunds
Reviewed by hand: a payment refunded before this revision has one refund row for its
refunded_pence, dated the day the payment was received (the day statements showed it until now,
so no past statement changes), with a reason that says so.
Revises: 0006_allocation_effective_on
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_refunds'
down_revision = '0006_allocation_effective_on'
branch_labels = None
depends_on = None


def upgrade():
    refunds = op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('refunded_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_refunds_created_by_id_users')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refunds_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refunds_refunded_on'), ['refunded_on'], unique=False)
    payments = sa.table(
        'payments', sa.column('id'), sa.column('refunded_pence'),
        sa.column('received_on', sa.Date()), sa.column('created_at', sa.DateTime()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(payments.c.id, payments.c.refunded_pence, payments.c.received_on, payments.c.created_at)
        .where(payments.c.refunded_pence > 0)
    ).all()
    for payment_id, pence, received_on, created_at in rows:
        conn.execute(refunds.insert().values(
            payment_id=payment_id, amount_pence=pence, refunded_on=received_on,
            reason='Refunded before refunds were dated', created_at=created_at,
        ))


def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_refunded_on'))
        batch_op.drop_index(batch_op.f('ix_refunds_payment_id'))
    op.drop_table('refunds')
