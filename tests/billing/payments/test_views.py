"""Finance pages for payments, statements, aged debt, the dashboard and exports; the portal statement."""

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from billing.invoices import services as invoices
from billing.invoices.models import Status
from billing.payments import services as payments
from billing.payments.models import Payment
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.helpers import identity, text_of


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, pence=100000, day=date(2026, 4, 1)):
    return invoices.issue(
        factories.draft_invoice(member, lines=[("Item", 1, pence, "S")]), issue_date=day, send=False
    )


def day_parts(prefix, day):
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def test_finance_records_a_payment_that_pays_the_oldest_invoice(member, client, login_as):
    inv = issued(member)
    login_as(factories.user(Role.FINANCE))
    r = client.post(
        "/billing/payments/new",
        data={
            "member_id": str(member.id),
            "amount": "1,500.00",
            **day_parts("received_on", date(2026, 4, 20)),
            "method": "bank_transfer",
            "reference": inv.number,
            "allocate": "oldest",
        },
    )
    payment = db.session.scalar(sa.select(Payment))
    assert r.headers["Location"] == f"/billing/payments/{payment.id}"
    page = text_of(client.get(r.headers["Location"]))
    assert (
        "Payment of £1,500.00" in page
        and inv.number in page
        and "Not yet allocated (credit on account) £300.00" in page
    )
    db.session.refresh(inv)
    assert inv.status == Status.PAID
    assert "Paid" in text_of(client.get(f"/billing/invoices/{inv.id}"))


def test_finance_sets_a_payment_against_a_chosen_invoice_the_rest_kept_as_credit(
    member, client, login_as
):
    older = issued(member, day=date(2026, 4, 1))  # £1,200.00, due first
    newer = issued(member, pence=50000, day=date(2026, 5, 1))  # £600.00
    other = issued(factories.member(), pence=70000)
    login_as(factories.user(Role.FINANCE))
    typed = {
        "member_id": str(member.id),
        "amount": "700.00",
        **day_parts("received_on", date(2026, 5, 20)),
        "method": "bank_transfer",
        "reference": "REMITTANCE 42",
    }
    # Choosing the council offers its open invoices (and no one else's), keeping what was typed.
    page = client.post("/billing/payments/new", data={**typed, "show": "invoices"})
    html = page.get_data(as_text=True)
    assert f'value="invoice-{older.id}"' in html and f'value="invoice-{newer.id}"' in html
    assert f"Invoice {newer.number}: £600.00 owed" in text_of(page)
    assert other.number not in html and 'value="REMITTANCE 42"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
    r = client.post("/billing/payments/new", data={**typed, "allocate": f"invoice-{newer.id}"})
    payment = db.session.scalar(sa.select(Payment))
    assert r.headers["Location"] == f"/billing/payments/{payment.id}"
    shown = text_of(client.get(r.headers["Location"]))
    assert f"£600.00 set against {newer.number}" in shown and "£100.00 is kept as credit" in shown
    assert "Not yet allocated (credit on account) £100.00" in shown
    db.session.refresh(newer), db.session.refresh(older)
    assert newer.status == Status.PAID and older.status == Status.ISSUED
    # Another council's invoice is not a choice.
    r = client.post("/billing/payments/new", data={**typed, "allocate": f"invoice-{other.id}"})
    assert r.status_code == 200 and "Not a valid choice" in text_of(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_the_form_offers_the_invoices_of_the_council_it_was_opened_for(member, client, login_as):
    inv = issued(member)
    login_as(factories.user(Role.FINANCE))
    html = client.get(f"/billing/payments/new?member={member.id}").get_data(as_text=True)
    assert f'value="invoice-{inv.id}"' in html
    assert "invoice-" not in client.get("/billing/payments/new").get_data(as_text=True)


def test_payment_form_errors(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    page = text_of(
        client.post(
            "/billing/payments/new",
            data={
                "member_id": "",
                "amount": "ten",
                "method": "bank_transfer",
                "allocate": "oldest",
            },
        )
    )
    assert (
        "Select the member council" in page
        and "Enter an amount in pounds" in page
        and "Enter the date the money was received" in page
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_credit_is_allocated_later_and_a_payment_is_reversed_with_a_reason(
    member, client, login_as
):
    inv = issued(member)
    payment = payments.record_payment(
        member, 50000, date(2026, 4, 20), "cheque", "chq 12", None, allocations=[]
    )
    login_as(factories.user(Role.FINANCE))
    r = client.post(
        f"/billing/payments/{payment.id}/allocate",
        data={"invoice_id": str(inv.id), "amount": "500"},
    )
    assert r.status_code == 302 and "£500.00 set against" in text_of(
        client.get(r.headers["Location"])
    )
    assert inv.status == Status.PART_PAID
    assert "Enter the reason for the reversal" in text_of(
        client.post(f"/billing/payments/{payment.id}/reverse", data={"reason": ""})
    )
    page = text_of(
        client.post(f"/billing/payments/{payment.id}/reverse", data={"reason": "Cheque bounced"})
    )  # asks first, naming the invoice that will be owed again
    assert "Reverse this payment from" in page and f"Owed again on {inv.number} £500.00" in page
    db.session.refresh(inv)
    assert inv.status == Status.PART_PAID
    client.post(
        f"/billing/payments/{payment.id}/reverse",
        data={"reason": "Cheque bounced", "confirm": "yes"},
    )
    page = text_of(client.get(f"/billing/payments/{payment.id}"))
    assert "Reversed" in page and "Cheque bounced" in page
    db.session.refresh(inv)
    assert inv.status == Status.ISSUED


def test_statement_page_pdf_and_portal_statement(member, client, login_as):
    inv = issued(member)
    payments.record_payment(member, 20000, date(2026, 4, 20), "bank_transfer", inv.number, None)
    login_as(factories.user(Role.FINANCE))
    url = f"/billing/members/{member.id}/statement?start-day=1&start-month=4&start-year=2026&end-day=30&end-month=4&end-year=2026"
    page = text_of(client.get(url))
    assert (
        "Opening balance £0.00" in page
        and inv.number in page
        and "Closing balance £1,000.00" in page
    )
    html = client.get(url).get_data(as_text=True)
    pdf_link = re.search(r'href="([^"]*statement\.pdf[^"]*)"', html).group(1).replace("&amp;", "&")
    pdf = client.get(pdf_link)
    assert (
        pdf.mimetype == "application/pdf"
        and 'filename="statement-2026-04-01-to-2026-04-30.pdf"'
        in pdf.headers["Content-Disposition"]
    )
    text = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert inv.number in text and "Closing balance £1,000.00" in text
    client.post("/sign-out")
    login_as(factories.user(Role.COUNCIL_USER, member=member))
    assert inv.number in text_of(
        client.get(
            "/portal/statement?start-day=1&start-month=4&start-year=2026&end-day=30&end-month=4&end-year=2026"
        )
    )
    assert client.get(f"/billing/members/{member.id}/statement").status_code == 403


def test_aged_debt_page_and_csv(member, client, login_as):
    issued(member)
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/billing/aged-debt?as_at=2026-06-15"))
    assert "Aged debt as at 15 June 2026" in page and member.name in page and "£1,200.00" in page
    csv_text = client.get("/billing/aged-debt.csv?as_at=2026-06-15").get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith(
        f"{member.name},0.00,0.00,1200.00"
    )  # due 1 May: 45 days
    assert "Enter the date as a day, month and year" in text_of(
        client.get("/billing/aged-debt?as_at=junk", follow_redirects=True)
    )


def test_dashboard_shows_owed_overdue_collected_and_a_chart_with_a_table(member, client, login_as):
    issued(member)
    login_as(factories.user(Role.FINANCE))
    html = client.get("/billing/dashboard").get_data(as_text=True)
    assert "<svg" in html and "Owed at month end" in html
    assert "£1,200.00" in text_of(client.get("/billing/dashboard"))


def test_exports_download_csv_files(member, client, login_as):
    issued(member)
    login_as(factories.user(Role.FINANCE))
    r = client.get(
        "/billing/exports/xero.csv?start-day=1&start-month=4&start-year=2026&end-day=30&end-month=4&end-year=2026"
    )
    assert r.mimetype == "text/csv" and "INV-2026-00001" in r.get_data(as_text=True)
    r = client.get(
        "/billing/exports/journal.csv?start-day=1&start-month=4&start-year=2026&end-day=30&end-month=4&end-year=2026"
    )
    assert "Debtors" not in r.get_data(as_text=True) and "INV-2026-00001" in r.get_data(
        as_text=True
    )


def test_the_exports_page_offers_both_files_for_the_chosen_period(member, client, login_as):
    issued(member)
    login_as(factories.user(Role.FINANCE))
    page = client.get(
        "/billing/exports?start-day=1&start-month=4&start-year=2026&end-day=30&end-month=4&end-year=2026"
    )
    assert page.status_code == 200 and "1 April 2026 to 30 April 2026" in text_of(page)
    links = re.findall(r'href="(/billing/exports/[^"]+)"', page.get_data(as_text=True))
    assert len(links) == 2
    for link in links:
        r = client.get(link.replace("&amp;", "&"))
        assert r.mimetype == "text/csv" and "INV-2026-00001" in r.get_data(as_text=True)


def test_credit_on_account_can_be_refunded_by_bank_transfer(member, client, login_as):
    payment = payments.record_payment(
        member, 30000, date(2026, 4, 20), "bank_transfer", "overpaid", None, allocations=[]
    )
    login_as(finance := factories.user(Role.FINANCE))
    r = client.post(
        f"/billing/payments/{payment.id}/refund", data={"amount": "400", "reason": "Too much"}
    )
    assert "Only £300.00 of this payment is credit that can be refunded" in text_of(r)
    data = {"amount": "250", "reason": "Paid back by BACS"}
    page = text_of(client.post(f"/billing/payments/{payment.id}/refund", data=data))
    assert "Record a refund of £250.00 to" in page and "Credit on account afterwards £50.00" in page
    assert payments.member_credit(member.id) == 30000  # asked first: nothing recorded yet
    wrong = {**data, "confirm": "yes", "identity_password": "not my password", "identity_code": "1"}
    r = client.post(f"/billing/payments/{payment.id}/refund", data=wrong)
    assert r.status_code == 400 and "Enter your password correctly" in text_of(r)
    assert payments.member_credit(member.id) == 30000  # a refund needs the password and a code
    ok = {**data, "confirm": "yes", **identity(finance)}
    client.post(f"/billing/payments/{payment.id}/refund", data=ok)
    assert payments.member_credit(member.id) == 5000
    assert "Refund of £250.00 recorded" in text_of(client.get(f"/billing/payments/{payment.id}"))
