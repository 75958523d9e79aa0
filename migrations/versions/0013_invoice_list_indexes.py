"""invoices: indexes for lists at scale (newest first by issue date; by status)

Revision ID: 0013_invoice_list_indexes
Reviewed by hand: two plain indexes, no data change. With 100,000 invoices the invoice list
sorted every row to show the newest 50, and credit control and aged debt scanned every invoice
for the open ones (bench/pages.py).
Revises: 0012_sessions_second_factor
Create Date: 2026-12-07 17:15:00

"""
from alembic import op


revision = '0013_invoice_list_indexes'
down_revision = '0012_sessions_second_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_issue_date_id', ['issue_date', 'id'], unique=False)
        batch_op.create_index('ix_invoices_status', ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_status')
        batch_op.drop_index('ix_invoices_issue_date_id')
