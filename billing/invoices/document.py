"""What an invoice or credit note says, as plain data, read only from the stored row.

The PDF (pdf.py) and the HTML view both render a Document, so they show the same content, and
neither reads live settings: a document downloaded years later is the one that was sent.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Seller:
    """The company's particulars as at issue (stored on the invoice as JSON)."""

    legal_name: str
    registered_office: str  # multi-line
    company_number: str
    registered_in: str  # "England and Wales"
    vat_number: str | None  # display form, "GB 980 7806 84"
    bank_account_name: str
    bank_sort_code: str  # display form, "12-34-56"
    bank_account_number: str
    payment_terms_days: int
    control_statement: str  # the Local Authorities (Companies) Order 1995 art 4 statement


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_pence: int  # excluding VAT
    vat_label: str  # "20%", "0%", "Exempt", "Outside scope"
    net_pence: int
    vat_pence: int

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence


@dataclass(frozen=True)
class VatSummary:
    vat_label: str
    net_pence: int
    vat_pence: int


@dataclass(frozen=True)
class Document:
    is_credit_note: bool
    number: str
    issue_date: date  # also the tax point
    due_date: date | None  # invoices only
    seller: Seller
    customer_name: str
    customer_address: str  # multi-line
    po_number: str | None
    supplier_number: str | None
    lines: list[Line]
    net_pence: int
    vat_pence: int
    gross_pence: int
    vat_summary: list[VatSummary] = field(default_factory=list)  # one row per rate/treatment
    original_number: str | None = None  # credit notes: the invoice credited
    original_date: date | None = None
    reason: str | None = None  # credit notes: why
    notes: str | None = None
    charges_vat: bool = True  # any standard or zero-rated line; otherwise not a VAT invoice

    @property
    def heading(self) -> str:
        if self.is_credit_note:
            return "Credit note"
        return "VAT invoice" if self.charges_vat else "Invoice"


def seller_from_json(text: str) -> Seller:
    return Seller(**json.loads(text))
