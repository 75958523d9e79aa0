"""Figures for the extras pages: invoiced so far per order, income by extra and year, open
orders and quotes awaiting a reply. Money is integer pence; CSV files show pounds as decimals.

The pages show PER_PAGE rows at a time; counts and totals are for every row, added up in SQL,
so a page runs the same statements however large the book is."""

import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from billing import ledger
from billing.extras import services
from billing.extras.models import Extra, Order, OrderStatus, Quote
from billing.invoices.models import Invoice, Kind, Status
from billing.money import sum_pence
from company import csvfile
from company.clock import financial_year_label
from company.extensions import db
from company.formats import pence_decimal

CLOSED = (OrderStatus.INVOICED, OrderStatus.DECLINED, OrderStatus.CANCELLED)
OPEN = tuple(s for s in OrderStatus if s not in CLOSED)
OTHER = "Other"
PER_PAGE = 50


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csvfile.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# Invoiced so far, for many orders at once


def invoiced_by_order(order_ids=None) -> dict[int, int]:
    """Net invoiced per order, less credit notes against those invoices (as services.invoiced_net)."""
    invoiced = sa.select(Invoice.order_id, sum_pence(Invoice.net_pence)).where(
        Invoice.order_id.is_not(None),
        Invoice.kind == Kind.INVOICE,
        Invoice.status != Status.DRAFT,
    )
    note = aliased(Invoice)
    credited = (
        sa.select(Invoice.order_id, sum_pence(note.net_pence))
        .join(Invoice, note.original_id == Invoice.id)
        .where(Invoice.order_id.is_not(None), ledger.issued_credit_notes(note))
    )
    if order_ids is not None:
        invoiced = invoiced.where(Invoice.order_id.in_(order_ids))
        credited = credited.where(Invoice.order_id.in_(order_ids))
    totals: dict[int, int] = {}
    for order_id, pence in db.session.execute(invoiced.group_by(Invoice.order_id)):
        totals[order_id] = totals.get(order_id, 0) + pence
    for order_id, pence in db.session.execute(credited.group_by(Invoice.order_id)):
        totals[order_id] = totals.get(order_id, 0) - pence
    return totals


def order_value(order: Order) -> int:
    """The accepted quote's net, else the current quote's, else 0."""
    q = order.accepted_quote or services.current_quote(order)
    return q.net_pence if q else 0


@dataclass
class OrderRow:
    order: Order
    quote: Quote | None
    value_pence: int
    invoiced_pence: int


def _orders_query(statuses=None):
    """Orders newest first (optionally only those in `statuses`), with member and quotes."""
    query = (
        sa.select(Order)
        .options(joinedload(Order.member), selectinload(Order.quotes))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if statuses:
        query = query.where(Order.status.in_(list(statuses)))
    return query


def _rows(found: list[Order]) -> list[OrderRow]:
    invoiced = invoiced_by_order([o.id for o in found]) if found else {}
    return [
        OrderRow(o, services.current_quote(o), order_value(o), invoiced.get(o.id, 0)) for o in found
    ]


def orders(statuses=None) -> list[OrderRow]:
    """Every order newest first (optionally only those in `statuses`), with quote and invoiced."""
    return _rows(db.session.scalars(_orders_query(statuses)).unique().all())


def orders_page(statuses=None, page: int = 1):
    """One page of `orders`: (the pagination, with the total of every matching order; its rows)."""
    pagination = db.paginate(_orders_query(statuses), page=page, per_page=PER_PAGE, error_out=False)
    return pagination, _rows(pagination.items)


def status_counts() -> dict[OrderStatus, int]:
    """How many orders there are in each status (a status with none is left out)."""
    return dict(
        db.session.execute(sa.select(Order.status, sa.func.count()).group_by(Order.status)).all()
    )


@dataclass
class Totals:
    count: int
    value_pence: int
    invoiced_pence: int


def totals(statuses) -> Totals:
    """Count, value (as order_value) and invoiced so far (as invoiced_by_order) of every order in
    `statuses`, in one statement."""
    accepted = aliased(Quote)
    latest = (
        sa.select(Quote.net_pence)
        .where(Quote.order_id == Order.id)
        .order_by(Quote.version.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery()
    )
    value = sa.func.coalesce(accepted.net_pence, latest, 0)
    # "order_id IN (the orders)" rather than a join: the invoices are found from the orders by
    # their index, not by reading every invoice in the book
    chosen = aliased(Order)
    of_orders = Invoice.order_id.in_(sa.select(chosen.id).where(chosen.status.in_(list(statuses))))
    invoiced = (
        sa.select(sum_pence(Invoice.net_pence))
        .where(of_orders, Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT)
        .scalar_subquery()
    )
    note = aliased(Invoice)
    credited = (
        sa.select(sum_pence(note.net_pence))
        .select_from(note)
        .join(Invoice, note.original_id == Invoice.id)
        .where(of_orders, ledger.issued_credit_notes(note))
        .scalar_subquery()
    )
    count, value_pence, invoiced_pence, credited_pence = db.session.execute(
        sa.select(sa.func.count(Order.id), sum_pence(value), invoiced, credited)
        .select_from(Order)
        .outerjoin(accepted, Order.accepted_quote_id == accepted.id)
        .where(Order.status.in_(list(statuses)))
    ).one()
    return Totals(count, value_pence, invoiced_pence - credited_pence)


# Income by extra and financial year


@dataclass
class IncomeRow:
    extra: str
    year_start: date | None
    invoiced_pence: int
    credited_pence: int

    @property
    def net_pence(self) -> int:
        return self.invoiced_pence - self.credited_pence

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year_start) if self.year_start else "Unknown"


def income() -> list[IncomeRow]:
    """Issued invoices of orders, less their credit notes, by the order's extra and the
    invoice's financial year (a credit note counts in the year of the invoice it credits)."""
    name = sa.func.coalesce(Extra.name, OTHER)
    # redundant beside the join, but it has the database find the few invoices of orders from
    # the orders (by index) instead of reading every invoice in the book
    of_orders = Invoice.order_id.in_(sa.select(aliased(Order).id))
    invoiced = db.session.execute(
        sa.select(name, Invoice.year_start, sum_pence(Invoice.net_pence))
        .join(Order, Invoice.order_id == Order.id)
        .outerjoin(Extra, Order.extra_id == Extra.id)
        .where(of_orders, Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT)
        .group_by(name, Invoice.year_start)
    ).all()
    note = aliased(Invoice)
    credited = db.session.execute(
        sa.select(name, Invoice.year_start, sum_pence(note.net_pence))
        .select_from(note)
        .join(Invoice, note.original_id == Invoice.id)
        .join(Order, Invoice.order_id == Order.id)
        .outerjoin(Extra, Order.extra_id == Extra.id)
        .where(of_orders, ledger.issued_credit_notes(note))
        .group_by(name, Invoice.year_start)
    ).all()
    rows: dict[tuple, IncomeRow] = {}
    for extra, year, pence in invoiced:
        rows.setdefault((extra, year), IncomeRow(extra, year, 0, 0)).invoiced_pence += pence
    for extra, year, pence in credited:
        rows.setdefault((extra, year), IncomeRow(extra, year, 0, 0)).credited_pence += pence
    return sorted(
        rows.values(),
        key=lambda r: (-(r.year_start or date.min).toordinal(), r.extra == OTHER, r.extra),
    )


def income_csv() -> str:
    return _csv(
        ["Extra", "Financial year", "Invoiced", "Credited", "Net income"],
        [
            [
                r.extra,
                r.year_label,
                pence_decimal(r.invoiced_pence),
                pence_decimal(r.credited_pence),
                pence_decimal(r.net_pence),
            ]
            for r in income()
        ],
    )


# Open orders and quotes awaiting a reply


def open_orders() -> list[OrderRow]:
    return orders(OPEN)


def open_orders_page(page: int = 1):
    return orders_page(OPEN, page)


def open_orders_totals() -> Totals:
    return totals(OPEN)


def open_orders_csv() -> str:
    return _csv(
        ["Order", "Member council", "Title", "Status", "Quote", "Value", "Invoiced so far"],
        [
            [
                r.order.id,
                r.order.member.name,
                r.order.title,
                r.order.status.label,
                r.quote.reference if r.quote else "",
                pence_decimal(r.value_pence),
                pence_decimal(r.invoiced_pence),
            ]
            for r in open_orders()
        ],
    )


def _awaiting_query():
    """Current quotes of quoted orders, soonest to expire first."""
    return (
        sa.select(Quote)
        .join(Order, Quote.order_id == Order.id)
        .options(joinedload(Quote.order).joinedload(Order.member))
        .where(
            Quote.superseded.is_(False),
            Quote.accepted_at.is_(None),
            Quote.declined_at.is_(None),
            Order.status == OrderStatus.QUOTED,
        )
        .order_by(Quote.valid_until, Quote.id)
    )


def awaiting_reply() -> list[Quote]:
    """Current quotes of quoted orders, soonest to expire first."""
    return db.session.scalars(_awaiting_query()).unique().all()


def awaiting_reply_page(page: int = 1):
    """One page of `awaiting_reply` (the pagination's total counts them all)."""
    return db.paginate(_awaiting_query(), page=page, per_page=PER_PAGE, error_out=False)


def awaiting_reply_csv(today: date) -> str:
    return _csv(
        ["Quote", "Member council", "Title", "Net", "VAT", "Total", "Valid until", "Expired"],
        [
            [
                q.reference,
                q.order.member.name,
                q.order.title,
                pence_decimal(q.net_pence),
                pence_decimal(q.vat_pence),
                pence_decimal(q.gross_pence),
                q.valid_until.isoformat(),
                "Yes" if q.valid_until < today else "No",
            ]
            for q in awaiting_reply()
        ],
    )
