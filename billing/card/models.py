"""Stripe webhook events, each stored once."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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
