"""The member council's home. Everything here is the signed-in user's own council, loaded
through the scoping helper; ids in URLs of another council's rows are 404."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from company.auth import services as auth_services
from company.auth.access import council, council_admin
from company.auth.forms import InviteCouncilUserForm
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from company.members import services as member_services
from company.members.forms import DetailsForm
from company.members.scoping import member_scoped, own_member, scoped
from company.ui.pages import refusals_flashed, refusals_on

from . import bp


@bp.route("/portal/")
@council
def home():
    member = own_member()
    return render_template("portal/home.html", member=member, status=member_services.status(member))


@bp.route("/portal/users")
@council
def users():
    member = own_member()
    rows = db.session.scalars(scoped(User).where(User.active.is_(True)).order_by(User.name)).all()
    return render_template("portal/users.html", member=member, users=rows)


@bp.route("/portal/users/invite", methods=["GET", "POST"])
@council_admin
def invite_user():
    member = own_member()
    form = InviteCouncilUserForm()
    if form.validate_on_submit():
        with refusals_on(form):
            member_services.invite_council_user(
                member, form.email.data, form.name.data, Role(form.role.data), current_user
            )
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("portal.users"))
    return render_template("portal/invite.html", member=member, form=form)


@bp.route("/portal/users/<int:user_id>/remove", methods=["GET", "POST"])
@council_admin
def remove_user(user_id: int):
    user = member_scoped(User, user_id)
    if request.method == "POST":
        with refusals_flashed():
            auth_services.remove_user(user, current_user)
            flash(f"{user.name} has been removed and can no longer sign in.", "success")
        return redirect(url_for("portal.users"))
    return render_template("portal/remove_user.html", user=user)


@bp.route("/portal/details", methods=["GET", "POST"])
@council_admin
def edit_details():
    member = own_member()
    form = DetailsForm(obj=member)
    if request.method == "GET":
        form.po_required.data = {True: "yes", False: "no", None: None}[member.po_required]
    if form.validate_on_submit():
        values = {
            name: field.data or None
            for name, field in form._fields.items()
            if name not in {"csrf_token", "po_required"}
        }
        values["po_required"] = form.po_required.data == "yes"
        member_services.update_member(
            member, values, current_user, "member.details_changed_by_council"
        )
        flash("Your council's details are saved.", "success")
        return redirect(url_for("portal.home"))
    return render_template("portal/details.html", member=member, form=form)
