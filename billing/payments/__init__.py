"""Payments received and their allocation to invoices."""

from flask import Blueprint

bp = Blueprint("payments", __name__)


def register(app) -> None:
    from billing.payments import views  # noqa: F401  (their routes)
    from company.auth.roles import Role
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(
        app,
        "Payments",
        "payments.list_payments",
        {Role.ADMIN, Role.FINANCE},
        active=("payments",),
        order=50,
    )
    navigation.add(
        app,
        "Payments",
        "payments.list_payments",
        {Role.ADMIN, Role.FINANCE},
        active=("payments",),
        order=1,
        group="payments",
    )
