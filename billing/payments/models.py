"""Payments and their allocations to invoices: never deleted, reversed with a reason."""

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
        # Aged debt and the dashboard read only the payments with money on account.
        sa.Index(
            "ix_payments_with_credit",
            "received_on",
            sqlite_where=sa.text("left_pence <> 0"),
            postgresql_where=sa.text("left_pence <> 0"),
        ),
        # and the few reversed since a date (partial: most payments are never reversed)
        sa.Index(
            "ix_payments_reversed_at",
            "reversed_at",
            sqlite_where=sa.text("reversed_at IS NOT NULL"),
            postgresql_where=sa.text("reversed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
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
    refunded_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # What it leaves on account today, kept by billing.balances (never set by hand).
    left_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

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
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocations.id"), unique=True)
    # The UK day it counts from: the day the money arrived for an allocation made with its
    # payment, otherwise the day it was made (credit allocated later, a reversal). Aged debt
    # and statements as at a past date read this, so moving money between invoices later never
    # changes what was owed before.
    effective_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    payment = relationship(Payment, back_populates="allocations")
    invoice = relationship("Invoice")


class Refund(db.Model):
    """Money paid back to a council out of a payment, on the day it went back. Never deleted;
    `Payment.refunded_pence` is their running total, updated in the same transaction."""

    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_on: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    payment = relationship(Payment)
