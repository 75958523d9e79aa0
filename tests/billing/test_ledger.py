"""What is owed has one owner, and every way of asking it gives the same answer."""

from datetime import date

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.invoices import services as invoices
from billing.invoices.models import INVOICE, Invoice, Kind, Status
from billing.payments import services as payments
from company.extensions import db
from company.states import Machine
from tests import factories


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, pence, day=date(2026, 4, 1)):
    draft = factories.draft_invoice(member, lines=[("Item", 1, pence, "Z")])
    return invoices.issue(draft, issue_date=day, send=False)


def test_credit_notes_and_payments_reduce_what_is_owed_the_same_way_everywhere(member):
    a, b, c = issued(member, 100000), issued(member, 50000), issued(member, 20000)
    invoices.credit(a, "Overcharged", None, amount_pence=30000)
    payments.record_payment(member, 45000, date(2026, 4, 20), "bank_transfer", a.number, None)
    payments.record_payment(
        member, 20000, date(2026, 4, 21), "cheque", c.number, None, allocations=[(c, 20000)]
    )
    # a draft credit note never reduces a balance (the filter every figure shares)
    db.session.add(
        Invoice(
            kind=Kind.CREDIT_NOTE,
            status=Status.DRAFT,
            member_id=member.id,
            original_id=b.id,
            customer_name=member.name,
            customer_address="",
            net_pence=50000,
            vat_pence=0,
            gross_pence=50000,
            year_start=b.year_start,
        )
    )
    db.session.flush()

    one_by_one = {inv.id: ledger.owed(inv) for inv in (a, b, c)}
    assert one_by_one == {a.id: 25000, b.id: 50000, c.id: 0}
    assert ledger.owed_many([a, b, c]) == one_by_one
    assert ledger.member_balance(member.id) == 75000 == sum(one_by_one.values())
    assert ledger.open_invoices(member.id) == [a, b]
    assert {inv.id: pence for inv, pence in ledger.open_owing_exactly({25000, 50000})} == {
        a.id: 25000,
        b.id: 50000,
    }
    assert [a.status, b.status, c.status] == [Status.PART_PAID, Status.ISSUED, Status.PAID]
    assert ledger.owed(invoices.credit(b, "Cancelled", None)) == 0  # a credit note owes nothing


def test_status_follows_the_money_through_the_invoice_machine(member):
    inv = issued(member, 10000)
    db.session.execute(
        sa.update(Invoice).where(Invoice.id == inv.id).values(status=Status.CREDITED)
    )
    db.session.refresh(inv)
    assert ledger.status_for(inv) == Status.CREDITED  # a credited invoice keeps its status
    inv.status = Status.ISSUED
    payments.record_payment(member, 10000, date(2026, 4, 20), "cheque", inv.number, None)
    assert inv.status == Status.PAID


def test_overdue_means_past_due_with_something_owed(member):
    inv = issued(member, 10000, date(2026, 4, 1))
    after = inv.due_date.replace(year=inv.due_date.year + 1)
    assert ledger.is_overdue(inv, after) and not ledger.is_overdue(inv, inv.due_date)
    payments.record_payment(member, 10000, date(2026, 4, 20), "cheque", inv.number, None)
    assert not ledger.is_overdue(inv, after)


def test_every_status_has_a_row_in_its_machine():
    assert set(INVOICE.moves) == set(Status)
    with pytest.raises(ValueError, match="no row for"):
        Machine("An invoice", {Status.DRAFT: {Status.ISSUED}})
    with pytest.raises(INVOICE.error, match="cannot go from paid to draft"):
        INVOICE.check(Status.PAID, Status.DRAFT)


def test_every_status_has_one_tag_colour(app):
    from billing.extras.models import OrderStatus

    with app.test_request_context():
        tag = app.jinja_env.get_template("components/status.html").module.status_tag
        for status in [*Status, *OrderStatus]:
            assert str(tag(status)) == (
                f'<strong class="govuk-tag {status.tag_class}">{status.label}</strong>'
            )
    assert OrderStatus.QUOTED.tag_class == "govuk-tag--blue"  # finance and council alike
