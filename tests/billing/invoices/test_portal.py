"""A council's invoices in its portal: list, balance, PDF, web view, and releasing held drafts."""

from datetime import date

import pytest
import sqlalchemy as sa

from billing.contributions import services as contributions
from billing.invoices import services
from billing.invoices.models import Invoice, Status
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def council(ctx):
    factories.company_settings()
    return factories.member(joined_on=date(2024, 4, 1))


def test_council_sees_its_documents_balance_and_downloads_the_pdf(council, client, login_as):
    inv = services.issue(factories.draft_invoice(council), issue_date=date(2026, 4, 1))
    note = services.credit(inv, "Discount", None, amount_pence=10000)
    other = factories.member()
    services.issue(factories.draft_invoice(other, lines=[("Theirs", 1, 999, "S")]))
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    page = text_of(client.get("/portal/invoices"))
    assert inv.number in page and note.number in page and "Theirs" not in page
    assert "Your council owes £2,880.00" in page and "Overdue" in page
    r = client.get(f"/portal/invoices/{inv.id}.pdf")
    assert r.mimetype == "application/pdf" and r.data == inv.pdf
    view = text_of(client.get(f"/portal/invoices/{inv.id}"))
    assert f"VAT invoice {inv.number}" in view and "How to pay" in view and "Data migration" in view


def test_council_enters_the_po_on_a_held_invoice_which_releases_it(council, client, login_as, app):
    factories.schedule(2026)
    council.po_required = True
    db.session.commit()
    contributions.create_drafts(date(2026, 4, 1))
    held = db.session.scalar(sa.select(Invoice))
    assert held.held_reason
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    page = text_of(client.get("/portal/invoices"))
    assert "Enter purchase order number" in page and "Held" in page
    r = client.post(f"/portal/invoices/{held.id}", data={"po_number": ""})
    assert "Enter the purchase order number" in text_of(r)
    r = client.post(f"/portal/invoices/{held.id}", data={"po_number": "4500012345"})
    assert r.headers["Location"] == "/portal/invoices"
    db.session.refresh(held)
    assert held.po_number == "4500012345" and held.held_reason is None
    result = contributions.issue_drafts(date(2026, 4, 1))
    assert result.issued == 1 and db.session.get(Invoice, held.id).status == Status.ISSUED


def test_drafts_finance_is_still_working_on_are_not_shown_to_the_council(council, client, login_as):
    draft = factories.draft_invoice(council)
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    assert "No invoices yet" in text_of(client.get("/portal/invoices"))
    assert client.get(f"/portal/invoices/{draft.id}").status_code == 404
    assert client.get(f"/portal/invoices/{draft.id}.pdf").status_code == 404


def test_finance_resends_an_invoice(council, client, login_as, mailbox):
    from company.outbox import send_pending

    inv = services.issue(factories.draft_invoice(council))
    send_pending()
    login_as(factories.user(Role.FINANCE))
    client.post(f"/billing/invoices/{inv.id}/send")
    send_pending()
    assert [m["Subject"] for m in mailbox.wait_for(2)] == [
        f"Invoice {inv.number} from Flatpack Councils Ltd"
    ] * 2
    assert "sent again" in text_of(client.get(f"/billing/invoices/{inv.id}"))


def test_finance_changes_a_members_band_from_the_run_preview(council, client, login_as):
    factories.schedule(2026)
    login_as(factories.user(Role.FINANCE))
    r = client.post(
        f"/billing/members/{council.id}/band",
        data={"band": "county", "next": "/billing/contributions/2026"},
    )
    assert r.headers["Location"] == "/billing/contributions/2026"
    page = text_of(client.get("/billing/contributions/2026"))
    assert "is now in band county" in page and "£15,000.00" in page
