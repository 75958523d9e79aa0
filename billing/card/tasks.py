"""Card refunds left pending (the request that asked Stripe died before booking the answer)
are finished every ten minutes with their stored idempotency key: Stripe answers with the same
refund, and it is booked once."""

from datetime import timedelta

from company.jobs.queue import periodic

SETTLE = timedelta(minutes=5)  # younger ones may still be in their own request


@periodic("every 10 minutes", minute="*/10")
def finish_pending_refunds() -> None:
    from billing.card import services
    from billing.payments.services import PaymentError
    from company.auth.models import User
    from company.clock import utcnow
    from company.extensions import db

    for request in services.pending_refunds():
        if request.created_at > utcnow() - SETTLE:
            continue
        actor = db.session.get(User, request.created_by_id) if request.created_by_id else None
        try:
            services.finish_refund(request, actor)
        except PaymentError:
            db.session.rollback()  # recorded as failed on the request, for finance to see
