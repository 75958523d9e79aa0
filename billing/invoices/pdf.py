"""The PDF of an issued invoice or credit note: `render(doc) -> bytes`.

A4, built-in Helvetica only, every figure as real text. Rendering is deterministic (ReportLab's
invariant mode, metadata from the document, no timestamps), so the same Document always gives
the same bytes. No Flask here: this runs from the CLI and from workers as well as from views.

Money is integer pence throughout and is only turned into text here ("£1,234.50").
"""

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
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

from billing.invoices.document import Document, Seller, VatSummary

__all__ = ["render", "pounds", "quantity_text", "long_date"]

# Layout ------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN  # the frame's width
TOP_MARGIN = 16 * mm
LATER_TOP_MARGIN = 22 * mm  # room for the "continued" line on pages 2+
PAGE_NO_Y = 10 * mm  # baseline of "Page N of M"
FOOTER_GAP = 8 * mm  # between the last flowable and the footer rule
FOOTER_STATEMENT_MAX = 60  # points; a longer control statement is printed at the end instead

ACCENT = colors.HexColor("#1d70b8")
RULE = colors.HexColor("#b1b4b6")  # thin table rules
BLACK = colors.HexColor("#0b0c0c")

FONT = "Helvetica"
BOLD = "Helvetica-Bold"

# Lines table columns: Description takes what the others leave.
COLS = (44, 66, 58, 62, 66)  # Quantity, Unit price, VAT rate, VAT, Amount (points)
DESC_W = WIDTH - sum(COLS)
TOTALS_LABEL_W = 120
TOTALS_W = TOTALS_LABEL_W + COLS[-1]

# Styles (built once) -----------------------------------------------------------------------------


def _style(name, font=FONT, size=9.0, leading=None, align=0, space_after=0, **kw):
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=leading or size * 1.3,
        alignment=align,
        textColor=BLACK,
        spaceAfter=space_after,
        **kw,
    )


BODY = _style("body", size=9.5, leading=13)
BODY_BOLD = _style("body_bold", font=BOLD, size=9.5, leading=13)
SELLER = _style("seller", font=BOLD, size=12, leading=15, space_after=2)
H1 = _style("h1", font=BOLD, size=24, leading=28, align=TA_RIGHT)
NUMBER = _style("number", size=12, leading=15, align=TA_RIGHT)
H2 = _style("h2", font=BOLD, size=11, leading=14, space_after=4)
LABEL = _style("label", font=BOLD, size=9.5, leading=13)
CELL = _style("cell", size=9, leading=11.5)
CELL_R = _style("cell_r", size=9, leading=11.5, align=TA_RIGHT)
HEAD = _style("head", font=BOLD, size=8.5, leading=10.5)
HEAD_R = _style("head_r", font=BOLD, size=8.5, leading=10.5, align=TA_RIGHT)
FOOT = _style("foot", size=7, leading=9, space_after=2)
CONTINUED = _style("continued", size=8.5, leading=10)

_PAD = dict(LEFTPADDING=0, RIGHTPADDING=0, TOPPADDING=0, BOTTOMPADDING=0)

LINES_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 9, 11.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
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
        ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
)

PLAIN_STYLE = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), *[(k, (0, 0), (-1, -1), v) for k, v in _PAD.items()]]
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


def long_date(day: date) -> str:
    """'1 April 2026' (month names from the C locale, which Python uses unless told otherwise)."""
    return f"{day.day} {day:%B %Y}"


def pounds(pence: int) -> str:
    """Integer pence to '£1,234.50'; negative amounts as '-£12.00'."""
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError(f"money must be integer pence, not {type(pence).__name__}")
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def quantity_text(quantity: Decimal | int) -> str:
    """'1', '2.5', '1,000': no trailing zeros, no exponent."""
    if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
        raise TypeError(f"quantity must be a Decimal or int, not {type(quantity).__name__}")
    q = Decimal(quantity)
    if q == 0:
        return "0"
    return format(q.normalize(), ",f")


def _lines(text: str | None) -> list[str]:
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


def _one_line(text: str) -> str:
    return ", ".join(ln.rstrip(",") for ln in _lines(text))


def _markup(text: str) -> str:
    """Escape user text for a Paragraph, keeping its line breaks."""
    return "<br/>".join(escape(ln) for ln in _lines(text))


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def _charges_vat(label: str) -> bool:
    """Whether a VAT label names a positive rate ('20%', 'Standard rate (20%)')."""
    m = _RATE.search(label)
    return bool(m) and Decimal(m.group(1)) > 0


def _cell(text: str, width: int | float, style: ParagraphStyle = CELL):  # width in points
    """A plain string when it fits on one line (fast), else a wrapping Paragraph."""
    if stringWidth(text, style.fontName, style.fontSize) <= width:
        return text
    return _p(text, style)


# Page furniture ----------------------------------------------------------------------------------


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say 'Page N of M'."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held = []

    def showPage(self):  # noqa: N802 (ReportLab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self.setFont(FONT, 7)
            self.setFillColor(BLACK)
            self.drawRightString(PAGE_W - MARGIN, PAGE_NO_Y, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class _Footer:
    """Company particulars and the control statement, at the foot of every page.

    Built once per seller (the statement can name hundreds of councils) and reused for every
    document of a run; only the "continued" line is per document."""

    def __init__(self, seller: Seller):
        s = seller
        office = _one_line(s.registered_office)
        name = s.legal_name.rstrip(".")
        particulars = (
            f"{name}. Registered in {s.registered_in}, company number {s.company_number}. "
            f"Registered office: {office}."
        )
        self.paras = [_p(particulars, FOOT)]
        self.statement_at_end = None
        if s.control_statement.strip():
            statement = Paragraph(_markup(s.control_statement), FOOT)
            if statement.wrap(WIDTH, PAGE_H)[1] <= FOOTER_STATEMENT_MAX:
                self.paras.append(statement)
            else:  # naming many councils: the footer points to the full statement at the end
                self.paras.append(
                    _p(
                        f"{name} is controlled by local authorities: see the statement at the end of this document.",
                        FOOT,
                    )
                )
                self.statement_at_end = Paragraph(_markup(s.control_statement), BODY)
        self.heights = [p.wrap(WIDTH, PAGE_H)[1] for p in self.paras]
        # Rule, paragraphs, then the page number line.
        self.top = PAGE_NO_Y + 10 + sum(h + FOOT.spaceAfter for h in self.heights)

    @property
    def bottom_margin(self) -> float:
        return self.top + 4 + FOOTER_GAP

    def draw(self, canv, _doc):
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, self.top + 3, PAGE_W - MARGIN, self.top + 3)
        y = self.top
        for para, h in zip(self.paras, self.heights, strict=True):
            y -= h
            para.drawOn(canv, MARGIN, y)
            y -= FOOT.spaceAfter
        canv.restoreState()

    def draw_later(self, canv, doc, continued: str):
        self.draw(canv, doc)
        canv.saveState()
        canv.setFont(CONTINUED.fontName, CONTINUED.fontSize)
        canv.setFillColor(BLACK)
        canv.drawString(MARGIN, PAGE_H - TOP_MARGIN - CONTINUED.fontSize, continued)
        canv.restoreState()


@lru_cache(maxsize=8)
def _footer_for(seller: Seller) -> _Footer:
    return _Footer(seller)


# Sections ----------------------------------------------------------------------------------------


def _header(doc: Document) -> list:
    s = doc.seller
    seller = [_p(s.legal_name, SELLER)]
    seller += [_p(ln) for ln in _lines(s.registered_office)]
    if s.vat_number:
        seller.append(Spacer(1, 3))
        seller.append(_p(f"VAT registration number: {s.vat_number}"))
    title = [_p(doc.heading, H1), _p(doc.number, NUMBER)]
    left_w = WIDTH * 0.58
    top = Table([[seller, title]], colWidths=[left_w, WIDTH - left_w], style=HEAD_RULE_STYLE)

    to = [_p("Credit note to" if doc.is_credit_note else "Invoice to", LABEL)]
    to.append(_p(doc.customer_name, BODY_BOLD))
    to += [_p(ln) for ln in _lines(doc.customer_address)]

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
    label_w = 150
    details_w = WIDTH * 0.52
    details = Table(
        [[_cell(k, label_w - 6, LABEL), _cell(v, details_w - label_w - 6, BODY)] for k, v in rows],
        colWidths=[label_w, details_w - label_w],
        style=DETAILS_STYLE,
    )
    middle = Table([[to, details]], colWidths=[WIDTH - details_w, details_w], style=PLAIN_STYLE)
    out = [top, Spacer(1, 12), middle]

    if doc.is_credit_note:
        credit = []
        if doc.original_number:
            text = f"Credits invoice {doc.original_number}"
            if doc.original_date:
                text += f" dated {long_date(doc.original_date)}"
            credit.append(_p(text + ".", BODY_BOLD))
        if doc.reason and doc.reason.strip():
            credit.append(Paragraph(f"<b>Reason:</b> {_markup(doc.reason)}", BODY))
        if credit:
            out += [Spacer(1, 8), *credit]
    out.append(Spacer(1, 16))
    return out


_HEAD_ROW = [
    Paragraph("Description", HEAD),
    Paragraph("Quantity", HEAD_R),
    Paragraph("Unit price (excl. VAT)", HEAD_R),
    Paragraph("VAT rate", HEAD_R),
    Paragraph("VAT", HEAD_R),
    Paragraph("Amount (excl. VAT)", HEAD_R),
]


def _lines_table(doc: Document) -> Table:
    rows = [_HEAD_ROW]
    for ln in doc.lines:
        rows.append(
            [
                Paragraph(_markup(ln.description), CELL),
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
    return Table(rows, colWidths=[label_w, COLS[-1]], style=TOTALS_STYLE, hAlign="RIGHT")


def _summary(doc: Document) -> list:
    """VAT by rate, when there is more than one rate or any line carries no VAT."""
    rows: list[VatSummary] = doc.vat_summary
    no_vat = [r for r in rows if not _charges_vat(r.vat_label)]
    if len(rows) < 2 and not no_vat:
        return []
    label_w, money_w = 120, 78
    table = [
        [
            Paragraph("VAT rate", HEAD),
            Paragraph("Amount (excl. VAT)", HEAD_R),
            Paragraph("VAT", HEAD_R),
        ]
    ]
    for r in rows:
        vat = pounds(r.vat_pence) if _charges_vat(r.vat_label) else "No VAT"
        table.append([_cell(r.vat_label, label_w - 4), pounds(r.net_pence), vat])
    out = [
        _p("VAT summary", H2),
        Table(table, colWidths=[label_w, money_w, money_w], style=SUMMARY_STYLE, hAlign="LEFT"),
    ]
    if no_vat:
        labels = [r.vat_label for r in no_vat]
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        verb = "credited" if doc.is_credit_note else "payable"
        amount = pounds(sum(r.net_pence for r in no_vat))
        out += [
            Spacer(1, 6),
            _p(f"No VAT is {verb} on the {named} lines: {amount} in total.", CELL),
        ]
    return out


def _how_to_pay(doc: Document) -> list:
    if doc.is_credit_note:
        return []
    s = doc.seller
    content = [
        _p("How to pay", H2),
        _p("Pay by bank transfer to:"),
        Table(
            [
                [_cell("Account name:", 94, LABEL), _cell(s.bank_account_name, WIDTH - 130, BODY)],
                [_cell("Sort code:", 94, LABEL), _cell(s.bank_sort_code, WIDTH - 130, BODY)],
                [
                    _cell("Account number:", 94, LABEL),
                    _cell(s.bank_account_number, WIDTH - 130, BODY),
                ],
            ],
            colWidths=[100, WIDTH - 100 - 24],
            style=DETAILS_STYLE,
            hAlign="LEFT",
        ),
        Spacer(1, 3),
        Paragraph(
            f"Quote invoice number <b>{escape(doc.number)}</b> as the payment reference.", BODY
        ),
    ]
    if doc.due_date:
        content.append(Paragraph(f"<b>Payment due:</b> {long_date(doc.due_date)}", BODY))
    box = Table([[content]], colWidths=[WIDTH], style=PAY_STYLE)
    return [Spacer(1, 18), KeepTogether([box])]


def _notes(doc: Document) -> list:
    if not (doc.notes and doc.notes.strip()):
        return []
    return [Spacer(1, 16), KeepTogether([_p("Notes", H2), Paragraph(_markup(doc.notes), BODY)])]


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
        gap = 16
        left_w = WIDTH - totals._colWidths[0] - totals._colWidths[1] - gap
        block = Table(
            [[summary, totals]],
            colWidths=[left_w + gap, WIDTH - left_w - gap],
            style=PLAIN_STYLE,
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
            _p("Local authority control statement", H2),
            footer.statement_at_end,
        ]
    pdf.build(story, canvasmaker=_NumberedCanvas)
    return buf.getvalue()
