"""Issuing, crediting and deleting cannot be undone: each asks first, and a POST without the
confirmation changes nothing."""

from datetime import date

import pytest
import sqlalchemy as sa

from billing.invoices import services
from billing.invoices.models import Invoice, Status
from company.auth.roles import Role
from company.extensions import db
from company.outbox import OutboxMessage
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member(finance_email="payables@example.gov.uk")


def _outbox():
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))


def test_issue_asks_first_with_the_amounts_and_the_address(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = factories.draft_invoice(member, lines=[("Data migration", 1, 250000, "S")])
    before = _outbox()
    r = client.post(f"/billing/invoices/{inv.id}/issue")
    page = text_of(r)
    assert r.status_code == 200
    assert f"Issue this invoice to {member.name}?" in page
    assert "£2,500.00" in page and "£500.00" in page and "£3,000.00" in page
    assert "emailed to payables@example.gov.uk" in page and "cannot be changed" in page
    db.session.expire_all()
    assert inv.status == Status.DRAFT and inv.number is None and _outbox() == before
    # the page's own form is what issues it
    assert 'name="confirm" value="yes"' in r.get_data(as_text=True)
    r = client.post(f"/billing/invoices/{inv.id}/issue", data={"confirm": "yes"})
    db.session.expire_all()
    assert inv.status == Status.ISSUED and inv.number == "INV-2026-00001"


def test_a_held_draft_is_refused_without_a_confirmation_page(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    member.po_required = True
    inv = factories.draft_invoice(member)
    page = text_of(client.post(f"/billing/invoices/{inv.id}/issue", follow_redirects=True))
    assert "Issue this invoice" not in page and "needs a purchase order number" in page
    assert inv.number is None


def test_delete_draft_asks_first(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = factories.draft_invoice(member)
    r = client.post(f"/billing/invoices/{inv.id}/delete")
    assert r.status_code == 200 and "Delete this draft invoice?" in text_of(r)
    assert db.session.get(Invoice, inv.id) is not None
    r = client.post(f"/billing/invoices/{inv.id}/delete", data={"confirm": "yes"})
    assert r.headers["Location"] == "/billing/invoices"
    db.session.expire_all()
    assert db.session.get(Invoice, inv.id) is None


def test_credit_note_asks_first_and_carries_the_choices(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = services.issue(factories.draft_invoice(member), issue_date=date(2026, 4, 1))
    data = {"how": "amount", "amount": "100", "reason": "Goodwill"}
    r = client.post(f"/billing/invoices/{inv.id}/credit", data=data)
    page = text_of(r)
    assert f"Issue a credit note against {inv.number}?" in page
    assert "£100.00 excluding VAT" in page and "Goodwill" in page
    assert "payables@example.gov.uk" in page
    assert db.session.scalar(sa.select(Invoice).where(Invoice.original_id == inv.id)) is None
    html = r.get_data(as_text=True)
    for name, value in data.items():
        assert f'name="{name}" value="{value}"' in html
    client.post(f"/billing/invoices/{inv.id}/credit", data={**data, "confirm": "yes"})
    note = db.session.scalar(sa.select(Invoice).where(Invoice.original_id == inv.id))
    assert note.number == "CN-2026-00001" and note.gross_pence == 12000


def test_an_incomplete_credit_is_refused_straight_away(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = services.issue(factories.draft_invoice(member), issue_date=date(2026, 4, 1))
    page = text_of(
        client.post(f"/billing/invoices/{inv.id}/credit", data={"how": "lines", "reason": "x"})
    )
    assert "Select the lines to credit" in page and "Issue a credit note against" not in page
