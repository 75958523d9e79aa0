"""Statements, aged debt as at any date, the dashboard figures and the accounting exports."""

import csv
import io
from datetime import date, timedelta

import pytest

from billing.invoices import services as invoices
from billing.payments import services as payments
from billing.reports import aged_debt as reports_aged_debt
from billing.reports import dashboard as reports_dashboard
from billing.reports import exports as reports_exports
from billing.reports import statements
from tests import factories


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, pence, day, vat="S"):
    return invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, pence, vat)]), issue_date=day, send=False
    )


def test_statement_has_opening_balance_entries_and_closing_balance(member):
    a = issued(member, 10000, date(2026, 3, 1))  # £120.00, before the period
    b = issued(member, 50000, date(2026, 4, 10))  # £600.00
    invoices.credit(b, "discount", None, amount_pence=5000, issue_date=date(2026, 4, 12))  # £60.00
    payments.record_payment(member, 12000, date(2026, 4, 15), "bank_transfer", a.number, None)
    s = statements.statement(member, date(2026, 4, 1), date(2026, 4, 30))
    assert s.opening == 12000
    assert [(e.kind, e.debit, e.credit, e.balance) for e in s.entries] == [
        ("Invoice", 60000, 0, 72000),
        ("Credit note", 0, 6000, 66000),
        ("Payment", 0, 12000, 54000),
    ]
    assert s.closing == 54000


@pytest.mark.parametrize(
    "days, bucket", [(-5, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4)]
)
def test_aged_debt_buckets(days, bucket):
    assert reports_aged_debt.bucket_of(days) == bucket


def test_aged_debt_sums_each_invoice_into_its_bucket_at_the_edges(member):
    """The report buckets in SQL by comparing dates; each edge lands where `bucket_of` says."""
    as_at = date(2026, 9, 30)
    edges = [-5, 0, 1, 30, 31, 60, 61, 90, 91]
    expected = [0] * len(reports_aged_debt.BUCKETS)
    for i, days in enumerate(edges):
        pence = 100 * (i + 1)  # zero-rated: what it owes is its net
        issued(member, pence, as_at - timedelta(days=days + 30), vat="Z")  # due 30 days after
        expected[reports_aged_debt.bucket_of(days)] += pence
    rows, totals = reports_aged_debt.aged_debt(as_at)
    assert [r.buckets for r in rows] == [expected] and totals == expected


def test_aged_debt_as_at_any_date(member):
    inv = issued(member, 100000, date(2026, 4, 1))  # due 1 May 2026, £1,200.00
    other = factories.member()
    issued(other, 10000, date(2026, 7, 1))  # due 31 July
    rows, totals = reports_aged_debt.aged_debt(date(2026, 4, 30))
    assert [(r.member_name, r.buckets) for r in rows] == [(member.name, [120000, 0, 0, 0, 0])]
    rows, totals = reports_aged_debt.aged_debt(date(2026, 8, 15))
    by_name = {r.member_name: r.buckets for r in rows}
    assert by_name[member.name] == [0, 0, 0, 0, 120000]  # due 1 May: 106 days overdue on 15 August
    assert by_name[other.name] == [0, 12000, 0, 0, 0]  # due 31 July: 15 days
    assert totals == [0, 12000, 0, 0, 120000]
    payments.record_payment(member, 120000, date(2026, 8, 20), "bank_transfer", inv.number, None)
    assert member.name not in {
        r.member_name for r in reports_aged_debt.aged_debt(date(2026, 9, 1))[0]
    }
    # as at an earlier date the invoice is still owed: the payment was made later
    text = reports_aged_debt.aged_debt_csv(date(2026, 8, 15))
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "Member council",
        *reports_aged_debt.BUCKETS,
        "Credit on account",
        "Total",
    ]
    assert lines[-1] == ["Total", "0.00", "120.00", "0.00", "0.00", "1200.00", "0.00", "1320.00"]


def test_dashboard_figures(member):
    inv = issued(member, 100000, date(2026, 4, 1))
    payments.record_payment(member, 20000, date(2026, 4, 20), "bank_transfer", inv.number, None)
    figures = reports_dashboard.dashboard(today=date(2026, 6, 15))
    assert (
        figures["owed"] == 100000 and figures["overdue"] == 100000 and figures["collected"] == 20000
    )
    april = figures["months"][0]
    assert (april.month, april.invoiced, april.collected, april.owed_at_end) == (
        date(2026, 4, 1),
        120000,
        20000,
        100000,
    )
    assert [m.month.month for m in figures["months"]] == [4, 5, 6]


def test_exports_in_xero_layout_and_as_a_balanced_journal(member):
    inv = issued(member, 100000, date(2026, 4, 1))
    invoices.credit(inv, "discount", None, amount_pence=10000, issue_date=date(2026, 4, 5))
    payments.record_payment(member, 50000, date(2026, 4, 20), "bank_transfer", inv.number, None)
    xero = list(
        csv.DictReader(
            io.StringIO(reports_exports.xero_sales_csv(date(2026, 4, 1), date(2026, 4, 30)))
        )
    )
    assert [
        (r["*InvoiceNumber"], r["*UnitAmount"], r["*TaxType"], r["*InvoiceDate"]) for r in xero
    ] == [
        ("INV-2026-00001", "1000.00", "20% (VAT on Income)", "01/04/2026"),
        ("CN-2026-00001", "-100.00", "20% (VAT on Income)", "05/04/2026"),
    ]
    journal = list(
        csv.DictReader(
            io.StringIO(reports_exports.journal_csv(date(2026, 4, 1), date(2026, 4, 30)))
        )
    )
    debit = sum(int(r["Debit"].replace(".", "")) for r in journal if r["Debit"])
    credit = sum(int(r["Credit"].replace(".", "")) for r in journal if r["Credit"])
    assert debit == credit == 120000 + 12000 + 50000
