"""Held drafts: invoices waiting for the purchase order number their council requires.

A one-off invoice (ad hoc, or for an extra) is held when finance issues it and the council's PO
is missing; a contribution draft is held from the moment the annual run drafts it. When the
council enters the PO in its portal, `enter_po` saves it and issues the invoice there and then
(numbered, stored PDF, emailed through the outbox as issuing always is) if finance had already
asked for it to be issued: always for a one-off invoice; for a contribution, once the year's
contributions have been issued. Otherwise the draft waits for the run. If issuing is refused
(the company's settings are incomplete, say) the PO is kept and the draft is left for finance.
Either way finance is emailed.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template

from billing.invoices import services
from billing.invoices.models import Invoice, InvoiceError, Kind, Status
from company import outbox
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from company.links import external_url

CONTRIBUTION = "contribution"
ISSUED, WAITING, FOR_FINANCE, SAVED = "issued", "waiting", "for_finance", "saved"


@dataclass
class Released:
    outcome: str  # ISSUED, WAITING (for the annual run), FOR_FINANCE (issue refused), SAVED
    invoice: Invoice
    refusal: str | None = None

    @property
    def message(self) -> str:
        """What the council is told."""
        if self.outcome == ISSUED:
            return (
                f"Thank you. The purchase order number is saved and invoice "
                f"{self.invoice.number} has been issued and emailed to your finance contact."
            )
        if self.outcome == WAITING:
            return (
                "Thank you. The purchase order number is saved. The invoice will be issued "
                "with this year's contribution invoices."
            )
        if self.outcome == FOR_FINANCE:
            return (
                "Thank you. The purchase order number is saved. Our finance team has been told "
                "and will issue the invoice."
            )
        return "Thank you. The purchase order number is saved."


def held_drafts() -> list[Invoice]:
    """Drafts held for want of a purchase order number, oldest first (credit control lists them)."""
    return db.session.scalars(
        sa.select(Invoice)
        .options(sa.orm.joinedload(Invoice.member))
        .where(
            Invoice.status == Status.DRAFT,
            Invoice.kind == Kind.INVOICE,
            Invoice.held_reason.is_not(None),
        )
        .order_by(Invoice.created_at, Invoice.id)
    ).all()


def issue_asked_for(invoice: Invoice) -> bool:
    """Whether finance has already asked for this draft to be issued: a one-off invoice is held
    only when finance issues it; a contribution draft once its year's run has issued."""
    if invoice.purpose != CONTRIBUTION:
        return True
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Invoice)
            .where(
                Invoice.purpose == CONTRIBUTION,
                Invoice.kind == Kind.INVOICE,
                Invoice.year_start == invoice.year_start,
                Invoice.status != Status.DRAFT,
            )
        )
    )


def enter_po(invoice: Invoice, po_number: str, actor) -> Released:
    """The council enters the PO on its held draft (refusals are FieldErrors, nothing saved)."""
    was_held = invoice.held_reason is not None
    services.set_po_number(invoice, po_number, actor)  # commits the PO and clears the hold
    if not was_held:
        return Released(SAVED, invoice)
    if not issue_asked_for(invoice):
        _tell_finance(invoice, WAITING)
        db.session.commit()
        return Released(WAITING, invoice)
    try:
        services.issue(invoice, None, commit=False)  # issued by the system, not the council
    except InvoiceError as exc:
        db.session.rollback()
        invoice = db.session.get(Invoice, invoice.id)
        if invoice.status != Status.DRAFT:  # finance issued it at the same moment
            return Released(ISSUED, invoice)
        _tell_finance(invoice, FOR_FINANCE, str(exc))
        db.session.commit()
        return Released(FOR_FINANCE, invoice, str(exc))
    _tell_finance(invoice, ISSUED)
    db.session.commit()
    return Released(ISSUED, invoice)


def finance_addresses() -> list[str]:
    """Who finance is: the active finance users (the company's admins when there are none)."""
    for role in (Role.FINANCE, Role.ADMIN):
        emails = db.session.scalars(
            sa.select(User.email).where(User.role == role, User.active).order_by(User.email)
        ).all()
        if emails:
            return list(emails)
    return []


def _tell_finance(invoice: Invoice, outcome: str, refusal: str | None = None) -> None:
    subjects = {
        ISSUED: f"Invoice {invoice.number} issued: {invoice.member.name} entered its PO number",
        WAITING: f"{invoice.member.name} entered the PO number for its held contribution invoice",
        FOR_FINANCE: f"Issue the held invoice for {invoice.member.name}: its PO number is entered",
    }
    body = render_template(
        "emails/held_invoice_released.txt",
        invoice=invoice,
        outcome=outcome,
        refusal=refusal,
        link=external_url("invoices.show_invoice", invoice_id=invoice.id),
    )
    for to in finance_addresses():
        outbox.queue(to, subjects[outcome], body)
