"""A council's statement of account: every dated movement, with running balance."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from billing.invoices.models import Invoice, Kind, Status
from billing.payments.models import Payment, Refund
from company.clock import LONDON
from company.extensions import db
from company.members.models import Member


def utc_start(day: date) -> datetime:
    """The first instant of a UK day, as the naive UTC the database stores."""
    return datetime.combine(day, time.min, LONDON).astimezone(UTC).replace(tzinfo=None)


def _uk_date(stored: datetime) -> date:
    return stored.replace(tzinfo=UTC).astimezone(LONDON).date()


# Statements


@dataclass
class Entry:
    on: date
    kind: str  # Invoice, Credit note, Payment, Payment reversed
    reference: str
    debit: int = 0  # increases what is owed
    credit: int = 0  # reduces it
    balance: int = 0


@dataclass
class Statement:
    member: Member
    start: date
    end: date
    opening: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.entries[-1].balance if self.entries else self.opening


def _payment_label(payment: Payment) -> str:
    reference = payment.reference
    return f"{payment.method_label}{': ' + reference if reference else ''}"


def reversed_on(payment: Payment) -> date | None:
    """The UK day a payment was reversed, when it was."""
    return _uk_date(payment.reversed_at) if payment.reversed_at is not None else None


def refunds_between(start: date, end: date) -> list[tuple["Refund", Payment]]:
    """Refunds made between `start` and `end`, each with its payment (and member)."""
    return db.session.execute(
        sa.select(Refund, Payment)
        .join(Payment, Refund.payment_id == Payment.id)
        .options(sa.orm.joinedload(Payment.member))
        .where(Refund.refunded_on.between(start, end))
        .order_by(Refund.refunded_on, Refund.id)
    ).all()


def payments_moving(start: date, end: date) -> list[Payment]:
    """Payments received, or reversed, between `start` and `end` (UK days), with their member."""
    return db.session.scalars(
        sa.select(Payment)
        .options(sa.orm.joinedload(Payment.member))
        .where(
            sa.or_(
                Payment.received_on.between(start, end),
                sa.and_(
                    Payment.reversed_at >= utc_start(start),
                    Payment.reversed_at < utc_start(end + timedelta(days=1)),
                ),
            )
        )
        .order_by(Payment.received_on, Payment.id)
    ).all()


def _entries(member_id: int, until: date, since: date | None = None) -> list[Entry]:
    entries = []
    docs = sa.select(Invoice).where(
        Invoice.member_id == member_id, Invoice.status != Status.DRAFT, Invoice.issue_date <= until
    )
    if since:
        docs = docs.where(Invoice.issue_date >= since)
    for inv in db.session.scalars(docs):
        if inv.kind == Kind.INVOICE:
            entries.append(Entry(inv.issue_date, "Invoice", inv.number, debit=inv.gross_pence))
        else:
            entries.append(Entry(inv.issue_date, "Credit note", inv.number, credit=inv.gross_pence))
    pays = sa.select(Payment).where(Payment.member_id == member_id, Payment.received_on <= until)
    for p in db.session.scalars(pays):
        label = _payment_label(p)
        if since is None or p.received_on >= since:
            entries.append(Entry(p.received_on, "Payment", label, credit=p.amount_pence))
        if p.reversed_at is not None:
            on = reversed_on(p)
            if on <= until and (since is None or on >= since):
                entries.append(
                    Entry(
                        on,
                        "Payment reversed",
                        f"{label} ({p.reversal_reason})",
                        debit=p.amount_pence,
                    )
                )
    refunds = (
        sa.select(Refund, Payment)
        .join(Payment, Refund.payment_id == Payment.id)
        .where(Payment.member_id == member_id, Refund.refunded_on <= until)
    )
    if since:
        refunds = refunds.where(Refund.refunded_on >= since)
    for refund, p in db.session.execute(refunds).all():
        label = _payment_label(p)
        entries.append(Entry(refund.refunded_on, "Refund", label, debit=refund.amount_pence))
    order = {"Invoice": 0, "Credit note": 1, "Payment": 2, "Refund": 3, "Payment reversed": 4}
    return sorted(entries, key=lambda e: (e.on, order[e.kind], e.reference))


def statement(member: Member, start: date, end: date) -> Statement:
    if end < start:
        raise ValueError("The end of the period must be on or after its start")
    before = _entries(member.id, start - timedelta(days=1))
    opening = sum(e.debit - e.credit for e in before)
    result = Statement(member, start, end, opening)
    balance = opening
    for entry in _entries(member.id, end, since=start):
        balance += entry.debit - entry.credit
        entry.balance = balance
        result.entries.append(entry)
    return result
