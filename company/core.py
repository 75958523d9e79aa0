"""Home pages and the health check."""

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from company.auth.access import public, staff
from company.extensions import db
from company.members import services as member_services

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(
            url_for("portal.home") if current_user.is_council else url_for("core.dashboard")
        )
    return render_template("core/index.html")


@bp.route("/dashboard")
@staff
def dashboard():
    groups = member_services.members_by_status()
    return render_template(
        "core/dashboard.html",
        groups=groups,
        status_type=member_services.Status,
        applications=member_services.open_applications(),
    )


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("core/accessibility.html")


def register(app) -> None:
    from company.auth.roles import Role
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.add(
        app, "Home", "core.dashboard", {Role.ADMIN, Role.FINANCE, Role.DIRECTOR}, order=10
    )
