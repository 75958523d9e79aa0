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
    counts = member_services.status_counts()
    onboarding = member_services.members_page(1, only=member_services.Status.ONBOARDING)
    return render_template(
        "core/dashboard.html",
        counts=counts,
        onboarding=onboarding,
        status_type=member_services.Status,
        applications=member_services.open_applications(),
    )


@bp.route("/healthz")
@public
def healthz():
    """The database and the job queue: 503 when either cannot be reached. A worker not seen for
    three minutes is reported ("late", "none") but is no reason to stop serving pages."""
    from company.jobs import health

    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        database = "unreachable"
    queue = health.state()
    ok = database == "ok" and queue["queue"] == "ok"
    return {"status": "ok" if ok else "error", "database": database, "jobs": queue}, (
        200 if ok else 503
    )


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
