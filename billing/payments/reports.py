"""Statements of account, aged debt as at any date, the finance dashboard and accounting exports.

Everything is computed from the documents and payments as they stood on the dates asked for:
invoices and credit notes by issue date, payments by date received, reversals by the date they
were recorded, allocations by the date they were made.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from billing.invoices.models import Invoice, Kind, Status
from billing.money import add_months, financial_year_start, month_of, sum_pence
from company.clock import LONDON, uk_today
from company.extensions import db
from company.formats import numeric_date, pence_decimal
from company.members.models import Member

from .models import Allocation, Payment


def _utc_start(day: date) -> datetime:
    """The first instant of a UK day, as the naive UTC the database stores."""
    return datetime.combine(day, time.min, LONDON).astimezone(UTC).replace(tzinfo=None)


def _uk_date(stored: datetime) -> date:
    return stored.replace(tzinfo=UTC).astimezone(LONDON).date()


# Statements


@dataclass
class Entry:
    on: date
    kind: str  # Invoice, Credit note, Payment, Payment reversed
    reference: str
    debit: int = 0  # increases what is owed
    credit: int = 0  # reduces it
    balance: int = 0


@dataclass
class Statement:
    member: Member
    start: date
    end: date
    opening: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.entries[-1].balance if self.entries else self.opening


def _entries(member_id: int, until: date, since: date | None = None) -> list[Entry]:
    entries = []
    docs = sa.select(Invoice).where(
        Invoice.member_id == member_id, Invoice.status != Status.DRAFT, Invoice.issue_date <= until
    )
    if since:
        docs = docs.where(Invoice.issue_date >= since)
    for inv in db.session.scalars(docs):
        if inv.kind == Kind.INVOICE:
            entries.append(Entry(inv.issue_date, "Invoice", inv.number, debit=inv.gross_pence))
        else:
            entries.append(Entry(inv.issue_date, "Credit note", inv.number, credit=inv.gross_pence))
    pays = sa.select(Payment).where(Payment.member_id == member_id, Payment.received_on <= until)
    for p in db.session.scalars(pays):
        label = f"{p.method_label}{': ' + p.reference if p.reference else ''}"
        if since is None or p.received_on >= since:
            entries.append(Entry(p.received_on, "Payment", label, credit=p.amount_pence))
        if p.reversed_at is not None:
            reversed_on = _uk_date(p.reversed_at)
            if reversed_on <= until and (since is None or reversed_on >= since):
                entries.append(
                    Entry(
                        reversed_on,
                        "Payment reversed",
                        f"{label} ({p.reversal_reason})",
                        debit=p.amount_pence,
                    )
                )
        if p.refunded_pence and (since is None or p.received_on >= since):
            entries.append(Entry(p.received_on, "Refund", label, debit=p.refunded_pence))
    order = {"Invoice": 0, "Credit note": 1, "Payment": 2, "Refund": 3, "Payment reversed": 4}
    return sorted(entries, key=lambda e: (e.on, order[e.kind], e.reference))


def statement(member: Member, start: date, end: date) -> Statement:
    if end < start:
        raise ValueError("The end of the period must be on or after its start")
    before = _entries(member.id, start - timedelta(days=1))
    opening = sum(e.debit - e.credit for e in before)
    result = Statement(member, start, end, opening)
    balance = opening
    for entry in _entries(member.id, end, since=start):
        balance += entry.debit - entry.credit
        entry.balance = balance
        result.entries.append(entry)
    return result


# Aged debt

BUCKETS = ["Current", "1 to 30 days", "31 to 60 days", "61 to 90 days", "Over 90 days"]


def bucket_of(days_overdue: int) -> int:
    if days_overdue <= 0:
        return 0
    if days_overdue <= 30:
        return 1
    if days_overdue <= 60:
        return 2
    if days_overdue <= 90:
        return 3
    return 4


@dataclass
class AgedRow:
    member_id: int
    member_name: str
    buckets: list[int]

    @property
    def total(self) -> int:
        return sum(self.buckets)


def owed_as_at(as_at: date):
    """(invoice, owed on `as_at`) for every invoice issued by then with something owed."""
    end = _utc_start(as_at + timedelta(days=1))
    note = sa.orm.aliased(Invoice)
    credited = (
        sa.select(sum_pence(note.gross_pence))
        .where(
            note.original_id == Invoice.id, note.kind == Kind.CREDIT_NOTE, note.issue_date <= as_at
        )
        .scalar_subquery()
    )
    # Money counts from the day it was received; a reversal from the day it was recorded.
    paid = (
        sa.select(sum_pence(Allocation.amount_pence))
        .join(Payment, Allocation.payment_id == Payment.id)
        .where(
            Allocation.invoice_id == Invoice.id,
            sa.or_(
                sa.and_(Allocation.amount_pence > 0, Payment.received_on <= as_at),
                sa.and_(Allocation.amount_pence < 0, Allocation.created_at < end),
            ),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Invoice.id, Invoice.member_id, Invoice.due_date, Invoice.gross_pence - credited - paid
        ).where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status != Status.DRAFT,
            Invoice.issue_date <= as_at,
        )
    ).all()
    return [
        (invoice_id, member_id, due, int(left))
        for invoice_id, member_id, due, left in rows
        if left > 0
    ]


def aged_debt(as_at: date) -> tuple[list[AgedRow], list[int]]:
    names = dict(db.session.execute(sa.select(Member.id, Member.name)).all())
    by_member: dict[int, AgedRow] = {}
    for _, member_id, due, left in owed_as_at(as_at):
        row = by_member.setdefault(
            member_id, AgedRow(member_id, names[member_id], [0] * len(BUCKETS))
        )
        row.buckets[bucket_of((as_at - due).days)] += left
    rows = sorted(by_member.values(), key=lambda r: (-r.total, r.member_name))
    totals = [sum(r.buckets[i] for r in rows) for i in range(len(BUCKETS))]
    return rows, totals


def aged_debt_csv(as_at: date) -> str:
    rows, totals = aged_debt(as_at)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Member council", *BUCKETS, "Total"])
    for r in rows:
        writer.writerow(
            [r.member_name, *(pence_decimal(p) for p in r.buckets), pence_decimal(r.total)]
        )
    writer.writerow(["Total", *(pence_decimal(p) for p in totals), pence_decimal(sum(totals))])
    return out.getvalue()


# Dashboard


@dataclass
class MonthFigure:
    month: date
    invoiced: int
    collected: int
    owed_at_end: int


def dashboard(today: date | None = None, year_start_month: int = 4) -> dict:
    today = today or uk_today()
    fy = financial_year_start(today, year_start_month)
    current = owed_as_at(today)
    owed_total = sum(left for *_, left in current)
    overdue_total = sum(left for _, _, due, left in current if due and due < today)
    collected = db.session.scalar(
        sa.select(sum_pence(Payment.amount_pence - Payment.refunded_pence)).where(
            Payment.received_on >= fy, Payment.received_on <= today, Payment.reversed_at.is_(None)
        )
    )
    months = []
    month = fy
    while month <= month_of(today):
        end = add_months(month, 1) - timedelta(days=1)
        invoiced = db.session.scalar(
            sa.select(sum_pence(Invoice.gross_pence)).where(
                Invoice.kind == Kind.INVOICE,
                Invoice.status != Status.DRAFT,
                Invoice.issue_date >= month,
                Invoice.issue_date <= end,
            )
        )
        got = db.session.scalar(
            sa.select(sum_pence(Payment.amount_pence - Payment.refunded_pence)).where(
                Payment.received_on >= month,
                Payment.received_on <= end,
                Payment.reversed_at.is_(None),
            )
        )
        owed_then = sum(left for *_, left in owed_as_at(min(end, today)))
        months.append(MonthFigure(month, invoiced, got, owed_then))
        month = add_months(month, 1)
    return {
        "owed": owed_total,
        "overdue": overdue_total,
        "collected": collected,
        "year_start": fy,
        "months": months,
    }


# Exports

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
SALES_ACCOUNT, DEBTORS_ACCOUNT, VAT_ACCOUNT, BANK_ACCOUNT = "200", "610", "820", "090"


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
