"""Exports for the accounts: Xero's sales invoice import and a double-entry journal."""

import csv
import io
from datetime import date

import sqlalchemy as sa

from billing.invoices.models import Invoice, Status
from billing.payments.models import Payment
from company.extensions import db
from company.formats import numeric_date, pence_decimal

# Exports

SALES_ACCOUNT, DEBTORS_ACCOUNT, VAT_ACCOUNT, BANK_ACCOUNT = "200", "610", "820", "090"
XERO_COLUMNS = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate",
    "*DueDate", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount",
    "*AccountCode", "*TaxType", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2",
    "Currency", "BrandingTheme",
]  # fmt: skip


XERO_TAX = {
    "S": "20% (VAT on Income)",
    "Z": "Zero Rated Income",
    "E": "Exempt Income",
    "O": "No VAT",
}


def _documents(start: date, end: date):
    return db.session.scalars(
        sa.select(Invoice)
        .options(sa.orm.selectinload(Invoice.lines), sa.orm.joinedload(Invoice.member))
        .where(
            Invoice.status != Status.DRAFT, Invoice.issue_date >= start, Invoice.issue_date <= end
        )
        .order_by(Invoice.issue_date, Invoice.number)
    ).all()


def xero_sales_csv(start: date, end: date) -> str:
    """Invoices and credit notes in Xero's sales invoice import layout (credit notes negative)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(XERO_COLUMNS)
    for inv in _documents(start, end):
        address = (inv.customer_address or "").splitlines()[:4]
        address += [""] * (4 - len(address))
        sign = -1 if inv.is_credit_note else 1
        for line in inv.lines:
            writer.writerow([
                inv.customer_name, inv.member.finance_email or "", *address, "", "", "", "United Kingdom",
                inv.number, inv.po_number or (inv.original.number if inv.original else ""),
                numeric_date(inv.issue_date), numeric_date(inv.due_date or inv.issue_date), "",
                line.description, f"{line.quantity:g}", pence_decimal(sign * line.unit_pence), "",
                SALES_ACCOUNT, XERO_TAX[line.vat_code], "", "", "", "", "GBP", "",
            ])  # fmt: skip
    return out.getvalue()


def journal_csv(start: date, end: date) -> str:
    """A plain double-entry journal: date, reference, account, description, debit, credit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Date", "Reference", "Account", "Description", "Debit", "Credit"])

    def post(day, ref, account, text, debit=0, credit=0):
        writer.writerow(
            [
                day.isoformat(),
                ref,
                account,
                text,
                pence_decimal(debit) if debit else "",
                pence_decimal(credit) if credit else "",
            ]
        )

    for inv in _documents(start, end):
        text = (
            f"{'Credit note' if inv.is_credit_note else 'Invoice'} {inv.number} {inv.customer_name}"
        )
        if inv.is_credit_note:
            post(inv.issue_date, inv.number, SALES_ACCOUNT, text, debit=inv.net_pence)
            post(inv.issue_date, inv.number, VAT_ACCOUNT, text, debit=inv.vat_pence)
            post(inv.issue_date, inv.number, DEBTORS_ACCOUNT, text, credit=inv.gross_pence)
        else:
            post(inv.issue_date, inv.number, DEBTORS_ACCOUNT, text, debit=inv.gross_pence)
            post(inv.issue_date, inv.number, SALES_ACCOUNT, text, credit=inv.net_pence)
            post(inv.issue_date, inv.number, VAT_ACCOUNT, text, credit=inv.vat_pence)
    payments = db.session.scalars(
        sa.select(Payment)
        .options(sa.orm.joinedload(Payment.member))
        .where(Payment.received_on >= start, Payment.received_on <= end)
        .order_by(Payment.received_on, Payment.id)
    )
    for p in payments:
        ref = f"PAY-{p.id}"
        text = f"Payment from {p.member.name}{' ' + p.reference if p.reference else ''}"
        post(p.received_on, ref, BANK_ACCOUNT, text, debit=p.amount_pence)
        post(p.received_on, ref, DEBTORS_ACCOUNT, text, credit=p.amount_pence)
    return out.getvalue()
