"""Finance pages: invoices, credit notes, schedules and the annual run. Views stay thin."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from company import audit
from company.auth.access import finance, finance_read
from company.clock import uk_today
from company.extensions import db
from company.members.models import Member
from company.members.scoping import member_scoped
from company.settings import services as settings
from company.ui import pages
from company.ui.pages import refusals_flashed, refusals_on

from . import forms, runs
from .contributions import services as contributions
from .invoices import queries, services
from .invoices.models import Invoice, InvoiceLine, Status
from .money import VatCode, financial_year_label, financial_year_start

bp = Blueprint("billing", __name__, url_prefix="/billing")


def _year(year: int) -> date:
    return date(year, settings.current().year_start_month, 1)


def _this_year() -> date:
    return financial_year_start(uk_today(), settings.current().year_start_month)


# Invoices


@bp.route("/invoices")
@finance_read
def list_invoices():
    filters = queries.Filters.from_args(request.args)
    page = queries.search(filters, page=request.args.get("page", 1, type=int))
    return render_template(
        "billing/invoices.html",
        page=page,
        filters=filters,
        totals=queries.totals(filters),
        members=db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name)).all(),
        years=queries.years(),
        statuses=list(Status),
        overdue=lambda inv: services.is_overdue(inv),
    )


@bp.route("/invoices/new", methods=["GET", "POST"])
@finance
def new_invoice():
    form = forms.NewInvoiceForm()
    form.member_id.choices = forms.choices(
        [("", "Choose a member council")]
        + [
            (str(i), n)
            for i, n in db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name))
        ]
    )
    if form.validate_on_submit():
        member = member_scoped(Member, int(form.member_id.data))
        invoice = services.new_draft(
            member, current_user, po_number=form.po_number.data, notes=form.notes.data or None
        )
        db.session.flush()
        audit.record(
            "invoice.drafted", "invoice", invoice.id, member_id=member.id, actor=current_user
        )
        db.session.commit()
        flash("Draft invoice created. Add its lines, then issue it.", "success")
        return redirect(url_for("billing.show_invoice", invoice_id=invoice.id))
    return render_template("billing/new_invoice.html", form=form)


def _invoice(invoice_id: int) -> Invoice:
    return member_scoped(Invoice, invoice_id)


def _invoice_page(invoice: Invoice, line_form=None, po_form=None, status: int = 200):
    line_form = line_form or forms.LineForm(formdata=None)
    po_form = po_form or forms.PoForm(formdata=None, po_number=invoice.po_number)
    return (
        render_template(
            "billing/invoice.html",
            invoice=invoice,
            line_form=line_form,
            po_form=po_form,
            form=line_form if line_form.errors else po_form if po_form.errors else None,
            balance=services.balance_owed(invoice),
            credited=services.credited_pence(invoice) if not invoice.is_credit_note else 0,
            credit_notes=queries.credit_notes_of(invoice),
            overdue=services.is_overdue(invoice),
            events=queries.history(invoice),
        ),
        status,
    )


@bp.route("/invoices/<int:invoice_id>")
@finance_read
def show_invoice(invoice_id: int):
    return _invoice_page(_invoice(invoice_id))


@bp.route("/invoices/<int:invoice_id>/lines", methods=["POST"])
@finance
def add_line(invoice_id: int):
    invoice = _invoice(invoice_id)
    form = forms.LineForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.add_line(
                invoice,
                form.description.data,
                form.unit_price.pence,
                Decimal(form.quantity.data.strip()),
                form.vat_code.data,
            )
            db.session.flush()
            audit.record(
                "invoice.line_added",
                "invoice",
                invoice.id,
                member_id=invoice.member_id,
                changes={"description": form.description.data},
                actor=current_user,
            )
            db.session.commit()
            return redirect(url_for("billing.show_invoice", invoice_id=invoice.id) + "#lines")
    return _invoice_page(invoice, line_form=form, status=400)


@bp.route("/invoices/<int:invoice_id>/lines/<int:line_id>/remove", methods=["POST"])
@finance
def remove_line(invoice_id: int, line_id: int):
    invoice = _invoice(invoice_id)
    line = db.session.get(InvoiceLine, line_id)
    if line is None or line.invoice_id != invoice.id:
        abort(404)
    with refusals_flashed():
        services.remove_line(invoice, line)
        audit.record(
            "invoice.line_removed",
            "invoice",
            invoice.id,
            member_id=invoice.member_id,
            changes={"description": line.description},
            actor=current_user,
        )
        db.session.commit()
    return redirect(url_for("billing.show_invoice", invoice_id=invoice.id) + "#lines")


@bp.route("/invoices/<int:invoice_id>/po", methods=["POST"])
@finance
def set_po(invoice_id: int):
    invoice = _invoice(invoice_id)
    form = forms.PoForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.set_po_number(invoice, form.po_number.data, current_user)
            flash("Purchase order number saved.", "success")
            return redirect(url_for("billing.show_invoice", invoice_id=invoice.id))
    return _invoice_page(invoice, po_form=form, status=400)


@bp.route("/invoices/<int:invoice_id>/issue", methods=["POST"])
@finance
def issue_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    try:
        services.issue(invoice, current_user)
    except services.InvoiceError as exc:
        db.session.commit()  # keeps a hold reason found while trying
        flash(str(exc), "error")
    else:
        flash(
            f"{invoice.title} issued and emailed to {invoice.member.finance_email or invoice.member.contact_email}.",
            "success",
        )
    return redirect(url_for("billing.show_invoice", invoice_id=invoice.id))


@bp.route("/invoices/<int:invoice_id>/send", methods=["POST"])
@finance
def resend_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    with refusals_flashed():
        services.resend(invoice, current_user)
        flash(f"{invoice.title} sent again.", "success")
    return redirect(url_for("billing.show_invoice", invoice_id=invoice.id))


@bp.route("/invoices/<int:invoice_id>/delete", methods=["POST"])
@finance
def delete_draft(invoice_id: int):
    invoice = _invoice(invoice_id)
    with refusals_flashed():
        services.delete_draft(invoice, current_user)
        flash("Draft deleted.", "success")
        return redirect(url_for("billing.list_invoices"))
    return redirect(url_for("billing.show_invoice", invoice_id=invoice.id))


@bp.route("/invoices/<int:invoice_id>/credit", methods=["GET", "POST"])
@finance
def credit_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    form = forms.CreditForm()
    remaining = services.credited_net_by_line(invoice)
    if form.validate_on_submit():
        line_ids = [int(x) for x in request.form.getlist("lines") if x.isdigit()]
        with refusals_on(form):
            note = services.credit(
                invoice,
                form.reason.data,
                current_user,
                line_ids=line_ids if form.how.data == "lines" else None,
                amount_pence=(form.amount.pence if form.amount.pence is not None else -1)
                if form.how.data == "amount"
                else None,
            )
            flash(f"Credit note {note.number} issued and emailed.", "success")
            return redirect(url_for("billing.show_invoice", invoice_id=note.id))
    return render_template(
        "billing/credit.html",
        invoice=invoice,
        form=form,
        credited_by_line=remaining,
        selected=request.form.getlist("lines"),
    )


@bp.route("/invoices/<int:invoice_id>/document")
@finance_read
def invoice_document(invoice_id: int):
    invoice = _invoice(invoice_id)
    if invoice.status == Status.DRAFT:
        abort(404)
    return render_template(
        "billing/document.html",
        doc=services.document_of(invoice),
        back=url_for("billing.show_invoice", invoice_id=invoice.id),
        pdf_url=url_for("billing.invoice_pdf", invoice_id=invoice.id),
    )


@bp.route("/invoices/<int:invoice_id>.pdf")
@finance_read
def invoice_pdf(invoice_id: int):
    return pdf_response(_invoice(invoice_id))


def pdf_response(invoice: Invoice) -> Response:
    if invoice.status == Status.DRAFT:
        abort(404)
    pdf = services.stored_pdf(invoice)
    return pages.pdf_response(pdf, f"{invoice.number}.pdf")


# Contribution schedules


@bp.route("/schedules")
@finance
def list_schedules():
    return render_template(
        "billing/schedules.html",
        schedules=queries.schedules(),
        this_year=_this_year(),
        label=financial_year_label,
    )


@bp.route("/schedules", methods=["POST"])
@finance
def create_schedule():
    year = request.form.get("year", type=int)
    if not year:
        abort(400)
    with refusals_flashed():
        contributions.create_schedule(_year(year), current_user)
        return redirect(url_for("billing.show_schedule", year=year))
    return redirect(url_for("billing.list_schedules"))


def _schedule(year: int):
    schedule = contributions.schedule_for(_year(year))
    if schedule is None:
        abort(404)
    return schedule


def _schedule_page(schedule, band_form=None, approve_form=None, copy_form=None, status=200):
    band_form = band_form or forms.BandForm(formdata=None)
    approve_form = approve_form or forms.ApproveScheduleForm(formdata=None, approved_on=uk_today())
    copy_form = copy_form or forms.CopyScheduleForm(formdata=None)
    failed = next((f for f in (band_form, approve_form, copy_form) if f.errors), None)
    return (
        render_template(
            "billing/schedule.html",
            schedule=schedule,
            label=financial_year_label(schedule.year_start),
            next_label=financial_year_label(
                date(schedule.year_start.year + 1, schedule.year_start.month, 1)
            ),
            band_form=band_form,
            approve_form=approve_form,
            copy_form=copy_form,
            form=failed,
            counts=queries.members_per_band(),
            vat_labels={c.value: c.label for c in VatCode},
        ),
        status,
    )


@bp.route("/schedules/<int:year>")
@finance
def show_schedule(year: int):
    return _schedule_page(_schedule(year))


@bp.route("/schedules/<int:year>/bands", methods=["POST"])
@finance
def save_band(year: int):
    schedule = _schedule(year)
    form = forms.BandForm()
    if form.validate_on_submit():
        code = form.code.data.strip().lower()
        band = next((b for b in schedule.bands if b.code == code), None)  # same code: change it
        with refusals_on(form):
            contributions.save_band(
                schedule,
                form.code.data,
                form.name.data,
                form.annual.pence,
                form.vat_code.data,
                current_user,
                band=band,
            )
            flash(f"Band {form.code.data} saved.", "success")
            return redirect(url_for("billing.show_schedule", year=year))
    return _schedule_page(schedule, band_form=form, status=400)


@bp.route("/schedules/<int:year>/approve", methods=["POST"])
@finance
def approve_schedule(year: int):
    schedule = _schedule(year)
    form = forms.ApproveScheduleForm()
    if form.validate_on_submit():
        with refusals_on(form):
            contributions.approve_schedule(
                schedule, form.approved_on.data, form.resolution.data, current_user
            )
            flash(
                f"The {financial_year_label(schedule.year_start)} schedule is approved and can no longer change.",
                "success",
            )
            return redirect(url_for("billing.show_schedule", year=year))
    return _schedule_page(schedule, approve_form=form, status=400)


@bp.route("/schedules/<int:year>/copy", methods=["POST"])
@finance
def copy_schedule(year: int):
    schedule = _schedule(year)
    form = forms.CopyScheduleForm()
    if form.validate_on_submit():
        next_year = date(schedule.year_start.year + 1, schedule.year_start.month, 1)
        with refusals_on(form):
            contributions.copy_schedule(
                schedule, next_year, Decimal(form.uplift.data.strip().rstrip("%")), current_user
            )
            flash(
                f"The {financial_year_label(next_year)} schedule is ready to check and approve.",
                "success",
            )
            return redirect(url_for("billing.show_schedule", year=next_year.year))
    return _schedule_page(schedule, copy_form=form, status=400)


@bp.route("/members/<int:member_id>/band", methods=["POST"])
@finance
def set_member_band(member_id: int):
    member = member_scoped(Member, member_id)
    with refusals_flashed():
        contributions.set_band(member, request.form.get("band", ""), current_user)
        flash(f"{member.name} is now in band {contributions.band_code(member)}.", "success")
    return redirect(
        request.form.get("next") or url_for("billing.run_contributions", year=_this_year().year)
    )


# The annual run


@bp.route("/contributions/<int:year>")
@finance
def run_contributions(year: int):
    year_start = _year(year)
    try:
        rows = contributions.preview(year_start)
        error = None
    except contributions.ContributionError as exc:
        rows, error = [], str(exc)
    schedule = contributions.schedule_for(year_start)
    return render_template(
        "billing/run.html",
        year=year,
        label=financial_year_label(year_start),
        rows=rows,
        error=error,
        summary=contributions.summary(year_start),
        band_codes=[b.code for b in schedule.bands] if schedule else [],
        running=runs.active(year_start),
    )


@bp.route("/contributions/<int:year>/<any(drafts, issue):stage>", methods=["POST"])
@finance
def start_run(year: int, stage: str):
    with refusals_flashed():
        run = runs.start(current_app._get_current_object(), _year(year), stage, current_user)
        return redirect(url_for("billing.show_run", run_id=run.id))
    return redirect(url_for("billing.run_contributions", year=year))


@bp.route("/runs/<int:run_id>")
@finance
def show_run(run_id: int):
    run = db.get_or_404(runs.BillingRun, run_id)
    return render_template(
        "billing/run_progress.html",
        run=run,
        year=run.year_start.year,
        label=financial_year_label(run.year_start),
        result=runs.result_of(run),
    )
