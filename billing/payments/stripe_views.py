"""Card payments: the portal's pay-by-card pages, the Stripe webhook, and finance's pages.

All of it exists only when the three Stripe keys are set; otherwise every URL here is a 404
(finance's list still opens, saying card payments are not set up).
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.validators import Length

from billing.forms import PoundsField
from billing.invoices.models import Invoice, Status
from company.auth.access import council, finance, public
from company.extensions import csrf
from company.formats import pounds
from company.members.scoping import member_scoped
from company.ui.fields import Required, TextAreaField
from company.ui.pages import refusals_flashed, refusals_on

from . import card, gateway, services
from .models import Payment

bp = Blueprint("card", __name__)


class RefundForm(FlaskForm):
    amount = PoundsField("Amount to refund, in pounds", [Required("Enter the amount to refund")])
    reason = TextAreaField(
        "Reason for the refund",
        [Required("Enter the reason for the refund"), Length(max=500)],
        description="Kept in the payment's history.",
    )


def _card_payments_on():
    if not gateway.configured():
        abort(404)


def _invoice_page(invoice: Invoice):
    return redirect(url_for("member_billing.show_invoice", invoice_id=invoice.id))


# The council portal


@bp.route("/portal/invoices/<int:invoice_id>/pay", methods=["POST"])
@council
def pay(invoice_id: int):
    """Open a card payment for what the invoice owes and show the card form."""
    _card_payments_on()
    invoice = member_scoped(Invoice, invoice_id)
    if invoice.status == Status.DRAFT:
        abort(404)
    with refusals_flashed():
        intent = card.start_card_payment(invoice)
        if intent.status in ("succeeded", "processing", "requires_capture"):
            return redirect(url_for("card.paying", invoice_id=invoice.id, payment_intent=intent.id))
        return render_template(
            "card/pay.html",
            invoice=invoice,
            intent=intent,
            publishable_key=gateway.publishable_key(),
            js_url=gateway.js_url(),
            failure=card.last_failure(invoice),
        )
    return _invoice_page(invoice)


@bp.route("/portal/invoices/<int:invoice_id>/pay", methods=["GET"])
@council
def paying(invoice_id: int):
    """Where the card form sends the council afterwards. Nothing is recorded here: the payment
    shows once Stripe's webhook has arrived."""
    _card_payments_on()
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
    return render_template("card/confirming.html", invoice=invoice, intent_id=intent_id)


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


# Stripe


@bp.route("/stripe/webhook", methods=["POST"])
@public
@csrf.exempt
def webhook():
    """Stripe's signed events. 400 when the signature does not verify; 200 otherwise, also for
    events already handled or about invoices we do not know (so Stripe stops retrying)."""
    _card_payments_on()
    try:
        outcome = card.handle_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except card.InvalidEvent:
        return {"error": "The signature does not verify"}, 400
    return {"received": True, "outcome": outcome}


# Finance


@bp.route("/billing/card-payments")
@finance
def list_card_payments():
    return render_template(
        "card/list.html",
        configured=gateway.configured(),
        failed=card.failed_events(),
        unrecorded=card.unrecorded_events(),
        payments=card.card_payments(),
        failure_reason=card.failure_reason,
    )


@bp.route("/billing/card-payments/<int:payment_id>", methods=["GET", "POST"])
@finance
def payment(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    if not payment.stripe_payment_intent:
        abort(404)
    form = RefundForm()
    if form.validate_on_submit():
        with refusals_on(form):
            card.refund_card_payment(payment, form.amount.pence, current_user, form.reason.data)
            flash(f"{pounds(form.amount.pence)} refunded to the card.", "success")
            return redirect(url_for("card.payment", payment_id=payment.id))
    return render_template(
        "card/payment.html",
        payment=payment,
        form=form,
        refundable=card.refundable(payment),
        configured=gateway.configured(),
        unallocated=services.unallocated(payment),
    )
