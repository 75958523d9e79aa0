"""The PDF of an issued invoice or credit note: `render(doc) -> bytes`.

A4, built-in Helvetica only, every figure as real text. Rendering is deterministic (ReportLab's
invariant mode, metadata from the document, no timestamps), so the same Document always gives
the same bytes. No Flask here: this runs from the CLI and from workers as well as from views.

Money is integer pence throughout and is only turned into text here ("£1,234.50").
"""

import re
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from billing.invoices.document import Document, Seller, VatSummary
from company.formats import long_date, pounds

__all__ = ["render", "quantity_text"]

Points = float  # ReportLab lengths (1/72 inch); never money, which is integer pence

# Layout ------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN  # the frame's width
TOP_MARGIN = 16 * mm
LATER_TOP_MARGIN = 20 * mm  # room for the "continued" line on pages 2+
CONTINUED_Y = PAGE_H - 13 * mm  # top of the "continued" line
PAGE_NO_Y = 10 * mm  # baseline of "Page N of M"
FOOTER_GAP = 6 * mm  # between the last flowable and the footer rule
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
BODY_GAP = _style("body_gap", size=9.5, leading=13, spaceBefore=4)
BODY_AFTER = _style("body_after", size=9.5, leading=13, space_after=4)
SELLER = _style("seller", font=BOLD, size=12, leading=15, space_after=2)
H1 = _style("h1", font=BOLD, size=24, leading=28, align=TA_RIGHT)
NUMBER = _style("number", size=12, leading=15, align=TA_RIGHT)
H2 = _style("h2", font=BOLD, size=11, leading=14, space_after=4)
LABEL = _style("label", font=BOLD, size=9.5, leading=13)
CELL = _style("cell", size=9, leading=11.5)
CELL_R = _style("cell_r", size=9, leading=11.5, align=TA_RIGHT)
FOOT = _style("foot", size=7, leading=9, space_after=2)
CONTINUED = _style("continued", size=8.5, leading=10)

_PAD = dict(LEFTPADDING=0, RIGHTPADDING=0, TOPPADDING=0, BOTTOMPADDING=0)

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

PLAIN_STYLE = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), *[(k, (0, 0), (-1, -1), v) for k, v in _PAD.items()]]
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


def _cell(text: str, width: Points, style: ParagraphStyle = CELL):
    """A plain string when it fits on one line (cheapest), else wrapping text."""
    if stringWidth(text, style.fontName, style.fontSize) <= width:
        return text
    return _t(text, style)


def _split(text: str, font: str, size: Points, width: Points) -> list[str]:
    """Word-wrap `text` (which may hold newlines) to `width`; over-long words are broken."""
    out = []
    for line in simpleSplit(text, font, size, width):
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


class _Text(Flowable):
    """Unmarked lines of text, each part in its own style: a much cheaper Paragraph.

    `parts` is a list of (text, style); text may hold newlines and wraps at spaces. Uses the
    style's font, size, leading, alignment, spaceBefore and spaceAfter.
    """

    def __init__(self, *parts: tuple[str, ParagraphStyle]):
        super().__init__()
        self.parts = parts
        self._wrapped_for = None

    def wrap(self, avail_width, avail_height):
        if self._wrapped_for != avail_width and self.parts:
            self._wrapped_for = avail_width
            lines, height = [], 0.0
            for text, st in self.parts:
                height += st.spaceBefore
                for ln in _split(text, st.fontName, st.fontSize, avail_width):
                    height += st.leading
                    lines.append((ln, st, height))
                height += st.spaceAfter
            self._lines, self.height = lines, height
        self.width = avail_width
        return avail_width, self.height

    def split(self, avail_width, avail_height):
        """Across a page break: the lines that fit, then the rest."""
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        cut = 0
        while cut < len(self._lines) and self._lines[cut][2] <= avail_height:
            cut += 1
        if cut == 0:
            return []
        return [
            self._part(self._lines[:cut], avail_width),
            self._part(self._lines[cut:], avail_width),
        ]

    @classmethod
    def _part(cls, lines, width) -> "_Text":
        part = cls()
        offset = lines[0][2] - lines[0][1].leading
        part._lines = [(ln, st, bottom - offset) for ln, st, bottom in lines]
        part.height = part._lines[-1][2]
        part.width = part._wrapped_for = width
        return part

    def draw(self):
        canv = self.canv
        canv.setFillColor(BLACK)
        font = None
        for ln, st, bottom in self._lines:
            if font != (st.fontName, st.fontSize):
                font = (st.fontName, st.fontSize)
                canv.setFont(*font)
            # Centre the glyphs' box (ascent 0.718, descent 0.207 of the size) in the leading.
            y = self.height - bottom + (st.leading - 0.925 * st.fontSize) / 2 + 0.207 * st.fontSize
            if st.alignment == TA_RIGHT:
                canv.drawRightString(self.width, y, ln)
            else:
                canv.drawString(0, y, ln)


def _t(text: str, style: ParagraphStyle = BODY) -> _Text:
    return _Text((text, style))


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
    document of a run. It holds only wrapped lines of text and draws them straight onto the
    canvas, so sharing it between threads rendering at the same time is safe.
    """

    def __init__(self, seller: Seller):
        s = seller
        office = _one_line(s.registered_office)
        name = s.legal_name.rstrip(".")
        particulars = (
            f"{name}. Registered in {s.registered_in}, company number {s.company_number}. "
            f"Registered office: {office}."
        )
        paras = [_wrap_foot(particulars)]
        self.statement_at_end: str | None = None
        statement = " ".join(_lines(s.control_statement))
        if statement:
            lines = _wrap_foot(statement)
            if len(lines) * FOOT.leading <= FOOTER_STATEMENT_MAX:
                paras.append(lines)
            else:  # naming many councils: the footer points to the full statement at the end
                paras.append(
                    _wrap_foot(
                        f"{name} is controlled by local authorities: "
                        "see the statement at the end of this document."
                    )
                )
                self.statement_at_end = "\n".join(_lines(s.control_statement))
        # Baselines from the top of the footer down; then the page number line below.
        self.lines: list[tuple[str, float]] = []
        y = 0.0
        for para in paras:
            for ln in para:
                y += FOOT.leading
                self.lines.append((ln, y - 0.25 * FOOT.fontSize))
            y += FOOT.spaceAfter
        self.top = PAGE_NO_Y + 10 + y

    @property
    def bottom_margin(self) -> Points:
        return self.top + 4 + FOOTER_GAP

    def draw(self, canv, _doc):
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, self.top + 3, PAGE_W - MARGIN, self.top + 3)
        canv.setFillColor(BLACK)
        canv.setFont(FOOT.fontName, FOOT.fontSize)
        for ln, y in self.lines:
            canv.drawString(MARGIN, self.top - y, ln)
        canv.restoreState()

    def draw_later(self, canv, doc, continued: str):
        self.draw(canv, doc)
        canv.saveState()
        canv.setFont(CONTINUED.fontName, CONTINUED.fontSize)
        canv.setFillColor(BLACK)
        canv.drawString(MARGIN, CONTINUED_Y - CONTINUED.fontSize, continued)
        canv.restoreState()


def _wrap_foot(text: str) -> list[str]:
    return _split(text, FOOT.fontName, FOOT.fontSize, WIDTH)


@lru_cache(maxsize=8)
def _footer_for(seller: Seller) -> _Footer:
    return _Footer(seller)


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
