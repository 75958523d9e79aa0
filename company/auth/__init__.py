"""Users, roles, sign-in, invitations and password resets; the access rule on every view."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


def register(app) -> None:
    from company.auth import account, views  # noqa: F401  (their routes)
    from company.auth.roles import Role
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(app, "Users", "auth.list_users", {Role.ADMIN}, active=("auth",), order=90)
