"""Credits in parts add up exactly to what was invoiced, line by line, net and VAT."""

import random
from datetime import date

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.invoices import services
from billing.invoices.models import Invoice, InvoiceLine, Status
from company.extensions import db
from tests import factories

DAY = date(2026, 4, 1)


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, lines):
    return services.issue(factories.draft_invoice(member, lines=lines), issue_date=DAY)


def credited_per_line(invoice):
    return {
        line_id: (net, vat) for line_id, (net, vat) in services.credited_by_line(invoice).items()
    }


def test_crediting_a_1204_invoice_in_two_parts_leaves_nothing_owed(member):
    inv = issued(member, [("Licence", 1, 1003, "S")])  # £10.03 + £2.01 VAT = £12.04
    assert inv.gross_pence == 1204
    first = services.credit(inv, "Part", None, amount_pence=501)
    second = services.credit(inv, "Rest", None, amount_pence=502)
    assert first.vat_pence + second.vat_pence == 201
    assert first.gross_pence + second.gross_pence == 1204
    assert ledger.owed(inv) == 0 and inv.status == Status.CREDITED


def test_parts_that_each_round_up_never_over_credit(member):
    inv = issued(member, [("Licence", 1, 1012, "S")])  # VAT 202.4 -> £2.02
    services.credit(inv, "Part", None, amount_pence=503)  # VAT 100.6 -> £1.01
    last = services.credit(inv, "Rest", None, line_ids=[inv.lines[0].id])
    assert (last.net_pence, last.vat_pence) == (509, 101)  # not 101.8 -> £1.02
    assert ledger.credited(inv) == inv.gross_pence


def test_a_credit_uses_the_rate_stored_on_the_invoiced_line(member):
    inv = issued(member, [("Licence", 1, 10000, "S")])
    # An invoice from when the standard rate was 17.5%: its line carries that rate.
    db.session.execute(
        sa.update(InvoiceLine)
        .where(InvoiceLine.id == inv.lines[0].id)
        .values(vat_rate_bp=1750, vat_pence=1750)
    )
    db.session.execute(
        sa.update(Invoice).where(Invoice.id == inv.id).values(vat_pence=1750, gross_pence=11750)
    )
    db.session.commit()
    db.session.expire_all()
    note = services.credit(inv, "Part", None, amount_pence=4000)
    assert note.vat_pence == 700 and note.lines[0].vat_rate_bp == 1750


def test_any_sequence_of_part_credits_adds_up_per_line(member):
    """A seeded random walk: invoices of 1 to 4 lines credited by amounts and by lines until
    nothing is left. At every step no line is credited more than it charged, net or VAT; at
    the end every line is credited exactly."""
    rng = random.Random(20261207)
    for _ in range(25):
        lines = [
            (f"Line {i}", rng.choice([1, 2, 3]), rng.randint(1, 5000), "S")
            for i in range(rng.randint(1, 4))
        ]
        inv = issued(member, lines)
        while inv.status != Status.CREDITED:
            left = inv.net_pence - sum(n for n, _ in credited_per_line(inv).values())
            if rng.random() < 0.7:
                services.credit(inv, "Part", None, amount_pence=rng.randint(1, left))
            else:
                done = credited_per_line(inv)
                open_lines = [
                    ln.id for ln in inv.lines if done.get(ln.id, (0, 0))[0] < ln.net_pence
                ]
                services.credit(inv, "Lines", None, line_ids=[rng.choice(open_lines)])
            for line in inv.lines:
                net, vat = credited_per_line(inv).get(line.id, (0, 0))
                assert net <= line.net_pence and vat <= line.vat_pence
        for line in inv.lines:
            assert credited_per_line(inv)[line.id] == (line.net_pence, line.vat_pence)
        assert ledger.credited(inv) == inv.gross_pence and ledger.owed(inv) == 0
