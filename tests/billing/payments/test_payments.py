"""Recording payments, allocating them to invoices, credit on account, and reversals."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.invoices import services as invoices
from billing.invoices.models import Status
from billing.payments import services
from billing.payments.models import Allocation
from company.audit import AuditEvent
from company.clock import uk_today
from company.extensions import db
from tests import factories


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, pence=100000, day=date(2026, 4, 1)):
    return invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, pence, "Z")]), issue_date=day, send=False
    )


def test_a_part_payment_leaves_the_rest_owing(member):
    inv = issued(member)
    services.record_payment(member, 40000, date(2026, 4, 20), "bank_transfer", inv.number, None)
    assert inv.status == Status.PART_PAID and ledger.owed(inv) == 60000
    assert ledger.owed(inv) == 60000
    services.record_payment(member, 60000, date(2026, 4, 25), "bank_transfer", inv.number, None)
    assert inv.status == Status.PAID and ledger.owed(inv) == 0


def test_payments_are_allocated_oldest_first_and_overpayment_stays_as_credit(member):
    old = issued(member, 30000, date(2026, 4, 1))
    new = issued(member, 50000, date(2026, 5, 1))
    payment = services.record_payment(member, 100000, date(2026, 5, 10), "cheque", "chq 001", None)
    assert [(a.invoice_id, a.amount_pence) for a in payment.allocations] == [
        (old.id, 30000),
        (new.id, 50000),
    ]
    assert old.status == new.status == Status.PAID
    assert services.unallocated(payment) == 20000 and services.member_credit(member.id) == 20000
    later = issued(member, 15000, date(2026, 6, 1))
    services.allocate_credit(payment, later, 15000, None)
    assert later.status == Status.PAID and services.member_credit(member.id) == 5000
    with pytest.raises(services.PaymentError, match="Only £50.00 of this payment is unallocated"):
        services.allocate_credit(payment, issued(member, 99999), 6000, None)


def test_chosen_allocations_are_checked(member):
    inv = issued(member, 10000)
    other = factories.member()
    theirs = issued(other, 10000)
    with pytest.raises(services.PaymentError, match="only £100.00 left to pay"):
        services.record_payment(
            member, 20000, date(2026, 4, 2), "bank_transfer", None, None, allocations=[(inv, 20000)]
        )
    with pytest.raises(services.PaymentError, match="is not an invoice of"):
        services.record_payment(
            member,
            10000,
            date(2026, 4, 2),
            "bank_transfer",
            None,
            None,
            allocations=[(theirs, 10000)],
        )
    db.session.rollback()
    with pytest.raises(services.PaymentError, match="add up to more than the amount received"):
        services.record_payment(
            member, 5000, date(2026, 4, 2), "bank_transfer", None, None, allocations=[(inv, 6000)]
        )
    with pytest.raises(services.PaymentError, match="today or in the past"):
        services.record_payment(
            member, 5000, uk_today() + timedelta(days=1), "bank_transfer", None, None
        )
    with pytest.raises(services.PaymentError, match="more than £0.00"):
        services.record_payment(member, 0, date(2026, 4, 2), "bank_transfer", None, None)


def test_a_reversal_is_recorded_never_deleted(member):
    inv = issued(member)
    payment = services.record_payment(member, 100000, date(2026, 4, 20), "cheque", "chq 7", None)
    assert inv.status == Status.PAID
    services.reverse_payment(payment, None, "Cheque bounced")
    assert inv.status == Status.ISSUED and ledger.owed(inv) == 100000
    rows = db.session.scalars(sa.select(Allocation).order_by(Allocation.id)).all()
    assert [a.amount_pence for a in rows] == [100000, -100000] and rows[1].reverses_id == rows[0].id
    assert payment.reversed_at is not None and payment.reversal_reason == "Cheque bounced"
    assert services.member_credit(member.id) == 0
    with pytest.raises(services.PaymentError, match="already been reversed"):
        services.reverse_payment(payment, None, "again")
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert {
        "payment.recorded",
        "payment.allocated",
        "payment.allocation_reversed",
        "payment.reversed",
    } <= set(actions)


def test_a_credited_invoice_takes_no_payment(member):
    inv = issued(member)
    invoices.credit(inv, "cancelled", None)
    payment = services.record_payment(member, 1000, date(2026, 4, 20), "bank_transfer", None, None)
    assert payment.allocations == [] and services.member_credit(member.id) == 1000


def test_what_is_owed_accounts_for_credit_notes_and_payments(member):
    inv = issued(member)
    invoices.credit(inv, "discount", None, amount_pence=10000)
    services.record_payment(member, 50000, date(2026, 4, 20), "bank_transfer", None, None)
    assert ledger.owed(inv) == 40000
    services.record_payment(member, 40000, date(2026, 4, 21), "bank_transfer", None, None)
    assert inv.status == Status.PAID
