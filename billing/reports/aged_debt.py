"""Aged debt as at any date: what each council owed, by how long overdue."""

import io
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from billing import ledger
from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Allocation, Payment, Refund
from billing.reports.statements import utc_start
from company import csvfile
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
    credit: int = 0  # money received and not set against an invoice, netted off the total

    @property
    def total(self) -> int:
        return sum(self.buckets) - self.credit


def owed_as_at(as_at: date):
    """(invoice, member, due, owed on `as_at`) for every invoice issued by then with a balance.
    A balance below zero is money set against the invoice, on a payment recorded later but
    dated earlier, beyond what it then owed: on that day it was credit on account."""
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
    # Each allocation, and each reversal of one, counts from the day it takes effect.
    paid = (
        sa.select(sum_pence(Allocation.amount_pence))
        .where(Allocation.invoice_id == Invoice.id, Allocation.effective_on <= as_at)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Invoice.id, Invoice.member_id, Invoice.due_date, Invoice.gross_pence - credited - paid
        ).where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status != Status.DRAFT,
            Invoice.issue_date <= as_at,
            Invoice.id.in_(_may_owe_on(as_at)),
        )
    ).all()
    return [
        (invoice_id, member_id, due, int(left))
        for invoice_id, member_id, due, left in rows
        if left != 0
    ]


def owed_at_each(days: list[date]) -> dict[date, int]:
    """What was owed (balances above zero, as `owed_as_at`) at the end of each of `days`, in
    three queries for them all rather than a pass over the ledger for each: the invoices that
    may owe on the earliest day, then their credit notes and allocations, dated, added up here."""
    if not days:
        return {}
    first = min(days)
    ids = (
        sa.select(Invoice.id)
        .where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status != Status.DRAFT,
            Invoice.issue_date <= max(days),
            Invoice.id.in_(_may_owe_on(first)),
        )
        .scalar_subquery()
    )
    invoices = db.session.execute(
        sa.select(Invoice.id, Invoice.issue_date, Invoice.gross_pence).where(Invoice.id.in_(ids))
    ).all()
    moves: dict[int, list[tuple[date, int]]] = {}
    note = sa.orm.aliased(Invoice)
    for invoice_id, on, pence in db.session.execute(
        sa.select(note.original_id, note.issue_date, note.gross_pence).where(
            note.original_id.in_(ids), ledger.issued_credit_notes(note)
        )
    ):
        moves.setdefault(invoice_id, []).append((on, pence))
    for invoice_id, on, pence in db.session.execute(
        sa.select(Allocation.invoice_id, Allocation.effective_on, Allocation.amount_pence).where(
            Allocation.invoice_id.in_(ids)
        )
    ):
        moves.setdefault(invoice_id, []).append((on, pence))
    totals = dict.fromkeys(days, 0)
    for invoice_id, issued, gross in invoices:
        own = moves.get(invoice_id, ())
        for day in days:
            if issued <= day:
                left = gross - sum(p for on, p in own if on <= day)
                totals[day] += max(left, 0)
    return totals


def _may_owe_on(as_at: date):
    """The ids of the invoices that can have a balance on `as_at`, so that a book of 100,000
    invoices, nearly all long settled, is not summed row by row: those still open today, those
    with a credit note (which can take a settled one below zero), and those with money that
    took effect after `as_at`. Any other invoice is settled today by allocations that had all
    taken effect by `as_at`, and allocations never exceed what is owed (`payments.allocate`
    refuses more), so on `as_at` it owed what it owes today: nothing."""
    note = sa.orm.aliased(Invoice)
    return sa.union(
        sa.select(Invoice.id).where(Invoice.status.in_(ledger.OPEN)),
        sa.select(note.original_id).where(note.original_id.is_not(None)),
        sa.select(Allocation.invoice_id).where(Allocation.effective_on > as_at),
    )


def credit_as_at(as_at: date) -> dict[int, int]:
    """Each council's money on account on `as_at`: received by then, less refunds, less what was
    set against invoices by then; a payment reversed by then counts only what was refunded from
    it (the statement's movements, so the two always agree)."""
    reversed_by = Payment.reversed_at < utc_start(as_at + timedelta(days=1))
    set_against = (
        sa.select(sum_pence(Allocation.amount_pence))
        .where(Allocation.payment_id == Payment.id, Allocation.effective_on <= as_at)
        .scalar_subquery()
    )
    refunded = (
        sa.select(sum_pence(Refund.amount_pence))
        .where(Refund.payment_id == Payment.id, Refund.refunded_on <= as_at)
        .scalar_subquery()
    )
    left = (
        Payment.amount_pence
        - refunded
        - sa.case((reversed_by, Payment.amount_pence), else_=0)
        - set_against
    )
    rows = db.session.execute(
        sa.select(Payment.member_id, sum_pence(left))
        .where(Payment.received_on <= as_at)
        .group_by(Payment.member_id)
    ).all()
    return {member_id: int(pence) for member_id, pence in rows if pence}


def aged_debt(as_at: date) -> tuple[list[AgedRow], list[int]]:
    """Each council's debt on `as_at` by age, with its money on account netted off the total:
    the total is the statement's balance on that day."""
    names = dict(db.session.execute(sa.select(Member.id, Member.name)).all())
    by_member: dict[int, AgedRow] = {}

    def row_of(member_id: int) -> AgedRow:
        return by_member.setdefault(
            member_id, AgedRow(member_id, names[member_id], [0] * len(BUCKETS))
        )

    for member_id, credit in credit_as_at(as_at).items():
        row_of(member_id).credit = credit
    for _, member_id, due, left in owed_as_at(as_at):
        if left > 0:
            row_of(member_id).buckets[bucket_of((as_at - due).days)] += left
        else:
            row_of(member_id).credit -= left
    rows = sorted(by_member.values(), key=lambda r: (-r.total, r.member_name))
    totals = [sum(r.buckets[i] for r in rows) for i in range(len(BUCKETS))]
    return rows, totals


def aged_debt_csv(as_at: date) -> str:
    rows, totals = aged_debt(as_at)
    out = io.StringIO()
    writer = csvfile.writer(out)
    credit = sum(r.credit for r in rows)
    writer.writerow(["Member council", *BUCKETS, "Credit on account", "Total"])
    for r in rows:
        writer.writerow(
            [
                r.member_name,
                *(pence_decimal(p) for p in r.buckets),
                pence_decimal(-r.credit),
                pence_decimal(r.total),
            ]
        )
    writer.writerow(
        [
            "Total",
            *(pence_decimal(p) for p in totals),
            pence_decimal(-credit),
            pence_decimal(sum(totals) - credit),
        ]
    )
    return out.getvalue()
