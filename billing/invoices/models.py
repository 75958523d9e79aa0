"""Invoices and credit notes, their lines, and the gapless number sequences.

A document is a draft (no number, editable) until it is issued; from then on only its payment
status and sending time may change (see services.IMMUTABLE_AFTER_ISSUE). Everything the PDF
prints is stored on the row at issue, so it can be rendered again identically years later.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.money import VAT_CODE
from company.clock import utcnow
from company.errors import FieldError, IllegalMove
from company.extensions import db, string_enum
from company.states import Machine


class Kind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class Status(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PART_PAID = "part_paid"
    PAID = "paid"
    CREDITED = "credited"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour, the same on every page that shows an invoice's status."""
        return INVOICE_TAGS[self]


INVOICE_TAGS = {
    Status.DRAFT: "govuk-tag--grey",
    Status.ISSUED: "govuk-tag--blue",
    Status.PART_PAID: "govuk-tag--yellow",
    Status.PAID: "govuk-tag--green",
    Status.CREDITED: "govuk-tag--purple",
}


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        sa.UniqueConstraint("number", name="uq_invoices_number"),
        sa.UniqueConstraint("series", "sequence_no", name="uq_invoices_series_sequence_no"),
        # One annual contribution invoice per member and year, whatever happens to runs.
        sa.Index(
            "uq_invoices_contribution",
            "member_id",
            "year_start",
            unique=True,
            sqlite_where=sa.text("purpose = 'contribution' AND kind = 'invoice'"),
            postgresql_where=sa.text("purpose = 'contribution' AND kind = 'invoice'"),
        ),
        # Lists are newest first, a page at a time; credit control and aged debt read the open.
        sa.Index("ix_invoices_issue_date_id", "issue_date", "id"),
        sa.Index("ix_invoices_status", "status"),
        # Aged debt, the dashboard and credit control read only the invoices with a balance,
        # each from one of these alone: by council (aged debt), oldest due first (the others).
        sa.Index(
            "ix_invoices_balance_by_member",
            "member_id",
            "issue_date",
            "due_date",
            "balance_pence",
            sqlite_where=sa.text("balance_pence <> 0"),
            postgresql_where=sa.text("balance_pence <> 0"),
        ),
        sa.Index(
            "ix_invoices_with_balance",
            "due_date",
            "gross_pence",
            "balance_pence",
            "member_id",
            "issue_date",
            sqlite_where=sa.text("balance_pence <> 0"),
            postgresql_where=sa.text("balance_pence <> 0"),
        ),
        # Credit control lists the disputed.
        sa.Index(
            "ix_invoices_disputed",
            "disputed_at",
            sqlite_where=sa.text("disputed_at IS NOT NULL"),
            postgresql_where=sa.text("disputed_at IS NOT NULL"),
        ),
        sa.CheckConstraint("(number IS NULL) = (status = 'draft')", name="number_iff_issued"),
        sa.CheckConstraint("net_pence >= 0 AND vat_pence >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Optimistic lock: two runs issuing the same draft at once cannot both succeed.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    kind: Mapped[Kind] = mapped_column(string_enum(Kind, "document_kind", 12), default=Kind.INVOICE)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="adhoc")  # contribution, adhoc
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    year_start: Mapped[date | None] = mapped_column(index=True)  # financial year it belongs to
    status: Mapped[Status] = mapped_column(
        string_enum(Status, "invoice_status", 10), default=Status.DRAFT
    )
    held_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Numbering, allocated at issue only
    series: Mapped[str | None] = mapped_column(sa.String(20))
    sequence_no: Mapped[int | None]
    number: Mapped[str | None] = mapped_column(sa.String(30))
    issue_date: Mapped[date | None]  # also the tax point
    due_date: Mapped[date | None]
    # The customer as at issue
    customer_name: Mapped[str] = mapped_column(sa.String(200))
    customer_address: Mapped[str | None] = mapped_column(sa.Text)
    po_number: Mapped[str | None] = mapped_column(sa.String(50))
    supplier_number: Mapped[str | None] = mapped_column(sa.String(50))
    # Totals: sums of the lines
    net_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    vat_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    gross_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # What it still owes today (gross, less issued credit notes, less allocations; 0 for drafts
    # and credit notes), kept by billing.balances for reports (never set by hand).
    balance_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    # Extras: the order this invoice (or stage of it) is for
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    # Credit notes
    original_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # The seller's particulars and terms as at issue (JSON), so the PDF never reads live settings
    seller: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)  # rendered at issue
    sent_at: Mapped[datetime | None]
    # Credit control: a disputed invoice gets no reminders
    disputed_at: Mapped[datetime | None]
    dispute_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    member = relationship("Member")
    lines = relationship(
        "InvoiceLine",
        back_populates="invoice",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
        foreign_keys="InvoiceLine.invoice_id",
    )
    original = relationship("Invoice", remote_side=[id], foreign_keys=[original_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_credit_note(self) -> bool:
        return self.kind == Kind.CREDIT_NOTE

    @property
    def title(self) -> str:
        if self.status == Status.DRAFT:
            return "Draft credit note" if self.is_credit_note else "Draft invoice"
        return f"{'Credit note' if self.is_credit_note else 'Invoice'} {self.number}"


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), default=Decimal(1))
    unit_pence: Mapped[int] = mapped_column(sa.BigInteger)
    vat_code: Mapped[str] = mapped_column(VAT_CODE, default="S")
    vat_rate_bp: Mapped[int]
    net_pence: Mapped[int] = mapped_column(sa.BigInteger)
    vat_pence: Mapped[int] = mapped_column(sa.BigInteger)
    credits_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice_lines.id"))
    quote_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("quote_lines.id"))  # extras

    invoice = relationship(Invoice, back_populates="lines", foreign_keys=[invoice_id])

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence


class NumberSequence(db.Model):
    """The next number of each series ('INV-2026', 'CN-2026'). Incremented in the issuing
    transaction with UPDATE … RETURNING, which locks the row, so numbers are gapless."""

    __tablename__ = "number_sequences"

    series: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class InvoiceError(FieldError):
    """A refusal with a message for the person, optionally against a form field."""


class IllegalTransition(InvoiceError, IllegalMove):
    pass


# The only moves an invoice's status may make. Payments (and their reversals) move between
# issued, part-paid and paid; a full credit ends the invoice.
INVOICE = Machine(
    "An invoice",
    {
        Status.DRAFT: {Status.ISSUED},
        Status.ISSUED: {Status.PART_PAID, Status.PAID, Status.CREDITED},
        Status.PART_PAID: {Status.ISSUED, Status.PAID, Status.CREDITED},
        Status.PAID: {Status.PART_PAID, Status.ISSUED},
        Status.CREDITED: set(),
    },
    error=IllegalTransition,
)
