"""Recording payments and setting them against invoices.

What an invoice still owes is its total, less credit notes against it, less allocations of
payments to it. A payment's unallocated remainder is credit on the member's account, to be
allocated later or refunded. Invoice status follows (issued → part-paid → paid) through the
invoices' transition table. Every change is audited; nothing is deleted.

Every function here that moves money first locks the member (company/locks.py): the member's
row owns its account (invoices, payments, credit on account), so two requests about one council
take turns, and each re-reads what is left after the lock before it checks and writes.
"""

from datetime import date

import sqlalchemy as sa

from billing import ledger
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Status
from billing.money import sum_pence
from billing.payments.models import METHODS, Allocation, Payment, Refund
from company import audit, locks
from company.clock import uk_today, utcnow
from company.errors import FieldError
from company.extensions import db
from company.formats import pounds
from company.members.models import Member


class PaymentError(FieldError):
    """A refusal to show on the page."""


def unallocated(payment: Payment) -> int:
    if payment.reversed_at is not None:
        return 0
    allocated = db.session.scalar(
        sa.select(sum_pence(Allocation.amount_pence)).where(Allocation.payment_id == payment.id)
    )
    return payment.amount_pence - payment.refunded_pence - allocated


def member_credit(member_id: int) -> int:
    """Money received from a member and not (yet) set against an invoice or refunded."""
    received = db.session.scalar(
        sa.select(sum_pence(Payment.amount_pence - Payment.refunded_pence)).where(
            Payment.member_id == member_id, Payment.reversed_at.is_(None)
        )
    )
    allocated = db.session.scalar(
        sa.select(sum_pence(Allocation.amount_pence))
        .join(Payment, Allocation.payment_id == Payment.id)
        .where(Payment.member_id == member_id, Payment.reversed_at.is_(None))
    )
    return received - allocated


def _allocate(
    payment: Payment,
    invoice: Invoice,
    amount: int,
    actor,
    left: int | None = None,
    later: list | None = None,
    on: date | None = None,
) -> Allocation:
    """Set `amount` of `payment` against `invoice`, which owes `left` (looked up if not given),
    and move the invoice to part-paid or paid. It takes effect `on` that day (today if not
    given), or the day the invoice was issued if that is later: money that arrived before its
    invoice was credit on account until then."""
    if invoice.member_id != payment.member.id:  # (payment.member_id is set only at flush)
        raise PaymentError(
            f"{invoice.number} is not an invoice of {payment.member.name}", "allocations"
        )
    if amount <= 0:
        raise PaymentError("Amounts to allocate must be more than £0.00", "allocations")
    left = ledger.owed(invoice) if left is None else left
    if amount > left:
        raise PaymentError(f"{invoice.number} has only {pounds(left)} left to pay", "allocations")
    allocation = Allocation(
        payment=payment,
        invoice_id=invoice.id,
        amount_pence=amount,
        effective_on=max(on or uk_today(), invoice.issue_date),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(allocation)
    target = Status.PAID if amount == left else Status.PART_PAID
    if invoice.status != target:
        invoices.transition(invoice, target)
    _then(
        later,
        lambda: audit.record(
            "payment.allocated",
            "invoice",
            invoice.id,
            member_id=invoice.member_id,
            changes={"payment": payment.id, "amount_pence": amount},
            actor=actor or "system",
        ),
    )
    return allocation


def _then(later: list | None, action) -> None:
    """Run `action` now (after a flush, so new rows have ids), or leave it in `later` for a
    caller recording many payments, who flushes once and then runs them all (audit_later)."""
    if later is None:
        db.session.flush()
        action()
    else:
        later.append(action)


def audit_later(later: list) -> None:
    """Write the audit events left by record_payment(..., later=…), once ids are known."""
    db.session.flush()
    for action in later:
        action()
    later.clear()


def suggest_allocations(member_id: int, amount: int) -> list[tuple[Invoice, int]]:
    """Oldest first: each open invoice takes what it owes until the money runs out."""
    plan = []
    for invoice in ledger.open_invoices(member_id):
        if amount <= 0:
            break
        take = min(amount, ledger.owed(invoice))
        plan.append((invoice, take))
        amount -= take
    return plan


def record_payment(
    member: Member,
    amount_pence: int,
    received_on: date,
    method: str,
    reference: str | None,
    actor,
    allocations: list[tuple[Invoice, int]] | None = None,
    *,
    bank_line_id: int | None = None,
    stripe_payment_intent: str | None = None,
    commit: bool = True,
    owed_now: dict[int, int] | None = None,
    later: list | None = None,
) -> Payment:
    """Record money received and set it against invoices (oldest first when `allocations` is
    None). Whatever is not allocated stays as credit on the member's account. `owed_now`
    ({invoice id: owed}) spares a query per invoice when the caller looked them up in bulk; a
    caller recording thousands passes `later` and calls audit_later() once per batch, so the
    rows are written together rather than one flush a payment. The member is locked first
    unless `owed_now` is given: that caller has locked it and read what is owed under the lock."""
    if owed_now is None:
        member = lock_member(member.id)
    if amount_pence <= 0:
        raise PaymentError("Amount received must be more than £0.00", "amount")
    if received_on > uk_today():
        raise PaymentError("Date received must be today or in the past", "received_on")
    if method not in METHODS:
        raise PaymentError("Select how the money was paid", "method")
    plan = suggest_allocations(member.id, amount_pence) if allocations is None else allocations
    if sum(amount for _, amount in plan) > amount_pence:
        raise PaymentError(
            "The amounts allocated add up to more than the amount received", "allocations"
        )
    payment = Payment(
        member=member,
        amount_pence=amount_pence,
        received_on=received_on,
        method=method,
        reference=(reference or "").strip() or None,
        bank_line_id=bank_line_id,
        stripe_payment_intent=stripe_payment_intent,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    _then(
        later,
        lambda: audit.record(
            "payment.recorded",
            "payment",
            payment.id,
            member_id=member.id,
            changes={
                "amount_pence": amount_pence,
                "received_on": received_on.isoformat(),
                "method": method,
                "reference": payment.reference,
            },
            actor=actor or "system",
        ),
    )
    for invoice, amount in plan:
        _allocate(
            payment,
            invoice,
            amount,
            actor,
            left=(owed_now or {}).get(invoice.id),
            later=later,
            on=received_on,
        )
    if commit:
        db.session.commit()
    return payment


def lock_member(member_id: int) -> Member:
    """Lock the member's account for this transaction; what is read after it is current."""
    return locks.lock(Member, member_id)


def allocate_credit(
    payment: Payment, invoice: Invoice, amount_pence: int, actor, commit: bool = True
) -> Allocation:
    """Set part of a payment's unallocated credit against an invoice."""
    lock_member(payment.member_id)
    if payment.reversed_at is not None:
        raise PaymentError("This payment has been reversed")
    if amount_pence > unallocated(payment):
        raise PaymentError(
            f"Only {pounds(unallocated(payment))} of this payment is unallocated", "amount"
        )
    allocation = _allocate(payment, invoice, amount_pence, actor)
    if commit:
        db.session.commit()
    return allocation


def record_refund(
    payment: Payment, amount_pence: int, reason: str, actor, stripe_refund_id: str | None = None
) -> Refund:
    """Book money going back out of `payment` today: its own dated movement (statements and
    the journal show it on the day it happened), and the payment's running total."""
    refund = Refund(
        payment_id=payment.id,
        amount_pence=amount_pence,
        refunded_on=uk_today(),
        reason=reason,
        stripe_refund_id=stripe_refund_id,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(refund)
    payment.refunded_pence += amount_pence
    return refund


def refund_credit(payment: Payment, amount_pence: int, actor, reason: str) -> None:
    """Record credit paid back to the council by bank transfer (card payments are refunded
    through the card provider instead). Only money not set against an invoice can go back."""
    lock_member(payment.member_id)
    if payment.reversed_at is not None:
        raise PaymentError("This payment has been reversed")
    if not (reason or "").strip():
        raise PaymentError("Enter the reason for the refund", "reason")
    if amount_pence <= 0:
        raise PaymentError("Amount to refund must be more than £0.00", "amount")
    if amount_pence > unallocated(payment):
        raise PaymentError(
            f"Only {pounds(unallocated(payment))} of this payment is credit that can be refunded",
            "amount",
        )
    record_refund(payment, amount_pence, reason.strip(), actor)
    audit.record(
        "payment.credit_refunded",
        "payment",
        payment.id,
        member_id=payment.member_id,
        changes={"amount_pence": amount_pence, "reason": reason.strip()},
        actor=actor or "system",
    )
    db.session.commit()


def reverse_allocation(
    allocation: Allocation, actor, reason: str, commit: bool = True, locked: bool = False
) -> Allocation:
    """Undo an allocation by recording its opposite; the invoice owes the money again.
    `locked`: the caller holds the member's lock already."""
    if not locked:
        lock_member(allocation.payment.member_id)
    if allocation.amount_pence < 0 or db.session.scalar(
        sa.select(Allocation.id).where(Allocation.reverses_id == allocation.id)
    ):
        raise PaymentError("This allocation has already been reversed")
    if not (reason or "").strip():
        raise PaymentError("Enter the reason for the reversal", "reason")
    opposite = Allocation(
        payment_id=allocation.payment_id,
        invoice_id=allocation.invoice_id,
        amount_pence=-allocation.amount_pence,
        reverses_id=allocation.id,
        effective_on=uk_today(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(opposite)
    db.session.flush()
    invoice = db.session.get(Invoice, allocation.invoice_id)
    ledger.sync_status(invoice)
    audit.record(
        "payment.allocation_reversed",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes={
            "payment": allocation.payment_id,
            "amount_pence": -allocation.amount_pence,
            "reason": reason.strip(),
        },
        actor=actor or "system",
    )
    if commit:
        db.session.commit()
    return opposite


def reverse_payment(payment: Payment, actor, reason: str) -> None:
    """A payment recorded in error (a bounced cheque, the wrong member): its allocations are
    reversed and it no longer counts. The row stays, marked, with the reason."""
    lock_member(payment.member_id)
    if payment.reversed_at is not None:
        raise PaymentError("This payment has already been reversed")
    if not (reason or "").strip():
        raise PaymentError("Enter the reason for the reversal", "reason")
    live = [
        a
        for a in payment.allocations
        if a.amount_pence > 0 and not any(b.reverses_id == a.id for b in payment.allocations)
    ]
    for allocation in live:
        reverse_allocation(allocation, actor, reason, commit=False, locked=True)
    payment.reversed_at, payment.reversed_by_id, payment.reversal_reason = (
        utcnow(),
        getattr(actor, "id", None),
        reason.strip(),
    )
    audit.record(
        "payment.reversed",
        "payment",
        payment.id,
        member_id=payment.member_id,
        changes={"reason": reason.strip()},
        actor=actor or "system",
    )
    db.session.commit()
