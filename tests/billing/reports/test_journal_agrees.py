"""The journal's debtors balance for each council equals its statement's closing balance, for
any sequence of money movements (a seeded random walk over the real services)."""

import csv
import io
import random
from datetime import date, timedelta

import pytest

from billing.invoices import services as invoices
from billing.payments import services as payments
from billing.reports import aged_debt as reports_aged_debt
from billing.reports import exports, statements
from company.clock import uk_today
from company.extensions import db
from tests import factories
from tests.factories.books import START, random_walk


@pytest.fixture
def councils(ctx):
    factories.company_settings()
    return [factories.member(name=f"Council {i}") for i in range(3)]


def journal_debtors(start: date, end: date) -> dict[str, int]:
    balances: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(exports.journal_csv(start, end))):
        if row["Account"] != exports.DEBTORS_ACCOUNT:
            continue
        pence = int((row["Debit"] or "0").replace(".", "")) - int(
            (row["Credit"] or "0").replace(".", "")
        )
        balances[row["Council"]] = balances.get(row["Council"], 0) + pence
    return balances


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_journal_debtors_equal_each_statement_closing_balance(councils, seed):
    random_walk(random.Random(seed), councils, steps=60)
    today = uk_today()
    journal = journal_debtors(START, today)
    for member in councils:
        closing = statements.statement(member, START, today).closing
        assert journal.get(member.name, 0) == closing, member.name


def test_money_moved_between_invoices_later_never_changes_a_past_date(councils):
    member = councils[0]
    a = invoices.issue(
        factories.draft_invoice(member, lines=[("A", 1, 10000, "S")]), issue_date=START, send=False
    )
    b = invoices.issue(
        factories.draft_invoice(member, lines=[("B", 1, 10000, "S")]), issue_date=START, send=False
    )
    paid = payments.record_payment(member, 12000, START, "bank_transfer", None, None, [(a, 12000)])
    # Today the money is moved from A to B: as at the day after it arrived, B was still owed.
    payments.reverse_allocation(paid.allocations[0], None, "Meant for B")
    payments.allocate_credit(paid, b, 12000, None)
    rows, _ = reports_aged_debt.aged_debt(START + timedelta(days=1))
    assert [r.total for r in rows] == [12000]
    assert sum(rows[0].buckets) == 12000 and rows[0].credit == 0


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_aged_debt_as_at_any_date_equals_each_statement(councils, seed):
    rng = random.Random(seed)
    random_walk(rng, councils, steps=60)
    today = uk_today()
    for as_at in [
        START,
        *sorted(START + timedelta(days=rng.randint(0, 600)) for _ in range(6)),
        today,
    ]:
        as_at = min(as_at, today)
        rows, _ = reports_aged_debt.aged_debt(as_at)
        totals = {r.member_id: r.total for r in rows}
        for member in councils:
            balance = statements.statement(member, START, as_at).closing
            assert totals.get(member.id, 0) == balance, (member.name, as_at)


def test_a_refund_is_its_own_dated_movement(councils):
    member = councils[0]
    received = START + timedelta(days=10)
    paid = payments.record_payment(member, 50000, received, "bank_transfer", "Overpaid", None, [])
    before = statements.statement(member, START, received)
    payments.refund_credit(paid, 20000, None, "Paid twice")
    today = uk_today()
    # The statement up to the day the money arrived is what it was: the refund came later…
    again = statements.statement(member, START, received)
    assert [(e.kind, e.debit, e.credit) for e in again.entries] == [
        (e.kind, e.debit, e.credit) for e in before.entries
    ]
    assert again.closing == -50000
    # …and it shows on the day it was made, in the statement and the journal.
    entries = statements.statement(member, START, today).entries
    assert (entries[-1].on, entries[-1].kind, entries[-1].debit) == (today, "Refund", 20000)
    journal = list(csv.DictReader(io.StringIO(exports.journal_csv(today, today))))
    assert [(r["Account"], r["Debit"], r["Credit"]) for r in journal] == [
        (exports.DEBTORS_ACCOUNT, "200.00", ""),
        (exports.BANK_ACCOUNT, "", "200.00"),
    ]


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_aged_debt_reads_only_the_invoices_that_may_owe_and_misses_none(
    councils, seed, monkeypatch
):
    """Aged debt asks only the invoices that can have a balance on the day (open ones, those
    with a credit note, those paid after it); every balance is the one that reading every
    invoice gives, and long-settled invoices are left out of the sum."""
    import sqlalchemy as sa

    from billing.invoices.models import Invoice

    rng = random.Random(seed)
    random_walk(rng, councils, steps=80)
    member = councils[0]
    settled = invoices.issue(
        factories.draft_invoice(member, lines=[("Old", 1, 5000, "S")]), issue_date=START, send=False
    )
    payments.record_payment(member, 6000, START, "bank_transfer", None, None, [(settled, 6000)])
    today = uk_today()
    over = invoices.issue(
        factories.draft_invoice(member, lines=[("Paid", 1, 5000, "S")]),
        issue_date=START,
        send=False,
    )
    payments.record_payment(member, 6000, START, "bank_transfer", None, None, [(over, 6000)])
    invoices.credit(over, "Goodwill", None, amount_pence=1000, issue_date=today)  # below zero
    dates = [START, *(START + timedelta(days=rng.randint(0, 600)) for _ in range(8)), today]
    fast = {d: sorted(reports_aged_debt.owed_as_at(min(d, today))) for d in dates}
    candidates = set(
        db.session.scalars(
            sa.select(sa.text("*")).select_from(reports_aged_debt._may_owe_on(today).subquery())
        )
    )
    assert settled.id not in candidates  # settled on the day it was issued: not summed
    assert (over.id, member.id, over.due_date, -1200) in fast[today]  # credit on account
    monkeypatch.setattr(reports_aged_debt, "_may_owe_on", lambda _d: sa.select(Invoice.id))
    for d in dates:
        assert fast[d] == sorted(reports_aged_debt.owed_as_at(min(d, today))), d


@pytest.mark.parametrize("seed", [10, 11])
def test_owed_at_the_end_of_each_month_equals_aged_debt_on_each_day(councils, seed):
    """The dashboard's month-end debt, worked out for every month at once, is what aged debt
    says on each of those days."""
    rng = random.Random(seed)
    random_walk(rng, councils, steps=80)
    today = uk_today()
    days = sorted({min(START + timedelta(days=rng.randint(0, 600)), today) for _ in range(10)})
    at_each = reports_aged_debt.owed_at_each(days)
    for day in days:
        owed = sum(max(left, 0) for *_, left in reports_aged_debt.owed_as_at(day))
        assert at_each[day] == owed, day
    assert any(at_each.values())
