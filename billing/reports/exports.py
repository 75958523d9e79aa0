"""Exports for the accounts: Xero's sales invoice import and a double-entry journal."""

import io
from datetime import date

import sqlalchemy as sa

from billing.invoices.models import Invoice, Status
from billing.reports import statements
from company import csvfile
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
    writer = csvfile.writer(out)
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
    """A plain double-entry journal: date, reference, account, description, debit, credit and
    the member council, so each council's debtors balance can be read from it. Every movement
    of a council's balance is posted on the day the statement shows it: documents, payments,
    reversals of payments (Dr Debtors, Cr Bank) and refunds (the same)."""
    out = io.StringIO()
    writer = csvfile.writer(out)
    writer.writerow(["Date", "Reference", "Account", "Description", "Debit", "Credit", "Council"])

    def post(day, ref, account, text, council, debit=0, credit=0):
        writer.writerow(
            [
                day.isoformat(),
                ref,
                account,
                text,
                pence_decimal(debit) if debit else "",
                pence_decimal(credit) if credit else "",
                council,
            ]
        )

    postings = []  # (day, order, rows) sorted so the journal reads in date order
    for inv in _documents(start, end):
        text = (
            f"{'Credit note' if inv.is_credit_note else 'Invoice'} {inv.number} {inv.customer_name}"
        )
        who = inv.member.name
        if inv.is_credit_note:
            rows = [
                (SALES_ACCOUNT, {"debit": inv.net_pence}),
                (VAT_ACCOUNT, {"debit": inv.vat_pence}),
                (DEBTORS_ACCOUNT, {"credit": inv.gross_pence}),
            ]
        else:
            rows = [
                (DEBTORS_ACCOUNT, {"debit": inv.gross_pence}),
                (SALES_ACCOUNT, {"credit": inv.net_pence}),
                (VAT_ACCOUNT, {"credit": inv.vat_pence}),
            ]
        postings.append((inv.issue_date, 0, inv.number, text, who, rows))
    for p in statements.payments_moving(start, end):
        ref = f"PAY-{p.id}"
        who = p.member.name
        text = f"Payment from {who}{' ' + p.reference if p.reference else ''}"
        if start <= p.received_on <= end:
            money = [(BANK_ACCOUNT, {"debit": p.amount_pence})]
            money.append((DEBTORS_ACCOUNT, {"credit": p.amount_pence}))
            postings.append((p.received_on, 1, ref, text, who, money))
        reversed_on = statements.reversed_on(p)
        if reversed_on and start <= reversed_on <= end:
            back = [(DEBTORS_ACCOUNT, {"debit": p.amount_pence})]
            back.append((BANK_ACCOUNT, {"credit": p.amount_pence}))
            postings.append(
                (reversed_on, 3, ref, f"Reversed ({p.reversal_reason}): {text}", who, back)
            )
    for refund, p in statements.refunds_between(start, end):
        who = p.member.name
        back = [(DEBTORS_ACCOUNT, {"debit": refund.amount_pence})]
        back.append((BANK_ACCOUNT, {"credit": refund.amount_pence}))
        text = f"Refund to {who}: {refund.reason}"
        postings.append((refund.refunded_on, 2, f"REF-{refund.id}", text, who, back))
    for day, _, ref, text, who, rows in sorted(postings, key=lambda p: p[:3]):
        for account, amount in rows:
            post(day, ref, account, text, who, **amount)
    return out.getvalue()
