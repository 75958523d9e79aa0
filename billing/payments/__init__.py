"""Payments received and their allocation to invoices."""

from flask import Blueprint

bp = Blueprint("payments", __name__)


def register(app) -> None:
    from billing.payments import views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
