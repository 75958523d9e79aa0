"""Users, roles, sign-in, invitations and password resets; the access rule on every view."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


def register(app) -> None:
    from company.auth import views  # noqa: F401  (its routes)

    app.register_blueprint(bp)
