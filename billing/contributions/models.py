"""Contribution schedules: per financial year, bands with an annual amount and VAT treatment."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.money import VAT_CODE
from company.clock import utcnow
from company.extensions import db
from company.jobs.progress import Progress


class ContributionSchedule(db.Model):
    __tablename__ = "contribution_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_start: Mapped[date] = mapped_column(unique=True)
    approved_on: Mapped[date | None]
    approval_resolution: Mapped[str | None] = mapped_column(sa.String(100))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contribution_schedules.id"))
    uplift_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bands = relationship(
        "ContributionBand",
        back_populates="schedule",
        order_by="ContributionBand.position",
        cascade="all, delete-orphan",
    )

    @property
    def approved(self) -> bool:
        return self.approved_on is not None


class ContributionBand(db.Model):
    __tablename__ = "contribution_bands"
    __table_args__ = (
        sa.UniqueConstraint("schedule_id", "code", name="uq_contribution_bands_schedule_code"),
        sa.CheckConstraint("annual_pence >= 0", name="annual_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("contribution_schedules.id"))
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(120))
    annual_pence: Mapped[int] = mapped_column(sa.BigInteger)
    vat_code: Mapped[str] = mapped_column(VAT_CODE, default="S")

    schedule = relationship(ContributionSchedule, back_populates="bands")


class ContributionRun(Progress, db.Model):
    """Progress of an annual run (drafts or issue) started from the web, for its progress page:
    queued, running, done, failed, or stopped (see company.jobs.progress)."""

    __tablename__ = "billing_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_start: Mapped[date]
    stage: Mapped[str] = mapped_column(sa.String(10))  # drafts, issue
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
