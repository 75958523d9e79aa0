import hmac

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from company.auth.access import admin
from company.extensions import db, login_manager
from company.links import safe_next
from company.ui.converters import is_id
from company.ui.pages import refusals_flashed, refusals_on

from . import bp, services
from .access import public, signed_in
from .forms import ForgotPasswordForm, InviteStaffForm, NewPasswordForm, SignInForm
from .models import User
from .roles import STAFF_ROLES, Role


@login_manager.user_loader
def _load_user(session_id: str):
    """The user of a session id `<id>:<session key>`, if the key still matches (it does not
    once the password has changed, nor for an id of the old bare form)."""
    user_id, _, key = (session_id or "").partition(":")
    if not is_id(user_id) or not key:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_key, key):
        return None
    return user


def home_for(user) -> str:
    return url_for("portal.home") if user.is_council else url_for("core.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        with refusals_on(form, default="email"):
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or "-"
            )
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


def _set_password(token: str, purpose: str, action, template: str):
    try:
        row = services.find_token(token, purpose)
    except services.TokenInvalid as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        with refusals_on(form, default="password"):
            user = action(token, form.password.data)
            login_user(user)
            flash("Your password has been set. You are signed in.", "success")
            return redirect(home_for(user))
    return render_template(template, form=form, user=row.user)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _set_password(token, services.RESET, services.reset_password, "auth/reset_password.html")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _set_password(
        token, services.INVITE, services.accept_invitation, "auth/accept_invitation.html"
    )


# Company users (admin)


@bp.route("/admin/users")
@admin
def list_users():
    users = db.session.scalars(
        sa.select(User)
        .options(sa.orm.joinedload(User.member))
        .order_by(User.active.desc(), User.name)
    ).all()
    staff = [u for u in users if u.role in STAFF_ROLES]
    council = [u for u in users if u.role not in STAFF_ROLES]
    return render_template("auth/users.html", staff=staff, council=council)


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@admin
def invite_staff():
    form = InviteStaffForm()
    if form.validate_on_submit():
        with refusals_on(form, default="email"):
            services.invite(form.email.data, form.name.data, Role(form.role.data), current_user)
            db.session.commit()
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/invite.html", form=form)


@bp.route("/admin/users/<int:user_id>/remove", methods=["POST"])
@admin
def remove_user(user_id: int):
    user = db.get_or_404(User, user_id)
    with refusals_flashed():
        services.remove_user(user, current_user)
        flash(f"{user.name} has been removed and can no longer sign in.", "success")
    return redirect(url_for("auth.list_users"))
