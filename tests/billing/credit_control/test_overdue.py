"""The credit control page's overdue invoices: worked out in SQL a page at a time, they are
exactly the invoices `reminders.claimable` states a claim on, with the same figures, on any
books; the totals are of every page; the SQL does not grow with the book."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing.credit_control import late_payment, reminders
from billing.credit_control import overdue as overdue_list
from billing.invoices import services as invoices
from billing.invoices.models import Invoice
from billing.payments import services as payments
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from tests import factories
from tests.factories.books import START, random_walk
from tests.helpers import statements_counted, text_of


@pytest.fixture
def councils(ctx):
    factories.company_settings()
    return [factories.member(name=f"Council {i}") for i in range(3)]


def every_page(today: date) -> list[tuple[Invoice, late_payment.Claim]]:
    first = overdue_list.overdue(1, today)
    found = list(first.page.items)
    for page in range(2, first.page.pages + 1):
        found += overdue_list.overdue(page, today).page.items
    return found


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_the_list_is_every_invoice_with_a_claim_and_the_same_claim(councils, seed, monkeypatch):
    monkeypatch.setattr(overdue_list, "PER_PAGE", 4)
    rng = random.Random(seed)
    random_walk(rng, councils, steps=90)
    today = uk_today()
    every = db.session.scalars(db.select(Invoice)).all()
    days = [
        today,
        *(START + timedelta(days=rng.randint(40, (today - START).days)) for _ in range(4)),
    ]
    listed_somewhere = False
    for day in days:
        expected = [
            (inv.id, claim) for inv in every if (claim := reminders.claimable(inv, day)) is not None
        ]
        listed = every_page(day)
        assert sorted(expected, key=lambda e: e[0]) == sorted(
            ((inv.id, claim) for inv, claim in listed), key=lambda e: e[0]
        ), day
        assert [(inv.due_date, inv.id) for inv, _ in listed] == sorted(
            (inv.due_date, inv.id) for inv, _ in listed
        )  # oldest due first, across pages
        totals = overdue_list.overdue(1, day)
        claims = [claim for _, claim in expected]
        assert totals.count == len(claims)
        assert totals.owed_pence == sum(c.owed_pence for c in claims)
        assert totals.claimable_pence == sum(c.total_pence for c in claims)
        assert totals.unconfirmed == sum(c.rate_needs_checking for c in claims)
        listed_somewhere |= bool(claims)
    assert listed_somewhere


def test_part_payments_and_credits_on_late_days_still_owe_interest_for_that_day(councils):
    """The closed form in SQL charges a day's interest on money paid that day, as
    `interest_on_balances` does."""
    member = councils[0]
    issued_on = date(2025, 5, 1)  # due 31 May 2025
    inv = invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, 997500, "Z")]),
        issue_date=issued_on,
        send=False,
    )
    payments.record_payment(
        member, 300000, date(2025, 7, 15), "bank_transfer", None, None, [(inv, 300000)]
    )
    payments.record_payment(
        member, 100000, date(2025, 5, 20), "bank_transfer", None, None, [(inv, 100000)]
    )
    today = date(2026, 5, 31)
    ((listed, claim),) = overdue_list.overdue(1, today).page.items
    assert listed.id == inv.id and claim == reminders.claimable(inv, today)
    assert claim.debt_pence == 897500 and claim.owed_pence == 597500
    totals = overdue_list.overdue(1, today)
    # 1 June to 15 July 2025 (45 days, the day paid included) on £8,975, then 320 days on £5,975
    assert claim.interest.pence_days == 897500 * 45 + 597500 * 320
    assert claim.interest.rate == Decimal("12.75")  # Bank Rate 4.75% on 31 December 2024, plus 8
    assert claim.interest_pence == 80897  # 231,587,500 × 12.75% ÷ 365 = 80,897.003…p
    assert totals.claimable_pence == claim.interest_pence + 7000  # £70: a debt under £10,000


def test_interest_is_rounded_half_up_exactly():
    """£9,975 for 365 days at 8.10% is exactly 80,797.5p, which rounds up to £807.98: a Decimal
    product (28 digits) made it 80,797.4999…p and rounded down."""
    assert late_payment.interest_on(997500 * 365, Decimal("8.10")) == 80798
    assert late_payment.interest_on(1, Decimal("8.10")) == 0
    assert late_payment.interest_on(0, Decimal("12.25")) == 0
    assert late_payment.interest_on(36500 * 100, Decimal("1")) == 100


def test_totals_are_of_every_page_and_the_sql_does_not_grow(
    client, councils, login_as, monkeypatch
):
    login_as(factories.user(Role.FINANCE))
    monkeypatch.setattr(overdue_list, "PER_PAGE", 3)
    day = uk_today() - timedelta(days=120)

    def book(count: int) -> None:
        for i in range(count):
            invoices.issue(
                factories.draft_invoice(councils[i % 3], lines=[("Item", 1, 100000 + i, "Z")]),
                issue_date=day + timedelta(days=i),
                send=False,
            )

    book(4)
    with statements_counted() as few:
        first = client.get("/billing/credit-control/")
    book(8)
    with statements_counted() as many:
        again = client.get("/billing/credit-control/?page=2")
    assert first.status_code == again.status_code == 200
    assert len(many) == len(few)
    page = text_of(again)
    totals = overdue_list.overdue(1)
    assert totals.count == 12 and "12 overdue invoices, oldest due first. Showing 4 to 6." in page
    assert "Total, all pages (12 overdue invoices)" in page
    assert "Page 2 of 4" in page
    beyond = text_of(client.get("/billing/credit-control/?page=9"))
    assert "No overdue invoices on this page." in beyond


def test_alike_invoices_with_nothing_paid_are_each_counted(councils):
    """Invoices with nothing set against them are totalled by due date and amount: three alike
    count three times, beside one part-paid."""
    day = date(2026, 3, 2)  # due 1 April 2026
    alike = [
        invoices.issue(
            factories.draft_invoice(member, lines=[("Item", 1, 50000, "Z")]),
            issue_date=day,
            send=False,
        )
        for member in councils
    ]
    part = invoices.issue(
        factories.draft_invoice(councils[0], lines=[("Item", 1, 50000, "Z")]),
        issue_date=day,
        send=False,
    )
    payments.record_payment(
        councils[0], 20000, date(2026, 4, 20), "bank_transfer", None, None, [(part, 20000)]
    )
    today = date(2026, 10, 1)
    claims = [reminders.claimable(inv, today) for inv in [*alike, part]]
    totals = overdue_list.overdue(1, today)
    assert totals.count == 4
    assert totals.owed_pence == 3 * 50000 + 30000 == sum(c.owed_pence for c in claims)
    assert totals.claimable_pence == sum(c.total_pence for c in claims)
    assert claims[0].total_pence * 3 + claims[3].total_pence == totals.claimable_pence
