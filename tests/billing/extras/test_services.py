"""Extras: catalogue, request, versioned quotes, acceptance with PO, delivery and invoicing."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing.extras import services
from billing.extras.models import InvoiceRule, OrderStatus, Pricing
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Kind, Status
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from tests import factories


@pytest.fixture
def setup(ctx):
    factories.company_settings()
    member = factories.member(po_required=True)
    council_user = factories.user(Role.COUNCIL_ADMIN, member=member)
    finance = factories.user(Role.FINANCE)
    migration = services.save_extra(
        {"name": "Data migration", "description": "Move your data from the legacy system", "pricing": Pricing.DAY_RATE,
         "price_pence": 60000, "default_days": Decimal(5), "vat_code": "S", "invoice_rule": InvoiceRule.STAGED, "stage_percent": 50},
        finance,
    )  # fmt: skip
    return member, council_user, finance, migration


def lines(extra, days=5):
    return [(f"{extra.name}: {days} days", Decimal(days), extra.price_pence, "S", extra)]


def test_request_quote_accept_with_po_deliver_and_invoice_in_stages(setup, mailbox):
    member, council_user, finance, extra = setup
    order = services.request_extra(
        member, "", "Migrate 12 years of case records", council_user, extra
    )
    assert order.status == OrderStatus.REQUESTED and order.title == "Data migration"
    q = services.quote(
        order, lines(extra), uk_today() + timedelta(days=30), "Payment in 30 days", finance
    )
    assert q.number.startswith("Q-") and q.version == 1 and order.status == OrderStatus.QUOTED
    assert (q.net_pence, q.vat_pence) == (300000, 60000)
    with pytest.raises(services.ExtraError, match="Enter your purchase order number"):
        services.accept(q, council_user)
    services.accept(q, council_user, po_number="PO-777")
    assert order.status == OrderStatus.ACCEPTED and order.invoice_rule == InvoiceRule.STAGED
    [first] = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).all()
    assert (
        first.net_pence == 150000
        and first.po_number == "PO-777"
        and first.number.startswith("INV-")
    )
    services.start_work(order, finance)
    services.deliver(order, finance)
    assert order.status == OrderStatus.INVOICED
    both = db.session.scalars(
        sa.select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)
    ).all()
    assert [i.net_pence for i in both] == [150000, 150000]
    assert sum(i.net_pence for i in both) == q.net_pence  # never more than the quote
    actions = [e.changes for e in services.timeline(order)]
    assert any("accepted" in c for c in actions) and any("invoiced" in c for c in actions)


def test_a_revised_quote_keeps_the_old_version_and_only_the_current_one_can_be_accepted(setup):
    member, council_user, finance, extra = setup
    order = services.request_extra(member, "", "Migrate records", council_user, extra)
    v1 = services.quote(order, lines(extra, 5), uk_today() + timedelta(days=30), None, finance)
    v2 = services.quote(order, lines(extra, 4), uk_today() + timedelta(days=30), None, finance)
    assert (v2.number, v2.version, v1.superseded) == (v1.number, 2, True)
    assert v2.reference == f"{v1.number} v2"
    with pytest.raises(services.ExtraError, match="replaced by a newer version"):
        services.accept(v1, council_user, po_number="PO-1")
    services.accept(v2, council_user, po_number="PO-1")
    assert order.accepted_quote_id == v2.id


def test_an_expired_quote_cannot_be_accepted(setup):
    member, council_user, finance, extra = setup
    q = services.quote_for(
        member, "Training", [("Training day", 1, 90000, "S", None)], uk_today(), None, finance
    )
    q.valid_until = uk_today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(services.ExtraError, match="expired"):
        services.accept(q, council_user, po_number="PO-2")


def test_declining_records_the_reason(setup):
    member, council_user, finance, extra = setup
    q = services.quote_for(
        member,
        "Training",
        [("Training day", 1, 90000, "S", None)],
        uk_today() + timedelta(days=5),
        None,
        finance,
    )
    with pytest.raises(services.ExtraError, match="Enter the reason"):
        services.decline(q, council_user, "")
    order = services.decline(q, council_user, "No budget this year")
    assert order.status == OrderStatus.DECLINED and q.decline_reason == "No budget this year"


def test_order_moves_follow_one_table(setup):
    member, council_user, finance, extra = setup
    order = services.request_extra(member, "", "Something", council_user, extra)
    with pytest.raises(services.IllegalOrderMove, match="cannot go from requested to delivered"):
        services.move(order, OrderStatus.DELIVERED, finance)


def test_cancelling_an_invoiced_order_asks_for_credit_notes_first(setup):
    member, council_user, finance, extra = setup
    order = services.request_extra(member, "", "Migrate", council_user, extra)
    q = services.quote(order, lines(extra), uk_today() + timedelta(days=30), None, finance)
    services.accept(q, council_user, po_number="PO-3")
    with pytest.raises(services.ExtraError, match="raise credit notes for its invoices"):
        services.cancel(order, finance, "Council withdrew")
    first = db.session.scalar(
        sa.select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == Kind.INVOICE)
    )
    invoices.credit(first, "Order cancelled", finance)
    services.cancel(order, finance, "Council withdrew")
    assert order.status == OrderStatus.CANCELLED


def test_retired_extras_cannot_be_requested_but_stay_on_old_orders(setup):
    member, council_user, finance, extra = setup
    order = services.request_extra(member, "", "Before retirement", council_user, extra)
    values = {
        c: getattr(extra, c)
        for c in (
            "name",
            "description",
            "pricing",
            "price_pence",
            "default_days",
            "vat_code",
            "invoice_rule",
            "stage_percent",
        )
    }
    services.save_extra({**values, "active": False}, finance, extra=extra)
    with pytest.raises(services.ExtraError, match="no longer offered"):
        services.request_extra(member, "", "After", council_user, extra)
    assert order.extra.name == "Data migration" and extra not in services.catalogue()


def test_a_draft_credit_note_does_not_count_against_an_order(setup):
    """What an order has invoiced uses the ledger's credit-note filter: drafts never count."""
    member, council_user, finance, extra = setup
    order = services.request_extra(member, "", "Migrate", council_user, extra)
    q = services.quote(order, lines(extra), uk_today() + timedelta(days=30), None, finance)
    services.accept(q, council_user, po_number="PO-4")
    first = db.session.scalar(sa.select(Invoice).where(Invoice.order_id == order.id))
    db.session.add(
        Invoice(
            kind=Kind.CREDIT_NOTE, status=Status.DRAFT, member_id=member.id, original_id=first.id,
            customer_name=member.name, customer_address="", net_pence=first.net_pence,
            vat_pence=first.vat_pence, gross_pence=first.gross_pence, year_start=first.year_start,
        )
    )  # fmt: skip
    db.session.flush()
    assert services.invoiced_net(order) == first.net_pence
    with pytest.raises(services.ExtraError, match="raise credit notes for its invoices"):
        services.cancel(order, finance, "Council withdrew")
