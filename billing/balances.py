"""Stored balances: what each invoice still owes today (`Invoice.balance_pence`) and what each
payment leaves on account (`Payment.left_pence`), so that reports over 100,000 invoices read the
few with a balance (a partial index) instead of adding up every invoice's history.

Kept by the session itself: after every flush, each invoice and payment that the flush touched
(an invoice issued or credited, an allocation or its reversal, a payment recorded, refunded or
reversed) has its balance worked out again from its rows, in SQL, in the same transaction. No
service sets them and none can forget to: the money services already lock the member before
they move money, so the figure written is the one their own rows give.

The figures are the ledger's rules, not new ones:
- an invoice's balance is `ledger`'s owed() before it is clamped for status: gross, less issued
  credit notes, less allocations (0 for drafts and credit notes; below 0 where a credit note
  goes past what was left, which aged debt shows as credit on account);
- a payment's is what `aged_debt.credit_as_at` counts on account: the amount, less refunds, less
  allocations, and less the amount once it is reversed.

Decisions (how much may be allocated, what is left to pay) still read `ledger.owed()` under the
lock; the stored figures are for lists and reports. `restate()` works every one out again (after
a bulk load, or to check: `flask billing balances --check`).
"""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from billing.payments.models import Allocation, Payment, Refund

CHUNK = 500
# A literal 0, not a bound parameter: SQLite uses a partial index only when the query's own
# terms show its WHERE holds, and `balance_pence <> ?` does not show `balance_pence <> 0`.
_ZERO = sa.literal_column("0")


def invoice_has_balance():
    """Invoices with a balance today (owing, or below zero): the partial index's rows."""
    return Invoice.balance_pence != _ZERO


def invoice_owes():
    """Invoices owing something today (and so in the partial index)."""
    return sa.and_(Invoice.balance_pence != _ZERO, Invoice.balance_pence > _ZERO)


def payment_has_credit():
    """Payments leaving something on account today (or below it): the partial index's rows."""
    return Payment.left_pence != _ZERO


def invoice_balance():
    """What each Invoice row owes today, from its credit notes and allocations (a column)."""
    note = sa.orm.aliased(Invoice)
    credited = (
        sa.select(sum_pence(note.gross_pence))
        .where(
            note.original_id == Invoice.id,
            note.kind == Kind.CREDIT_NOTE,
            note.status != Status.DRAFT,
        )
        .scalar_subquery()
    )
    allocated = (
        sa.select(sum_pence(Allocation.amount_pence))
        .where(Allocation.invoice_id == Invoice.id)
        .scalar_subquery()
    )
    return sa.case(
        (
            sa.and_(Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT),
            Invoice.gross_pence - credited - allocated,
        ),
        else_=0,
    )


def payment_left():
    """What each Payment row leaves on account today (a column)."""
    allocated = (
        sa.select(sum_pence(Allocation.amount_pence))
        .where(Allocation.payment_id == Payment.id)
        .scalar_subquery()
    )
    refunded = (
        sa.select(sum_pence(Refund.amount_pence))
        .where(Refund.payment_id == Payment.id)
        .scalar_subquery()
    )
    reversed_ = sa.case((Payment.reversed_at.is_not(None), Payment.amount_pence), else_=0)
    return Payment.amount_pence - refunded - reversed_ - allocated


def _restate(connection, model, column, value, ids) -> dict[int, int]:
    """Work out `column` again for the rows `ids` (all rows when None); returns id → value."""
    found: dict[int, int] = {}
    chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        statement = sa.update(model).values({column: value}).returning(model.id, column)
        if chunk is not None:
            statement = statement.where(model.id.in_(chunk))
        found.update(connection.execute(statement).all())
    return found


def restate(session: Session, invoice_ids=None, payment_ids=None) -> None:
    """Work out the stored balances again: of the given invoices and payments, or of every one
    (both None)."""
    connection = session.connection()
    everything = invoice_ids is None and payment_ids is None
    if everything or invoice_ids:
        owed = _restate(
            connection,
            Invoice,
            Invoice.balance_pence,
            invoice_balance(),
            None if everything else sorted(invoice_ids),
        )
        _refresh(session, Invoice, "balance_pence", owed)
    if everything or payment_ids:
        left = _restate(
            connection,
            Payment,
            Payment.left_pence,
            payment_left(),
            None if everything else sorted(payment_ids),
        )
        _refresh(session, Payment, "left_pence", left)


def _refresh(session: Session, model, key: str, values: dict[int, int]) -> None:
    """Tell the objects in the session their new stored value (no reload, no change recorded)."""
    for (cls, ident, _token), obj in list(session.identity_map.items()):
        if cls is model and ident[0] in values:
            set_committed_value(obj, key, values[ident[0]])


def mismatches(session: Session) -> list[str]:
    """Every stored balance that is not what the rows give (for `flask billing balances`)."""
    wrong = session.execute(
        sa.select(Invoice.number, Invoice.balance_pence, invoice_balance()).where(
            Invoice.balance_pence != invoice_balance()
        )
    ).all()
    wrong_paid = session.execute(
        sa.select(Payment.id, Payment.left_pence, payment_left()).where(
            Payment.left_pence != payment_left()
        )
    ).all()
    return [f"invoice {n}: stored {s}, rows give {r}" for n, s, r in wrong] + [
        f"payment {i}: stored {s}, rows give {r}" for i, s, r in wrong_paid
    ]


def _touched(objects) -> tuple[set[int], set[int]]:
    """The invoices and payments whose balance the flushed `objects` may change."""
    invoices: set[int] = set()
    payments: set[int] = set()
    for obj in objects:
        if isinstance(obj, Allocation):
            invoices.add(obj.invoice_id)
            payments.add(obj.payment_id)
        elif isinstance(obj, Invoice) and obj.status != Status.DRAFT:  # a draft owes nothing
            if obj.kind == Kind.INVOICE:
                invoices.add(obj.id)
            elif obj.original_id is not None:
                invoices.add(obj.original_id)
        elif isinstance(obj, Refund):
            payments.add(obj.payment_id)
        elif isinstance(obj, Payment):
            payments.add(obj.id)
    invoices.discard(None)
    payments.discard(None)
    return invoices, payments


@event.listens_for(Session, "after_flush")
def _keep_balances(session: Session, _context) -> None:
    invoices, payments = _touched([*session.new, *session.dirty])
    if invoices or payments:
        restate(session, invoices, payments)
