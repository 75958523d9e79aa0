"""The statement of account as a PDF (ReportLab, built-in fonts, no Flask)."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from company.formats import long_date, pounds

H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=6)
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=13)
TABLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9, 11.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9, 11.5),
        ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9, 11.5),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
    ]
)


@dataclass(frozen=True)
class Row:
    on: date | None
    kind: str
    reference: str
    debit: int
    credit: int
    balance: int


def render(
    company: str, member: str, address: str, start: date, end: date, opening: int, rows: list[Row]
) -> bytes:
    buf = BytesIO()
    pdf = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=f"Statement of account {member}", author=company, invariant=1,
    )  # fmt: skip
    table = [["Date", "Item", "Reference", "Charged", "Paid or credited", "Balance"]]
    table.append(["", "Opening balance", "", "", "", pounds(opening)])
    for r in rows:
        table.append(
            [
                long_date(r.on),
                r.kind,
                Paragraph(r.reference, BODY),
                pounds(r.debit) if r.debit else "",
                pounds(r.credit) if r.credit else "",
                pounds(r.balance),
            ]
        )
    closing = rows[-1].balance if rows else opening
    table.append(["", "Closing balance", "", "", "", pounds(closing)])
    story = [
        Paragraph(f"{company}: statement of account", H1),
        Paragraph(f"<b>{member}</b>", BODY),
        *[Paragraph(line, BODY) for line in address.splitlines()],
        Spacer(1, 8),
        Paragraph(f"From {long_date(start)} to {long_date(end)}", BODY),
        Spacer(1, 10),
        Table(table, colWidths=[70, 70, 150, 60, 70, 60], repeatRows=1, style=TABLE),
        Spacer(1, 10),
        Paragraph(
            f"{'Amount owed' if closing > 0 else 'In credit' if closing < 0 else 'Nothing owed'}: {pounds(abs(closing))}",
            BODY,
        ),
    ]
    pdf.build(story)
    return buf.getvalue()
