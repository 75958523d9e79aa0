"""Emails that did not go: the company secretary's list of failed and unknown outbox messages,
each to be read and, when right, sent again."""

from flask import Blueprint

bp = Blueprint("messages", __name__)


def register(app) -> None:
    from company.auth.roles import Role
    from company.messages import views  # noqa: F401  (its routes)
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(app, "Messages", "messages.stuck", {Role.ADMIN}, active=("messages",), order=92)
