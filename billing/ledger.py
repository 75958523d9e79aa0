"""What is owed: an invoice's total, less the issued credit notes against it, less the payments
allocated to it. The only place this is computed; lists use `owed_many()` (three queries for any
number of invoices) and balances `member_balance()` (one).

Sits above the invoice and payment models and below every service that moves money, so that
invoices, payments, bank matching, card payments, credit control, extras and reports all read
the same figure.
"""

from datetime import date

import sqlalchemy as sa

from billing.invoices.models import INVOICE, Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Allocation
from company.clock import uk_today
from company.extensions import db

OPEN = (Status.ISSUED, Status.PART_PAID)
CHUNK = 500  # ids per IN (…) list


def issued_credit_notes(note=Invoice):
    """The one filter for credit notes that reduce what their invoice owes (`note`: Invoice or
    an alias of it, when the query also reads the invoices credited)."""
    return sa.and_(note.kind == Kind.CREDIT_NOTE, note.status != Status.DRAFT)


def credited(invoice: Invoice) -> int:
    """Gross credited against `invoice` by issued credit notes."""
    return db.session.scalar(
        sa.select(sum_pence(Invoice.gross_pence)).where(
            Invoice.original_id == invoice.id, issued_credit_notes()
        )
    )


def allocated(invoice: Invoice) -> int:
    """Payments set against `invoice`."""
    return db.session.scalar(
        sa.select(sum_pence(Allocation.amount_pence)).where(Allocation.invoice_id == invoice.id)
    )


def _owing(invoice: Invoice) -> bool:
    return invoice.kind == Kind.INVOICE and invoice.status not in (Status.DRAFT, Status.CREDITED)


def owed(invoice: Invoice) -> int:
    """What is still to pay on an issued invoice (0 for drafts, credit notes, credited ones)."""
    if not _owing(invoice):
        return 0
    return invoice.gross_pence - credited(invoice) - allocated(invoice)


def owed_many(invoices: list[Invoice]) -> dict[int, int]:
    """`owed()` for each invoice, by id, in three queries per CHUNK invoices."""
    ids = [inv.id for inv in invoices]
    credit: dict[int, int] = {}
    paid: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        credit.update(
            db.session.execute(
                sa.select(Invoice.original_id, sum_pence(Invoice.gross_pence))
                .where(Invoice.original_id.in_(chunk), issued_credit_notes())
                .group_by(Invoice.original_id)
            ).all()
        )
        paid.update(
            db.session.execute(
                sa.select(Allocation.invoice_id, sum_pence(Allocation.amount_pence))
                .where(Allocation.invoice_id.in_(chunk))
                .group_by(Allocation.invoice_id)
            ).all()
        )
    return {
        inv.id: inv.gross_pence - credit.get(inv.id, 0) - paid.get(inv.id, 0) if _owing(inv) else 0
        for inv in invoices
    }


def owed_where(condition) -> list[tuple[Invoice, int]]:
    """Invoices meeting `condition`, each with what it owes."""
    rows = db.session.scalars(
        sa.select(Invoice).where(Invoice.kind == Kind.INVOICE, condition)
    ).all()
    return with_owed(rows)


def with_owed(invoices: list[Invoice]) -> list[tuple[Invoice, int]]:
    owing = owed_many(invoices)
    return [(inv, owing[inv.id]) for inv in invoices]


def credited_column():
    """`credited()` of each Invoice row in a query, as a correlated subquery."""
    note = sa.orm.aliased(Invoice)
    return (
        sa.select(sum_pence(note.gross_pence))
        .where(note.original_id == Invoice.id, issued_credit_notes(note))
        .scalar_subquery()
    )


def allocated_column():
    """`allocated()` of each Invoice row in a query, as a correlated subquery."""
    return (
        sa.select(sum_pence(Allocation.amount_pence))
        .where(Allocation.invoice_id == Invoice.id)
        .scalar_subquery()
    )


def owed_column():
    """What each open Invoice row owes, for filtering and totals in SQL."""
    return Invoice.gross_pence - credited_column() - allocated_column()


def open_owing_exactly(amounts: set[int]) -> list[tuple[Invoice, int]]:
    """Open invoices owing exactly one of `amounts`, oldest due first, in one query (grouped
    joins rather than correlated subqueries: this runs for every bank line under review)."""
    credit = (
        sa.select(Invoice.original_id.label("id"), sum_pence(Invoice.gross_pence).label("pence"))
        .where(issued_credit_notes())
        .group_by(Invoice.original_id)
        .subquery()
    )
    paid = (
        sa.select(
            Allocation.invoice_id.label("id"), sum_pence(Allocation.amount_pence).label("pence")
        )
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    left = (
        Invoice.gross_pence
        - sa.func.coalesce(credit.c.pence, 0)
        - sa.func.coalesce(paid.c.pence, 0)
    )
    rows = db.session.execute(
        sa.select(Invoice, left)
        .outerjoin(credit, credit.c.id == Invoice.id)
        .outerjoin(paid, paid.c.id == Invoice.id)
        .where(Invoice.kind == Kind.INVOICE, Invoice.status.in_(OPEN), left.in_(sorted(amounts)))
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    return [(inv, int(pence)) for inv, pence in rows]


def member_balance(member_id: int) -> int:
    """What a council owes on its open invoices, in one query."""
    return db.session.scalar(
        sa.select(sum_pence(owed_column())).where(
            Invoice.member_id == member_id, Invoice.kind == Kind.INVOICE, Invoice.status.in_(OPEN)
        )
    )


def open_invoices(member_id: int) -> list[Invoice]:
    """The member's issued invoices with something still owed, oldest first."""
    rows = db.session.scalars(
        sa.select(Invoice)
        .where(
            Invoice.member_id == member_id, Invoice.kind == Kind.INVOICE, Invoice.status.in_(OPEN)
        )
        .order_by(Invoice.due_date, Invoice.issue_date, Invoice.id)
    ).all()
    owing = owed_many(rows)
    return [inv for inv in rows if owing[inv.id] > 0]


def status_for(invoice: Invoice) -> Status:
    """Issued, part-paid or paid, from what has been allocated to it (others keep theirs)."""
    if not _owing(invoice):
        return invoice.status
    paid = allocated(invoice)
    left = invoice.gross_pence - credited(invoice) - paid
    return (
        Status.PAID if left <= 0 and paid > 0 else Status.PART_PAID if paid > 0 else Status.ISSUED
    )


def sync_status(invoice: Invoice) -> None:
    """Move an invoice to the status its money says, through the invoice machine."""
    target = status_for(invoice)
    if target != invoice.status:
        INVOICE.check(invoice.status, target)
        invoice.status = target


def is_overdue(invoice: Invoice, today: date | None = None) -> bool:
    today = today or uk_today()
    return bool(invoice.due_date and invoice.due_date < today and owed(invoice) > 0)


def overdue_among(invoices: list[Invoice], today: date | None = None) -> set[int]:
    """The ids of those of `invoices` that are overdue (`is_overdue`), for a page of a list:
    from their stored balances (billing.balances), so no query at all."""
    today = today or uk_today()
    return {
        inv.id
        for inv in invoices
        if inv.due_date and inv.due_date < today and _owing(inv) and inv.balance_pence > 0
    }
