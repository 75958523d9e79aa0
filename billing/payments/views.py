"""Finance pages for payments received (recording, allocating, reversing), statements, aged
debt, the finance dashboard and exports; and the council's own statement in its portal."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from company.auth.access import council, finance
from company.clock import uk_today
from company.extensions import db
from company.formats import pounds
from company.members.models import Member
from company.members.scoping import member_scoped, own_member
from company.settings import services as settings
from company.ui.fields import choices
from company.ui.pages import csv_response, pdf_response, refusals_on

from ..invoices.models import Invoice
from ..money import financial_year_start
from . import forms, reports, services, statement_pdf
from .models import Payment

bp = Blueprint("payments", __name__, url_prefix="/billing")


@bp.route("/payments")
@finance
def list_payments():
    payments = db.session.scalars(
        sa.select(Payment)
        .options(sa.orm.joinedload(Payment.member))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(200)
    ).all()
    return render_template("payments/list.html", payments=payments)


def _member_choices():
    rows = db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name)).all()
    return choices([("", "Choose a member council")] + [(str(i), n) for i, n in rows])


@bp.route("/payments/new", methods=["GET", "POST"])
@finance
def record_payment():
    form = forms.PaymentForm()
    form.member_id.choices = _member_choices()
    if request.method == "GET":
        form.received_on.data = uk_today()
        form.member_id.data = request.args.get("member", "")
    if form.validate_on_submit():
        member = member_scoped(Member, int(form.member_id.data))
        with refusals_on(form):
            payment = services.record_payment(
                member,
                form.amount.pence,
                form.received_on.data,
                form.method.data,
                form.reference.data,
                current_user,
                allocations=None if form.allocate.data == "oldest" else [],
            )
            flash("Payment recorded.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return render_template("payments/new.html", form=form)


def _payment_page(
    payment: Payment, allocate_form=None, reverse_form=None, refund_form=None, status=200
):
    allocate_form = allocate_form or forms.AllocateForm(formdata=None)
    open_invoices = services.open_invoices(payment.member_id)
    allocate_form.invoice_id.choices = choices(
        [("", "Choose an invoice")]
        + [(str(i.id), f"{i.number} (owes {pounds(services.owed(i))})") for i in open_invoices]
    )
    reverse_form = reverse_form or forms.ReverseForm(formdata=None)
    refund_form = refund_form or forms.RefundForm(formdata=None)
    reversed_ids = {a.reverses_id for a in payment.allocations if a.reverses_id}
    return (
        render_template(
            "payments/payment.html",
            payment=payment,
            unallocated=services.unallocated(payment),
            reversed_ids=reversed_ids,
            allocate_form=allocate_form,
            reverse_form=reverse_form,
            refund_form=refund_form,
            form=next((f for f in (allocate_form, reverse_form, refund_form) if f.errors), None),
            has_open=bool(open_invoices),
        ),
        status,
    )


@bp.route("/payments/<int:payment_id>")
@finance
def show_payment(payment_id: int):
    return _payment_page(member_scoped(Payment, payment_id))


@bp.route("/payments/<int:payment_id>/allocate", methods=["POST"])
@finance
def allocate(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.AllocateForm()
    form.invoice_id.choices = choices(
        [(str(i.id), i.number) for i in services.open_invoices(payment.member_id)]
    )
    if form.validate_on_submit():
        invoice = member_scoped(Invoice, int(form.invoice_id.data))
        with refusals_on(form):
            services.allocate_credit(payment, invoice, form.amount.pence, current_user)
            flash(f"{pounds(form.amount.pence)} set against {invoice.number}.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, allocate_form=form, status=400)


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@finance
def reverse(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.ReverseForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.reverse_payment(payment, current_user, form.reason.data)
            flash("Payment reversed. Its invoices are owed again.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, reverse_form=form, status=400)


@bp.route("/payments/<int:payment_id>/refund", methods=["POST"])
@finance
def refund(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    form = forms.RefundForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.refund_credit(payment, form.amount.pence, current_user, form.reason.data)
            flash(f"Refund of {pounds(form.amount.pence)} recorded.", "success")
            return redirect(url_for("payments.show_payment", payment_id=payment.id))
    return _payment_page(payment, refund_form=form, status=400)


# Statements (finance, and the council in its portal)


def _period():
    """The period asked for, defaulting to this financial year so far."""
    form = forms.PeriodForm(request.args)
    today = uk_today()
    if request.args and form.validate():
        start, end = form.start.data, form.end.data
    else:
        start, end = financial_year_start(today, settings.current().year_start_month), today
        if not request.args:
            form = forms.PeriodForm(formdata=None, start=start, end=end)
    if end < start:
        form.end.errors = [*form.end.errors, "The end of the period must be on or after its start"]
        start, end = end, end
    return form, start, end


def period_args(start: date, end: date) -> dict[str, int]:
    """The query string of a period, in the date fields' own names."""
    return {
        f"{name}-{part}": getattr(day, part)
        for name, day in (("start", start), ("end", end))
        for part in ("day", "month", "year")
    }


def _statement(member: Member, pdf_endpoint: str, template: str, **extra):
    form, start, end = _period()
    result = reports.statement(member, start, end)
    if request.path.endswith(".pdf"):
        rows = [
            statement_pdf.Row(e.on, e.kind, e.reference, e.debit, e.credit, e.balance)
            for e in result.entries
        ]
        body = statement_pdf.render(
            settings.current().legal_name,
            member.name,
            member.invoice_address or member.address or "",
            start,
            end,
            result.opening,
            rows,
        )
        filename = f"statement-{start.isoformat()}-to-{end.isoformat()}.pdf"
        return pdf_response(body, filename)
    return render_template(
        template,
        statement=result,
        form=form if form.errors else None,
        period_form=form,
        pdf_url=url_for(pdf_endpoint, **period_args(start, end), **extra),
        **({"member_id": extra["member_id"]} if "member_id" in extra else {}),
    )


@bp.route("/members/<int:member_id>/statement")
@bp.route("/members/<int:member_id>/statement.pdf", endpoint="member_statement_pdf")
@finance
def member_statement(member_id: int):
    member = member_scoped(Member, member_id)
    return _statement(
        member, "payments.member_statement_pdf", "payments/statement.html", member_id=member.id
    )


portal_bp = Blueprint("portal_statement", __name__, url_prefix="/portal")


@portal_bp.route("/statement")
@portal_bp.route("/statement.pdf", endpoint="statement_pdf")
@council
def portal_statement():
    member = own_member()
    return _statement(member, "portal_statement.statement_pdf", "payments/statement.html")


# Aged debt, dashboard, exports


@bp.route("/aged-debt")
@bp.route("/aged-debt.csv", endpoint="aged_debt_csv")
@finance
def aged_debt():
    as_at = uk_today()
    if request.args.get("as_at"):
        try:
            as_at = date.fromisoformat(request.args["as_at"])
        except ValueError:
            flash("Enter the date as, for example, 2026-03-31", "error")
            return redirect(url_for("payments.aged_debt"))
    if request.path.endswith(".csv"):
        return csv_response(reports.aged_debt_csv(as_at), f"aged-debt-{as_at.isoformat()}.csv")
    rows, totals = reports.aged_debt(as_at)
    return render_template(
        "payments/aged_debt.html", rows=rows, totals=totals, buckets=reports.BUCKETS, as_at=as_at
    )


@bp.route("/dashboard")
@finance
def dashboard():
    figures = reports.dashboard(uk_today(), settings.current().year_start_month)
    peak = max([1] + [max(m.invoiced, m.collected, m.owed_at_end) for m in figures["months"]])
    return render_template("payments/dashboard.html", figures=figures, peak=peak)


@bp.route("/exports")
@bp.route("/exports/<any(xero, journal):kind>.csv", endpoint="export_csv")
@finance
def exports(kind: str | None = None):
    form, start, end = _period()
    if kind and not form.errors:
        body = (
            reports.xero_sales_csv(start, end)
            if kind == "xero"
            else reports.journal_csv(start, end)
        )
        name = f"{'xero-sales' if kind == 'xero' else 'journal'}-{start.isoformat()}-to-{end.isoformat()}.csv"
        return csv_response(body, name)
    return render_template(
        "payments/exports.html",
        period_form=form,
        form=form if form.errors else None,
        start=start,
        end=end,
    )
