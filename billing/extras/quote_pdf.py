"""The PDF of one quote version: `render(quote, company) -> bytes` (ReportLab, built-in fonts,
no Flask, so the outbox can render it when the email is sent)."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from billing.invoices.pdf import quantity_text
from billing.money import VAT_LABELS, VatCode
from company.formats import long_date, pounds

BLACK = colors.HexColor("#0b0c0c")
RULE = colors.HexColor("#b1b4b6")
H1 = ParagraphStyle("q_h1", fontName="Helvetica-Bold", fontSize=20, leading=24, spaceAfter=4)
H2 = ParagraphStyle("q_h2", fontName="Helvetica-Bold", fontSize=11, leading=14, spaceAfter=4)
BODY = ParagraphStyle("q_body", fontName="Helvetica", fontSize=9.5, leading=13)
CELL = ParagraphStyle("q_cell", fontName="Helvetica", fontSize=9, leading=11.5)
CELL_R = ParagraphStyle("q_cell_r", parent=CELL, alignment=TA_RIGHT)
SMALL = ParagraphStyle("q_small", fontName="Helvetica", fontSize=7.5, leading=9.5)
LINES = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9, 11.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5, 10.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
)
TOTALS = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9.5, 12),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 11, 14),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("LINEABOVE", (0, -1), (-1, -1), 1, BLACK),
    ]
)
DETAILS = TableStyle(
    [
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9.5, 13),
        ("FONT", (1, 0), (1, -1), "Helvetica", 9.5, 13),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _markup(text: str | None) -> str:
    return "<br/>".join(escape(ln.strip()) for ln in (text or "").splitlines() if ln.strip())


def _vat_label(code: str) -> str:
    return VAT_LABELS[VatCode(code)]


def render(quote, company) -> bytes:
    """`quote` a Quote (with its order and member); `company` the CompanySettings row."""
    order, member = quote.order, quote.order.member
    buf = BytesIO()
    pdf = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=f"Quote {quote.reference}", author=company.legal_name, subject=f"Quote {quote.reference} to {member.name}",
        creator="Flatpack", invariant=1,
    )  # fmt: skip
    width = A4[0] - 36 * mm
    issued = (quote.sent_at or quote.created_at).date()
    details = [
        ["Quote number:", quote.reference],
        ["Date:", long_date(issued)],
        ["Valid until:", long_date(quote.valid_until)],
    ]
    if quote.superseded:
        details.append(["Status:", "Replaced by a newer version"])
    story = [
        Paragraph(escape(company.legal_name), H2),
        Paragraph(_markup(company.registered_office), BODY),
        *([Paragraph(f"VAT registration number: {escape(company.vat_number)}", BODY)] if company.vat_number else []),
        Spacer(1, 10),
        Paragraph(f"Quote {escape(quote.reference)}", H1),
        Paragraph(escape(order.title), BODY),
        Spacer(1, 8),
        Table(
            [[
                [Paragraph("<b>Quote to</b>", BODY), Paragraph(escape(member.name), BODY),
                 Paragraph(_markup(member.invoice_address or member.address), BODY)],
                Table(details, colWidths=[80, 130], style=DETAILS),
            ]],
            colWidths=[width - 220, 220],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
        ),
        Spacer(1, 14),
    ]  # fmt: skip
    rows = [["Description", "Quantity", "Unit price (excl. VAT)", "VAT", "Amount (excl. VAT)"]]
    for line in quote.lines:
        rows.append(
            [
                Paragraph(_markup(line.description), CELL),
                quantity_text(line.quantity),
                pounds(line.unit_pence),
                Paragraph(
                    f"{pounds(line.vat_pence)}<br/>{escape(_vat_label(line.vat_code))}", CELL_R
                ),
                pounds(line.net_pence),
            ]
        )
    story.append(Table(rows, colWidths=[width - 330, 50, 90, 100, 90], repeatRows=1, style=LINES))
    story += [
        Spacer(1, 8),
        Table(
            [
                ["Total excluding VAT", pounds(quote.net_pence)],
                ["VAT", pounds(quote.vat_pence)],
                ["Total including VAT", pounds(quote.gross_pence)],
            ],
            colWidths=[width - 90, 90],
            style=TOTALS,
        ),
    ]
    if quote.terms:
        story += [
            Spacer(1, 14),
            KeepTogether([Paragraph("Terms", H2), Paragraph(_markup(quote.terms), BODY)]),
        ]
    story += [
        Spacer(1, 14),
        Paragraph(
            "To accept or decline this quote, sign in to the members' portal. "
            f"This quote is valid until {long_date(quote.valid_until)}.",
            BODY,
        ),
        Spacer(1, 14),
        Paragraph(
            escape(
                f"{company.legal_name.rstrip('.')}. Registered in {company.registered_in}"
                + (f", company number {company.company_number}" if company.company_number else "")
                + "."
            ),
            SMALL,
        ),
    ]
    pdf.build(story)
    return buf.getvalue()
