"""The council's own shell in its portal: home, its users and its details."""

from flask import Blueprint

bp = Blueprint("portal", __name__)


def register(app) -> None:
    from company.auth.roles import COUNCIL_ROLES
    from company.portal import views  # noqa: F401  (its routes)
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(
        app,
        "Your council",
        "portal.home",
        COUNCIL_ROLES,
        active=("portal.edit_details",),
        order=200,
    )
    navigation.add(
        app,
        "Users",
        "portal.users",
        COUNCIL_ROLES,
        active=("portal.invite_user", "portal.remove_user"),
        order=250,
    )
