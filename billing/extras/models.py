"""Extras the company sells beside the annual contribution: a catalogue, orders (which start as
a council's request or a quote from finance), versioned quotes, and invoicing by the order's rule."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing.money import VAT_CODE
from company.clock import uk_date, utcnow
from company.extensions import db, string_enum


class Pricing(StrEnum):
    FIXED = "fixed"
    DAY_RATE = "day_rate"
    ON_QUOTE = "on_quote"


class InvoiceRule(StrEnum):
    ON_ACCEPTANCE = "on_acceptance"
    ON_DELIVERY = "on_delivery"
    STAGED = "staged"  # stage_percent on acceptance, the rest on delivery


class OrderStatus(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour, the same for finance and the council."""
        return ORDER_TAGS[self]


ORDER_TAGS = {
    OrderStatus.REQUESTED: "govuk-tag--light-blue",
    OrderStatus.QUOTED: "govuk-tag--blue",
    OrderStatus.ACCEPTED: "govuk-tag--turquoise",
    OrderStatus.IN_PROGRESS: "govuk-tag--yellow",
    OrderStatus.DELIVERED: "govuk-tag--green",
    OrderStatus.INVOICED: "govuk-tag--green",
    OrderStatus.DECLINED: "govuk-tag--grey",
    OrderStatus.CANCELLED: "govuk-tag--red",
}


class Extra(db.Model):
    __tablename__ = "extras"
    __table_args__ = (
        sa.CheckConstraint("price_pence IS NULL OR price_pence >= 0", name="price_not_negative"),
        sa.CheckConstraint(
            "stage_percent IS NULL OR (stage_percent > 0 AND stage_percent < 100)",
            name="stage_percent_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text)
    pricing: Mapped[Pricing] = mapped_column(string_enum(Pricing, "extra_pricing", 10))
    # the fixed price, or the day rate; None when on quote
    price_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    default_days: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    vat_code: Mapped[str] = mapped_column(VAT_CODE, default="S")
    invoice_rule: Mapped[InvoiceRule] = mapped_column(
        string_enum(InvoiceRule, "extra_invoice_rule", 14)
    )
    stage_percent: Mapped[int | None]  # for staged invoicing: the share invoiced on acceptance
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    extra_id: Mapped[int | None] = mapped_column(sa.ForeignKey("extras.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    request: Mapped[str | None] = mapped_column(sa.Text)  # what the council asked for
    status: Mapped[OrderStatus] = mapped_column(
        string_enum(OrderStatus, "order_status", 12), default=OrderStatus.REQUESTED
    )
    po_number: Mapped[str | None] = mapped_column(sa.String(50))
    invoice_rule: Mapped[InvoiceRule | None] = mapped_column(
        string_enum(InvoiceRule, "order_invoice_rule", 14)
    )
    stage_percent: Mapped[int | None]
    accepted_quote_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("quotes.id", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    member = relationship("Member")
    extra = relationship(Extra)
    quotes = relationship(
        "Quote", back_populates="order", order_by="Quote.version", foreign_keys="Quote.order_id"
    )
    accepted_quote = relationship("Quote", foreign_keys=[accepted_quote_id], post_update=True)


class Quote(db.Model):
    """One version of a quote. Revising makes a new version; old versions stay, superseded."""

    __tablename__ = "quotes"
    __table_args__ = (sa.UniqueConstraint("number", "version", name="uq_quotes_number_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(30))  # Q-2026-00001, the same for every version
    version: Mapped[int] = mapped_column(default=1)
    valid_until: Mapped[date]
    terms: Mapped[str | None] = mapped_column(sa.Text)
    net_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    vat_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    superseded: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship(Order, back_populates="quotes", foreign_keys=[order_id])
    lines = relationship(
        "QuoteLine",
        back_populates="quote",
        order_by="QuoteLine.position",
        cascade="all, delete-orphan",
    )

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence

    @property
    def reference(self) -> str:
        return self.number if self.version == 1 else f"{self.number} v{self.version}"

    @property
    def issued_on(self) -> date:
        """The date the quote shows: the UK day it was sent, or made if not yet sent."""
        return uk_date(self.sent_at or self.created_at)


class QuoteLine(db.Model):
    __tablename__ = "quote_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(sa.ForeignKey("quotes.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    extra_id: Mapped[int | None] = mapped_column(sa.ForeignKey("extras.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    unit_pence: Mapped[int] = mapped_column(sa.BigInteger)
    vat_code: Mapped[str] = mapped_column(VAT_CODE, default="S")
    net_pence: Mapped[int] = mapped_column(sa.BigInteger)
    vat_pence: Mapped[int] = mapped_column(sa.BigInteger)

    quote = relationship(Quote, back_populates="lines")
