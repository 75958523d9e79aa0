"""One-page VAT invoice PDFs per second on one core (ReportLab, Liberation Sans embedded).

    python bench/pdf.py [--count 300]

Last line: `pdfs_per_second=<n>`.
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.invoices.document import Document, Line, Seller, VatSummary  # noqa: E402
from billing.invoices.pdf import render  # noqa: E402

SELLER = Seller(
    legal_name="Flatpack Councils Ltd",
    registered_office="Hove Town Hall\nNorton Road\nHove\nBN3 3BQ",
    company_number="15234567",
    registered_in="England and Wales",
    vat_number="GB 980 7806 84",
    bank_account_name="Flatpack Councils Ltd",
    bank_sort_code="30-99-50",
    bank_account_number="00733445",
    payment_terms_days=30,
    control_statement="Flatpack Councils Ltd is a company controlled by local authorities within the meaning of "
    "Part V of the Local Government and Housing Act 1989. The controlling authorities are: Adur District "
    "Council, Brighton and Hove City Council and West Sussex County Council.",
)


def document(i: int) -> Document:
    line = Line(
        "Annual contribution 2026/27: District council", Decimal(1), 500000, "20%", 500000, 100000
    )
    return Document(
        is_credit_note=False,
        number=f"INV-2026-{i:05d}",
        issue_date=date(2026, 4, 15),
        due_date=date(2026, 5, 15),
        seller=SELLER,
        customer_name=f"Council {i}",
        customer_address="Accounts Payable\nTown Hall\nAN1 1AA",
        po_number="PO-4500001",
        supplier_number=None,
        lines=[line],
        net_pence=500000,
        vat_pence=100000,
        gross_pence=600000,
        vat_summary=[VatSummary("20%", 500000, 100000)],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    docs = [document(i) for i in range(args.count)]
    render(docs[0])  # warm up
    start = time.perf_counter()
    size = sum(len(render(doc)) for doc in docs)
    seconds = time.perf_counter() - start
    print(f"{args.count} invoices in {seconds:.2f} s, {size / args.count / 1024:.1f} KB each")
    print(f"pdfs_per_second={args.count / seconds:.0f}")


if __name__ == "__main__":
    main()
