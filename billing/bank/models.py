"""Bank statement imports, their lines and the remembered column mapping."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from company.clock import utcnow
from company.extensions import db
from company.jobs.progress import Progress


class BankImport(Progress, db.Model):
    """A statement uploaded: its lines are added in the upload request (all or nothing), then
    matched by a job whose progress the results page shows (see company.jobs.progress)."""

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
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
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
