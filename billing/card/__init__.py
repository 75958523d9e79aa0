"""Card payments through Stripe: the council pays in its portal, finance refunds, webhooks record."""

from flask import Blueprint

bp = Blueprint("card", __name__)


def register(app) -> None:
    from billing.card import portal, views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
