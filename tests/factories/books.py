"""Random books: a seeded walk over the real money services (invoices, credit notes, payments,
allocations, reversals, refunds) on dates from START to today, for tests that prove a fast
report equals the slow rule on any ledger."""

import random
from datetime import date, timedelta

from billing import ledger
from billing.invoices import services as invoices
from billing.invoices.models import Status
from billing.payments import services as payments
from billing.payments.models import Payment
from company.clock import uk_today
from company.extensions import db
from tests.factories.billing import draft_invoice

START = date(2025, 4, 1)


def random_walk(rng: random.Random, councils, steps: int) -> None:
    today = uk_today()
    days = (today - START).days
    for _ in range(steps):
        member = rng.choice(councils)
        on = START + timedelta(days=rng.randint(0, days))
        move = rng.choice(
            ["invoice", "invoice", "credit", "pay", "pay", "allocate", "reverse", "refund"]
        )
        open_ones = ledger.open_invoices(member.id)
        live = [
            p for p in db.session.query(Payment).filter_by(member_id=member.id, reversed_at=None)
        ]
        if move == "invoice":
            lines = [("Item", 1, rng.randint(1, 200000), "S")]
            invoices.issue(draft_invoice(member, lines=lines), issue_date=on, send=False)
        elif move == "credit" and open_ones:
            inv = rng.choice(open_ones)
            left = inv.net_pence - sum(invoices.credited_net_by_line(inv).values())
            if left > 0 and inv.status == Status.ISSUED:
                amount = rng.randint(1, left)
                invoices.credit(inv, "Discount", None, amount_pence=amount, issue_date=today)
        elif move == "pay":
            payments.record_payment(member, rng.randint(1, 300000), on, "bank_transfer", None, None)
        elif move == "allocate" and open_ones and live:
            payment = rng.choice(live)
            free = payments.unallocated(payment)
            inv = rng.choice(open_ones)
            take = min(free, ledger.owed(inv))
            if take > 0:
                payments.allocate_credit(payment, inv, take, None)
        elif move == "reverse" and live:
            payments.reverse_payment(rng.choice(live), None, "Bounced")
        elif move == "refund" and live:
            payment = rng.choice(live)
            free = payments.unallocated(payment)
            if free > 0:
                payments.refund_credit(payment, rng.randint(1, free), None, "Overpaid")
