"""The statement of account as a PDF, in the invoice's layout (company/pdf/kit.py) with the
company-law disclosures. No Flask."""

from dataclasses import dataclass
from datetime import date

from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from company.formats import long_date, pounds
from company.pdf.kit import (
    BODY_BOLD,
    BOLD,
    CELL,
    CELL_R,
    LINES_STYLE,
    WIDTH,
    addressed,
    build,
    cell,
    letterhead,
    text_flowable,
)
from company.settings.disclosures import Particulars

COLS = (78, 84, 0, 64, 70, 64)  # Date, Item, Reference (the rest), Charged, Paid, Balance


ENTRIES_STYLE = TableStyle(
    [("ALIGN", (1, 0), (2, -1), "LEFT"), ("FONT", (0, -1), (-1, -1), BOLD, 9, 11.5)],
    parent=LINES_STYLE,
)


@dataclass(frozen=True)
class Row:
    on: date | None
    kind: str
    reference: str
    debit: int
    credit: int
    balance: int


def standing(balance: int) -> str:
    if balance > 0:
        return f"Amount owed: {pounds(balance)}"
    if balance < 0:
        return f"In credit: {pounds(-balance)}"
    return "Nothing owed"


def render(
    seller: Particulars,
    member: str,
    address: str,
    start: date,
    end: date,
    opening: int,
    rows: list[Row],
    made_on: date,
) -> bytes:
    widths = list(COLS)
    widths[2] = WIDTH - sum(COLS)
    closing = rows[-1].balance if rows else opening

    def money(pence: int, col: int) -> str:
        return cell(pounds(pence), widths[col] - 8, CELL_R) if pence else ""

    table = [["Date", "Item", "Reference", "Charged", "Paid or\ncredited", "Balance"]]
    table.append(["", "Opening balance", "", "", "", pounds(opening)])
    for r in rows:
        table.append(
            [
                long_date(r.on) if r.on else "",
                cell(r.kind, widths[1] - 8, CELL),
                text_flowable(r.reference, CELL),
                money(r.debit, 3),
                money(r.credit, 4),
                cell(pounds(r.balance), widths[5] - 4, CELL_R),
            ]
        )
    table.append(["", "Closing balance", "", "", "", pounds(closing)])
    period = f"{long_date(start)} to {long_date(end)}"
    details = [
        ("Period:", period),
        ("Date of statement:", long_date(made_on)),
        ("Opening balance:", pounds(opening)),
        ("Closing balance:", pounds(closing)),
    ]
    story = [
        letterhead(seller, "Statement", "of account"),
        Spacer(1, 10),
        addressed("Statement for", member, address, details),
        Spacer(1, 14),
        Table(table, colWidths=widths, repeatRows=1, style=ENTRIES_STYLE),
        Spacer(1, 10),
        KeepTogether([text_flowable(standing(closing), BODY_BOLD)]),
    ]
    return build(
        story,
        seller,
        title=f"Statement of account: {member}, {period}",
        subject=f"Statement of account from {seller.legal_name} to {member}, {period}",
        continued=f"Statement of account: {member} (continued)",
    )
