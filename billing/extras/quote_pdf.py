"""The PDF of one quote version: `render(quote, seller) -> bytes`, in the invoice's layout
(company/pdf/kit.py and the invoice's lines and totals), with the company-law disclosures. No
Flask, so the outbox can render it when the email is sent."""

from reportlab.platypus import KeepTogether, Spacer

from billing.invoices.document import Line
from billing.invoices.pdf import lines_table, totals_table
from billing.money import VatCode, rate_label
from company.formats import long_date
from company.pdf.kit import BODY, H2, addressed, build, letterhead, lines_of
from company.pdf.kit import text_flowable as text
from company.settings.disclosures import Particulars


def render(quote, seller: Particulars) -> bytes:
    """`quote` a Quote (with its order and member); `seller` the company's particulars."""
    order, member = quote.order, quote.order.member
    rows = [
        ("Quote number:", quote.reference),
        ("Date:", long_date(quote.issued_on)),
        ("Valid until:", long_date(quote.valid_until)),
    ]
    if quote.superseded:
        rows.append(("Status:", "Replaced by a newer version"))
    lines = [
        Line(
            description=ln.description,
            quantity=ln.quantity,
            unit_pence=ln.unit_pence,
            vat_label=rate_label(ln.vat_code, VatCode(ln.vat_code).rate_bp),
            net_pence=ln.net_pence,
            vat_pence=ln.vat_pence,
        )
        for ln in quote.lines
    ]
    story = [
        letterhead(seller, "Quote", quote.reference),
        Spacer(1, 10),
        addressed("Quote to", member.name, member.invoice_address or member.address, rows),
        Spacer(1, 14),
        text(order.title, H2),
        lines_table(lines),
        Spacer(1, 10),
        KeepTogether([totals_table(quote.net_pence, quote.vat_pence, quote.gross_pence)]),
    ]
    if quote.terms and quote.terms.strip():
        story += [
            Spacer(1, 16),
            KeepTogether([text("Terms", H2), text("\n".join(lines_of(quote.terms)))]),
        ]
    story += [
        Spacer(1, 16),
        text(
            "To accept or decline this quote, sign in to the members' portal. "
            f"This quote is valid until {long_date(quote.valid_until)}.",
            BODY,
        ),
    ]
    return build(
        story,
        seller,
        title=f"Quote {quote.reference}",
        subject=f"Quote {quote.reference} to {member.name}: {order.title}",
    )
