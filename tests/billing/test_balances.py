"""The stored balances (`Invoice.balance_pence`, `Payment.left_pence`) are always what the rows
give, whatever moves the money: kept by the session on every flush, filled by the migration, and
checked by `flask billing balances`."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from billing import balances, ledger
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Kind, Status
from billing.payments import services as payments
from billing.payments.models import Payment
from company.clock import uk_today
from company.extensions import db
from tests import factories
from tests.factories.books import START, random_walk
from tests.helpers import ROOT


@pytest.fixture
def councils(ctx):
    factories.company_settings()
    return [factories.member(name=f"Council {i}") for i in range(3)]


def stored() -> tuple[dict, dict]:
    return (
        dict(db.session.execute(sa.select(Invoice.id, Invoice.balance_pence)).all()),
        dict(db.session.execute(sa.select(Payment.id, Payment.left_pence)).all()),
    )


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_every_money_move_keeps_the_stored_balances(councils, seed):
    random_walk(random.Random(seed), councils, steps=90)
    db.session.commit()
    assert balances.mismatches(db.session) == []
    owed, left = stored()
    assert any(owed.values()) and any(left.values())  # the walk leaves debts and credit
    # Only an open invoice owes something (credit control's partial index relies on it).
    owing = db.session.execute(
        sa.select(Invoice.kind, Invoice.status).where(Invoice.balance_pence > 0).distinct()
    ).all()
    assert owing and {kind for kind, _ in owing} == {Kind.INVOICE}
    assert {status for _, status in owing} <= {Status.ISSUED, Status.PART_PAID}
    # what the ledger says is owed (which counts a credited invoice as owing nothing)
    for invoice in db.session.scalars(
        sa.select(Invoice).where(Invoice.kind == Kind.INVOICE, Invoice.status != Status.CREDITED)
    ):
        assert invoice.balance_pence == ledger.owed(invoice), invoice.number


def test_the_objects_in_hand_see_the_new_balance_at_once(councils):
    member = councils[0]
    invoice = invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, 10000, "S")]), issue_date=START
    )
    assert invoice.balance_pence == 12000
    payment = payments.record_payment(
        member, 20000, START, "bank_transfer", None, None, [(invoice, 5000)]
    )
    assert (invoice.balance_pence, payment.left_pence) == (7000, 15000)
    payments.reverse_allocation(payment.allocations[0], None, "Wrong invoice")
    assert (invoice.balance_pence, payment.left_pence) == (12000, 20000)
    invoices.credit(invoice, "Goodwill", None, amount_pence=2000, issue_date=uk_today())
    assert invoice.balance_pence == 9600
    payments.refund_credit(payment, 3000, None, "Overpaid")
    assert payment.left_pence == 17000
    payments.reverse_payment(payment, None, "Bounced")
    assert payment.left_pence == -3000  # what aged debt counts: the refund, and no money
    assert balances.mismatches(db.session) == []


def test_the_migration_fills_them_from_the_rows(app, councils):
    from flask_migrate import downgrade, upgrade

    random_walk(random.Random(34), councils, steps=60)
    db.session.commit()
    before = stored()
    assert any(before[0].values())
    db.session.remove()
    migrations = str(ROOT / "migrations")
    downgrade(directory=migrations, revision="0013_invoice_list_indexes")
    upgrade(directory=migrations)
    assert stored() == before
    assert balances.mismatches(db.session) == []


def test_the_command_finds_a_wrong_balance_and_restates_it(app, councils):
    member = councils[0]
    invoice = invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, 10000, "S")]),
        issue_date=uk_today() - timedelta(days=3),
    )
    db.session.execute(sa.update(Invoice).where(Invoice.id == invoice.id).values(balance_pence=1))
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["billing", "balances"])
    assert checked.exit_code == 1
    assert f"invoice {invoice.number}: stored 1, rows give 12000" in checked.output
    fixed = runner.invoke(args=["billing", "balances", "--restate"])
    assert fixed.exit_code == 0 and "balances: 0 differ" in fixed.output
