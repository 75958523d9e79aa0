"""Bank statement import and matching pages."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.bank import bp, forms, services
from billing.bank import review as bank_review
from billing.bank import statement as bank_statement
from billing.bank.models import BankImport, BankLine
from billing.invoices.models import Invoice
from company.auth.access import finance
from company.extensions import db
from company.formats import pounds
from company.members.models import Member
from company.ui.converters import is_id as _is_id
from company.ui.converters import page_arg
from company.ui.fields import choices
from company.ui.pages import refusals_flashed, refusals_on

PER_PAGE = 25


@bp.route("/billing/bank/", methods=["GET", "POST"])
@finance
def index():
    form = forms.ImportForm()
    if request.method == "GET":
        form.fill(bank_statement.mapping())
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            imported = services.import_statement(
                form.content, form.file.data.filename, form.columns(), current_user, match=False
            )
        except bank_statement.BankError as exc:
            problems = exc.problems
        else:
            services.start_matching(imported)
            flash("Bank statement imported", "success")
            return redirect(url_for("bank.show_import", import_id=imported.id))
    return (
        render_template(
            "bank/import.html",
            form=form,
            problems=problems,
            to_review=bank_review.to_review_count(),
            imports=services.recent_imports(),
        ),
        400 if form.errors or problems else 200,
    )


@bp.route("/billing/bank/imports/<int:import_id>")
@finance
def show_import(import_id: int):
    services.stop_abandoned()
    bank_import = db.session.get(BankImport, import_id) or abort(404)
    return render_template(
        "bank/results.html",
        result=services.summary(bank_import),
        to_review=bank_review.to_review_count(),
    )


@bp.route("/billing/bank/imports/<int:import_id>/match", methods=["POST"])
@finance
def match_import(import_id: int):
    """Match again the lines of an import whose matching stopped (its worker went away)."""
    bank_import = db.session.get(BankImport, import_id) or abort(404)
    services.start_matching(bank_import)
    return redirect(url_for("bank.show_import", import_id=import_id))


@bp.route("/billing/bank/review")
@finance
def review():
    page = max(request.args.get("page", 1, type=page_arg), 1)
    lines, total = bank_review.lines_to_review(page, PER_PAGE)
    return render_template(
        "bank/review.html",
        lines=lines,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
    )


def _line(line_id: int) -> BankLine:
    return db.session.get(BankLine, line_id) or abort(404)


def _member_choices():
    return choices(
        [("", "Choose a member council")]
        + [
            (str(i), n)
            for i, n in db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name))
        ]
    )


def _line_page(line: BankLine, allocate_form=None, ignore_form=None, status: int = 200):
    allocate_form = allocate_form or forms.AllocateForm(formdata=None)
    allocate_form.member_id.choices = _member_choices()
    member = None
    member_id = allocate_form.member_id.data or request.args.get("member_id", "")
    if _is_id(str(member_id)):
        member = db.session.get(Member, int(member_id))
        allocate_form.member_id.data = str(member_id)
    ignore_form = ignore_form or forms.IgnoreForm(formdata=None)
    failed = allocate_form if allocate_form.errors else ignore_form if ignore_form.errors else None
    return (
        render_template(
            "bank/line.html",
            line=line,
            review=bank_review.suggest([line])[0] if line.state == "unmatched" else None,
            payment=services.payment_of(line),
            ignored_reason=services.ignored_reason(line) if line.state == "ignored" else None,
            member=member,
            open_invoices=bank_review.open_invoices_with_owed(member.id) if member else [],
            ticked={int(v) for v in request.form.getlist("invoice_ids") if _is_id(v)},
            allocate_form=allocate_form,
            ignore_form=ignore_form,
            form=failed,
        ),
        status,
    )


@bp.route("/billing/bank/lines/<int:line_id>")
@finance
def show_line(line_id: int):
    return _line_page(_line(line_id))


def _paid_message(line: BankLine, payment) -> str:
    numbers = ", ".join(a.invoice.number for a in payment.allocations)
    text = f"{pounds(line.amount_pence)} from {payment.member.name} recorded"
    return text + (f" against {numbers}" if numbers else " as credit on its account")


@bp.route("/billing/bank/lines/<int:line_id>/confirm", methods=["POST"])
@finance
def confirm_line(line_id: int):
    line = _line(line_id)
    form = forms.ConfirmForm()
    back = (
        url_for("bank.show_line", line_id=line.id)
        if form.back.data == "line"
        else url_for("bank.review")
    )
    if not form.validate_on_submit() or not _is_id(form.invoice_id.data or ""):
        flash("The form was out of date: try again", "error")
        return redirect(back)
    invoice = db.session.get(Invoice, int(form.invoice_id.data)) or abort(404)
    with refusals_flashed():
        payment = services.confirm_invoice(line, invoice, current_user)
        flash(_paid_message(line, payment), "success")
        return redirect(url_for("bank.review"))
    return redirect(back)


@bp.route("/billing/bank/lines/<int:line_id>/allocate", methods=["POST"])
@finance
def allocate_line(line_id: int):
    line = _line(line_id)
    form = forms.AllocateForm()
    form.member_id.choices = _member_choices()
    if form.validate_on_submit():
        member = db.session.get(Member, int(form.member_id.data)) or abort(404)
        ids = [int(v) for v in request.form.getlist("invoice_ids") if _is_id(v)]
        invoices = (
            db.session.scalars(sa.select(Invoice).where(Invoice.id.in_(ids))).all() if ids else None
        )
        with refusals_on(form):
            payment = services.allocate(line, member, current_user, invoices)
            flash(_paid_message(line, payment), "success")
            return redirect(url_for("bank.review"))
    return _line_page(line, allocate_form=form, status=400)


@bp.route("/billing/bank/lines/<int:line_id>/ignore", methods=["POST"])
@finance
def ignore_line(line_id: int):
    line = _line(line_id)
    form = forms.IgnoreForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.ignore(line, form.reason.data, current_user)
            flash(f"Line of {pounds(line.amount_pence)} ignored", "success")
            return redirect(url_for("bank.review"))
    return _line_page(line, ignore_form=form, status=400)
