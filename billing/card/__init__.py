"""Card payments through Stripe: the council pays in its portal, finance refunds, webhooks record."""

from flask import Blueprint

bp = Blueprint("card", __name__)


def register(app) -> None:
    from billing.card import portal, tasks, views  # noqa: F401  (their routes, schedule)
    from billing.card.portal import invoice_panel, portal_invoice_panel
    from company.ui import navigation, panels

    app.register_blueprint(bp)
    panels.add(app, "invoice", "card/_panel_invoice.html", invoice_panel)
    panels.add(app, "portal_invoice", "card/_panel_portal_invoice.html", portal_invoice_panel)
    navigation.also_current(
        app, "payments.list_payments", "card.list_payments", "card.show_payment"
    )
    navigation.also_current(
        app, "invoices.portal_list_invoices", "card.portal_pay", "card.portal_paying"
    )
