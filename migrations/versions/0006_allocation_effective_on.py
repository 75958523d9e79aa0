"""allocations.effective_on: the day an allocation (or its reversal) takes effect

Revision ID: 0006_allocation_effective_on
Reviewed by hand: existing rows are backfilled before the column becomes NOT NULL. An allocation
written with its payment (within a minute of it) took effect the day the money was received;
any other (credit allocated later, a reversal) on the UK day it was recorded, which is what the
statement already showed for reversals. created_at is naive UTC; the UK day is within an hour of
it, so the backfill uses the UTC date, right except for rows written between 23:00 and 00:00 UTC
in British Summer Time.
Revises: 0005_extras
Create Date: 2026-12-07 09:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_allocation_effective_on'
down_revision = '0005_extras'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_on', sa.Date(), nullable=True))
    allocations = sa.table(
        'allocations',
        sa.column('id'), sa.column('payment_id'), sa.column('amount_pence'),
        sa.column('created_at', sa.DateTime()), sa.column('effective_on', sa.Date()),
    )
    payments = sa.table(
        'payments', sa.column('id'), sa.column('received_on', sa.Date()),
        sa.column('created_at', sa.DateTime()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            allocations.c.id, allocations.c.amount_pence, allocations.c.created_at,
            payments.c.received_on, payments.c.created_at,
        ).join(payments, payments.c.id == allocations.c.payment_id)
    ).all()
    for row_id, amount, created, received_on, paid_created in rows:
        with_payment = amount > 0 and abs((created - paid_created).total_seconds()) < 60
        conn.execute(
            allocations.update()
            .where(allocations.c.id == row_id)
            .values(effective_on=received_on if with_payment else created.date())
        )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.alter_column('effective_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_allocations_effective_on'), ['effective_on'], unique=False)


def downgrade():
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocations_effective_on'))
        batch_op.drop_column('effective_on')
