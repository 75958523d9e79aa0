"""Reports: statements of account, aged debt, the finance dashboard and exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__)


def register(app) -> None:
    from billing.reports import portal, views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
