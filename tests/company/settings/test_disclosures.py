"""The company-law disclosures: one source, on every email and in the site footer."""

from pathlib import Path

import sqlalchemy as sa

from company import outbox
from company.extensions import db
from company.settings import disclosures
from tests import factories
from tests.helpers import ROOT, text_of

EMAILS = ROOT / "templates" / "emails"


def test_the_disclosure_names_the_company_its_registration_and_office():
    (first, control) = disclosures.lines(
        "Flatpack Councils Ltd",
        "England and Wales",
        "01234567",
        "Town Hall\nHigh Street\nAD1 1AA",
        "GB 980 7806 84",
        "Flatpack Councils Ltd is a company controlled by local authorities.",
    )
    assert first == (
        "Flatpack Councils Ltd. Registered in England and Wales, company number 01234567. "
        "Registered office: Town Hall, High Street, AD1 1AA. VAT number GB 980 7806 84."
    )
    assert control.startswith("Flatpack Councils Ltd is a company controlled")


def test_particulars_not_yet_entered_say_so_rather_than_none():
    (first,) = disclosures.lines("Flatpack Councils Ltd", "England and Wales", None, None)
    assert "company number not yet recorded" in first and "None" not in first


def test_every_email_template_carries_the_disclosures():
    templates = sorted(p.name for p in EMAILS.glob("[a-z]*.txt"))
    assert len(templates) >= 9
    missing = [
        name
        for name in templates
        if '{% include "emails/_disclosures.txt" %}' not in Path(EMAILS / name).read_text()
    ]
    assert missing == []


def test_an_email_sent_carries_them(ctx, client):
    factories.company_settings()
    factories.member()  # a member council, so the control statement names it
    client.post("/password-reset", data={"email": factories.user().email})
    message = db.session.scalars(sa.select(outbox.OutboxMessage)).one()
    first, control = disclosures.current_lines()
    assert first in message.body and control in message.body
    assert "company number" in first and "controlled by" in control


def test_the_site_footer_carries_them_without_the_control_statement(ctx, client):
    factories.company_settings()
    page = text_of(client.get("/accessibility"))
    (first,) = disclosures.current_lines(website=True)
    assert first in page and "Registered office:" in page
    assert "controlled by local authorities" not in page
