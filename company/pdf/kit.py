"""The shared ReportLab kit for every document the company issues: invoices, credit notes,
quotes, statements and (next) minutes and board packs.

A4, built-in Helvetica, page frame and margins, the text styles, a fast plain-text flowable,
"Page N of M" numbering, and the footer with the company-law disclosures (name, registration,
registered office, the local-authority control statement). No Flask and no billing here.
"""

from functools import lru_cache
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
    Flowable,
    Paragraph,
    TableStyle,
)

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


FONT = "Helvetica"


BOLD = "Helvetica-Bold"


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


PAD = dict(LEFTPADDING=0, RIGHTPADDING=0, TOPPADDING=0, BOTTOMPADDING=0)


PLAIN_STYLE = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), *[(k, (0, 0), (-1, -1), v) for k, v in PAD.items()]]
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


# Page furniture ----------------------------------------------------------------------------------


class NumberedCanvas(Canvas):
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


class Footer:
    """Company particulars and the control statement, at the foot of every page.

    Built once per seller (the statement can name hundreds of councils) and reused for every
    document of a run. It holds only wrapped lines of text and draws them straight onto the
    canvas, so sharing it between threads rendering at the same time is safe.
    """

    def __init__(self, seller):
        """`seller`: the company's particulars (legal_name, registered_in, company_number,
        registered_office, control_statement), as stored on the document."""
        s = seller
        office = one_line(s.registered_office)
        name = s.legal_name.rstrip(".")
        particulars = (
            f"{name}. Registered in {s.registered_in}, company number {s.company_number}. "
            f"Registered office: {office}."
        )
        paras = [wrap_foot(particulars)]
        self.statement_at_end: str | None = None
        statement = " ".join(lines_of(s.control_statement))
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
