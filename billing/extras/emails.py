"""The quote email: the member's contact gets the quote PDF and a link to the portal."""

from flask import current_app, render_template

from billing.extras import quote_pdf
from billing.extras.models import Quote
from company import audit, outbox
from company.extensions import db
from company.links import external_url
from company.settings import disclosures
from company.settings import services as settings

PORTAL_ORDER = "extras.portal_show_order"


def filename(q: Quote) -> str:
    return f"{q.number}.pdf" if q.version == 1 else f"{q.number}-v{q.version}.pdf"


def pdf(q: Quote) -> bytes:
    return quote_pdf.render(q, disclosures.current_particulars(q.issued_on))


def pdf_of(quote_id) -> tuple[bytes, str]:
    """Outbox attachment renderer for kind "quote_pdf"."""
    return pdf(db.session.get(Quote, int(quote_id))), "pdf"


def portal_link(q: Quote) -> str:
    """The council's page for the order once the portal has one, else the portal home."""
    if PORTAL_ORDER in current_app.view_functions:
        return external_url(PORTAL_ORDER, order_id=q.order_id)
    return external_url("portal.home")


def send_quote(q: Quote, actor) -> None:
    """Queue the quote email (in the caller's transaction; the caller commits)."""
    member = q.order.member
    company = settings.current().legal_name
    outbox.queue(
        member.contact_email,
        f"Quote {q.reference} from {company}",
        render_template("emails/quote.txt", quote=q, company=company, link=portal_link(q)),
        attachments=[{"kind": "quote_pdf", "ref": q.id, "filename": filename(q)}],
    )
    audit.record(
        "order.quote_sent",
        "order",
        q.order_id,
        member_id=member.id,
        changes={"quote": q.reference, "to": member.contact_email},
        actor=actor,
    )
