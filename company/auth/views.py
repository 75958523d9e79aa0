import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from company.auth.access import admin
from company.extensions import db, login_manager
from company.links import safe_next
from company.ui.pages import confirmation, confirmed, refusals_flashed, refusals_on

from . import bp, second_factor, services, sessions
from .access import public, signed_in
from .account import home_for, start_second_step
from .forms import (
    ChangeRoleForm,
    ForgotPasswordForm,
    InviteStaffForm,
    NewPasswordForm,
    SignInForm,
)
from .models import User
from .roles import STAFF_ROLES, Role


@login_manager.user_loader
def _load_user(session_id: str):
    """The user of a live server-side session (company.auth.sessions)."""
    return sessions.load(session_id)


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
            return start_second_step(user, safe_next(request.args.get("next")))
    ended = request.args.get("ended")
    return render_template("auth/sign_in.html", form=form, ended=ended)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    sessions.sign_out()
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
            flash("Your password has been set.", "success")
            return start_second_step(user, None)
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


@bp.route("/admin/users/<int:user_id>/reset-second-factor", methods=["POST"])
@admin
def reset_second_factor(user_id: int):
    """A lost phone: the user sets up their app again at their next sign-in."""
    user = db.get_or_404(User, user_id)
    with refusals_flashed():
        if not confirmed():
            second_factor.check_reset(user, current_user)
            return confirmation(
                title=f"Reset {user.name}'s second factor?",
                caption="Users",
                action=url_for("auth.reset_second_factor", user_id=user.id),
                button="Reset second factor",
                cancel=url_for("auth.list_users"),
                points=[
                    "their authenticator app and recovery codes stop working",
                    "every session of theirs is signed out",
                    f"{user.email} is emailed to say so",
                    "they set up their app again the next time they sign in",
                ],
                warning="Do this only when you know it is them asking (a lost or new phone).",
                destructive=True,
            )
        second_factor.reset(user, current_user)
        flash(f"{user.name}'s second factor has been reset.", "success")
    return redirect(url_for("auth.list_users"))


@bp.route("/admin/users/<int:user_id>/role", methods=["GET", "POST"])
@admin
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ChangeRoleForm(role=user.role.value)
    if form.validate_on_submit():
        role = Role(form.role.data)
        with refusals_on(form, default="role"):
            services.check_role_change(user, role, current_user)
            if not confirmed(identity=True):
                return confirmation(
                    title=f"Make {user.name} {role.label.lower()}?",
                    caption="Users",
                    action=url_for("auth.change_role", user_id=user.id),
                    button="Change role",
                    cancel=url_for("auth.list_users"),
                    rows=[("Now", user.role.label), ("After", role.label)],
                    points=[
                        f"{user.name} can do what {role.label.lower()} may, from their next page"
                    ],
                    warning="",
                    identity=True,
                )
            services.change_role(user, role, current_user)
            flash(f"{user.name} is now {role.label.lower()}.", "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/change_role.html", form=form, user=user)
