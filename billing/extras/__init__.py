"""Extras: the catalogue, requests, quotes and orders, for finance and in the council's portal."""

from flask import Blueprint

bp = Blueprint("extras", __name__)


def register(app) -> None:
    from billing.extras import portal, views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
