"""billing_runs.heartbeat_at: a run whose worker went away is seen as stopped

Revision ID: 0009_run_heartbeat
Reviewed by hand: one nullable column. Runs still marked running from before it have no
heartbeat and are treated as stopped (their worker cannot still be alive across a deploy).
Revises: 0008_card_refunds
Create Date: 2026-12-07 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_run_heartbeat'
down_revision = '0008_card_refunds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('billing_runs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
