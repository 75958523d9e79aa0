"""Every kind of PDF the company sends (invoice, credit note, quote, statement), made through
the app: each carries the company-law disclosures, names its language and title, shows the VAT
number in its printed form, and embeds every font it uses."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from billing.extras import services as extras
from billing.invoices import services as invoices
from company.auth.roles import Role
from company.clock import uk_today
from company.settings import services as settings
from tests import factories
from tests.helpers import pdf_text

OFFICE = "Registered office: 1 Civic Square, Brighton, BN1 1AA."


@pytest.fixture
def documents(ctx, client, login_as):
    """Each PDF kind as bytes, by name."""
    factories.company_settings(registered_in="England and Wales")
    member = factories.member(name="Anytown Borough Council")
    finance = factories.user(Role.FINANCE)
    invoice = invoices.issue(factories.draft_invoice(member), finance, send=False)
    credit_note = invoices.credit(invoice, "Charged in error", finance)
    quote = extras.quote_for(
        member,
        "Training",
        [("Training day", Decimal(2), 90000, "S", None)],
        extras.default_valid_until(),
        "Travel is included",
        finance,
    )
    login_as(finance)
    out = {
        "invoice": invoices.stored_pdf(invoice),
        "credit note": invoices.stored_pdf(credit_note),
        "quote": client.get(f"/billing/extras/quotes/{quote.id}.pdf").data,
        "statement": client.get(f"/billing/members/{member.id}/statement.pdf").data,
    }
    assert all(body.startswith(b"%PDF") for body in out.values()), "a PDF route failed"
    return out


KINDS = ("invoice", "credit note", "quote", "statement")


@pytest.mark.parametrize("kind", KINDS)
def test_carries_the_company_law_disclosures(documents, kind):
    text = pdf_text(documents[kind])
    statement = " ".join(settings.control_statement(settings.current(), uk_today()).split())
    for needle in (
        "Flatpack Councils Ltd. Registered in England and Wales, company number 12345678.",
        OFFICE,
        statement,
        "Anytown Borough Council",
    ):
        assert needle in text, f"{kind}: no {needle!r}"


@pytest.mark.parametrize("kind", KINDS)
def test_prints_the_vat_number_in_its_display_form(documents, kind):
    text = pdf_text(documents[kind])
    assert "VAT registration number: GB 980 7806 84" in text
    assert "980780684" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_names_its_language_and_title(documents, kind):
    reader = PdfReader(io.BytesIO(documents[kind]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    title = reader.metadata.title
    words = {"invoice": "invoice", "credit note": "Credit note", "quote": "Quote"}
    assert words.get(kind, "Statement of account") in title


@pytest.mark.parametrize("kind", KINDS)
def test_embeds_every_font_it_uses(documents, kind):
    reader = PdfReader(io.BytesIO(documents[kind]))
    for number, page in enumerate(reader.pages, 1):
        fonts = page["/Resources"]["/Font"]
        assert fonts, f"{kind} page {number} uses no fonts"
        for name, font in fonts.items():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, f"{kind}: {font['/BaseFont']} ({name}) is not embedded"
            assert "/FontFile2" in descriptor.get_object(), f"{kind}: {font['/BaseFont']}"
