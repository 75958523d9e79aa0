"""Extras: the catalogue, requests, versioned quotes, orders and invoicing by the order's rule.

An order's life is one table of allowed moves (ORDER); every move is audited on the
order, which is the timeline both finance and the council see. Invoices go through the invoice
service (numbering, PDF, email, PO carried over) and never add up to more than the quote.
"""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from billing import ledger
from billing.extras.models import Extra, InvoiceRule, Order, OrderStatus, Pricing, Quote, QuoteLine
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Kind, Status
from billing.money import VatCode, line_amounts, round_half_up, sum_pence
from company import audit, locks
from company.clock import financial_year_start, uk_today, utcnow
from company.errors import FieldError, IllegalMove
from company.extensions import db
from company.formats import long_date, pounds
from company.members.models import Member
from company.settings import services as settings
from company.states import Machine

QUOTE_PREFIX = "Q"


class ExtraError(FieldError):
    """A refusal to show on the page."""


class IllegalOrderMove(ExtraError, IllegalMove):
    pass


S = OrderStatus
ORDER = Machine(
    "An order",
    {
        S.REQUESTED: {S.QUOTED, S.DECLINED, S.CANCELLED},
        S.QUOTED: {S.QUOTED, S.ACCEPTED, S.DECLINED, S.CANCELLED},  # quoted → quoted: a revision
        S.ACCEPTED: {S.IN_PROGRESS, S.DELIVERED, S.CANCELLED},
        S.IN_PROGRESS: {S.DELIVERED, S.CANCELLED},
        S.DELIVERED: {S.INVOICED, S.CANCELLED},
        S.INVOICED: set(),
        S.DECLINED: set(),
        S.CANCELLED: set(),
    },
    error=IllegalOrderMove,
)


def move(order: Order, to: OrderStatus, actor, note: str | None = None) -> None:
    ORDER.check(order.status, to)
    before = order.status
    order.status = to
    audit.record(
        "order.moved",
        "order",
        order.id,
        member_id=order.member_id,
        changes={"status": [before.value, to.value], **({"note": note} if note else {})},
        actor=actor or "system",
    )


# Catalogue


def save_extra(values: dict, actor, extra: Extra | None = None) -> Extra:
    pricing = Pricing(values["pricing"])
    rule = InvoiceRule(values["invoice_rule"])
    if pricing != Pricing.ON_QUOTE and values.get("price_pence") is None:
        raise ExtraError("Enter the price", "price")
    if rule == InvoiceRule.STAGED and not (
        values.get("stage_percent") and 0 < values["stage_percent"] < 100
    ):
        raise ExtraError(
            "Enter the percentage invoiced on acceptance, between 1 and 99", "stage_percent"
        )
    VatCode(values.get("vat_code", "S"))
    if extra is None:
        extra = Extra()
        db.session.add(extra)
    changes = audit.changes_of(extra, values)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ExtraError("There is already an extra with this name", "name") from None
    audit.record("extra.saved", "extra", extra.id, changes=changes, actor=actor)
    db.session.commit()
    return extra


def catalogue(active_only: bool = True) -> list[Extra]:
    query = sa.select(Extra).order_by(Extra.name)
    if active_only:
        query = query.where(Extra.active.is_(True))
    return db.session.scalars(query).all()


# Requests and quotes


def request_extra(
    member: Member, title: str, request: str, actor, extra: Extra | None = None
) -> Order:
    """A council asks for an extra (from the catalogue or described in its own words)."""
    if extra is not None and not extra.active:
        raise ExtraError(f"{extra.name} is no longer offered", "extra")
    if not (request or "").strip():
        raise ExtraError("Describe what your council needs", "request")
    order = Order(
        member=member,
        extra=extra,
        title=(title or (extra.name if extra else "")).strip() or "Request",
        request=request.strip(),
        status=S.REQUESTED,
        requested_by_id=getattr(actor, "id", None),
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        "order.requested",
        "order",
        order.id,
        member_id=member.id,
        changes={"title": order.title},
        actor=actor,
    )
    db.session.commit()
    return order


def _quote_number(on: date) -> str:
    year = financial_year_start(on, settings.current().year_start_month).year
    series = f"{QUOTE_PREFIX}-{year}"
    return f"{series}-{invoices.next_number(series):05d}"


def quote(order: Order, lines: list[tuple], valid_until: date, terms: str | None, actor) -> Quote:
    """Quote (or revise the quote) for an order. Lines: (description, quantity, unit pence,
    VAT code, extra or None). A revision is a new version; the old one stays, superseded."""
    db.session.flush()  # a new order has its id
    locks.lock(Order, order.id)
    if order.status not in (S.REQUESTED, S.QUOTED):
        raise IllegalOrderMove(f"An order that is {order.status.label.lower()} cannot be quoted")
    if not lines:
        raise ExtraError("Add at least one line to the quote", "lines")
    if valid_until < uk_today():
        raise ExtraError("Valid until must be today or in the future", "valid_until")
    previous = order.quotes[-1] if order.quotes else None
    if previous is not None:
        previous.superseded = True
    q = Quote(
        number=previous.number if previous else _quote_number(uk_today()),
        version=previous.version + 1 if previous else 1,
        valid_until=valid_until,
        terms=(terms or "").strip() or None,
    )
    db.session.add(q)
    order.quotes.append(q)
    for i, (description, quantity, unit_pence, vat_code, extra) in enumerate(lines):
        if not str(description).strip():
            raise ExtraError("Every line needs a description", "lines")
        quantity = Decimal(quantity)
        if quantity <= 0 or unit_pence < 0:
            raise ExtraError("Quantities must be more than 0 and prices £0.00 or more", "lines")
        amounts = line_amounts(quantity, unit_pence, VatCode(vat_code))
        q.lines.append(
            QuoteLine(
                position=i,
                description=str(description).strip(),
                quantity=quantity,
                unit_pence=unit_pence,
                vat_code=vat_code,
                extra_id=extra.id if extra else None,
                net_pence=amounts.net,
                vat_pence=amounts.vat,
            )
        )
    q.net_pence = sum(line.net_pence for line in q.lines)
    q.vat_pence = sum(line.vat_pence for line in q.lines)
    db.session.add(q)
    db.session.flush()
    move(order, S.QUOTED, actor, note=f"quote {q.reference}")
    q.sent_at = utcnow()
    db.session.commit()
    return q


def quote_for(
    member: Member,
    title: str,
    lines: list[tuple],
    valid_until: date,
    terms: str | None,
    actor,
    extra: Extra | None = None,
) -> Quote:
    """Finance quotes directly, without a request from the council."""
    order = Order(member=member, extra=extra, title=title.strip() or "Quote", status=S.REQUESTED)
    db.session.add(order)
    db.session.flush()
    audit.record(
        "order.opened_by_finance",
        "order",
        order.id,
        member_id=member.id,
        changes={"title": order.title},
        actor=actor,
    )
    return quote(order, lines, valid_until, terms, actor)


def current_quote(order: Order) -> Quote | None:
    return order.quotes[-1] if order.quotes else None


def accept(q: Quote, actor, po_number: str | None = None) -> Order:
    """The council accepts the current quote (with its PO number when it needs one)."""
    order = locks.lock(Order, q.order_id)
    if q.accepted_at is not None:
        raise ExtraError(f"{q.reference} has already been accepted")
    if q.superseded:
        raise ExtraError(f"{q.reference} has been replaced by a newer version")
    if order.status != S.QUOTED:
        raise IllegalOrderMove(
            f"This quote cannot be accepted: the order is {order.status.label.lower()}"
        )
    if q.valid_until < uk_today():
        raise ExtraError(
            f"{q.reference} expired on {long_date(q.valid_until)}: ask for a new quote"
        )
    po_number = (po_number or "").strip() or None
    if order.member.po_required and not po_number:
        raise ExtraError("Enter your purchase order number", "po_number")
    q.accepted_at, q.accepted_by_id = utcnow(), getattr(actor, "id", None)
    order.accepted_quote = q
    order.po_number = po_number
    extra = order.extra
    order.invoice_rule = extra.invoice_rule if extra else InvoiceRule.ON_DELIVERY
    order.stage_percent = extra.stage_percent if extra else None
    move(
        order,
        S.ACCEPTED,
        actor,
        note=f"{q.reference} accepted" + (f", PO {po_number}" if po_number else ""),
    )
    if order.invoice_rule == InvoiceRule.ON_ACCEPTANCE:
        invoice_share(order, 100, actor, "on acceptance", commit=False)
    elif order.invoice_rule == InvoiceRule.STAGED:
        invoice_share(
            order, order.stage_percent, actor, f"{order.stage_percent}% on acceptance", commit=False
        )
    db.session.commit()
    return order


def decline(q: Quote, actor, reason: str) -> Order:
    locks.lock(Order, q.order_id)
    if q.declined_at is not None:
        raise ExtraError(f"{q.reference} has already been declined")
    if not (reason or "").strip():
        raise ExtraError("Enter the reason for declining", "reason")
    if q.superseded or q.order.status != S.QUOTED:
        raise IllegalOrderMove("Only the current quote of a quoted order can be declined")
    q.declined_at, q.decline_reason = utcnow(), reason.strip()
    move(q.order, S.DECLINED, actor, note=reason.strip())
    db.session.commit()
    return q.order


# Delivery and invoicing


def invoiced_net(order: Order) -> int:
    """Net invoiced for the order, less credit notes against those invoices."""
    invoiced = db.session.scalar(
        sa.select(sum_pence(Invoice.net_pence)).where(
            Invoice.order_id == order.id,
            Invoice.kind == Kind.INVOICE,
            Invoice.status != Status.DRAFT,
        )
    )
    note = sa.orm.aliased(Invoice)
    credited = db.session.scalar(
        sa.select(sum_pence(note.net_pence))
        .join(Invoice, note.original_id == Invoice.id)
        .where(Invoice.order_id == order.id, ledger.issued_credit_notes(note))
    )
    return invoiced - credited


def invoice_share(order: Order, percent: int, actor, label: str, commit: bool = True) -> Invoice:
    """Invoice `percent` of the accepted quote (100 for the rest). Each line is scaled and the
    last invoice takes exactly what is left, so the invoices never exceed the quote."""
    q = order.accepted_quote
    if q is None:
        raise ExtraError("The order has no accepted quote to invoice")
    from billing.invoices.models import InvoiceLine

    done = dict(
        db.session.execute(
            sa.select(InvoiceLine.quote_line_id, sum_pence(InvoiceLine.net_pence))
            .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
            .where(
                Invoice.order_id == order.id,
                Invoice.kind == Kind.INVOICE,
                Invoice.status != Status.DRAFT,
            )
            .group_by(InvoiceLine.quote_line_id)
        ).all()
    )
    draft = invoices.new_draft(
        order.member,
        actor,
        purpose="extra",
        po_number=order.po_number,
        notes=f"Order {order.id}: {order.title}, quote {q.reference}",
    )
    draft.order_id = order.id
    for line in q.lines:
        left = line.net_pence - done.get(line.id, 0)
        share = (
            left
            if percent >= 100
            else min(round_half_up(Decimal(line.net_pence) * percent / 100), left)
        )
        if share > 0:
            added = invoices.add_line(
                draft, f"{line.description} ({label})", share, Decimal(1), line.vat_code
            )
            added.quote_line_id = line.id
    if not draft.lines:
        db.session.expunge(draft)
        raise ExtraError("Everything on this order has already been invoiced")
    db.session.flush()
    invoices.issue(draft, actor, commit=False)
    audit.record(
        "order.invoiced",
        "order",
        order.id,
        member_id=order.member_id,
        changes={"invoice": draft.number, "net_pence": draft.net_pence, "stage": label},
        actor=actor or "system",
    )
    if commit:
        db.session.commit()
    return draft


def start_work(order: Order, actor) -> None:
    locks.lock(Order, order.id)
    move(order, S.IN_PROGRESS, actor)
    db.session.commit()


def deliver(order: Order, actor) -> None:
    """Delivered: whatever is left to invoice is invoiced now; the order is then invoiced."""
    locks.lock(Order, order.id)
    move(order, S.DELIVERED, actor)
    if invoiced_net(order) < order.accepted_quote.net_pence:
        invoice_share(
            order,
            100,
            actor,
            "on delivery" if order.invoice_rule != InvoiceRule.STAGED else "balance on delivery",
            commit=False,
        )
    move(order, S.INVOICED, actor)
    db.session.commit()


def cancel(order: Order, actor, reason: str) -> None:
    """Cancel an order. When invoices have been raised, they must be credited first."""
    locks.lock(Order, order.id)
    if not (reason or "").strip():
        raise ExtraError("Enter the reason for cancelling", "reason")
    outstanding = invoiced_net(order)
    if outstanding > 0:
        raise ExtraError(
            f"This order has been invoiced: raise credit notes for its invoices ({pounds(outstanding)} excluding VAT) before cancelling it"
        )
    move(order, S.CANCELLED, actor, note=reason.strip())
    db.session.commit()


def timeline(order: Order):
    from company.audit import AuditEvent

    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "order", AuditEvent.entity_id == order.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


def default_valid_until() -> date:
    return uk_today() + timedelta(days=30)
