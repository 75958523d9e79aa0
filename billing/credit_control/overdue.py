"""The overdue invoices on the credit control page: what late payment interest and compensation
could be claimed on each, a page at a time, with totals over every page.

An invoice is listed when `reminders.claimable` states a claim on it: an open invoice past its
due date that still owes something, owed something when it became late, and whose reference
rate the Bank Rate table reaches (or is after the date the table was checked to: compensation
only). Each row is `late_payment.claim`, from the invoice's dated credits and payments.

Which invoices are listed is read from their stored balances (billing.balances): one that owes
something today owed at least as much when it became late, because what moved since only took
away from it (an allocation and its reversal count on the same day here). How many there are
and the totals are worked out in SQL with the same rules, so the page runs the same few queries
for any size of book:

- still owed = total less the credits and payments dated up to today;
- debt (for the compensation band) = total less those dated up to the due date;
- pence-days (for the interest) = the total for each day late, less each credit or payment for
  each late day after it: a payment on a late day still owed interest for that day. This is
  `late_payment.interest_on_balances` summed in closed form, which holds because the balance
  never falls below nothing on a late day: payments are set against at most what is owed, a
  reversal is dated with the payment it reverses, and a listed invoice still owes something;
- interest = pence-days × rate ÷ 365, rounded half up per invoice, in whole numbers
  (`late_payment.interest_on`), at the rate of the invoice's half-year (`late_payment.rate_periods`).
"""

import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from billing import balances, ledger
from billing.credit_control import late_payment, reminders
from billing.invoices.models import Invoice
from billing.money import sum_pence
from billing.payments.models import Allocation, Payment
from company.clock import uk_today
from company.extensions import db
from company.sql import days_between

PER_PAGE = 50


@dataclass
class Overdue:
    """One page of the overdue invoices, and totals over all of them."""

    page: Pagination  # items: (Invoice, late_payment.Claim), oldest due first
    count: int
    owed_pence: int
    claimable_pence: int  # interest and compensation; compensation alone where unconfirmed
    unconfirmed: int  # how many have no interest figure yet (reference rate unchecked)
    as_at: date


def _movement_sums(amount, day, today):
    """Sums of the credits or payments of an invoice (`amount` dated `day`): all of them, those
    dated by the due date, by today, and each weighted by the late days after it."""
    due = Invoice.due_date
    counts_from = sa.case((day > due, day), else_=due)
    return (
        sum_pence(amount).label("every"),
        sum_pence(sa.case((day <= due, amount), else_=0)).label("by_due"),
        sum_pence(sa.case((day <= today, amount), else_=0)).label("by_today"),
        sum_pence(
            sa.case((day < today, amount * days_between(sa.literal(today), counts_from)), else_=0)
        ).label("late_days"),
    )


def _listed(today: date):
    """The invoices listed on `today` (see the module's docstring)."""
    periods = late_payment.rate_periods(today)
    return sa.and_(
        # Owes something today (so it also did when it became late): only an open invoice can
        # (`balances.invoice_owes`), which the partial index then finds by itself.
        balances.invoice_owes(),
        Invoice.due_date < today,
        Invoice.due_date >= periods[0].first_due if periods else sa.false(),
    )


def _untouched():
    """Nothing credited or paid against it (nor paid and reversed): it owes its total."""
    return Invoice.balance_pence == Invoice.gross_pence


def _claims(today: date, listed_invoice):
    """(from, figures): the `listed_invoice`s joined to their credits' and payments' sums, and
    each one's still owed, interest (None if unconfirmed) and compensation."""
    periods = late_payment.rate_periods(today)
    note = sa.orm.aliased(Invoice)
    credit = (
        sa.select(
            note.original_id.label("id"), *_movement_sums(note.gross_pence, note.issue_date, today)
        )
        .join(Invoice, Invoice.id == note.original_id)
        .where(ledger.issued_credit_notes(note), listed_invoice)
        .group_by(note.original_id)
        .subquery()
    )
    paid = (
        sa.select(
            Allocation.invoice_id.label("id"),
            *_movement_sums(Allocation.amount_pence, Payment.received_on, today),
        )
        .join(Payment, Allocation.payment_id == Payment.id)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(listed_invoice)
        .group_by(Allocation.invoice_id)
        .subquery()
    )

    def less(start, sums: str):
        """`start` less the invoice's credits' and payments' `sums`."""
        return start - sa.func.coalesce(credit.c[sums], 0) - sa.func.coalesce(paid.c[sums], 0)

    def left(sums: str):
        return less(Invoice.gross_pence, sums)

    days_late = days_between(sa.literal(today), Invoice.due_date)
    pence_days = less(Invoice.gross_pence * days_late, "late_days")
    # Each half-year's rate as a whole number over one denominator.
    confirmed = [p for p in periods if p.rate is not None]
    denominator = math.lcm(1, *(p.rate.as_integer_ratio()[1] for p in confirmed))
    numerator = (
        sa.case(
            *(
                (Invoice.due_date.between(p.first_due, p.last_due), int(p.rate * denominator))
                for p in confirmed
            ),
            else_=sa.null(),
        )
        if confirmed
        else sa.null()
    )
    per_year = 100 * late_payment.DAYS_IN_YEAR * denominator
    debt = left("by_due")
    bands = late_payment.COMPENSATION_BANDS
    figures = {
        "owed": left("by_today"),
        "interest": (2 * pence_days * numerator + per_year) // (2 * per_year),
        "compensation": sa.case(
            *((debt < below, pence) for below, pence in bands if below is not None),
            else_=bands[-1][1],
        ),
    }
    joined = sa.outerjoin(Invoice, credit, credit.c.id == Invoice.id).outerjoin(
        paid, paid.c.id == Invoice.id
    )
    return joined, figures


def claims_on(invoices: list[Invoice], today: date) -> list[tuple[Invoice, late_payment.Claim]]:
    """`late_payment.claim` on each of `invoices` (listed ones), in two queries."""
    moved = reminders.movements_many([inv.id for inv in invoices])
    found = []
    for invoice in invoices:
        claim = late_payment.claim(invoice.due_date, today, invoice.gross_pence, moved[invoice.id])
        if claim is not None:
            found.append((invoice, claim))
    return found


def overdue(page: int = 1, today: date | None = None) -> Overdue:
    """Page `page` of the overdue invoices, PER_PAGE a page, oldest due first, and the totals of
    them all: five queries."""
    today = today or uk_today()
    where = _listed(today)
    # The many that nothing was set against are alike by due date and total: one claim each.
    count = owed = claimable = unconfirmed = 0
    for due, gross, alike in db.session.execute(
        sa.select(Invoice.due_date, Invoice.gross_pence, sa.func.count())
        .where(where, _untouched())
        .group_by(Invoice.due_date, Invoice.gross_pence)
    ):
        claim = late_payment.claim(due, today, gross, [])
        count += alike
        owed += alike * claim.owed_pence
        claimable += alike * claim.total_pence
        unconfirmed += alike * claim.rate_needs_checking
    touched = sa.and_(where, sa.not_(_untouched()))
    joined, figures = _claims(today, touched)
    each = (
        sa.select(*(column.label(name) for name, column in figures.items()))
        .select_from(joined)
        .where(touched)
        .subquery()
    )
    more, owed_more, interest, compensation, unconfirmed_more = db.session.execute(
        sa.select(
            sa.func.count(),
            sum_pence(each.c.owed),
            sum_pence(each.c.interest),
            sum_pence(each.c.compensation),
            sa.func.count() - sa.func.count(each.c.interest),
        ).select_from(each)
    ).one()
    count, owed = count + more, owed + owed_more
    claimable += interest + compensation
    unconfirmed += unconfirmed_more
    result = db.paginate(
        sa.select(Invoice).where(where).order_by(Invoice.due_date, Invoice.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    result.total = count  # counted with the totals, above
    result.items = claims_on(result.items, today)
    return Overdue(result, count, owed, claimable, unconfirmed, today)
