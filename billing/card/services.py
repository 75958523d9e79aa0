"""Card payments through Stripe: starting a payment, the webhook that records it, refunds.

The browser never tells us that a payment succeeded. The portal creates a PaymentIntent for
what an invoice owes; the council's card is confirmed between the browser and Stripe; and a
payment is recorded only when Stripe's signed `payment_intent.succeeded` event arrives at the
webhook. Every event id is stored once (stripe_events' primary key), so a replayed, duplicated
or concurrent copy of an event records nothing twice.
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from billing import ledger
from billing.card import gateway
from billing.card.models import CardRefund, StripeEvent
from billing.invoices.models import Invoice, Kind, Status
from billing.money import MAX_PENCE, sum_pence
from billing.payments import services
from billing.payments.models import Allocation, Payment
from company import audit
from company.clock import LONDON, uk_today
from company.errors import FieldError
from company.extensions import db
from company.formats import pounds

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
DUPLICATE = "duplicate"
ACTOR = "stripe"  # the audit trail's actor for what the webhook records


class CardPaymentError(FieldError):
    """A card payment cannot be started; the message is for the council user."""


class InvalidEvent(ValueError):
    """A webhook body without a valid Stripe signature: refused, nothing changes."""


def _log():
    return current_app.logger


# Paying


def available(invoice: Invoice) -> bool:
    """Card payment is offered for an issued invoice with something owed, when Stripe is set up."""
    return (
        gateway.configured()
        and invoice.kind == Kind.INVOICE
        and invoice.status in (Status.ISSUED, Status.PART_PAID)
        and ledger.owed(invoice) > 0
    )


def start_card_payment(invoice: Invoice) -> gateway.Intent:
    """A PaymentIntent for what `invoice` owes now. Asking again the same day for the same
    amount returns the same intent, so reloading the page never opens a second payment."""
    if not available(invoice):
        raise CardPaymentError("There is nothing left to pay on this invoice")
    amount = ledger.owed(invoice)
    metadata = {
        "invoice_id": str(invoice.id),
        "invoice_number": invoice.number,
        "member_id": str(invoice.member_id),
    }
    key = f"flatpack-invoice-{invoice.id}-{invoice.number}-{amount}-{uk_today().isoformat()}"
    try:
        return gateway.create_payment_intent(amount, metadata, key)
    except gateway.GatewayError as exc:
        _log().error("creating a PaymentIntent for %s failed: %s", invoice.number, exc)
        raise CardPaymentError(
            "Card payments are not working at the moment. Try again later, or pay by bank transfer."
        ) from exc


def payment_for_intent(payment_intent: str, member_id: int) -> Payment | None:
    """The payment recorded for a PaymentIntent of this member, once the webhook has arrived."""
    return db.session.scalar(
        sa.select(Payment).where(
            Payment.stripe_payment_intent == payment_intent, Payment.member_id == member_id
        )
    )


def last_failure(invoice: Invoice) -> StripeEvent | None:
    """The latest card event for `invoice` if it was a failed payment (none since succeeded)."""
    latest = db.session.scalar(
        sa.select(StripeEvent)
        .where(StripeEvent.invoice_id == invoice.id, StripeEvent.type.in_([SUCCEEDED, FAILED]))
        .order_by(StripeEvent.received_at.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.type == FAILED else None


def failure_reason(event: StripeEvent) -> str:
    """What the card service said about a failed payment, for people to read."""
    return event.outcome.removeprefix("Not paid: ")


# The webhook


def handle_event(payload: bytes, signature: str | None) -> str:
    """Verify a webhook body and act on it once; returns what was done (the stored outcome, or
    'duplicate'). Raises InvalidEvent, changing nothing, when the signature does not verify."""
    try:
        event = gateway.verify_event(payload, signature)
    except gateway.BadSignature as exc:
        _log().warning("Stripe webhook refused: %s", exc)
        raise InvalidEvent(str(exc)) from exc
    if not isinstance(event, dict):
        raise InvalidEvent("an event is an object")
    event_id, event_type = event.get("id"), event.get("type")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 100):
        raise InvalidEvent("an event needs an id")
    if not (isinstance(event_type, str) and event_type):
        raise InvalidEvent("an event needs a type")
    if _seen(event_id):
        return DUPLICATE
    row = StripeEvent(id=event_id, type=event_type[:60], outcome="Received")
    db.session.add(row)
    try:
        db.session.flush()  # claims the id first: a concurrent copy waits here, then fails
        handler = HANDLERS.get(event_type, _not_used)
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        if not isinstance(obj, dict):
            outcome, row.invoice_id = "Ignored: the event carries no object", None
        else:
            outcome, row.invoice_id = handler(obj, event)
        row.outcome = outcome = outcome[:200]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _log().info("Stripe event %s already handled by another request", event_id)
        return DUPLICATE
    except _NotRecorded as exc:  # nothing of it is kept but the event, for finance to see
        db.session.rollback()
        return _store(StripeEvent(id=event_id, type=event_type[:60], **exc.fields))
    except Exception:
        db.session.rollback()
        raise
    return outcome


class _NotRecorded(Exception):
    def __init__(self, outcome: str, invoice_id: int | None):
        super().__init__(outcome)
        self.fields = {"outcome": outcome[:200], "invoice_id": invoice_id}


def _store(row: StripeEvent) -> str:
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return DUPLICATE
    return row.outcome


def _seen(event_id: str) -> bool:
    return (
        db.session.scalar(sa.select(StripeEvent.id).where(StripeEvent.id == event_id)) is not None
    )


def _invoice_of(intent: dict) -> Invoice | None:
    """The invoice named in the PaymentIntent's metadata, if it is ours, with its member's
    account locked for the change (the lock every money move takes)."""
    metadata = intent.get("metadata")
    if not isinstance(metadata, dict):
        return None
    try:
        invoice_id = int(metadata.get("invoice_id"))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < invoice_id < 2**63:
        return None
    member_id = db.session.scalar(
        sa.select(Invoice.member_id).where(Invoice.id == invoice_id, Invoice.kind == Kind.INVOICE)
    )
    if member_id is None:
        return None
    services.lock_member(member_id)
    invoice = db.session.get(Invoice, invoice_id)
    number = metadata.get("invoice_number")
    if number and number != invoice.number:
        return None
    return invoice


def _received_on(event: dict):
    created = event.get("created")
    if not isinstance(created, int) or not 0 < created < 2**37:  # a time Stripe could send
        return uk_today()
    return min(datetime.fromtimestamp(created, UTC).astimezone(LONDON).date(), uk_today())


def _succeeded(intent: dict, event: dict) -> tuple[str, int | None]:
    if not isinstance(intent.get("id"), str):
        return "Ignored: the payment has no id", None
    invoice = _invoice_of(intent)
    if invoice is None:
        _log().warning(
            "Stripe payment %s names no invoice of ours (%s): not recorded",
            intent.get("id"),
            intent.get("metadata"),
        )
        return "Ignored: no such invoice, money taken but not recorded", None
    if str(intent.get("currency", "")).lower() != "gbp":
        _log().error("Stripe payment %s is not in pounds: not recorded", intent.get("id"))
        return f"Ignored: paid in {intent.get('currency')}, not recorded", invoice.id
    existing = db.session.scalar(
        sa.select(Payment.id).where(Payment.stripe_payment_intent == intent.get("id"))
    )
    if existing is not None:
        return f"Already recorded as payment {existing}", invoice.id
    amount = intent.get("amount_received") or intent.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount > MAX_PENCE:
        _log().error("Stripe payment %s has an amount we cannot record: %r", intent["id"], amount)
        raise _NotRecorded(f"Not recorded: amount {str(amount)[:30]} is not a payment", invoice.id)
    owed = ledger.owed(invoice)
    to_invoice = max(0, min(amount, owed))  # any more stays as credit
    try:
        payment = services.record_payment(
            invoice.member,
            amount,
            _received_on(event),
            "card",
            intent["id"],
            ACTOR,
            allocations=[(invoice, to_invoice)] if to_invoice else [],
            stripe_payment_intent=intent["id"],
            commit=False,
            owed_now={invoice.id: owed},  # read above under the row lock
        )
    except services.PaymentError as exc:
        _log().error("Stripe payment %s could not be recorded: %s", intent["id"], exc)
        raise _NotRecorded(f"Not recorded: {exc}", invoice.id) from exc
    _log().info("card payment %s recorded for %s", intent["id"], invoice.number)
    return f"Recorded as payment {payment.id}", invoice.id


def _failed(intent: dict, _event: dict) -> tuple[str, int | None]:
    invoice = _invoice_of(intent)
    error = intent.get("last_payment_error")
    message = error.get("message") if isinstance(error, dict) else None
    reason = message[:150] if isinstance(message, str) and message else None
    reason = reason or "The card payment was not successful."
    return f"Not paid: {reason}", invoice.id if invoice else None


def _not_used(_object: dict, event: dict) -> tuple[str, int | None]:
    return f"Ignored: {event.get('type')} is not used", None


HANDLERS = {SUCCEEDED: _succeeded, FAILED: _failed}


# Finance


def failed_events(limit: int = 100) -> list[tuple[StripeEvent, Invoice | None]]:
    return db.session.execute(
        sa.select(StripeEvent, Invoice)
        .outerjoin(Invoice, StripeEvent.invoice_id == Invoice.id)
        .where(StripeEvent.type == FAILED)
        .order_by(StripeEvent.received_at.desc())
        .limit(limit)
    ).all()


def unrecorded_events(limit: int = 100) -> list[tuple[StripeEvent, Invoice | None]]:
    """Money Stripe took that no payment records: finance must look into each."""
    return db.session.execute(
        sa.select(StripeEvent, Invoice)
        .outerjoin(Invoice, StripeEvent.invoice_id == Invoice.id)
        .where(
            StripeEvent.type == SUCCEEDED,
            sa.not_(StripeEvent.outcome.startswith("Recorded")),
            sa.not_(StripeEvent.outcome.startswith("Already recorded")),
        )
        .order_by(StripeEvent.received_at.desc())
        .limit(limit)
    ).all()


def card_payments(limit: int = 200) -> list[Payment]:
    return db.session.scalars(
        sa.select(Payment)
        .options(joinedload(Payment.member))
        .where(Payment.method == "card", Payment.stripe_payment_intent.is_not(None))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(limit)
    ).all()


def card_payments_for(invoice: Invoice) -> list[Payment]:
    return db.session.scalars(
        sa.select(Payment)
        .join(Payment.allocations)
        .where(Payment.stripe_payment_intent.is_not(None), Allocation.invoice_id == invoice.id)
        .distinct()
        .order_by(Payment.id)
    ).all()


def refundable(payment: Payment) -> int:
    """What can still go back to the card: the payment, less refunds booked and refunds asked
    of Stripe and not yet booked."""
    if payment.reversed_at is not None or not payment.stripe_payment_intent:
        return 0
    pending = db.session.scalar(
        sa.select(sum_pence(CardRefund.amount_pence)).where(
            CardRefund.payment_id == payment.id, CardRefund.state == "pending"
        )
    )
    return payment.amount_pence - payment.refunded_pence - pending


def refund_card_payment(payment: Payment, amount_pence: int, actor, reason: str) -> str:
    """Give money back to the card through Stripe, then book it: the refund comes out of the
    payment's unallocated credit first, then out of what it paid on invoices, newest first
    (those invoices owe it again). Returns Stripe's refund id. Audited.

    Three steps, so a race or a crash never leaves Stripe's money unbooked: under the member's
    lock the request is checked and stored with its idempotency key (committed); Stripe is
    asked with that key; under the lock again the refund is booked (finish_refund)."""
    reason = (reason or "").strip()
    services.lock_member(payment.member_id)
    if payment.method != "card" or not payment.stripe_payment_intent:
        raise services.PaymentError("Only payments taken by card here can be refunded by card")
    if payment.reversed_at is not None:
        raise services.PaymentError("This payment has been reversed")
    if not reason:
        raise services.PaymentError("Enter the reason for the refund", "reason")
    left = refundable(payment)
    if amount_pence is None or amount_pence <= 0:
        raise services.PaymentError("Amount to refund must be more than £0.00", "amount")
    if amount_pence > left:
        if left <= 0:
            raise services.PaymentError("This payment has already been refunded in full")
        raise services.PaymentError(
            f"Amount to refund must be no more than {pounds(left)}", "amount"
        )
    if not gateway.configured():
        raise services.PaymentError("Card payments are not set up, so nothing can be refunded")
    request = CardRefund(
        payment_id=payment.id,
        amount_pence=amount_pence,
        reason=reason,
        idempotency_key=f"flatpack-refund-{secrets.token_hex(16)}",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(request)
    db.session.commit()
    return finish_refund(request, actor)


def finish_refund(request: CardRefund, actor) -> str:
    """Ask Stripe for the stored refund (again, if a crash came between: the key makes it the
    same refund) and book it once. Returns Stripe's refund id."""
    try:
        refund_id = gateway.refund(
            request.payment.stripe_payment_intent, request.amount_pence, request.idempotency_key
        )
    except gateway.GatewayError as exc:
        _log().error("refunding %s failed: %s", request.payment.stripe_payment_intent, exc)
        services.lock_member(request.payment.member_id)
        if request.state == "pending":
            request.state, request.error = "failed", str(exc)[:300]
            db.session.commit()
        raise services.PaymentError(f"The card service refused the refund: {exc}") from exc
    payment = request.payment
    services.lock_member(payment.member_id)
    if request.state != "pending":  # booked by another request meanwhile
        db.session.rollback()
        return request.stripe_refund_id or refund_id
    amount, reason = request.amount_pence, request.reason
    again = _undo_allocations(payment, amount, actor, reason)
    refund = services.record_refund(payment, amount, reason, actor, stripe_refund_id=refund_id)
    audit.record(
        "payment.refunded",
        "payment",
        payment.id,
        member_id=payment.member_id,
        changes={"amount_pence": amount, "refund": refund_id, "reason": reason},
        actor=actor,
    )
    db.session.flush()
    request.state, request.stripe_refund_id, request.refund_id = "done", refund_id, refund.id
    for invoice, rest in again:  # what was not refunded pays the same invoice again
        take = min(rest, ledger.owed(invoice))
        if take > 0:
            services.allocate_credit(payment, invoice, take, actor, commit=False)
    db.session.commit()
    return refund_id


def pending_refunds() -> list[CardRefund]:
    return list(
        db.session.scalars(
            sa.select(CardRefund).where(CardRefund.state == "pending").order_by(CardRefund.id)
        )
    )


def _undo_allocations(payment: Payment, amount: int, actor, reason: str) -> list:
    """Free `amount` of the payment: its unallocated credit first, then whole allocations undone
    newest first. Returns (invoice, pence) still paid by the last one undone, to set again."""
    need = amount - services.unallocated(payment)
    live = [
        a
        for a in payment.allocations
        if a.amount_pence > 0 and not any(b.reverses_id == a.id for b in payment.allocations)
    ]
    again = []
    for allocation in reversed(live):
        if need <= 0:
            break
        services.reverse_allocation(
            allocation, actor, f"Card refund: {reason}", commit=False, locked=True
        )
        if allocation.amount_pence > need:
            again.append((allocation.invoice, allocation.amount_pence - need))
        need -= allocation.amount_pence
    return again
