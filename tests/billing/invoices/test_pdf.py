"""The invoice and credit note PDF: every required particular as text, and identical bytes.

No Flask app: Documents are built directly and the PDF's text is read back with pypdf.
"""

import dataclasses
import io
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from billing.invoices import pdf
from billing.invoices.document import Document, Line, Seller, VatSummary
from company.pdf import fonts
from tests.helpers import ROOT
from tests.helpers import pdf_text as text_of

CONTROL = (
    "Flatpack Services Limited is a company controlled by Anytown Borough Council, Northshire "
    "County Council and Westvale District Council within the meaning of article 4 of the Local "
    "Authorities (Companies) Order 1995 and Part V of the Local Government and Housing Act 1989. "
    "Each of those councils is a member of the company, whose liability is limited by guarantee."
)

SELLER = Seller(
    legal_name="Flatpack Services Limited",
    registered_office="Civic Centre\nHigh Street\nAnytown\nAN1 2BC",
    company_number="09876543",
    registered_in="England and Wales",
    vat_number="GB 980 7806 84",
    bank_account_name="Flatpack Services Ltd",
    bank_sort_code="12-34-56",
    bank_account_number="87654321",
    payment_terms_days=30,
    control_statement=CONTROL,
)


def line(description, quantity, unit_pence, vat_label="20%", rate_bp=2000) -> Line:
    quantity = Decimal(quantity)
    net = int((quantity * unit_pence).quantize(Decimal(1)))
    vat = (net * rate_bp + 5000) // 10000
    return Line(description, quantity, unit_pence, vat_label, net, vat)


def make_doc(lines=None, **changes) -> Document:
    """An issued invoice; `changes` override any field. Totals follow the lines."""
    lines = lines or [
        line("Annual contribution 2026/27, 12 of 12 months", "1", 1_250_000),
        line("Training day: procurement rules for council-owned companies", "2.5", 45_000),
    ]
    by_label: dict[str, list[int]] = {}
    for ln in lines:
        by_label.setdefault(ln.vat_label, [0, 0])
        by_label[ln.vat_label][0] += ln.net_pence
        by_label[ln.vat_label][1] += ln.vat_pence
    net = sum(ln.net_pence for ln in lines)
    vat = sum(ln.vat_pence for ln in lines)
    fields = dict(
        is_credit_note=False,
        number="INV-2026-00001",
        issue_date=date(2026, 4, 1),
        due_date=date(2026, 5, 1),
        seller=SELLER,
        customer_name="Anytown Borough Council",
        customer_address="Accounts Payable\nTown Hall\nMarket Square\nAnytown\nAN1 1AA",
        po_number="PO-778812",
        supplier_number="SUP-00451",
        lines=lines,
        net_pence=net,
        vat_pence=vat,
        gross_pence=net + vat,
        vat_summary=[VatSummary(k, n, v) for k, (n, v) in by_label.items()],
    )
    fields.update(changes)
    return Document(**fields)


def credit_note(**changes) -> Document:
    lines = [line("Training day: procurement rules (cancelled)", "1", 45_000)]
    fields = dict(
        is_credit_note=True,
        number="CRN-2026-00001",
        issue_date=date(2026, 4, 20),
        due_date=None,
        lines=lines,
        po_number=None,
        original_number="INV-2026-00001",
        original_date=date(2026, 4, 1),
        reason="Training day cancelled by the company; charged in error.",
    )
    fields.update(changes)
    return make_doc(**fields)


def pages_of(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def assert_has(text: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, f"missing {missing!r} in:\n{text}"


@pytest.fixture(scope="module")
def invoice_text() -> str:
    return text_of(pdf.render(make_doc()))


def test_is_a_pdf_of_one_a4_page():
    data = pdf.render(make_doc())
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_heading_number_and_dates(invoice_text):
    assert_has(
        invoice_text,
        "VAT invoice",
        "INV-2026-00001",
        "Date of issue and tax point: 1 April 2026",
        "Payment due: 1 May 2026",
        "Payment terms: 30 days",
    )
    assert "Credit note" not in invoice_text


def test_seller_particulars(invoice_text):
    assert_has(
        invoice_text,
        "Flatpack Services Limited",
        "Civic Centre",
        "High Street",
        "AN1 2BC",
        "VAT registration number: GB 980 7806 84",
    )


def test_customer_and_references(invoice_text):
    assert_has(
        invoice_text,
        "Invoice to",
        "Anytown Borough Council",
        "Accounts Payable",
        "Market Square",
        "AN1 1AA",
        "Purchase order number: PO-778812",
        "Supplier number: SUP-00451",
    )


def test_lines_and_totals(invoice_text):
    assert_has(
        invoice_text,
        "Description",
        "Quantity",
        "Unit price (excl. VAT)",
        "VAT rate",
        "Amount (excl. VAT)",
        "Annual contribution 2026/27, 12 of 12 months",
        "Training day: procurement rules for council-owned companies",
        "£12,500.00",  # unit and net of line 1
        "£2,500.00",  # VAT on line 1
        "2.5",
        "£450.00",
        "£1,125.00",  # net of line 2
        "£225.00",  # VAT on line 2
        "Total excluding VAT £13,625.00",
        "VAT £2,725.00",
        "Total including VAT £16,350.00",
    )


def test_how_to_pay(invoice_text):
    assert_has(
        invoice_text,
        "How to pay",
        "Account name: Flatpack Services Ltd",
        "Sort code: 12-34-56",
        "Account number: 87654321",
        "Quote invoice number INV-2026-00001 as the payment reference",
    )
    assert invoice_text.count("1 May 2026") >= 2  # in the details and in the box


def test_footer_particulars_and_control_statement(invoice_text):
    assert_has(
        invoice_text,
        "Flatpack Services Limited. Registered in England and Wales, company number 09876543.",
        "Registered office: Civic Centre, High Street, Anytown, AN1 2BC.",
        "controlled by Anytown Borough Council, Northshire County Council and Westvale District",
        "Local Authorities (Companies) Order 1995",
        "Page 1 of 1",
    )


def test_no_vat_number_line_when_not_registered():
    text = text_of(pdf.render(make_doc(seller=dataclasses.replace(SELLER, vat_number=None))))
    assert "VAT registration number" not in text


def test_optional_references_and_notes():
    text = text_of(pdf.render(make_doc(po_number=None, supplier_number=None)))
    assert "Purchase order number" not in text
    assert "Supplier number" not in text
    assert "Notes" not in text
    text = text_of(pdf.render(make_doc(notes="Thank you.\nQueries to finance@example.org.")))
    assert_has(text, "Notes", "Thank you.", "Queries to finance@example.org.")


def test_credit_note():
    text = text_of(pdf.render(credit_note()))
    assert_has(
        text,
        "Credit note",
        "CRN-2026-00001",
        "Credit note to",
        "Anytown Borough Council",
        "Date of issue and tax point: 20 April 2026",
        "Credits invoice INV-2026-00001 dated 1 April 2026",
        "Reason: Training day cancelled by the company; charged in error.",
        "Training day: procurement rules (cancelled)",
        "Total excluding VAT £450.00",
        "VAT £90.00",
        "Total credited including VAT £540.00",
        "Supplier number: SUP-00451",
        "Registered in England and Wales, company number 09876543",
        "Page 1 of 1",
    )
    assert "VAT invoice" not in text
    assert "How to pay" not in text
    assert "Payment due" not in text


def test_zero_rated_and_standard_show_both_summary_rows():
    doc = make_doc(
        lines=[
            line("Annual contribution", "1", 1_000_000),
            line("Statutory publication", "1", 30_000, vat_label="0%", rate_bp=0),
            line("Insurance recharge", "1", 20_000, vat_label="Exempt", rate_bp=0),
        ]
    )
    assert len(doc.vat_summary) == 3
    text = text_of(pdf.render(doc))
    assert_has(
        text,
        "VAT summary",
        "20% £10,000.00 £2,000.00",
        "0% £300.00 No VAT",
        "Exempt £200.00 No VAT",
        "No VAT is payable on the 0% and Exempt lines: £500.00 in total.",
        "Total excluding VAT £10,500.00",
        "Total including VAT £12,500.00",
    )


def test_only_exempt_lines_still_say_no_vat_is_payable():
    doc = make_doc(lines=[line("Insurance recharge", "1", 20_000, "Exempt", 0)])
    text = text_of(pdf.render(doc))
    assert_has(text, "No VAT is payable on the Exempt lines: £200.00 in total.")


def test_single_standard_rate_has_no_summary(invoice_text):
    assert "VAT summary" not in invoice_text


def test_long_descriptions_wrap_and_stay_whole():
    long = "Consultancy on the governance review: " + "board papers and minutes, " * 12 + "end."
    text = text_of(pdf.render(make_doc(lines=[line(long, "1", 100_00)])))
    assert " ".join(long.split()) in text


def test_user_text_is_escaped():
    doc = make_doc(customer_name="Smith & Jones <Trading> Council", notes="A < B & C")
    assert_has(text_of(pdf.render(doc)), "Smith & Jones <Trading> Council", "A < B & C")


def test_sixty_lines_flow_onto_a_second_page_with_the_header_repeated():
    """Two pages in Liberation Sans; in the wider fallback font (Bitstream Vera, where
    fonts-liberation is not installed) the totals may move to a third."""
    lines = [line(f"Service item number {i:02d}", "1", 1_000 + i) for i in range(60)]
    data = pdf.render(make_doc(lines=lines))
    pages = pages_of(data)
    assert len(pages) == 2 or (len(pages) == 3 and not fonts.is_liberation())
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Registered in England and Wales, company number 09876543" in page
        assert "Local Authorities (Companies) Order 1995" in page
    for page in pages[:2]:
        assert "Unit price (excl. VAT)" in page  # repeated table header
    assert "INV-2026-00001 (continued)" in pages[1]
    everything = " ".join(pages)
    for i in range(60):
        assert f"Service item number {i:02d}" in everything
    assert "Total including VAT £741.24" in " ".join(pages[1:])
    assert "Quote invoice number INV-2026-00001 as the payment reference" in pages[-1]


def test_rendering_is_byte_identical():
    doc = make_doc(notes="Same every time.")
    assert pdf.render(doc) == pdf.render(doc)
    assert pdf.render(credit_note()) == pdf.render(credit_note())


def test_rendering_is_byte_identical_in_another_process():
    script = (
        "import sys, tests.billing.invoices.test_pdf as t; from billing.invoices import pdf; "
        "sys.stdout.buffer.write(pdf.render(t.make_doc()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=True
    ).stdout
    assert out == pdf.render(make_doc())


def test_metadata_comes_from_the_document_without_timestamps():
    data = pdf.render(make_doc())
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "VAT invoice INV-2026-00001"
    assert meta.author == "Flatpack Services Limited"
    assert meta.subject == "VAT invoice INV-2026-00001 to Anytown Borough Council"
    assert "2026" not in str(meta.get("/CreationDate", ""))  # the invariant fixed date


def test_money_and_quantity_formats():
    assert pdf.pounds(0) == "£0.00"
    assert pdf.pounds(5) == "£0.05"
    assert pdf.pounds(123_450) == "£1,234.50"
    assert pdf.pounds(-1_200) == "-£12.00"
    assert pdf.pounds(123_456_789) == "£1,234,567.89"
    assert pdf.quantity_text(Decimal("1.000")) == "1"
    assert pdf.quantity_text(Decimal("2.50")) == "2.5"
    assert pdf.quantity_text(Decimal("100")) == "100"
    assert pdf.quantity_text(Decimal("1000")) == "1,000"
    assert pdf.quantity_text(3) == "3"
    assert pdf.long_date(date(2026, 4, 1)) == "1 April 2026"


def test_no_floats_anywhere():
    with pytest.raises(TypeError):
        pdf.pounds(12.5)
    with pytest.raises(TypeError):
        pdf.quantity_text(2.5)
    doc = make_doc()
    amounts = [doc.net_pence, doc.vat_pence, doc.gross_pence]
    for ln in doc.lines:
        amounts += [ln.unit_pence, ln.net_pence, ln.vat_pence]
        assert isinstance(ln.quantity, Decimal)
    for row in doc.vat_summary:
        amounts += [row.net_pence, row.vat_pence]
    assert all(type(a) is int for a in amounts)
    source = Path(pdf.__file__).read_text()
    assert not re.search(r"\bfloat\(", source)


def test_a_statement_naming_many_councils_is_printed_in_full_at_the_end():
    names = ", ".join(f"Council Number {i:03d}" for i in range(300))
    seller = dataclasses.replace(
        SELLER, control_statement=f"Flatpack Services Limited is controlled by {names}."
    )
    pages = pages_of(pdf.render(make_doc(seller=seller)))
    assert "see the statement at the end of this document" in pages[0]
    everything = " ".join(pages)
    assert "Local authority control statement" in everything
    assert "Council Number 000" in everything and "Council Number 299" in everything


def test_a_word_too_long_for_its_column_is_broken_not_lost():
    word = "X" * 120
    doc = make_doc(lines=[line(word, "1", 100)], po_number="PO-" + "9" * 80)
    text = text_of(pdf.render(doc)).replace(" ", "")
    assert word in text
    assert "PO-" + "9" * 80 in text


def test_threads_rendering_at_once_get_the_same_bytes_as_one_at_a_time():
    from concurrent.futures import ThreadPoolExecutor

    docs = [make_doc(number=f"INV-2026-{i:05d}") for i in range(16)]
    expected = [pdf.render(d) for d in docs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(pdf.render, docs)) == expected
