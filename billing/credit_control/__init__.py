"""Credit control: reminders, disputes, statutory late-payment interest and compensation."""

from flask import Blueprint

bp = Blueprint("credit_control", __name__)


def register(app) -> None:
    from billing.credit_control import views  # noqa: F401  (their routes)

    app.register_blueprint(bp)
