"""money columns as 64-bit integer pence

Revision ID: 0010_money_bigint
Reviewed by hand: widens every *_pence column from INTEGER to BIGINT (PostgreSQL's integer
stops at £21,474,836.47). Values are unchanged; on SQLite, where INTEGER is already 64-bit,
each table is copied by batch mode with its constraints. The form limit stays
billing/money.MAX_PENCE.
Revises: 0009_run_heartbeat
Create Date: 2026-12-07 12:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_money_bigint'
down_revision = '0009_run_heartbeat'
branch_labels = None
depends_on = None

COLUMNS = {
    'extras': [('price_pence', True)],
    'quotes': [('net_pence', False), ('vat_pence', False)],
    'quote_lines': [('unit_pence', False), ('net_pence', False), ('vat_pence', False)],
    'invoices': [('net_pence', False), ('vat_pence', False), ('gross_pence', False)],
    'invoice_lines': [('unit_pence', False), ('net_pence', False), ('vat_pence', False)],
    'contribution_bands': [('annual_pence', False)],
    'bank_lines': [('amount_pence', False)],
    'card_refunds': [('amount_pence', False)],
    'payments': [('amount_pence', False), ('refunded_pence', False)],
    'allocations': [('amount_pence', False)],
    'refunds': [('amount_pence', False)],
}


def _alter(to, frm):
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, nullable in columns:
                batch_op.alter_column(name, existing_type=frm(), type_=to(), existing_nullable=nullable)


def upgrade():
    _alter(sa.BigInteger, sa.Integer)


def downgrade():
    _alter(sa.Integer, sa.BigInteger)
