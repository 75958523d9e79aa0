"""Held invoices: a council entering its missing PO gets its one-off invoice issued, finance is
told, and credit control lists what is still held, with the reason."""

from datetime import date

import pytest
import sqlalchemy as sa

from billing.contributions import services as contributions
from billing.invoices import services
from billing.invoices.models import Invoice, Status
from company import outbox
from company.auth.roles import Role
from company.extensions import db
from company.settings import services as settings
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def council(ctx):
    factories.company_settings()
    member = factories.member(joined_on=date(2024, 4, 1), po_required=True)
    db.session.commit()
    return member


def held_one_off(council) -> Invoice:
    """Finance tries to issue an ad-hoc invoice and it is held for want of the PO."""
    draft = factories.draft_invoice(council)
    with pytest.raises(services.InvoiceError, match="Held"):
        services.issue(draft)
    db.session.commit()  # as the issue view does: the hold reason is kept
    assert draft.held_reason and draft.status == Status.DRAFT
    return draft


def mail(subject_start: str) -> list[outbox.OutboxMessage]:
    return db.session.scalars(
        sa.select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.subject.startswith(subject_start)
        )
    ).all()


def test_entering_the_po_in_the_portal_issues_and_emails_a_held_one_off_invoice(
    council, client, login_as
):
    factories.user(Role.FINANCE, email="finance@example.test")
    draft = held_one_off(council)
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    r = client.post(f"/portal/invoices/{draft.id}", data={"po_number": "4500012345"})
    assert r.headers["Location"] == "/portal/invoices"
    invoice = db.session.get(Invoice, draft.id)
    assert invoice.status == Status.ISSUED and invoice.number.startswith("INV-")
    assert invoice.po_number == "4500012345" and invoice.pdf
    to_council = mail(f"Invoice {invoice.number} from")
    assert [m.to for m in to_council] == [council.finance_email or council.contact_email]
    told = mail(f"Invoice {invoice.number} issued")
    assert [m.to for m in told] == ["finance@example.test"]
    assert council.name in told[0].body and "4500012345" in told[0].body
    page = text_of(client.get("/portal/invoices"))
    assert f"invoice {invoice.number} has been issued" in page
    assert "will be issued" not in page


def test_when_issuing_is_refused_the_po_is_kept_and_finance_is_asked_to_issue_it(
    council, client, login_as
):
    factories.user(Role.FINANCE, email="finance@example.test")
    draft = held_one_off(council)
    settings.current().bank_account_number = None  # the company's particulars are incomplete
    db.session.commit()
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    client.post(f"/portal/invoices/{draft.id}", data={"po_number": "4500012345"})
    invoice = db.session.get(Invoice, draft.id)
    assert invoice.status == Status.DRAFT and invoice.po_number == "4500012345"
    assert invoice.held_reason is None
    [told] = mail("Issue the held invoice")
    assert told.to == "finance@example.test" and "could not be issued" in told.body
    page = text_of(client.get("/portal/invoices"))
    assert "Our finance team has been told and will issue the invoice" in page


def test_a_held_contribution_draft_waits_for_the_run_and_the_council_is_told_so(
    council, client, login_as
):
    factories.user(Role.FINANCE, email="finance@example.test")
    factories.schedule(2026)
    contributions.create_drafts(date(2026, 4, 1))
    held = db.session.scalar(sa.select(Invoice))
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    client.post(f"/portal/invoices/{held.id}", data={"po_number": "4500012345"})
    assert db.session.get(Invoice, held.id).status == Status.DRAFT
    assert "issued with this year's contribution invoices" in text_of(
        client.get("/portal/invoices")
    )
    assert [m.to for m in mail(f"{council.name} entered the PO")] == ["finance@example.test"]


def test_a_held_contribution_draft_is_issued_at_once_when_the_run_has_already_issued(
    council, client, login_as
):
    factories.schedule(2026)
    other = factories.member(joined_on=date(2024, 4, 1))
    contributions.create_drafts(date(2026, 4, 1))
    contributions.issue_drafts(date(2026, 4, 1))
    held = db.session.scalar(sa.select(Invoice).where(Invoice.member_id == council.id))
    assert held.status == Status.DRAFT and other.id
    login_as(factories.user(Role.COUNCIL_USER, member=council))
    client.post(f"/portal/invoices/{held.id}", data={"po_number": "4500012345"})
    assert db.session.get(Invoice, held.id).status == Status.ISSUED


def test_credit_control_lists_held_invoices_with_their_reason(council, client, login_as):
    draft = held_one_off(council)
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/billing/credit-control/"))
    assert "Held invoices" in page
    assert council.name in page and draft.held_reason in page
    services.set_po_number(draft, "4500012345", None)
    assert "No invoices are held" in text_of(client.get("/billing/credit-control/"))
