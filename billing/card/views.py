"""Finance's card payments and refunds, and Stripe's webhook."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from billing.card import bp, gateway
from billing.card import services as card
from billing.card.forms import RefundForm
from billing.card.portal import card_payments_on
from billing.payments import services
from billing.payments.models import Payment
from company.auth.access import finance, public
from company.extensions import csrf
from company.formats import long_date, pounds
from company.members.scoping import member_scoped
from company.ui.pages import confirmation, confirmed, refusals_on

# Stripe

WEBHOOK_MAX_BYTES = 256 * 1024  # Stripe's events are a few KB


@bp.route("/stripe/webhook", methods=["POST"])
@public
@csrf.exempt
def webhook():
    """Stripe's signed events. 400 when the signature does not verify; 200 otherwise, also for
    events already handled or about invoices we do not know (so Stripe stops retrying)."""
    card_payments_on()
    if (request.content_length or 0) > WEBHOOK_MAX_BYTES:  # refused before the body is read
        return {"error": "The event is too large"}, 413
    try:
        outcome = card.handle_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except card.InvalidEvent:
        return {"error": "The signature does not verify"}, 400
    return {"received": True, "outcome": outcome}


# Finance


@bp.route("/billing/card-payments")
@finance
def list_payments():
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
def show_payment(payment_id: int):
    payment = member_scoped(Payment, payment_id)
    if not payment.stripe_payment_intent:
        abort(404)
    form = RefundForm()
    if form.validate_on_submit():
        amount = form.amount.pence
        ready = (form.reason.data or "").strip() and 0 < amount <= card.refundable(payment)
        if not confirmed(identity=True) and ready and gateway.configured():
            return confirmation(
                title=f"Refund {pounds(amount)} to {payment.member.name}'s card?",
                caption=f"Card payment of {pounds(payment.amount_pence)} received "
                f"{long_date(payment.received_on)}",
                action=url_for("card.show_payment", payment_id=payment.id),
                button="Refund to card",
                cancel=url_for("card.show_payment", payment_id=payment.id),
                rows=[
                    ("Refund", pounds(amount)),
                    ("Can be refunded now", pounds(card.refundable(payment))),
                    ("Reason", form.reason.data),
                ],
                points=[
                    "the card provider is asked to return the money to the card straight away",
                    "it comes out of the payment's unallocated credit first, then out of what it "
                    "paid on invoices, newest first: those invoices are owed again",
                ],
                warning="A card refund cannot be cancelled once it is sent.",
                identity=True,
            )
        with refusals_on(form):
            card.refund_card_payment(payment, form.amount.pence, current_user, form.reason.data)
            flash(f"{pounds(form.amount.pence)} refunded to the card.", "success")
            return redirect(url_for("card.show_payment", payment_id=payment.id))
    return render_template(
        "card/payment.html",
        payment=payment,
        form=form,
        refundable=card.refundable(payment),
        configured=gateway.configured(),
        unallocated=services.unallocated(payment),
    )
