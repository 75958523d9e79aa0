"""Extras: the catalogue, requests, quotes and orders, for finance and in the council's portal."""

from flask import Blueprint

bp = Blueprint("extras", __name__)


def register(app) -> None:
    from billing.extras import portal, views  # noqa: F401  (their routes)
    from billing.extras.emails import pdf_of
    from company import outbox
    from company.auth.roles import COUNCIL_ROLES, Role
    from company.ui import navigation

    app.register_blueprint(bp)
    outbox.add_attachment_kind(app, "quote_pdf", pdf_of)
    navigation.add(
        app,
        "Extras",
        "extras.list_orders",
        {Role.ADMIN, Role.FINANCE},
        active=("extras",),
        order=40,
    )
    navigation.add(
        app, "Extras", "extras.portal_list_orders", COUNCIL_ROLES, active=("extras",), order=220
    )
