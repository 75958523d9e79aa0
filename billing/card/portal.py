"""The council pays an invoice by card in its portal (Stripe PaymentIntents)."""

from flask import abort, flash, redirect, render_template, request, url_for

from billing.card import bp, gateway
from billing.card import services as card
from billing.invoices.models import Invoice, Status
from company import headers
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
        headers.allow(**gateway.browser_sources())
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


def portal_invoice_panel(invoice: Invoice) -> dict | None:
    """Card's panel on the council's invoice page: offered only while card payment can be taken."""
    if not card.available(invoice):
        return None
    failure = card.last_failure(invoice)
    return {
        "pay_by_card_url": url_for("card.portal_pay", invoice_id=invoice.id),
        "card_problem": {"on": failure.received_at, "reason": card.failure_reason(failure)}
        if failure
        else None,
    }


def invoice_panel(invoice: Invoice) -> dict:
    """Card's panel on finance's invoice page: the card payments set against it."""
    return {"card_payments": card.card_payments_for(invoice)}
