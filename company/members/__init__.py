"""Member councils: applications, onboarding, membership and the register of members."""

from flask import Blueprint

bp = Blueprint("members", __name__)


def register(app) -> None:
    from company.members import views  # noqa: F401  (its routes)

    app.register_blueprint(bp)
