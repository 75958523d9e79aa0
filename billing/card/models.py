"""Stripe webhook events, each stored once; card refunds, each stored before Stripe is asked."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from company.clock import utcnow
from company.extensions import db


class StripeEvent(db.Model):
    """Every webhook event id once: a replayed or duplicated event changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(200))


class CardRefund(db.Model):
    """One intended card refund, stored (with its idempotency key) before Stripe is asked, so
    the money Stripe gives back is always booked: a request that dies after asking is finished
    later with the same key (Stripe answers with the same refund), and requests made at once
    each see the others' amounts while they are pending."""

    __tablename__ = "card_refunds"
    __table_args__ = (
        sa.CheckConstraint("amount_pence > 0", name="amount_positive"),
        sa.CheckConstraint("state IN ('pending', 'done', 'failed')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.Text)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(100))
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    payment = relationship("Payment")
