"""The PDF of an issued invoice or credit note: `render(doc) -> bytes`, its sections on the
shared kit in company/pdf/kit.py.

Rendering is deterministic (ReportLab's invariant mode, metadata from the document, no
timestamps), so the same Document always gives the same bytes. No Flask here: this runs from the
CLI and from workers as well as from views. Money is integer pence until it is written here.
"""

import re
from decimal import Decimal

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from billing.invoices.document import Document, VatSummary
from company.formats import long_date, pounds
from company.pdf.kit import (
    ACCENT,
    BLACK,
    BODY,
    BODY_AFTER,
    BODY_BOLD,
    BOLD,
    CELL,
    CELL_R,
    DETAILS_STYLE,
    FONT,
    GUTTER_STYLE,
    H2,
    LABEL,
    LINES_STYLE,
    PLAIN_STYLE,
    RULE,
    TABLE_FONT,
    TOTALS_STYLE,
    WIDTH,
    Text,
    addressed,
    build,
    cell,
    letterhead,
    lines_of,
    markup,
    text_flowable,
)

__all__ = ["render", "quantity_text", "lines_table", "totals_table"]


# Layout ------------------------------------------------------------------------------------------


# Lines table columns: Description takes what the others leave.
COLS = (44, 66, 58, 62, 66)  # Quantity, Unit price, VAT rate, VAT, Amount (points)


DESC_W = WIDTH - sum(COLS)


TOTALS_LABEL_W = 120


SUMMARY_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9, 11.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5, 10.5),
        ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
)


PAY_STYLE_PADDING = 12 + 6  # left and right, inside the box


PAY_STYLE = TableStyle(
    [
        TABLE_FONT,
        ("LINEBEFORE", (0, 0), (0, -1), 4, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)


# Text --------------------------------------------------------------------------------------------


def quantity_text(quantity: Decimal | int) -> str:
    """'1', '2.5', '1,000': no trailing zeros, no exponent."""
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
        raise TypeError(f"quantity must be a Decimal or int, not {type(quantity).__name__}")
    q = Decimal(quantity)
    if q == 0:
        return "0"
    return format(q.normalize(), ",f")


_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _charges_vat(label: str) -> bool:
    """Whether a VAT label names a positive rate ('20%', 'Standard rate (20%)')."""
    m = _RATE.search(label)
    return bool(m) and Decimal(m.group(1)) > 0


# Sections ----------------------------------------------------------------------------------------


def _header(doc: Document) -> list:
    rows = [
        ("Credit note number:" if doc.is_credit_note else "Invoice number:", doc.number),
        ("Date of issue and tax point:", long_date(doc.issue_date)),
    ]
    if not doc.is_credit_note:
        if doc.due_date:
            rows.append(("Payment due:", long_date(doc.due_date)))
        rows.append(("Payment terms:", f"{doc.seller.payment_terms_days} days"))
    if doc.po_number:
        rows.append(("Purchase order number:", doc.po_number))
    if doc.supplier_number:
        rows.append(("Supplier number:", doc.supplier_number))
    label = "Credit note to" if doc.is_credit_note else "Invoice to"
    out = [
        letterhead(doc.seller, doc.heading, doc.number),
        Spacer(1, 10),
        addressed(label, doc.customer_name, doc.customer_address, rows),
    ]

    if doc.is_credit_note:
        credit = []
        if doc.original_number:
            text = f"Credits invoice {doc.original_number}"
            if doc.original_date:
                text += f" dated {long_date(doc.original_date)}"
            credit.append(text_flowable(text + ".", BODY_BOLD))
        if doc.reason and doc.reason.strip():
            credit.append(Paragraph(f"<b>Reason:</b> {markup(doc.reason)}", BODY))
        if credit:
            out += [Spacer(1, 8), *credit]
    out.append(Spacer(1, 14))
    return out


HEAD_ROW = [
    "Description",
    "Quantity",
    "Unit price\n(excl. VAT)",
    "VAT rate",
    "VAT",
    "Amount\n(excl. VAT)",
]


def lines_table(lines) -> Table:
    """The lines of an invoice, credit note or quote: anything with description, quantity,
    unit_pence, vat_label, vat_pence and net_pence (a document.Line)."""
    rows = [HEAD_ROW]
    for ln in lines:
        rows.append(
            [
                text_flowable(ln.description, CELL),
                cell(quantity_text(ln.quantity), COLS[0] - 8, CELL_R),
                cell(pounds(ln.unit_pence), COLS[1] - 8, CELL_R),
                cell(ln.vat_label, COLS[2] - 8, CELL_R),
                cell(pounds(ln.vat_pence), COLS[3] - 8, CELL_R),
                cell(pounds(ln.net_pence), COLS[4] - 4, CELL_R),
            ]
        )
    return Table(rows, colWidths=[DESC_W, *COLS], repeatRows=1, style=LINES_STYLE)


def totals_table(net: int, vat: int, gross: int, total: str = "Total including VAT") -> Table:
    rows = [["Total excluding VAT", pounds(net)], ["VAT", pounds(vat)], [total, pounds(gross)]]
    label_w = max(TOTALS_LABEL_W, stringWidth(total, BOLD, 11) + 12)
    # As wide as the lines' Amount column, unless a total is too wide for it.
    value_w = max(COLS[-1], max(stringWidth(v, BOLD, 11) for _, v in rows) + 4)
    return Table(rows, colWidths=[label_w, value_w], style=TOTALS_STYLE, hAlign="RIGHT")


def _totals(doc: Document) -> Table:
    total = "Total credited including VAT" if doc.is_credit_note else "Total including VAT"
    return totals_table(doc.net_pence, doc.vat_pence, doc.gross_pence, total)


def _summary(doc: Document) -> list:
    """VAT by rate, when there is more than one rate or any line carries no VAT."""
    rows: list[VatSummary] = doc.vat_summary
    no_vat = [r for r in rows if not _charges_vat(r.vat_label)]
    if len(rows) < 2 and not no_vat:
        return []
    label_w, money_w = 120, 78
    table = [["VAT rate", "Amount\n(excl. VAT)", "VAT"]]
    for r in rows:
        vat = pounds(r.vat_pence) if _charges_vat(r.vat_label) else "No VAT"
        table.append([cell(r.vat_label, label_w - 4), pounds(r.net_pence), vat])
    out = [
        text_flowable("VAT summary", H2),
        Table(table, colWidths=[label_w, money_w, money_w], style=SUMMARY_STYLE, hAlign="LEFT"),
    ]
    if no_vat:
        labels = [r.vat_label for r in no_vat]
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        verb = "credited" if doc.is_credit_note else "payable"
        amount = pounds(sum(r.net_pence for r in no_vat))
        out += [
            Spacer(1, 6),
            text_flowable(f"No VAT is {verb} on the {named} lines: {amount} in total.", CELL),
        ]
    return out


def _how_to_pay(doc: Document) -> list:
    if doc.is_credit_note:
        return []
    s = doc.seller
    label_w, value_w = 96, 150
    bank = Table(
        [
            [cell(k, label_w - 6, LABEL), cell(v, value_w - 6, BODY)]
            for k, v in (
                ("Account name:", s.bank_account_name),
                ("Sort code:", s.bank_sort_code),
                ("Account number:", s.bank_account_number),
            )
        ],
        colWidths=[label_w, value_w],
        style=DETAILS_STYLE,
    )
    reference = (
        "Pay by bank transfer to this account. "
        f"Quote invoice number {doc.number} as the payment reference."
    )
    parts = [(reference, BODY_AFTER)]
    if doc.due_date:
        parts.append((f"Payment due: {long_date(doc.due_date)}", BODY_BOLD))
    inner_w = WIDTH - PAY_STYLE_PADDING
    body = Table(
        [[bank, Text(*parts)]],
        colWidths=[label_w + value_w + 12, inner_w - label_w - value_w - 12],
        style=PLAIN_STYLE,
    )
    box = Table([[[text_flowable("How to pay", H2), body]]], colWidths=[WIDTH], style=PAY_STYLE)
    return [Spacer(1, 16), KeepTogether([box])]


def _notes(doc: Document) -> list:
    if not (doc.notes and doc.notes.strip()):
        return []
    return [
        Spacer(1, 16),
        KeepTogether([text_flowable("Notes", H2), text_flowable("\n".join(lines_of(doc.notes)))]),
    ]


# Entry point -------------------------------------------------------------------------------------


def render(doc: Document) -> bytes:
    """The PDF of `doc` as bytes: the same Document always gives the same bytes."""
    summary = _summary(doc)
    totals = _totals(doc)
    if summary:
        totals_w = sum(totals._colWidths)
        block = Table(
            [[summary, totals]], colWidths=[WIDTH - totals_w, totals_w], style=GUTTER_STYLE
        )
    else:
        block = totals
    story = [
        *_header(doc),
        lines_table(doc.lines),
        Spacer(1, 10),
        KeepTogether([block]),
        *_how_to_pay(doc),
        *_notes(doc),
    ]
    return build(
        story,
        doc.seller,
        title=f"{doc.heading} {doc.number}",
        subject=f"{doc.heading} {doc.number} to {doc.customer_name}",
    )
