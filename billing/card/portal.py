"""The council pays an invoice by card in its portal (Stripe PaymentIntents)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.card import bp, gateway
from billing.card import services as card
from billing.invoices.models import Invoice, Status
from billing.payments.models import Payment
from company.auth.access import council
from company.formats import pounds
from company.members.scoping import member_scoped
from company.ui.pages import refusals_flashed


def card_payments_on():
    if not gateway.configured():
        abort(404)


def _invoice_page(invoice: Invoice):
    return redirect(url_for("invoices.portal_show_invoice", invoice_id=invoice.id))


# The council portal


@bp.route("/portal/invoices/<int:invoice_id>/pay", methods=["POST"])
@council
def portal_pay(invoice_id: int):
    """Open a card payment for what the invoice owes and show the card form."""
    card_payments_on()
    invoice = member_scoped(Invoice, invoice_id)
    if invoice.status == Status.DRAFT:
        abort(404)
    with refusals_flashed():
        intent = card.start_card_payment(invoice)
        if intent.status in ("succeeded", "processing", "requires_capture"):
            return redirect(
                url_for("card.portal_paying", invoice_id=invoice.id, payment_intent=intent.id)
            )
        return render_template(
            "card/portal/pay.html",
            invoice=invoice,
            intent=intent,
            publishable_key=gateway.publishable_key(),
            js_url=gateway.js_url(),
            failure=card.last_failure(invoice),
        )
    return _invoice_page(invoice)


@bp.route("/portal/invoices/<int:invoice_id>/pay", methods=["GET"])
@council
def portal_paying(invoice_id: int):
    """Where the card form sends the council afterwards. Nothing is recorded here: the payment
    shows once Stripe's webhook has arrived."""
    card_payments_on()
    invoice = member_scoped(Invoice, invoice_id)
    if invoice.status == Status.DRAFT:
        abort(404)
    intent_id = request.args.get("payment_intent", "")
    payment = card.payment_for_intent(intent_id, invoice.member_id) if intent_id else None
    if payment is not None:
        flash(
            f"Thank you. We have received your card payment of {pounds(payment.amount_pence)}.",
            "success",
        )
        return _invoice_page(invoice)
    if not intent_id:
        return _invoice_page(invoice)
    return render_template("card/portal/confirming.html", invoice=invoice, intent_id=intent_id)


@bp.app_template_global("card_payment_problem")
def card_payment_problem(invoice_id: int | None) -> dict | None:
    """For the portal's invoice page: the last card payment's failure, if it failed."""
    if invoice_id is None or not current_user.is_authenticated:
        return None
    failure = card.last_failure(member_scoped(Invoice, invoice_id))
    return {"on": failure.received_at, "reason": card.failure_reason(failure)} if failure else None


@bp.app_template_global("card_payments_for")
def card_payments_for(invoice: Invoice) -> list[Payment]:
    return card.card_payments_for(invoice)
