"""Finance pages for invoices and credit notes."""

from decimal import Decimal

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing import ledger
from billing.invoices import bp, forms, queries, services
from billing.invoices.models import Invoice, InvoiceLine, Status
from company import audit
from company.auth.access import finance, finance_read
from company.extensions import db
from company.formats import pounds
from company.members.models import Member
from company.members.scoping import member_scoped
from company.ui import pages
from company.ui.converters import is_id as _is_id
from company.ui.converters import page_arg
from company.ui.fields import choices
from company.ui.pages import confirmation, confirmed, refusals_flashed, refusals_on

# Invoices


@bp.route("/billing/invoices")
@finance_read
def list_invoices():
    filters = queries.Filters.from_args(request.args)
    totals = queries.totals(filters)
    page = queries.search(
        filters, page=request.args.get("page", 1, type=page_arg), total=totals["listed"]
    )
    late = ledger.overdue_among(page.items)
    return render_template(
        "invoices/invoices.html",
        page=page,
        filters=filters,
        totals=totals,
        members=_member_choices(filters),
        years=queries.years(),
        statuses=list(Status),
        overdue=lambda inv: inv.id in late,
    )


MEMBER_SELECT_MAX = 200  # beyond this a select is too long to use (or to send): search instead


def _member_choices(filters) -> list | None:
    """(id, name) of every member for the filter's select, or None when there are too many: the
    search box then finds a council by name, and a `member` link from elsewhere still works."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Member))
    if count > MEMBER_SELECT_MAX:
        return None
    return db.session.execute(sa.select(Member.id, Member.name).order_by(Member.name)).all()


@bp.route("/billing/invoices/new", methods=["GET", "POST"])
@finance
def new_invoice():
    form = forms.NewInvoiceForm()
    form.member_id.choices = choices(
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
        return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))
    return render_template("invoices/new_invoice.html", form=form)


def _invoice(invoice_id: int) -> Invoice:
    return member_scoped(Invoice, invoice_id)


def _recipient(invoice: Invoice) -> str:
    return invoice.member.finance_email or invoice.member.contact_email


def _invoice_page(invoice: Invoice, line_form=None, po_form=None, status: int = 200):
    line_form = line_form or forms.LineForm(formdata=None)
    po_form = po_form or forms.PoForm(formdata=None, po_number=invoice.po_number)
    return (
        render_template(
            "invoices/invoice.html",
            invoice=invoice,
            line_form=line_form,
            po_form=po_form,
            form=line_form if line_form.errors else po_form if po_form.errors else None,
            balance=ledger.owed(invoice),
            credited=ledger.credited(invoice) if not invoice.is_credit_note else 0,
            credit_notes=queries.credit_notes_of(invoice),
            overdue=ledger.is_overdue(invoice),
            events=queries.history(invoice),
        ),
        status,
    )


@bp.route("/billing/invoices/<int:invoice_id>")
@finance_read
def show_invoice(invoice_id: int):
    return _invoice_page(_invoice(invoice_id))


@bp.route("/billing/invoices/<int:invoice_id>/lines", methods=["POST"])
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
            return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id) + "#lines")
    return _invoice_page(invoice, line_form=form, status=400)


@bp.route("/billing/invoices/<int:invoice_id>/lines/<int:line_id>/remove", methods=["POST"])
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
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id) + "#lines")


@bp.route("/billing/invoices/<int:invoice_id>/po", methods=["POST"])
@finance
def set_po(invoice_id: int):
    invoice = _invoice(invoice_id)
    form = forms.PoForm()
    if form.validate_on_submit():
        with refusals_on(form):
            services.set_po_number(invoice, form.po_number.data, current_user)
            flash("Purchase order number saved.", "success")
            return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))
    return _invoice_page(invoice, po_form=form, status=400)


@bp.route("/billing/invoices/<int:invoice_id>/issue", methods=["POST"])
@finance
def issue_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    can_issue = (
        invoice.status == Status.DRAFT and invoice.lines and not services.hold_reason(invoice)
    )
    if not confirmed() and can_issue:  # what would be refused is refused straight away
        return confirmation(
            title=f"Issue this invoice to {invoice.member.name}?",
            caption=invoice.title,
            action=url_for("invoices.issue_invoice", invoice_id=invoice.id),
            button="Issue and email",
            cancel=url_for("invoices.show_invoice", invoice_id=invoice.id),
            rows=[
                ("Total excluding VAT", pounds(invoice.net_pence)),
                ("VAT", pounds(invoice.vat_pence)),
                ("Total", pounds(invoice.gross_pence)),
                ("Purchase order number", invoice.po_number or "None"),
                ("Emailed to", _recipient(invoice)),
            ],
            points=[
                "it is given the next invoice number and today's date as its tax point",
                f"its PDF is made and emailed to {_recipient(invoice)}",
                "the council owes the total from today",
            ],
            warning="An issued invoice cannot be changed or deleted; corrections are credit notes.",
        )
    try:
        services.issue(invoice, current_user)
    except services.InvoiceError as exc:
        db.session.commit()  # keeps a hold reason found while trying
        flash(str(exc), "error")
    else:
        flash(f"{invoice.title} issued and emailed to {_recipient(invoice)}.", "success")
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))


@bp.route("/billing/invoices/<int:invoice_id>/send", methods=["POST"])
@finance
def resend_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    with refusals_flashed():
        services.resend(invoice, current_user)
        flash(f"{invoice.title} sent again.", "success")
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))


@bp.route("/billing/invoices/<int:invoice_id>/delete", methods=["POST"])
@finance
def delete_draft(invoice_id: int):
    invoice = _invoice(invoice_id)
    if not confirmed() and invoice.status == Status.DRAFT:
        return confirmation(
            title="Delete this draft invoice?",
            caption=invoice.member.name,
            action=url_for("invoices.delete_draft", invoice_id=invoice.id),
            button="Delete draft",
            cancel=url_for("invoices.show_invoice", invoice_id=invoice.id),
            rows=[
                ("Lines", str(len(invoice.lines))),
                ("Total", pounds(invoice.gross_pence)),
            ],
            points=["the draft and its lines are deleted; it was never numbered or sent"],
            destructive=True,
        )
    with refusals_flashed():
        services.delete_draft(invoice, current_user)
        flash("Draft deleted.", "success")
        return redirect(url_for("invoices.list_invoices"))
    return redirect(url_for("invoices.show_invoice", invoice_id=invoice.id))


@bp.route("/billing/invoices/<int:invoice_id>/credit", methods=["GET", "POST"])
@finance
def credit_invoice(invoice_id: int):
    invoice = _invoice(invoice_id)
    form = forms.CreditForm()
    remaining = services.credited_net_by_line(invoice)
    if form.validate_on_submit():
        line_ids = [int(x) for x in request.form.getlist("lines") if _is_id(x)]
        incomplete = (form.how.data == "lines" and not line_ids) or (
            form.how.data == "amount" and form.amount.pence is None
        )
        if not confirmed() and not incomplete:  # an incomplete choice is refused straight away
            return _confirm_credit(invoice, form, line_ids)
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
            return redirect(url_for("invoices.show_invoice", invoice_id=note.id))
    return render_template(
        "invoices/credit.html",
        invoice=invoice,
        form=form,
        credited_by_line=remaining,
        selected=request.form.getlist("lines"),
    )


def _confirm_credit(invoice: Invoice, form, line_ids: list[int]):
    """What the credit note will credit, before it is numbered and emailed."""
    owed = ledger.owed(invoice)
    if form.how.data == "lines":
        chosen = [line for line in invoice.lines if line.id in line_ids]
        what = "; ".join(line.description for line in chosen)
        amount = f"{pounds(sum(line.net_pence for line in chosen))} excluding VAT, plus its VAT"
    elif form.how.data == "amount":
        what = "An amount"
        amount = f"{pounds(form.amount.pence)} excluding VAT, plus VAT at the invoice's rates"
    else:
        what = "The whole invoice (what is left to credit)"
        amount = f"{pounds(invoice.gross_pence - ledger.credited(invoice))} including VAT"
    return confirmation(
        title=f"Issue a credit note against {invoice.number}?",
        caption=invoice.member.name,
        action=url_for("invoices.credit_invoice", invoice_id=invoice.id),
        button="Issue and email credit note",
        cancel=url_for("invoices.credit_invoice", invoice_id=invoice.id),
        rows=[
            ("Credits", what),
            ("Amount", amount),
            ("Reason", form.reason.data),
            ("The council owes now", pounds(owed)),
            ("Emailed to", _recipient(invoice)),
        ],
        points=[
            "the credit note is given the next credit note number and today's date",
            f"its PDF is made and emailed to {_recipient(invoice)}",
            "what the council owes goes down by the amount credited",
        ],
        warning="An issued credit note cannot be changed or deleted.",
    )


@bp.route("/billing/invoices/<int:invoice_id>/document")
@finance_read
def invoice_document(invoice_id: int):
    invoice = _invoice(invoice_id)
    if invoice.status == Status.DRAFT:
        abort(404)
    return render_template(
        "invoices/document.html",
        doc=services.document_of(invoice),
        back=url_for("invoices.show_invoice", invoice_id=invoice.id),
        pdf_url=url_for("invoices.invoice_pdf", invoice_id=invoice.id),
    )


@bp.route("/billing/invoices/<int:invoice_id>.pdf")
@finance_read
def invoice_pdf(invoice_id: int):
    return pdf_response(_invoice(invoice_id))


def pdf_response(invoice: Invoice) -> Response:
    if invoice.status == Status.DRAFT:
        abort(404)
    pdf = services.stored_pdf(invoice)
    return pages.pdf_response(pdf, f"{invoice.number}.pdf")
