"""Bank statements: import, automatic matching and finance's review."""

from flask import Blueprint

bp = Blueprint("bank", __name__)


def register(app) -> None:
    from billing.bank import views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
