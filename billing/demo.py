"""Demo billing: company particulars, last year's contributions issued (one credited) and mostly
paid, this year's schedule copied with an uplift (waiting for the board's approval and the
annual run), the extras catalogue, and a one-off invoice held for a council's PO number."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from billing import ledger
from billing.contributions import services as contributions
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, InvoiceError
from company.clock import financial_year_start, uk_today
from company.extensions import db
from company.settings import services as settings


def seed() -> None:
    row = settings.current()
    row.legal_name = current_app.config["COMPANY_NAME"]
    row.company_number = "15234567"
    row.registered_office = "Hove Town Hall\nNorton Road\nHove\nBN3 3BQ"
    row.vat_number = "980780684"
    row.bank_account_name = current_app.config["COMPANY_NAME"]
    row.bank_sort_code = "309950"
    row.bank_account_number = "00733445"
    db.session.commit()

    this_year = financial_year_start(uk_today(), row.year_start_month)
    last_year = date(this_year.year - 1, this_year.month, 1)
    schedule = contributions.create_schedule(last_year, "demo")
    contributions.approve_schedule(
        schedule, last_year - timedelta(days=20), f"BR-{last_year.year}-002", "demo"
    )
    contributions.create_drafts(last_year, "demo")
    for draft in db.session.scalars(sa.select(Invoice).where(Invoice.held_reason.is_not(None))):
        invoices.set_po_number(draft, f"PO{4500000000 + draft.member_id}", "demo")
    for draft in db.session.scalars(
        sa.select(Invoice).where(Invoice.year_start == last_year).order_by(Invoice.id)
    ):
        invoices.issue(draft, "demo", issue_date=last_year + timedelta(days=14), send=False)
    first = db.session.scalar(sa.select(Invoice).order_by(Invoice.id))
    invoices.credit(
        first,
        "Band corrected by the board",
        "demo",
        amount_pence=10000,
        issue_date=last_year + timedelta(days=40),
    )
    contributions.copy_schedule(schedule, this_year, Decimal("3"), "demo")

    # Most councils paid last year's invoice by bank transfer; one paid half; two have not paid.
    from billing.payments import services as payments

    issued = db.session.scalars(
        sa.select(Invoice).where(Invoice.kind == "invoice").order_by(Invoice.id)
    ).all()
    for i, invoice in enumerate(issued):
        left = ledger.owed(invoice)
        if i >= len(issued) - 2 or left <= 0:
            continue
        amount = left // 2 if i == 1 else left
        paid_on = min(invoice.due_date + timedelta(days=3 * i - 10), uk_today())
        payments.record_payment(
            invoice.member,
            amount,
            paid_on,
            "bank_transfer",
            f"{invoice.number} {invoice.member.name[:18].upper()}",
            "demo",
        )

    # The catalogue of extras councils can request from the portal.
    from billing.extras import services as extras
    from billing.extras.models import InvoiceRule, Pricing

    for name, description, pricing, price, rule, stage in [
        ("Data migration", "Move your records from your legacy system", Pricing.DAY_RATE, 60000, InvoiceRule.STAGED, 50),
        ("Custom feature", "A feature built for your council's needs", Pricing.ON_QUOTE, None, InvoiceRule.ON_DELIVERY, None),
        ("Training day", "A day's training for up to 12 of your staff", Pricing.FIXED, 90000, InvoiceRule.ON_DELIVERY, None),
        ("Extra support days", "Hands-on support beyond your membership", Pricing.DAY_RATE, 45000, InvoiceRule.ON_DELIVERY, None),
    ]:  # fmt: skip
        extras.save_extra(
            {"name": name, "description": description, "pricing": pricing, "price_pence": price,
             "vat_code": "S", "invoice_rule": rule, "stage_percent": stage},
            "demo",
        )  # fmt: skip

    # A one-off invoice to a council that needs PO numbers, held until the council enters one in
    # its portal (which issues it) or finance does.
    from company.members.models import Member

    needs_po = db.session.scalar(
        sa.select(Member).where(Member.po_required.is_(True)).order_by(Member.name)
    )
    if needs_po is not None:
        held = invoices.new_draft(
            needs_po, "demo", notes="Support beyond the membership, agreed by email"
        )
        invoices.add_line(held, "Extra support days: 2 days", 45000, Decimal(2), "S")
        db.session.flush()
        try:
            invoices.issue(held, "demo")
        except InvoiceError:
            db.session.commit()  # held, with its reason, as when finance issues it
