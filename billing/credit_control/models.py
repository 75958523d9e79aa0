"""Payment reminders: one row per invoice and stage, decided once."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from company.extensions import db


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
