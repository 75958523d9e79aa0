"""Invoices and credit notes: finance's pages, the council's in its portal, PDFs and numbering."""

from flask import Blueprint

bp = Blueprint("invoices", __name__)


def register(app) -> None:
    from billing.invoices import portal, views  # noqa: F401  (their routes)
    from billing.invoices.services import pdf_of
    from company import outbox
    from company.auth.roles import COUNCIL_ROLES, Role
    from company.ui import navigation

    app.register_blueprint(bp)
    outbox.add_attachment_kind(app, "invoice_pdf", pdf_of)
    navigation.add(
        app,
        "Invoices",
        "invoices.list_invoices",
        {Role.ADMIN, Role.FINANCE, Role.DIRECTOR},
        active=(
            "invoices.show_invoice",
            "invoices.new_invoice",
            "invoices.credit_invoice",
            "invoices.invoice_document",
        ),
        order=30,
    )
    navigation.add(
        app,
        "Invoices",
        "invoices.portal_list_invoices",
        COUNCIL_ROLES,
        active=("invoices.portal_show_invoice", "invoices.portal_invoice_pdf"),
        order=210,
    )
