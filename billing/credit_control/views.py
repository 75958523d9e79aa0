"""Credit control pages: reminders, disputes, late-payment interest. Views stay thin: the work is
in billing.credit_control.reminders."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional

from billing.credit_control import bp, late_payment, overdue, reminders
from billing.invoices import held
from billing.invoices.models import Invoice
from company.auth.access import finance
from company.clock import uk_today
from company.members.scoping import member_scoped
from company.ui.converters import page_arg
from company.ui.fields import Required, TextAreaField
from company.ui.pages import refusals_flashed, refusals_on


class DisputeForm(FlaskForm):
    note = TextAreaField(
        "What the council disputes",
        [Required("Enter what the council disputes"), Length(max=reminders.NOTE_MAX)],
        description="No reminders are sent while the invoice is disputed.",
    )


class ClearDisputeForm(FlaskForm):
    note = TextAreaField(
        "How the dispute was settled (optional)", [Optional(), Length(max=reminders.NOTE_MAX)]
    )


def invoice_panel(invoice: Invoice) -> dict:
    """The variables of credit control's panel on finance's invoice page."""
    data = reminders.panel(invoice)
    if data["shown"]:
        data["dispute_form"] = DisputeForm(formdata=None, note=invoice.dispute_note)
        data["clear_form"] = ClearDisputeForm(formdata=None)
    return {"cc": data, "rate_checked_to": late_payment.BANK_RATE_CHECKED_TO}


def _back(invoice: Invoice):
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id) + "#credit-control")


@bp.route("/billing/credit-control/")
@finance
def index():
    today = uk_today()
    return render_template(
        "credit_control/index.html",
        attention=reminders.needs_attention(),
        held=held.held_drafts(),
        overdue=overdue.overdue(request.args.get("page", 1, type=page_arg), today),
        today=today,
        stages=[reminders.stage_label(s) for s in reminders.configured_stages()],
        rate_checked_to=late_payment.BANK_RATE_CHECKED_TO,
    )


@bp.route("/billing/credit-control/invoices/<int:invoice_id>/dispute", methods=["GET", "POST"])
@finance
def dispute(invoice_id: int):
    invoice = member_scoped(Invoice, invoice_id)
    form = DisputeForm(data={"note": invoice.dispute_note} if invoice.dispute_note else None)
    if form.validate_on_submit():
        with refusals_on(form, default="note"):
            reminders.mark_disputed(invoice, form.note.data, current_user)
            flash(f"{invoice.title} is marked as disputed. No reminders will be sent.", "success")
            return _back(invoice)
    return render_template(
        "credit_control/dispute.html", invoice=invoice, form=form
    ), 400 if form.errors else 200


@bp.route("/billing/credit-control/invoices/<int:invoice_id>/dispute/clear", methods=["POST"])
@finance
def clear_dispute(invoice_id: int):
    invoice = member_scoped(Invoice, invoice_id)
    form = ClearDisputeForm()
    if not form.validate_on_submit():
        flash(form.note.errors[0] if form.note.errors else "Try again", "error")
        return _back(invoice)
    with refusals_flashed():
        reminders.clear_dispute(invoice, form.note.data, current_user)
        flash(f"{invoice.title} is no longer disputed. Reminders will start again.", "success")
    return _back(invoice)
