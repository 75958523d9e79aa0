"""bank_imports: progress of the matching job (state, done of total, heartbeat, summary)

Revision ID: 0011_bank_import_progress
Reviewed by hand: six columns, the same as billing_runs' (company.jobs.progress.Progress).
Imports from before it were matched in their upload request, so they are `done`; the server
defaults fill them and are then dropped, as the model sets every value itself.
Revises: 0010_money_bigint
Create Date: 2026-12-07 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_bank_import_progress'
down_revision = '0010_money_bigint'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), nullable=False, server_default='done'))
        batch_op.add_column(sa.Column('total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('bank_imports', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)
        batch_op.alter_column('total', server_default=None)
        batch_op.alter_column('done', server_default=None)


def downgrade():
    with op.batch_alter_table('bank_imports', schema=None) as batch_op:
        for column in ('heartbeat_at', 'finished_at', 'summary', 'done', 'total', 'state'):
            batch_op.drop_column(column)
