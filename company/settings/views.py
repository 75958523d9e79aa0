from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from company.auth.access import admin
from company.clock import uk_today
from company.extensions import db
from company.ui.pages import confirmation, confirmed, refusals_on

from . import bp, services
from .forms import SettingsForm


@bp.route("/admin/settings", methods=["GET", "POST"])
@admin
def edit():
    row = services.current()
    form = SettingsForm(obj=row)
    if request.method == "GET":
        form.year_start_month.data = str(row.year_start_month)
        form.vat_number.data = services.vat_display(row.vat_number) or ""
        form.bank_sort_code.data = services.sort_code_display(row.bank_sort_code)
    if form.is_submitted():
        valid = form.validate()
        values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        # every problem at once: the service's checks run even when the form has errors
        _, problems = services.check(values)
        for problem in problems:
            field = form[problem.field]
            if not field.errors:
                field.errors = [*field.errors, str(problem)]
        if valid and not problems:
            values["year_start_month"] = int(values["year_start_month"])
            sensitive = services.sensitive_changes(values)
            if sensitive and not confirmed(identity=True):
                return confirmation(
                    title="Change the company's bank details or VAT number?",
                    caption="Company settings",
                    action=url_for("settings.edit"),
                    button="Save the change",
                    cancel=url_for("settings.edit"),
                    rows=[(label, f"{now} → {after}") for label, now, after in sensitive],
                    points=[
                        "every invoice issued from now on prints the new details",
                        "invoices already issued keep the details they were issued with",
                    ],
                    warning="Check the new details with the bank before saving: a wrong "
                    "account number sends councils' money elsewhere.",
                    identity=True,
                )
            with refusals_on(form):
                changes = services.update(values, current_user)
                flash("Company settings saved." if changes else "Nothing changed.", "success")
                return redirect(url_for("settings.edit"))
        db.session.rollback()
        row = services.current()
    return render_template(
        "settings/edit.html",
        form=form,
        statement=services.control_statement(row, uk_today()),
        missing=services.missing_for_invoicing(row),
    )
