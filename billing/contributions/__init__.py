"""Contribution schedules, bands and the annual run: staff pages under /billing/schedules and /billing/contributions."""

from flask import Blueprint

bp = Blueprint("contributions", __name__)


def register(app) -> None:
    from billing.contributions import views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
