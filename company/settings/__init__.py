"""The company's particulars (one row): names, numbers, bank details, the control statement."""

from flask import Blueprint

bp = Blueprint("settings", __name__)


def register(app) -> None:
    from company.settings import views  # noqa: F401  (its routes)

    app.register_blueprint(bp)
