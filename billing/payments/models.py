"""Money received: payments, their allocations to invoices, bank statement lines, card payment
events, and credit-control reminders. Nothing here is ever deleted: corrections are recorded
reversals (an allocation of the opposite sign, a payment marked reversed with a reason)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from company.clock import utcnow
from company.extensions import db

METHODS = ("bank_transfer", "card", "cheque", "other")
METHOD_LABELS = {
    "bank_transfer": "Bank transfer",
    "card": "Card",
    "cheque": "Cheque",
    "other": "Other",
}


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint("amount_pence > 0", name="amount_positive"),
        sa.CheckConstraint(
            "method IN ('bank_transfer', 'card', 'cheque', 'other')", name="method_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    amount_pence: Mapped[int]
    received_on: Mapped[date] = mapped_column(index=True)
    method: Mapped[str] = mapped_column(sa.String(20))
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    bank_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank_lines.id"), unique=True)
    stripe_payment_intent: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reversal_reason: Mapped[str | None] = mapped_column(sa.Text)
    refunded_pence: Mapped[int] = mapped_column(default=0)

    member = relationship("Member")
    allocations = relationship("Allocation", back_populates="payment", order_by="Allocation.id")

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]


class Allocation(db.Model):
    """Part of a payment set against an invoice. Append-only: a reversal is a row of the
    opposite sign pointing at the row it reverses."""

    __tablename__ = "allocations"
    __table_args__ = (sa.CheckConstraint("amount_pence <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    amount_pence: Mapped[int]
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocations.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    payment = relationship(Payment, back_populates="allocations")
    invoice = relationship("Invoice")


class BankImport(db.Model):
    __tablename__ = "bank_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lines_read: Mapped[int] = mapped_column(default=0)
    lines_added: Mapped[int] = mapped_column(default=0)


class BankLine(db.Model):
    """One line of money in from a bank statement. The fingerprint (date, amount, description
    and its occurrence on that day) makes importing the same or an overlapping file harmless."""

    __tablename__ = "bank_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("bank_imports.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    booked_on: Mapped[date]
    description: Mapped[str] = mapped_column(sa.Text)
    amount_pence: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(12), default="unmatched")  # matched, ignored
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))


class BankMapping(db.Model):
    """The remembered column mapping for statement CSVs (one row)."""

    __tablename__ = "bank_mappings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    date_column: Mapped[str] = mapped_column(sa.String(60), default="Date")
    description_column: Mapped[str] = mapped_column(sa.String(60), default="Description")
    amount_column: Mapped[str | None] = mapped_column(sa.String(60), default="Amount")
    paid_in_column: Mapped[str | None] = mapped_column(sa.String(60))
    paid_out_column: Mapped[str | None] = mapped_column(sa.String(60))


class StripeEvent(db.Model):
    """Every webhook event id once: a replayed or duplicated event changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(200))


class Reminder(db.Model):
    """A credit-control reminder sent, or skipped with a reason: at most one per stage."""

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "stage", name="uq_reminders_invoice_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    stage: Mapped[int]  # days relative to the due date: -7, 0, 14, 30
    decided_on: Mapped[date]
    sent: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text)
