"""The council's own shell in its portal: home, its users and its details."""

from flask import Blueprint

bp = Blueprint("portal", __name__)


def register(app) -> None:
    from company.portal import views  # noqa: F401  (its routes)

    app.register_blueprint(bp)
