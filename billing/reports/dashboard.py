"""The finance dashboard: owed, overdue, collected, month by month."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from billing import balances
from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Payment
from billing.reports.aged_debt import owed_at_each
from company.clock import add_months, financial_year_start, month_of, uk_today
from company.extensions import db

# Dashboard


@dataclass
class MonthFigure:
    month: date
    invoiced: int
    collected: int
    owed_at_end: int


def dashboard(today: date | None = None, year_start_month: int = 4) -> dict:
    today = today or uk_today()
    fy = financial_year_start(today, year_start_month)
    # Only issued invoices have a balance. The issue date is tested in the sums, not the WHERE,
    # so that SQLite reads the partial index of invoices with a balance, not every invoice.
    issued = Invoice.issue_date <= today
    owed_total, overdue_total = db.session.execute(
        sa.select(
            sum_pence(sa.case((issued, Invoice.balance_pence), else_=0)),
            sum_pence(
                sa.case((sa.and_(issued, Invoice.due_date < today), Invoice.balance_pence), else_=0)
            ),
        ).where(balances.invoice_owes())
    ).one()
    last = add_months(month_of(today), 1) - timedelta(days=1)
    invoiced_on = dict(
        db.session.execute(
            sa.select(Invoice.issue_date, sum_pence(Invoice.gross_pence))
            .where(
                Invoice.kind == Kind.INVOICE,
                Invoice.status != Status.DRAFT,
                Invoice.issue_date >= fy,
                Invoice.issue_date <= last,
            )
            .group_by(Invoice.issue_date)
        ).all()
    )
    collected_on = dict(
        db.session.execute(
            sa.select(Payment.received_on, sum_pence(Payment.amount_pence - Payment.refunded_pence))
            .where(
                Payment.received_on >= fy,
                Payment.received_on <= last,
                Payment.reversed_at.is_(None),
            )
            .group_by(Payment.received_on)
        ).all()
    )
    starts = []
    month = fy
    while month <= month_of(today):
        starts.append(month)
        month = add_months(month, 1)
    ends = {m: min(add_months(m, 1) - timedelta(days=1), today) for m in starts}
    owed_at = owed_at_each(list(ends.values()))
    months = []
    for month in starts:
        end = ends[month]
        invoiced = sum(p for day, p in invoiced_on.items() if month <= day <= end)
        got = sum(p for day, p in collected_on.items() if month <= day <= end)
        months.append(MonthFigure(month, invoiced, got, owed_at[end]))
    collected = sum(p for day, p in collected_on.items() if day <= today)
    return {
        "owed": owed_total,
        "overdue": overdue_total,
        "collected": collected,
        "year_start": fy,
        "months": months,
    }
