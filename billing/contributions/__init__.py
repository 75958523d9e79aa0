"""Contribution schedules, bands and the annual run: staff pages under /billing/schedules and /billing/contributions."""

from flask import Blueprint

bp = Blueprint("contributions", __name__)


def register(app) -> None:
    from billing.contributions import views  # noqa: F401  (their routes)
    from billing.contributions.views import portal_invoices_panel
    from company.auth.roles import Role
    from company.ui import navigation, panels

    app.register_blueprint(bp)
    panels.add(
        app, "portal_invoices", "contributions/_panel_portal_invoices.html", portal_invoices_panel
    )
    navigation.add(
        app,
        "Contributions",
        "contributions.list_schedules",
        {Role.ADMIN, Role.FINANCE},
        active=("contributions",),
        order=60,
    )
