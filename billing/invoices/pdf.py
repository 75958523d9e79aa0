"""The PDF of an issued invoice or credit note: `render(doc) -> bytes`, its sections on the
shared kit in company/pdf/kit.py.

Rendering is deterministic (ReportLab's invariant mode, metadata from the document, no
timestamps), so the same Document always gives the same bytes. No Flask here: this runs from the
CLI and from workers as well as from views. Money is integer pence until it is written here.
"""

import re
from decimal import Decimal
from io import BytesIO

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from billing.invoices.document import Document, VatSummary
from company.formats import long_date, pounds
from company.pdf.kit import (
    ACCENT,
    BLACK,
    BODY,
    BODY_AFTER,
    BODY_BOLD,
    BODY_GAP,
    BOLD,
    FONT,
    LATER_TOP_MARGIN,
    MARGIN,
    PAGE_H,
    PLAIN_STYLE,
    RULE,
    TOP_MARGIN,
    WIDTH,
    Points,
)
from company.pdf.kit import (
    PAD as _PAD,
)
from company.pdf.kit import (
    NumberedCanvas as _NumberedCanvas,
)
from company.pdf.kit import (
    Text as _Text,
)
from company.pdf.kit import (
    footer_for as _footer_for,
)
from company.pdf.kit import (
    lines_of as _lines,
)
from company.pdf.kit import (
    markup as _markup,
)
from company.pdf.kit import (
    style as _style,
)
from company.pdf.kit import (
    text_flowable as _t,
)

__all__ = ["render", "quantity_text"]


# Layout ------------------------------------------------------------------------------------------


# Lines table columns: Description takes what the others leave.
COLS = (44, 66, 58, 62, 66)  # Quantity, Unit price, VAT rate, VAT, Amount (points)


DESC_W = WIDTH - sum(COLS)


TOTALS_LABEL_W = 120


SELLER = _style("seller", font=BOLD, size=12, leading=15, space_after=2)


H1 = _style("h1", font=BOLD, size=24, leading=28, align=TA_RIGHT)


NUMBER = _style("number", size=12, leading=15, align=TA_RIGHT)


H2 = _style("h2", font=BOLD, size=11, leading=14, space_after=4)


LABEL = _style("label", font=BOLD, size=9.5, leading=13)


CELL = _style("cell", size=9, leading=11.5)


CELL_R = _style("cell_r", size=9, leading=11.5, align=TA_RIGHT)


LINES_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9, 11.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5, 10.5),
        ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
)


TOTALS_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9.5, 12),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONT", (0, -1), (-1, -1), BOLD, 11, 14),
        ("TOPPADDING", (0, -1), (-1, -1), 5),
        ("LINEABOVE", (0, -1), (-1, -1), 1, BLACK),
        ("LINEBELOW", (0, -1), (-1, -1), 1, BLACK),
    ]
)


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


GUTTER_STYLE = TableStyle(  # two columns side by side, a gutter between them
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[(k, (0, 0), (-1, -1), v) for k, v in _PAD.items()],
        ("RIGHTPADDING", (0, 0), (0, -1), 16),
    ]
)


DETAILS_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (0, -1), BOLD, 9.5, 13),  # plain-string cells (see _cell)
        ("FONT", (1, 0), (-1, -1), FONT, 9.5, 13),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


PAY_STYLE_PADDING = 12 + 6  # left and right, inside the box


PAY_STYLE = TableStyle(
    [
        ("LINEBEFORE", (0, 0), (0, -1), 4, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 12),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)


HEAD_RULE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[(k, (0, 0), (-1, -1), v) for k, v in _PAD.items()],
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LINEBELOW", (0, 0), (-1, -1), 2, ACCENT),
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


def _cell(text: str, width: Points, style: ParagraphStyle = CELL):
    """A plain string when it fits on one line (cheapest), else wrapping text."""
    if stringWidth(text, style.fontName, style.fontSize) <= width:
        return text
    return _t(text, style)


# Sections ----------------------------------------------------------------------------------------


def _header(doc: Document) -> list:
    s = doc.seller
    seller = [(s.legal_name, SELLER), ("\n".join(_lines(s.registered_office)), BODY)]
    if s.vat_number:
        seller.append((f"VAT registration number: {s.vat_number}", BODY_GAP))
    left_w = WIDTH * 0.58
    top = Table(
        [[_Text(*seller), _Text((doc.heading, H1), (doc.number, NUMBER))]],
        colWidths=[left_w, WIDTH - left_w],
        style=HEAD_RULE_STYLE,
    )

    to = _Text(
        ("Credit note to" if doc.is_credit_note else "Invoice to", LABEL),
        (doc.customer_name, BODY_BOLD),
        ("\n".join(_lines(doc.customer_address)), BODY),
    )
    label = "Credit note number:" if doc.is_credit_note else "Invoice number:"
    rows = [(label, doc.number), ("Date of issue and tax point:", long_date(doc.issue_date))]
    if not doc.is_credit_note:
        if doc.due_date:
            rows.append(("Payment due:", long_date(doc.due_date)))
        rows.append(("Payment terms:", f"{s.payment_terms_days} days"))
    if doc.po_number:
        rows.append(("Purchase order number:", doc.po_number))
    if doc.supplier_number:
        rows.append(("Supplier number:", doc.supplier_number))
    label_w = 136
    details_w = WIDTH * 0.52
    details = Table(
        [[_cell(k, label_w - 6, LABEL), _cell(v, details_w - label_w - 6, BODY)] for k, v in rows],
        colWidths=[label_w, details_w - label_w],
        style=DETAILS_STYLE,
    )
    middle = Table([[to, details]], colWidths=[WIDTH - details_w, details_w], style=GUTTER_STYLE)
    out = [top, Spacer(1, 10), middle]

    if doc.is_credit_note:
        credit = []
        if doc.original_number:
            text = f"Credits invoice {doc.original_number}"
            if doc.original_date:
                text += f" dated {long_date(doc.original_date)}"
            credit.append(_t(text + ".", BODY_BOLD))
        if doc.reason and doc.reason.strip():
            credit.append(Paragraph(f"<b>Reason:</b> {_markup(doc.reason)}", BODY))
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


def _lines_table(doc: Document) -> Table:
    rows = [HEAD_ROW]
    for ln in doc.lines:
        rows.append(
            [
                _t(ln.description, CELL),
                _cell(quantity_text(ln.quantity), COLS[0] - 8, CELL_R),
                _cell(pounds(ln.unit_pence), COLS[1] - 8, CELL_R),
                _cell(ln.vat_label, COLS[2] - 8, CELL_R),
                _cell(pounds(ln.vat_pence), COLS[3] - 8, CELL_R),
                _cell(pounds(ln.net_pence), COLS[4] - 4, CELL_R),
            ]
        )
    return Table(rows, colWidths=[DESC_W, *COLS], repeatRows=1, style=LINES_STYLE)


def _totals(doc: Document) -> Table:
    total = "Total credited including VAT" if doc.is_credit_note else "Total including VAT"
    rows = [
        ["Total excluding VAT", pounds(doc.net_pence)],
        ["VAT", pounds(doc.vat_pence)],
        [total, pounds(doc.gross_pence)],
    ]
    label_w = TOTALS_LABEL_W + (40 if doc.is_credit_note else 0)
    # As wide as the lines' Amount column, unless a total is too wide for it.
    value_w = max(COLS[-1], max(stringWidth(v, BOLD, 11) for _, v in rows) + 4)
    return Table(rows, colWidths=[label_w, value_w], style=TOTALS_STYLE, hAlign="RIGHT")


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
        table.append([_cell(r.vat_label, label_w - 4), pounds(r.net_pence), vat])
    out = [
        _t("VAT summary", H2),
        Table(table, colWidths=[label_w, money_w, money_w], style=SUMMARY_STYLE, hAlign="LEFT"),
    ]
    if no_vat:
        labels = [r.vat_label for r in no_vat]
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        verb = "credited" if doc.is_credit_note else "payable"
        amount = pounds(sum(r.net_pence for r in no_vat))
        out += [
            Spacer(1, 6),
            _t(f"No VAT is {verb} on the {named} lines: {amount} in total.", CELL),
        ]
    return out


def _how_to_pay(doc: Document) -> list:
    if doc.is_credit_note:
        return []
    s = doc.seller
    label_w, value_w = 96, 150
    bank = Table(
        [
            [_cell(k, label_w - 6, LABEL), _cell(v, value_w - 6, BODY)]
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
        [[bank, _Text(*parts)]],
        colWidths=[label_w + value_w + 12, inner_w - label_w - value_w - 12],
        style=PLAIN_STYLE,
    )
    box = Table([[[_t("How to pay", H2), body]]], colWidths=[WIDTH], style=PAY_STYLE)
    return [Spacer(1, 16), KeepTogether([box])]


def _notes(doc: Document) -> list:
    if not (doc.notes and doc.notes.strip()):
        return []
    return [Spacer(1, 16), KeepTogether([_t("Notes", H2), _t("\n".join(_lines(doc.notes)))])]


# Entry point -------------------------------------------------------------------------------------


def render(doc: Document) -> bytes:
    """The PDF of `doc` as bytes: the same Document always gives the same bytes."""
    footer = _footer_for(doc.seller)
    continued = f"{doc.heading} {doc.number} (continued)"
    buf = BytesIO()
    bottom = footer.bottom_margin
    frame = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    first = Frame(MARGIN, bottom, WIDTH, PAGE_H - TOP_MARGIN - bottom, id="first", **frame)
    later = Frame(MARGIN, bottom, WIDTH, PAGE_H - LATER_TOP_MARGIN - bottom, id="later", **frame)
    pdf = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=bottom,
        pageTemplates=[
            PageTemplate("first", [first], onPage=footer.draw, autoNextPageTemplate="later"),
            PageTemplate(
                "later", [later], onPage=lambda canv, d: footer.draw_later(canv, d, continued)
            ),
        ],
        title=f"{doc.heading} {doc.number}",
        author=doc.seller.legal_name,
        subject=f"{doc.heading} {doc.number} to {doc.customer_name}",
        creator="Flatpack",
        producer="Flatpack (ReportLab)",
        invariant=1,
        lang="en-GB",
    )

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
        _lines_table(doc),
        Spacer(1, 10),
        KeepTogether([block]),
        *_how_to_pay(doc),
        *_notes(doc),
    ]
    if footer.statement_at_end is not None:
        story += [
            Spacer(1, 16),
            _t("Local authority control statement", H2),
            _t(footer.statement_at_end),
        ]
    pdf.build(story, canvasmaker=_NumberedCanvas)
    return buf.getvalue()
