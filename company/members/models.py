"""The member council: one record that is billing account, portal organisation and register entry."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from company.clock import utcnow
from company.extensions import db, string_enum


class Member(db.Model):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    gss_code: Mapped[str | None] = mapped_column(sa.String(9), unique=True)  # None: other body
    body_type: Mapped[str] = mapped_column(sa.String(80))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    nation: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.Text)  # for the register of members
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_role: Mapped[str | None] = mapped_column(sa.String(120))
    founding: Mapped[bool] = mapped_column(default=False)
    approved_on: Mapped[date]
    approval_resolution: Mapped[str] = mapped_column(sa.String(100))
    proposed_joining_on: Mapped[date | None]
    # Onboarding checklist
    agreement_signed_on: Mapped[date | None]
    invoice_address: Mapped[str | None] = mapped_column(sa.Text)
    finance_email: Mapped[str | None] = mapped_column(sa.String(254))
    po_required: Mapped[bool | None]  # None: not yet answered
    supplier_number: Mapped[str | None] = mapped_column(sa.String(50))
    # Contribution band code; None means the default for its type (billing.contributions)
    contribution_band: Mapped[str | None] = mapped_column(sa.String(30))
    # Membership (the register of members reads these, never a copy)
    joined_on: Mapped[date | None]
    notice_given_on: Mapped[date | None]
    ceased_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users = relationship("User", back_populates="member", order_by="User.name")

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.name}>"


class ApplicationStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"


class Application(db.Model):
    """A request to join, from the public form. Approval creates the Member."""

    __tablename__ = "applications"
    __table_args__ = (
        # One open application per council on the official list.
        sa.Index(
            "uq_applications_open_gss",
            "gss_code",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gss_code: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    body_type: Mapped[str] = mapped_column(sa.String(80))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    nation: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.Text)
    contact_name: Mapped[str] = mapped_column(sa.String(120))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_role: Mapped[str] = mapped_column(sa.String(120))
    proposed_start: Mapped[date]
    status: Mapped[ApplicationStatus] = mapped_column(
        string_enum(ApplicationStatus, "application_status", 10),
        default=ApplicationStatus.OPEN,
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"))

    member = relationship(Member)
    decided_by = relationship("User")
