"""Aged debt as at any date: what each council owed, by how long overdue."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from billing import ledger
from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Allocation, Payment
from billing.reports.statements import utc_start
from company.extensions import db
from company.formats import pence_decimal
from company.members.models import Member

# Aged debt

BUCKETS = ["Current", "1 to 30 days", "31 to 60 days", "61 to 90 days", "Over 90 days"]


def bucket_of(days_overdue: int) -> int:
    if days_overdue <= 0:
        return 0
    if days_overdue <= 30:
        return 1
    if days_overdue <= 60:
        return 2
    if days_overdue <= 90:
        return 3
    return 4


@dataclass
class AgedRow:
    member_id: int
    member_name: str
    buckets: list[int]

    @property
    def total(self) -> int:
        return sum(self.buckets)


def owed_as_at(as_at: date):
    """(invoice, owed on `as_at`) for every invoice issued by then with something owed."""
    end = utc_start(as_at + timedelta(days=1))
    note = sa.orm.aliased(Invoice)
    credited = (
        sa.select(sum_pence(note.gross_pence))
        .where(
            note.original_id == Invoice.id,
            ledger.issued_credit_notes(note),
            note.issue_date <= as_at,
        )
        .scalar_subquery()
    )
    # Money counts from the day it was received; a reversal from the day it was recorded.
    paid = (
        sa.select(sum_pence(Allocation.amount_pence))
        .join(Payment, Allocation.payment_id == Payment.id)
        .where(
            Allocation.invoice_id == Invoice.id,
            sa.or_(
                sa.and_(Allocation.amount_pence > 0, Payment.received_on <= as_at),
                sa.and_(Allocation.amount_pence < 0, Allocation.created_at < end),
            ),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Invoice.id, Invoice.member_id, Invoice.due_date, Invoice.gross_pence - credited - paid
        ).where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status != Status.DRAFT,
            Invoice.issue_date <= as_at,
        )
    ).all()
    return [
        (invoice_id, member_id, due, int(left))
        for invoice_id, member_id, due, left in rows
        if left > 0
    ]


def aged_debt(as_at: date) -> tuple[list[AgedRow], list[int]]:
    names = dict(db.session.execute(sa.select(Member.id, Member.name)).all())
    by_member: dict[int, AgedRow] = {}
    for _, member_id, due, left in owed_as_at(as_at):
        row = by_member.setdefault(
            member_id, AgedRow(member_id, names[member_id], [0] * len(BUCKETS))
        )
        row.buckets[bucket_of((as_at - due).days)] += left
    rows = sorted(by_member.values(), key=lambda r: (-r.total, r.member_name))
    totals = [sum(r.buckets[i] for r in rows) for i in range(len(BUCKETS))]
    return rows, totals


def aged_debt_csv(as_at: date) -> str:
    rows, totals = aged_debt(as_at)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Member council", *BUCKETS, "Total"])
    for r in rows:
        writer.writerow(
            [r.member_name, *(pence_decimal(p) for p in r.buckets), pence_decimal(r.total)]
        )
    writer.writerow(["Total", *(pence_decimal(p) for p in totals), pence_decimal(sum(totals))])
    return out.getvalue()
