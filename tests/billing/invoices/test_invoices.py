"""Invoices and credit notes: numbering, issue, immutability, credit notes, documents, sending."""

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.invoices import services
from billing.invoices.models import Invoice, InvoiceLine, Status
from company.auth.roles import Role
from company.extensions import db
from company.outbox import send_pending
from tests import factories
from tests.helpers import pdf_text, text_of

DAY = date(2026, 4, 1)


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member(
        supplier_number="SUP-77", invoice_address="Accounts Payable\nTown Hall\nAD1 1AA"
    )


def issued(member, lines=(("Data migration", 1, 250000, "S"),), day=DAY, **kw):
    inv = factories.draft_invoice(member, lines=lines, **kw)
    return services.issue(inv, issue_date=day)


def test_drafts_have_no_number_and_issue_allocates_the_next_one(member):
    draft = factories.draft_invoice(member)
    assert draft.number is None and draft.status == Status.DRAFT
    services.issue(draft, issue_date=DAY)
    assert draft.number == "INV-2026-00001" and draft.status == Status.ISSUED
    assert issued(member).number == "INV-2026-00002"
    assert (
        issued(member, day=date(2027, 4, 1)).number == "INV-2027-00001"
    )  # one series per financial year


def test_totals_are_the_sums_of_lines_with_vat_rounded_per_line(member):
    inv = factories.draft_invoice(
        member,
        lines=[
            ("A", 1, 1, "S"),
            ("B", 1, 1, "S"),
            ("C", 3, 101, "S"),
            ("D", Decimal("2.5"), 4000, "Z"),
        ],
    )
    assert [line.vat_pence for line in inv.lines] == [0, 0, 61, 0]  # 0.2p, 0.2p, 60.6p, zero rated
    assert (inv.net_pence, inv.vat_pence, inv.gross_pence) == (10305, 61, 10366)


def test_issue_fixes_dates_customer_and_terms(member):
    inv = issued(member, po_number="PO-1")
    assert inv.issue_date == DAY and inv.due_date == date(2026, 5, 1)
    assert inv.customer_address == "Accounts Payable\nTown Hall\nAD1 1AA"
    assert inv.supplier_number == "SUP-77" and inv.po_number == "PO-1"
    seller = json.loads(inv.seller)
    assert seller["vat_number"] == "GB 980 7806 84" and seller["company_number"] == "12345678"
    assert member.name in seller["control_statement"]


def test_issued_invoices_cannot_be_changed_or_deleted(member):
    inv = issued(member)
    inv.net_pence = 1
    with pytest.raises(services.InvoiceImmutable):
        db.session.commit()
    db.session.rollback()
    inv.lines[0].description = "Something else"
    with pytest.raises(services.InvoiceImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(inv)
    with pytest.raises(services.InvoiceImmutable):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(services.InvoiceImmutable):
        services.add_line(inv, "More", 100)
    with pytest.raises(services.InvoiceImmutable):
        services.delete_draft(inv, None)
    with pytest.raises(services.IllegalTransition):
        services.issue(inv)


def test_the_pdf_is_made_once_and_never_changes(member):
    inv = issued(member)
    first = services.stored_pdf(inv)
    factories.company_settings(legal_name="Renamed Ltd", bank_account_number="11111111")
    db.session.expire_all()
    inv = db.session.get(Invoice, inv.id)
    assert services.stored_pdf(inv) == first
    assert services.render_pdf(inv) == first  # rendering from the stored row gives the same bytes
    inv.pdf = b"tampered"
    with pytest.raises(services.InvoiceImmutable):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "start, to, allowed",
    [
        (Status.DRAFT, Status.ISSUED, True),
        (Status.DRAFT, Status.PAID, False),
        (Status.ISSUED, Status.PART_PAID, True),
        (Status.ISSUED, Status.PAID, True),
        (Status.ISSUED, Status.CREDITED, True),
        (Status.ISSUED, Status.DRAFT, False),
        (Status.PART_PAID, Status.PAID, True),
        (Status.PAID, Status.CREDITED, False),
        (Status.CREDITED, Status.ISSUED, False),
        (Status.CREDITED, Status.PAID, False),
    ],
)
def test_status_moves_follow_one_table(start, to, allowed):
    inv = Invoice(status=start)
    if allowed:
        services.transition(inv, to)
        assert inv.status == to
    else:
        with pytest.raises(services.IllegalTransition, match="cannot go from"):
            services.transition(inv, to)


def test_a_held_draft_is_refused_until_the_po_is_entered(member):
    member.po_required = True
    db.session.commit()
    inv = factories.draft_invoice(member)
    with pytest.raises(services.InvoiceError, match="needs a purchase order number"):
        services.issue(inv, issue_date=DAY)
    db.session.commit()
    assert inv.held_reason and inv.number is None
    services.set_po_number(inv, "PO-9", None)
    assert inv.held_reason is None
    assert services.issue(inv, issue_date=DAY).po_number == "PO-9"


def test_issuing_needs_complete_company_settings(ctx):
    member = factories.member()
    inv = factories.draft_invoice(member)
    with pytest.raises(
        services.InvoiceError, match="Company settings are incomplete: set the company number"
    ):
        services.issue(inv)


def test_full_credit_note_has_its_own_series_and_credits_the_invoice(member):
    inv = issued(member)
    note = services.credit(inv, "Charged in error", None, issue_date=date(2026, 4, 10))
    assert note.number == "CN-2026-00001" and note.is_credit_note
    assert note.gross_pence == inv.gross_pence and note.original_id == inv.id
    assert inv.status == Status.CREDITED
    assert ledger.owed(inv) == 0
    with pytest.raises(services.InvoiceError):
        services.credit(inv, "again", None)


def test_partial_credit_by_line_keeps_the_original_vat_rate(member):
    inv = issued(member, lines=[("Licence", 1, 100000, "S"), ("Training", 2, 30000, "Z")])
    training = inv.lines[1]
    note = services.credit(inv, "Training cancelled", None, line_ids=[training.id])
    assert [
        (line.description, line.vat_code, line.net_pence, line.vat_pence) for line in note.lines
    ] == [("Training", "Z", 60000, 0)]
    assert inv.status == Status.ISSUED
    assert ledger.owed(inv) == inv.gross_pence - 60000
    with pytest.raises(services.InvoiceError, match="already been credited in full"):
        services.credit(inv, "again", None, line_ids=[training.id])


def test_partial_credit_by_amount_is_capped_at_what_is_left(member):
    inv = issued(member)  # £2,500 + VAT
    note = services.credit(inv, "Discount agreed", None, amount_pence=50000)
    assert (note.net_pence, note.vat_pence) == (50000, 10000)
    with pytest.raises(
        services.InvoiceError, match=r"no more than what is left to credit, £2,000.00"
    ):
        services.credit(inv, "too much", None, amount_pence=200001)
    services.credit(inv, "the rest", None, amount_pence=200000)
    assert inv.status == Status.CREDITED


def test_credit_by_amount_on_a_mixed_rate_invoice_asks_for_lines(member):
    inv = issued(member, lines=[("A", 1, 1000, "S"), ("B", 1, 1000, "E")])
    with pytest.raises(services.InvoiceError, match="choose the lines to credit"):
        services.credit(inv, "x", None, amount_pence=100)


def test_numbers_stay_gapless_when_an_issue_fails_part_way(member):
    issued(member)
    inv = factories.draft_invoice(member)
    services.next_number("INV-2026")  # allocated inside a transaction that then fails…
    db.session.rollback()
    assert services.issue(inv, issue_date=DAY).number == "INV-2026-00002"  # …gives its number back


def test_a_draft_issued_by_two_workers_at_once_is_issued_once(app, member):
    inv = factories.draft_invoice(member)  # this worker has read the draft…
    with app.app_context():  # …when another worker issues it
        services.issue(db.session.get(Invoice, inv.id), issue_date=DAY, send=False)
        db.session.remove()
    with pytest.raises(services.IllegalTransition, match="issued by someone else"):
        services.issue(inv, issue_date=DAY, send=False)
    assert (
        services.issue(factories.draft_invoice(member), issue_date=DAY).number == "INV-2026-00002"
    )


def test_invoice_pdf_is_a_full_uk_vat_invoice(member):
    inv = issued(member, po_number="PO-123")
    text = pdf_text(inv.pdf)
    for expected in [
        "VAT invoice",
        "INV-2026-00001",
        "1 April 2026",
        "1 May 2026",
        "Flatpack Councils Ltd",
        "1 Civic Square",
        "GB 980 7806 84",
        member.name,
        "Accounts Payable",
        "PO-123",
        "SUP-77",
        "Data migration",
        "£2,500.00",
        "£500.00",
        "£3,000.00",
        "30-99-50",
        "00733445",
        "12345678",
        "Registered in England and Wales",
        "Part V of the Local Government",
    ]:
        assert expected in text, expected


def test_credit_note_pdf_names_the_original_and_the_reason(member):
    inv = issued(member)
    note = services.credit(inv, "Charged in error", None, issue_date=date(2026, 4, 10))
    text = pdf_text(note.pdf)
    for expected in [
        "Credit note",
        "CN-2026-00001",
        "INV-2026-00001",
        "1 April 2026",
        "Charged in error",
        "10 April 2026",
    ]:
        assert expected in text, expected


def test_issuing_emails_the_pdf_to_the_finance_contact(member, mailbox):
    inv = issued(member)
    assert inv.sent_at is not None
    send_pending()
    [message] = mailbox.wait_for(1)
    assert message["To"] == member.finance_email
    assert message["Subject"] == "Invoice INV-2026-00001 from Flatpack Councils Ltd"
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_filename() == "INV-2026-00001.pdf"
    assert attachment.get_payload(decode=True) == inv.pdf
    assert "/portal/invoices/" in mailbox.body(message)


def test_flask_billing_pdf_writes_any_issued_document(app, member, tmp_path):
    inv = issued(member)
    out = tmp_path / "inv.pdf"
    result = app.test_cli_runner().invoke(args=["billing", "pdf", "inv-2026-00001", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == inv.pdf
    result = app.test_cli_runner().invoke(args=["billing", "pdf", "INV-2026-09999", "-o", str(out)])
    assert (
        result.exit_code != 0
        and "No issued invoice or credit note numbered INV-2026-09999" in result.output
    )


@pytest.mark.skipif(
    "sqlite" in __import__("os").environ.get("DATABASE_URL", "sqlite"),
    reason="SQLite serialises writers; this proves PostgreSQL's row lock",
)
def test_concurrent_issuing_on_postgresql_never_duplicates_or_skips(app, member):
    """Eight threads issue 40 drafts at once; the numbers are exactly 1..40."""
    import threading

    ids = [factories.draft_invoice(member).id for _ in range(40)]
    errors = []

    def worker(chunk):
        with app.app_context():
            try:
                for invoice_id in chunk:
                    services.issue(db.session.get(Invoice, invoice_id), issue_date=DAY, send=False)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(ids[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    numbers = sorted(
        db.session.scalars(sa.select(Invoice.sequence_no).where(Invoice.series == "INV-2026"))
    )
    assert numbers == list(range(1, 41))


# Web


def test_finance_drafts_an_ad_hoc_invoice_adds_lines_and_issues_it(
    member, client, login_as, mailbox
):
    login_as(factories.user(Role.FINANCE))
    r = client.post(
        "/billing/invoices/new",
        data={"member_id": str(member.id), "po_number": "PO-55", "notes": ""},
    )
    inv = db.session.scalar(sa.select(Invoice))
    assert r.headers["Location"] == f"/billing/invoices/{inv.id}"
    r = client.post(
        f"/billing/invoices/{inv.id}/lines",
        data={
            "description": "Custom feature",
            "quantity": "2.5",
            "unit_price": "450",
            "vat_code": "S",
        },
    )
    assert r.status_code == 302
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "Custom feature" in page and "£1,125.00" in page and "£1,350.00" in page
    client.post(f"/billing/invoices/{inv.id}/issue", data={"confirm": "yes"})
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "Invoice INV-" in page and "issued and emailed" in page
    assert "Invoice: issued" in page and "Invoice: sent" in page  # history
    assert "Add a line" not in page  # no editing once issued


@pytest.mark.parametrize(
    "data, message",
    [
        ({"description": "", "quantity": "1", "unit_price": "10"}, "Enter a description"),
        ({"description": "X", "quantity": "0", "unit_price": "10"}, "Quantity must be more than 0"),
        ({"description": "X", "quantity": "one", "unit_price": "10"}, "Quantity must be a number"),
        (
            {"description": "X", "quantity": "1", "unit_price": "10.001"},
            "Amount must not have more than 2 decimal places",
        ),
        ({"description": "X", "quantity": "1", "unit_price": ""}, "Enter the unit price"),
    ],
)
def test_bad_lines_get_clear_errors_and_add_nothing(member, client, login_as, data, message):
    login_as(factories.user(Role.FINANCE))
    inv = factories.draft_invoice(member)
    r = client.post(f"/billing/invoices/{inv.id}/lines", data={"vat_code": "S", **data})
    assert r.status_code == 400 and message in text_of(r)
    assert len(db.session.scalars(sa.select(InvoiceLine)).all()) == 1


def test_the_ui_offers_no_edit_or_delete_for_issued_invoices(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = issued(member)
    html = client.get(f"/billing/invoices/{inv.id}").get_data(as_text=True)
    assert "Delete draft" not in html and "Add line" not in html and "Remove" not in html
    r = client.post(f"/billing/invoices/{inv.id}/delete")
    assert "cannot be deleted; raise a credit note" in text_of(client.get(r.headers["Location"]))
    assert db.session.get(Invoice, inv.id) is not None
    r = client.post(
        f"/billing/invoices/{inv.id}/lines",
        data={"description": "More", "quantity": "1", "unit_price": "1", "vat_code": "S"},
    )
    assert "Lines cannot be added" in text_of(r)


def test_finance_raises_a_credit_note_from_the_invoice_page(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    inv = issued(member)
    r = client.post(
        f"/billing/invoices/{inv.id}/credit",
        data={"how": "amount", "amount": "100", "reason": "Goodwill", "confirm": "yes"},
    )
    note = db.session.scalar(sa.select(Invoice).where(Invoice.original_id == inv.id))
    assert r.headers["Location"] == f"/billing/invoices/{note.id}"
    assert "Credit note CN-2026-00001 issued and emailed" in text_of(
        client.get(r.headers["Location"])
    )
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "Still owed £2,880.00" in page and "CN-2026-00001" in page
    assert "Enter the reason for the credit" in text_of(
        client.post(f"/billing/invoices/{inv.id}/credit", data={"how": "all", "reason": ""})
    )


def test_html_view_shows_the_same_content_as_the_pdf(member, client, login_as):
    login_as(factories.user(Role.DIRECTOR))
    inv = issued(member, po_number="PO-123")
    page = text_of(client.get(f"/billing/invoices/{inv.id}/document"))
    for expected in [
        "VAT invoice INV-2026-00001",
        "1 April 2026",
        "1 May 2026",
        "GB 980 7806 84",
        "PO-123",
        "SUP-77",
        "Data migration",
        "£3,000.00",
        "30-99-50",
        "00733445",
        "company number 12345678",
        "Registered in England and Wales",
        "Part V of the Local Government",
    ]:
        assert expected in page, expected
    r = client.get(f"/billing/invoices/{inv.id}.pdf")
    assert r.mimetype == "application/pdf" and r.data == inv.pdf


def test_invoice_list_filters_searches_and_totals(member, client, login_as):
    other = factories.member()
    a = issued(member)
    b = issued(other, lines=[("Training", 1, 10000, "S")])
    services.credit(b, "x", None, amount_pence=1000)
    factories.draft_invoice(member)
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/billing/invoices"))
    assert "4 documents" in page and "£3,108.00" in page  # 3000 + 120 - 12, drafts excluded
    page = text_of(client.get(f"/billing/invoices?member={other.id}"))
    assert b.number in page and a.number not in page
    page = text_of(client.get(f"/billing/invoices?q={a.number}"))
    assert "1 document" in page
    assert "1 document" in text_of(client.get("/billing/invoices?status=draft"))
    overdue = text_of(client.get("/billing/invoices?overdue=1"))  # due 1 May 2026, unpaid
    assert "2 documents" in overdue and "Overdue" in overdue


def test_the_search_ignores_case_and_takes_wildcards_literally(member, client, login_as):
    from billing.invoices import queries

    po = issued(member, po_number="PO_77%A")
    plain = issued(member, po_number="PO177XA")
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/billing/invoices?q=po_77%25a"))  # any case; _ and % as typed
    assert po.number in page and plain.number not in page
    page = text_of(client.get(f"/billing/invoices?q={po.number.lower()}"))
    assert "1 document" in page
    page = text_of(client.get("/billing/invoices?q=%5C"))  # a backslash, as itself: none
    assert po.number not in page and plain.number not in page
    assert queries.years() == [2026]


def test_the_years_run_from_the_first_invoiced_to_the_last(member):
    from billing.invoices import queries

    for year in (2023, 2026):
        factories.draft_invoice(member).year_start = date(year, 4, 1)
    db.session.commit()
    assert queries.years() == [2026, 2025, 2024, 2023]


def test_with_many_members_the_list_searches_councils_instead_of_listing_them(
    member, client, login_as, monkeypatch
):
    """A select of 10,000 councils is unusable and heavy: past MEMBER_SELECT_MAX the search box
    finds a council by name, and a link filtered to one council still works."""
    from billing.invoices import views

    other = factories.member(name="Mid Sussex District Council")
    a, b = issued(member), issued(other)
    login_as(factories.user(Role.FINANCE))
    assert 'id="member"' in client.get("/billing/invoices").get_data(as_text=True)
    monkeypatch.setattr(views, "MEMBER_SELECT_MAX", 1)
    html = client.get("/billing/invoices").get_data(as_text=True)
    assert 'id="member"' not in html and "Number, PO or council" in html
    page = text_of(client.get("/billing/invoices?q=mid+sussex"))
    assert b.number in page and a.number not in page
    page = text_of(client.get(f"/billing/invoices?member={member.id}"))
    assert a.number in page and b.number not in page


def test_invoice_list_is_paginated_and_keeps_the_filters(member, client, login_as, monkeypatch):
    import re

    from billing.invoices import queries

    monkeypatch.setattr(queries, "PER_PAGE", 2)
    for _ in range(5):
        factories.draft_invoice(member)
    login_as(factories.user(Role.FINANCE))
    r = client.get("/billing/invoices?status=draft")
    assert "Page 1 of 3" in text_of(r)
    next_link = re.search(
        r'class="govuk-pagination__next".*?href="([^"]+)"', r.get_data(as_text=True), re.S
    ).group(1)
    assert "page=2" in next_link and "status=draft" in next_link
    assert "Page 3 of 3" in text_of(client.get("/billing/invoices?status=draft&page=3"))


def test_a_document_charging_vat_is_refused_until_the_vat_number_is_set(ctx, client, login_as):
    factories.company_settings(vat_number=None)
    member = factories.member()
    inv = factories.draft_invoice(member, lines=[("Data migration", 1, 250000, "S")])
    with pytest.raises(services.InvoiceError, match="Enter the company's VAT number in Settings"):
        services.issue(inv, issue_date=DAY)
    db.session.rollback()
    assert inv.status == Status.DRAFT and inv.number is None
    login_as(factories.user(Role.FINANCE))
    page = text_of(
        client.post(
            f"/billing/invoices/{inv.id}/issue", data={"confirm": "yes"}, follow_redirects=True
        )
    )
    assert "Enter the company's VAT number in Settings before issuing" in page
    assert inv.number is None


@pytest.mark.parametrize(
    "codes, heading", [(("O",), "Invoice"), (("E", "O"), "Invoice"), (("O", "Z"), "VAT invoice")]
)
def test_only_a_document_with_taxable_lines_is_headed_vat_invoice(ctx, codes, heading):
    factories.company_settings(vat_number=None if heading == "Invoice" else "980780684")
    member = factories.member()
    lines = [(f"Item {code}", 1, 10000, code) for code in codes]
    inv = services.issue(factories.draft_invoice(member, lines=lines), issue_date=DAY, send=False)
    assert services.document_of(inv).heading == heading
    text = pdf_text(services.stored_pdf(inv))
    assert f"{heading} {inv.number}" in text
    assert ("VAT invoice" in text) == (heading == "VAT invoice")


def test_finance_removes_a_line_from_a_draft(member, client, login_as):
    login_as(factories.user(Role.FINANCE))
    draft = factories.draft_invoice(
        member, lines=[("Licence", 1, 1000, "S"), ("Extra", 1, 500, "S")]
    )
    line_id = draft.lines[0].id
    response = client.post(f"/billing/invoices/{draft.id}/lines/{line_id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    draft = db.session.get(Invoice, draft.id)
    assert [line.description for line in draft.lines] == ["Extra"]
    assert draft.gross_pence == 600
