"""The shared ReportLab kit for every document the company issues: invoices, credit notes,
quotes, statements and (next) minutes and board packs.

A4, an embedded sans-serif font, page frame and margins, the text styles and table styles, a
fast plain-text flowable, the letterhead, "Page N of M" numbering, the footer with the
company-law disclosures (from company/settings/disclosures.py), and `build()`, which makes the
document with its language, title and metadata set. No Flask and no billing here.
"""

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
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from company.pdf import fonts
from company.pdf.fonts import BOLD, FONT
from company.settings.disclosures import lines as disclosure_lines

PAGE_W, PAGE_H = A4
Points = float  # ReportLab lengths (1/72 inch); never money, which is integer pence


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


FONT_FILE = fonts.register()


# Styles (built once) -----------------------------------------------------------------------------


def style(name, font=FONT, size=9.0, leading=None, align=0, space_after=0, **kw):
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


BODY = style("body", size=9.5, leading=13)


BODY_BOLD = style("body_bold", font=BOLD, size=9.5, leading=13)


BODY_GAP = style("body_gap", size=9.5, leading=13, spaceBefore=4)


BODY_AFTER = style("body_after", size=9.5, leading=13, space_after=4)


FOOT = style("foot", size=7, leading=9, space_after=2)


CONTINUED = style("continued", size=8.5, leading=10)


SELLER = style("seller", font=BOLD, size=12, leading=15, space_after=2)


H1 = style("h1", font=BOLD, size=24, leading=28, align=TA_RIGHT)


NUMBER = style("number", size=12, leading=15, align=TA_RIGHT)


H2 = style("h2", font=BOLD, size=11, leading=14, space_after=4)


LABEL = style("label", font=BOLD, size=9.5, leading=13)


CELL = style("cell", size=9, leading=11.5)


CELL_R = style("cell_r", size=9, leading=11.5, align=TA_RIGHT)


PAD = dict(LEFTPADDING=0, RIGHTPADDING=0, TOPPADDING=0, BOTTOMPADDING=0)


# Every table style names the font, or ReportLab sets unembedded Helvetica in each cell.
TABLE_FONT = ("FONT", (0, 0), (-1, -1), FONT, 9.5)


PLAIN_STYLE = TableStyle(
    [
        TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[(k, (0, 0), (-1, -1), v) for k, v in PAD.items()],
    ]
)


LINES_STYLE = TableStyle(  # a table of lines or entries: bold head, thin rules, numbers right
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


GUTTER_STYLE = TableStyle(  # two columns side by side, a gutter between them
    [
        TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[(k, (0, 0), (-1, -1), v) for k, v in PAD.items()],
        ("RIGHTPADDING", (0, 0), (0, -1), 16),
    ]
)


DETAILS_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (0, -1), BOLD, 9.5, 13),  # plain-string cells (see cell())
        ("FONT", (1, 0), (-1, -1), FONT, 9.5, 13),
        ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


HEAD_RULE_STYLE = TableStyle(
    [
        TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[(k, (0, 0), (-1, -1), v) for k, v in PAD.items()],
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
        ("LINEBELOW", (0, 0), (-1, -1), 2, ACCENT),
    ]
)


def lines_of(text: str | None) -> list[str]:
    return [ln.strip() for ln in (text or "").splitlines() if ln.strip()]


def one_line(text: str) -> str:
    return ", ".join(ln.rstrip(",") for ln in lines_of(text))


def markup(text: str) -> str:
    """Escape user text for a Paragraph, keeping its line breaks."""
    return "<br/>".join(escape(ln) for ln in lines_of(text))


def paragraph(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def split_text(text: str, font: str, size: Points, width: Points) -> list[str]:
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


class Text(Flowable):
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
                for ln in split_text(text, st.fontName, st.fontSize, avail_width):
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
    def _part(cls, lines, width) -> "Text":
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


def text_flowable(text: str, style: ParagraphStyle = BODY) -> Text:
    return Text((text, style))


def cell(text: str, width: Points, style: ParagraphStyle = CELL):
    """A plain string when it fits on one line (cheapest), else wrapping text."""
    if stringWidth(text, style.fontName, style.fontSize) <= width:
        return text
    return text_flowable(text, style)


# Blocks ------------------------------------------------------------------------------------------


def letterhead(seller, heading: str, number: str) -> Table:
    """The company's name, office and VAT number; the document's kind and number on the right."""
    left = [(seller.legal_name, SELLER), ("\n".join(lines_of(seller.registered_office)), BODY)]
    if seller.vat_number:
        left.append((f"VAT registration number: {seller.vat_number}", BODY_GAP))
    left_w = WIDTH * 0.58
    return Table(
        [[Text(*left), Text((heading, H1), (number, NUMBER))]],
        colWidths=[left_w, WIDTH - left_w],
        style=HEAD_RULE_STYLE,
    )


def addressed(label: str, name: str, address: str | None, rows: list[tuple[str, str]]) -> Table:
    """Who the document is to (left) beside its details, label and value (right)."""
    to = Text((label, LABEL), (name, BODY_BOLD), ("\n".join(lines_of(address)), BODY))
    label_w = 136
    details_w = WIDTH * 0.52
    details = Table(
        [[cell(k, label_w - 6, LABEL), cell(v, details_w - label_w - 6, BODY)] for k, v in rows],
        colWidths=[label_w, details_w - label_w],
        style=DETAILS_STYLE,
    )
    return Table([[to, details]], colWidths=[WIDTH - details_w, details_w], style=GUTTER_STYLE)


# Page furniture ----------------------------------------------------------------------------------


class NumberedCanvas(Canvas):
    """Holds pages back until the end so each can say 'Page N of M'."""

    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT  # not Helvetica
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


class Footer:
    """Company particulars and the control statement, at the foot of every page.

    Built once per seller (the statement can name hundreds of councils) and reused for every
    document of a run. It holds only wrapped lines of text and draws them straight onto the
    canvas, so sharing it between threads rendering at the same time is safe.
    """

    def __init__(self, seller):
        """`seller`: the company's Particulars (or an invoice's stored seller), as at the
        document's date. The text is disclosures.lines(): the one wording everywhere."""
        s = seller
        name = s.legal_name.rstrip(".")
        particulars, *rest = disclosure_lines(  # the VAT number is in the letterhead
            s.legal_name, s.registered_in, s.company_number, s.registered_office, None,
            s.control_statement,
        )  # fmt: skip
        paras = [wrap_foot(particulars)]
        self.statement_at_end: str | None = None
        statement = " ".join(rest)
        if statement:
            lines = wrap_foot(statement)
            if len(lines) * FOOT.leading <= FOOTER_STATEMENT_MAX:
                paras.append(lines)
            else:  # naming many councils: the footer points to the full statement at the end
                paras.append(
                    wrap_foot(
                        f"{name} is controlled by local authorities: "
                        "see the statement at the end of this document."
                    )
                )
                self.statement_at_end = "\n".join(lines_of(s.control_statement))
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


def wrap_foot(text: str) -> list[str]:
    return split_text(text, FOOT.fontName, FOOT.fontSize, WIDTH)


@lru_cache(maxsize=8)
def footer_for(seller) -> Footer:
    return Footer(seller)


# The document ------------------------------------------------------------------------------------


def build(story: list, seller, *, title: str, subject: str, continued: str | None = None) -> bytes:
    """The PDF of `story` as bytes, the same story always giving the same bytes.

    Every page has the disclosures footer and "Page N of M"; pages after the first start with
    `continued` (default: the title and "(continued)"). A control statement too long for the
    footer is printed at the end. The document's language is en-GB and its title is `title`.
    """
    footer = footer_for(seller)
    continued = continued or f"{title} (continued)"
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
        title=title,
        author=seller.legal_name,
        subject=subject,
        creator="Flatpack",
        producer="Flatpack (ReportLab)",
        invariant=1,
        lang="en-GB",
        displayDocTitle=1,
    )
    if footer.statement_at_end is not None:
        story = [
            *story,
            Spacer(1, 16),
            text_flowable("Local authority control statement", H2),
            text_flowable(footer.statement_at_end),
        ]
    pdf.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()
