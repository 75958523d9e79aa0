"""Credit control: reminders, disputes, statutory late-payment interest and compensation."""

from flask import Blueprint

bp = Blueprint("credit_control", __name__)


def register(app) -> None:
    from billing.credit_control import tasks, views  # noqa: F401  (their schedule and routes)
    from billing.credit_control.views import invoice_panel
    from company.auth.roles import Role
    from company.ui import navigation, panels

    app.register_blueprint(bp)
    panels.add(app, "invoice", "credit_control/_panel_invoice.html", invoice_panel)
    navigation.also_current(app, "payments.list_payments", "credit_control")
    navigation.add(
        app,
        "Credit control",
        "credit_control.index",
        {Role.ADMIN, Role.FINANCE},
        active=("credit_control",),
        order=3,
        group="payments",
    )
