"""invoices.balance_pence and payments.left_pence: stored balances for reports at scale

Revision ID: 0014_stored_balances
Reviewed by hand: two BIGINT columns defaulting to 0, filled from the rows they sum (the same
expressions as billing/balances.py, written out here so that the migration never changes when
the code does), and partial indexes of the rows with a balance: two of the invoices' (by
council for aged debt, oldest due first for credit control and the dashboard), each covering
what its report reads so that it never visits the table, and one of the payments'; a partial
index of disputed invoices (credit control lists them), and one of reversed payments (aged
debt as at a date adds back those reversed since). Aged debt, the dashboard and credit
control read those few rows instead of every invoice's history (bench/pages.py: 100,000
invoices). Downgrade drops them all; nothing else reads them.
Revises: 0013_invoice_list_indexes
Create Date: 2026-12-07 21:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0014_stored_balances'
down_revision = '0013_invoice_list_indexes'
branch_labels = None
depends_on = None

INVOICE_BALANCE = """
UPDATE invoices SET balance_pence = CASE
    WHEN kind = 'invoice' AND status <> 'draft' THEN gross_pence
        - (SELECT coalesce(sum(n.gross_pence), 0) FROM invoices AS n
           WHERE n.original_id = invoices.id AND n.kind = 'credit_note' AND n.status <> 'draft')
        - (SELECT coalesce(sum(a.amount_pence), 0) FROM allocations AS a
           WHERE a.invoice_id = invoices.id)
    ELSE 0 END
"""

PAYMENT_LEFT = """
UPDATE payments SET left_pence = amount_pence
    - (SELECT coalesce(sum(r.amount_pence), 0) FROM refunds AS r WHERE r.payment_id = payments.id)
    - CASE WHEN reversed_at IS NOT NULL THEN amount_pence ELSE 0 END
    - (SELECT coalesce(sum(a.amount_pence), 0) FROM allocations AS a
       WHERE a.payment_id = payments.id)
"""


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('balance_pence', sa.BigInteger(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('left_pence', sa.BigInteger(), server_default='0', nullable=False)
        )
    op.execute(INVOICE_BALANCE)
    op.execute(PAYMENT_LEFT)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(
            'ix_invoices_with_balance',
            ['due_date', 'gross_pence', 'balance_pence', 'member_id', 'issue_date'],
            unique=False,
            sqlite_where=sa.text('balance_pence <> 0'),
            postgresql_where=sa.text('balance_pence <> 0'),
        )
        batch_op.create_index(
            'ix_invoices_balance_by_member',
            ['member_id', 'issue_date', 'due_date', 'balance_pence'],
            unique=False,
            sqlite_where=sa.text('balance_pence <> 0'),
            postgresql_where=sa.text('balance_pence <> 0'),
        )
        batch_op.create_index(
            'ix_invoices_disputed',
            ['disputed_at'],
            unique=False,
            sqlite_where=sa.text('disputed_at IS NOT NULL'),
            postgresql_where=sa.text('disputed_at IS NOT NULL'),
        )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(
            'ix_payments_with_credit',
            ['received_on'],
            unique=False,
            sqlite_where=sa.text('left_pence <> 0'),
            postgresql_where=sa.text('left_pence <> 0'),
        )
        batch_op.create_index(
            'ix_payments_reversed_at',
            ['reversed_at'],
            unique=False,
            sqlite_where=sa.text('reversed_at IS NOT NULL'),
            postgresql_where=sa.text('reversed_at IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_reversed_at')
        batch_op.drop_index('ix_payments_with_credit')
        batch_op.drop_column('left_pence')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_disputed')
        batch_op.drop_index('ix_invoices_balance_by_member')
        batch_op.drop_index('ix_invoices_with_balance')
        batch_op.drop_column('balance_pence')
