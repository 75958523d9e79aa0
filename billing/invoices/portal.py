"""The member council's invoices in its portal: its own documents only, through the scoping path."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from billing import ledger
from billing.invoices import bp, forms, held, queries, services
from billing.invoices.models import Invoice, Status
from billing.invoices.views import pdf_response
from company.auth.access import council
from company.members.scoping import member_scoped, own_member
from company.ui.pages import refusals_on


@bp.route("/portal/invoices")
@council
def portal_list_invoices():
    member = own_member()
    documents = queries.member_documents(member.id)
    return render_template(
        "invoices/portal/invoices.html",
        member=member,
        documents=documents,
        balance=ledger.member_balance(member.id),
        owed={d.id: ledger.owed(d) for d in documents},
        overdue=ledger.overdue_among(documents),
    )


@bp.route("/portal/invoices/<int:invoice_id>", methods=["GET", "POST"])
@council
def portal_show_invoice(invoice_id: int):
    invoice = member_scoped(Invoice, invoice_id)
    if invoice.status == Status.DRAFT:
        if not invoice.held_reason:
            abort(404)  # drafts are finance's business until issued, unless waiting for the council
        form = forms.PoForm()
        if form.validate_on_submit():
            with refusals_on(form):
                released = held.enter_po(invoice, form.po_number.data, current_user)
                flash(released.message, "success")
                return redirect(url_for("invoices.portal_list_invoices"))
        return render_template("invoices/portal/held_invoice.html", invoice=invoice, form=form)
    return render_template(
        "invoices/document.html",
        doc=services.document_of(invoice),
        back=url_for("invoices.portal_list_invoices"),
        pdf_url=url_for("invoices.portal_invoice_pdf", invoice_id=invoice.id),
        portal_invoice=invoice,
    )


@bp.route("/portal/invoices/<int:invoice_id>.pdf")
@council
def portal_invoice_pdf(invoice_id: int):
    return pdf_response(member_scoped(Invoice, invoice_id))
