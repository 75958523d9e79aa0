"""Member councils: applications, onboarding, membership and the register of members."""

from flask import Blueprint

bp = Blueprint("members", __name__)


def register(app) -> None:
    from company.auth.roles import Role
    from company.members import views  # noqa: F401  (its routes)
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(
        app,
        "Applications",
        "members.list_applications",
        {Role.ADMIN},
        active=("members.show_application",),
        order=20,
    )
    navigation.add(
        app,
        "Members",
        "members.list_members",
        {Role.ADMIN, Role.FINANCE, Role.DIRECTOR},
        active=(
            "members.show_member",
            "members.add_member",
            "members.edit_task",
            "members.invite_user",
        ),
        order=70,
    )
    navigation.add(
        app, "Register of members", "members.register", {Role.ADMIN, Role.DIRECTOR}, order=80
    )
