from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from company import audit
from company.auth.access import admin, public, registers, staff
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from company.formats import long_date
from company.ui.converters import page_arg
from company.ui.pages import csv_response, refusals_on

from . import bp, forms, services
from .forms import JoiningForm, LeavingForm
from .models import Application, Member
from .scoping import member_scoped


def _body(form):
    return services.body_from(form.gss_code.data, form.other_name.data, form.other_address.data)


@bp.route("/apply", methods=["GET", "POST"])
@public
def apply():
    form = forms.ApplyForm()
    if form.validate_on_submit():
        with refusals_on(form):
            application = services.submit_application(
                _body(form),
                form.contact_name.data,
                form.contact_email.data,
                form.contact_role.data,
                form.proposed_start.data,
            )
            return render_template("members/apply_done.html", application=application)
    return render_template("members/apply.html", form=form)


# Applications queue (admin)


@bp.route("/admin/applications")
@admin
def list_applications():
    return render_template("members/applications.html", applications=services.open_applications())


@bp.route("/admin/applications/<int:application_id>", methods=["GET", "POST"])
@admin
def show_application(application_id: int):
    application = db.get_or_404(Application, application_id)
    approve, decline = forms.ApproveForm(prefix="approve"), forms.DeclineForm(prefix="decline")
    if request.method == "GET":
        approve.approved_on.data = uk_today()
    decision = request.form.get("decision")
    with refusals_on(approve if decision == "approve" else decline):
        if decision == "approve" and approve.validate_on_submit():
            member = services.approve_application(
                application,
                approve.approved_on.data,
                approve.resolution.data,
                current_user,
                approve.founding.data,
            )
            flash(f"{member.name} is approved. Work through its onboarding checklist.", "success")
            return redirect(url_for("members.show_member", member_id=member.id))
        if decision == "decline" and decline.validate_on_submit():
            services.decline_application(application, decline.reason.data, current_user)
            flash(
                f"The application from {application.name} is declined; the applicant has been emailed.",
                "success",
            )
            return redirect(url_for("members.list_applications"))
    form = approve if decision == "approve" else decline if decision == "decline" else None
    return render_template(
        "members/application.html",
        application=application,
        approve=approve,
        decline=decline,
        form=form,
    )


# Members (staff)


@bp.route("/admin/members")
@staff
def list_members():
    """Every member council, a page at a time, grouped by status (the groups' counts are of all
    members); `?status=former` and the like show one group."""
    today = uk_today()
    only = request.args.get("status")
    only = services.Status(only) if only in {s.value for s in services.Status} else None
    page = services.members_page(request.args.get("page", 1, type=page_arg), only, today)
    groups = {s: [] for s in services.LIST_ORDER}
    for member in page.items:
        groups[services.status(member, today)].append(member)
    return render_template(
        "members/members.html",
        page=page,
        groups=groups,
        counts=services.status_counts(today),
        only=only,
        order=services.LIST_ORDER,
    )


@bp.route("/admin/members/new", methods=["GET", "POST"])
@admin
def add_member():
    form = forms.AddMemberForm()
    if form.validate_on_submit():
        with refusals_on(form):
            member = services.add_member(
                _body(form),
                form.contact_name.data,
                form.contact_email.data,
                form.contact_role.data,
                form.approved_on.data,
                form.resolution.data,
                form.founding.data,
                form.proposed_start.data,
                current_user,
            )
            flash(f"{member.name} is added. Work through its onboarding checklist.", "success")
            return redirect(url_for("members.show_member", member_id=member.id))
    return render_template("members/add.html", form=form)


@bp.route("/admin/members/<int:member_id>")
@staff
def show_member(member_id: int):
    return _member_page(member_scoped(Member, member_id))


# Onboarding tasks: one small form each. (form class, template field names, how to save)
TASKS = {
    "agreement": forms.AgreementForm,
    "address": forms.AddressForm,
    "invoice-address": forms.InvoiceAddressForm,
    "finance-contact": forms.FinanceContactForm,
    "purchase-orders": forms.PurchaseOrderForm,
    "first-user": None,
}


def _task_values(task: str, form) -> dict:
    if task == "purchase-orders":
        return {
            "po_required": form.po_required.data == "yes",
            "supplier_number": form.supplier_number.data or None,
        }
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/admin/members/<int:member_id>/tasks/<task>", methods=["GET", "POST"])
@admin
def edit_task(member_id: int, task: str):
    member = member_scoped(Member, member_id)
    if task not in TASKS:
        abort(404)
    if task == "first-user":
        return redirect(url_for("members.invite_user", member_id=member.id))
    form = TASKS[task]()
    if request.method == "GET":
        if task == "agreement":
            form.signed_on.data = member.agreement_signed_on
        elif task == "purchase-orders":
            form.po_required.data = {True: "yes", False: "no", None: None}[member.po_required]
            form.supplier_number.data = member.supplier_number
        else:
            for name, field in form._fields.items():
                if name != "csrf_token":
                    field.data = getattr(member, name)
    if form.validate_on_submit():
        with refusals_on(form):
            if task == "agreement":
                services.record_agreement(member, form.signed_on.data, current_user)
            else:
                services.update_member(member, _task_values(task, form), current_user)
            flash("Saved.", "success")
            return redirect(url_for("members.show_member", member_id=member.id))
    return render_template("members/task.html", member=member, form=form, task=task)


@bp.route("/admin/members/<int:member_id>/invite", methods=["GET", "POST"])
@admin
def invite_user(member_id: int):
    from company.auth.forms import InviteCouncilUserForm

    member = member_scoped(Member, member_id)
    form = InviteCouncilUserForm()
    if request.method == "GET" and not services.first_user_invited(member):
        form.role.data = Role.COUNCIL_ADMIN.value
        form.name.data, form.email.data = member.contact_name, member.contact_email
    if form.validate_on_submit():
        with refusals_on(form):
            services.invite_council_user(
                member, form.email.data, form.name.data, Role(form.role.data), current_user
            )
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("members.show_member", member_id=member.id))
    return render_template("members/invite.html", member=member, form=form)


@bp.route("/admin/members/<int:member_id>/joining", methods=["POST"])
@admin
def confirm_joining(member_id: int):
    member = member_scoped(Member, member_id)
    form = forms.JoiningForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.confirm_joining(member, form.joined_on.data, current_user)
            when = form.joined_on.data
            flash(
                f"{member.name} is now a member."
                if when <= uk_today()
                else f"{member.name} becomes a member on {long_date(when)}.",
                "success",
            )
            return redirect(url_for("members.show_member", member_id=member.id))
    return _member_page(member, form, joining_form=form)


@bp.route("/admin/members/<int:member_id>/leaving", methods=["POST"])
@admin
def record_leaving(member_id: int):
    member = member_scoped(Member, member_id)
    form = forms.LeavingForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.record_leaving(
                member, form.notice_given_on.data, form.ceased_on.data, current_user
            )
            flash(
                f"Notice recorded: {member.name} leaves on {long_date(form.ceased_on.data)}.",
                "success",
            )
            return redirect(url_for("members.show_member", member_id=member.id))
    return _member_page(member, form, leaving_form=form)


def _member_page(member, form_with_errors=None, **page_forms):
    """The member page; when a form on it failed, that form shows its errors (status 400)."""
    context = dict(
        member=member,
        status=services.status(member),
        tasks=services.onboarding_tasks(member),
        events=audit.for_member(member.id),
        pending=services.pending_invitations(member),
        joining_form=page_forms.get("joining_form")
        or JoiningForm(formdata=None, joined_on=member.proposed_joining_on),
        leaving_form=page_forms.get("leaving_form") or LeavingForm(formdata=None),
        form=form_with_errors,
    )
    return render_template("members/member.html", **context), 400 if form_with_errors else 200


# Register of members (CA 2006 s113)


@bp.route("/register-of-members")
@registers
def register():
    """The register a page at a time; the CSV below is the whole register."""
    as_of = uk_today()
    page = services.register_page(request.args.get("page", 1, type=page_arg), as_of)
    return render_template("members/register.html", page=page, as_of=as_of)


@bp.route("/register-of-members.csv")
@registers
def register_csv():
    as_of = uk_today()
    body = services.register_csv(services.register_entries(as_of), as_of)
    return csv_response(body, f"register-of-members-{as_of.isoformat()}.csv")
