"""Invoices and credit notes: finance's pages, the council's in its portal, PDFs and numbering."""

from flask import Blueprint

bp = Blueprint("invoices", __name__)


def register(app) -> None:
    from billing.invoices import portal, views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
