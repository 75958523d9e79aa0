"""Credit control: payment reminders, disputes, and the late-payment claim on overdue invoices.

Reminders follow a schedule of stages in days relative to the due date (config REMINDER_STAGES,
default 7 days before, on the day, 14 and 30 days after). `run()` (`flask billing reminders`,
daily from cron) decides each stage that has come round once: a Reminder row records it as sent
(the email is queued through the outbox in the same transaction) or skipped with the reason. The
unique (invoice, stage) constraint means a stage is never decided twice, even by two runs at once.

- A run missed for days catches up with one email: the latest stage that has come round. Earlier
  stages still undecided are recorded as skipped, "superseded by a later reminder".
- Disputed invoices, and invoices without the purchase order number their member requires, get
  no reminders: each stage is recorded as skipped with the reason, and the invoice is listed for
  finance (needs_attention).
- Settled invoices (paid, credited, nothing owed), drafts and credit notes are not chased and
  nothing is recorded for them.
- Credit on the council's account (money received and not yet set against an invoice) covers its
  open invoices oldest first: an invoice it covers in full is not chased (nothing recorded, so
  it is chased again if the credit is refunded); one covered in part is reminded of the rest.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError

from billing import ledger
from billing.credit_control import late_payment
from billing.credit_control.models import Reminder
from billing.invoices.models import Invoice, Kind, Status
from billing.payments import services as payments
from billing.payments.models import Allocation, Payment
from company import audit, outbox
from company.clock import uk_today, utcnow
from company.errors import FieldError
from company.extensions import db
from company.formats import long_date
from company.links import external_url
from company.members.models import Member

OPEN = (Status.ISSUED, Status.PART_PAID)
SUPERSEDED = "superseded by a later reminder"
DISPUTED = "disputed"
NO_PO = "purchase order number missing"
NO_EMAIL = "no email address for the member council"
SUBJECT_PREFIX = "Reminder: invoice "
NOTE_MAX = 2000


class CreditControlError(FieldError):
    """A credit-control action refused."""


# The schedule


def configured_stages() -> list[int]:
    return sorted(set(current_app.config.get("REMINDER_STAGES") or []))


def stage_label(stage: int) -> str:
    if stage < 0:
        return f"{-stage} day{'s' if stage != -1 else ''} before the due date"
    if stage == 0:
        return "On the due date"
    return f"{stage} day{'s' if stage != 1 else ''} overdue"


def stages_due(due_date: date, today: date, stages: list[int] | None = None) -> list[int]:
    """The stages whose day has come by `today`."""
    stages = configured_stages() if stages is None else stages
    return [s for s in stages if due_date + timedelta(days=s) <= today]


def email_to(invoice: Invoice) -> str | None:
    member = invoice.member
    return (member.finance_email or member.contact_email or "").strip() or None


def pause_reason(invoice: Invoice) -> str | None:
    """Why `invoice` gets no reminders, or None if it may be chased."""
    if invoice.is_credit_note:
        return "credit note"
    if invoice.status == Status.DRAFT:
        return "draft"
    if invoice.status == Status.PAID:
        return "paid"
    if invoice.status == Status.CREDITED:
        return "credited"
    if invoice.disputed_at is not None:
        return DISPUTED
    if invoice.member.po_required and not invoice.po_number:
        return NO_PO
    if email_to(invoice) is None:
        return NO_EMAIL
    return None


# The daily run


@dataclass
class RunResult:
    sent: int = 0
    skipped: int = 0
    invoices: list[str] = field(default_factory=list)  # numbers of the invoices emailed

    def line(self) -> str:
        return f"sent={self.sent} skipped={self.skipped}"


def run(today: date | None = None) -> RunResult:
    """Send the reminders that have come round by `today`; record the ones skipped."""
    today = today or uk_today()
    stages = configured_stages()
    result = RunResult()
    if not stages:
        return result
    # Open invoices whose first stage has come round. Settled ones are not chased.
    candidates = (
        sa.select(Invoice.id, Invoice.due_date)
        .where(
            Invoice.kind == Kind.INVOICE,
            Invoice.status.in_(OPEN),
            Invoice.due_date.is_not(None),
            Invoice.due_date <= today - timedelta(days=stages[0]),
        )
        .order_by(Invoice.due_date, Invoice.id)
    )
    rows = db.session.execute(candidates).all()
    recorded: dict[int, set[int]] = {}
    for invoice_id, stage in db.session.execute(
        sa.select(Reminder.invoice_id, Reminder.stage).where(
            Reminder.invoice_id.in_(candidates.with_only_columns(Invoice.id).order_by(None))
        )
    ):
        recorded.setdefault(invoice_id, set()).add(stage)
    for invoice_id, due_date in rows:
        due = stages_due(due_date, today, stages)
        pending = [s for s in due if s not in recorded.get(invoice_id, set())]
        if not pending:
            continue
        invoice = db.session.get(Invoice, invoice_id)
        try:
            decided = decide(invoice, today, due, pending)
            db.session.commit()
        except IntegrityError:
            # Another run decided these stages at the same moment; its decision stands and
            # our email (queued in this transaction) goes with the rollback.
            db.session.rollback()
            continue
        for reminder in decided:
            if reminder.sent:
                result.sent += 1
                result.invoices.append(invoice.number)
            else:
                result.skipped += 1
    return result


def credit_cover(invoice: Invoice) -> int:
    """How much of what `invoice` owes the council's credit on account covers, the credit
    going to its open invoices oldest first."""
    credit = payments.member_credit(invoice.member_id)
    if credit <= 0:
        return 0
    for other, owed in ledger.with_owed(ledger.open_invoices(invoice.member_id)):
        if other.id == invoice.id:
            return min(owed, credit)
        credit -= owed
        if credit <= 0:
            return 0
    return 0


def decide(invoice: Invoice, today: date, due: list[int], pending: list[int]) -> list[Reminder]:
    """Record (in the session) the decision on each pending stage; queue at most one email."""
    reason = pause_reason(invoice)
    owed = ledger.owed(invoice)
    if reason is None and owed > 0:
        owed -= credit_cover(invoice)
    if reason is None and owed <= 0:
        return []  # settled: nothing to chase, nothing to record
    decided = []
    send_stage = max(due) if reason is None and max(due) in pending else None
    for stage in sorted(pending):
        if stage == send_stage:
            to = email_to(invoice)
            _queue_email(invoice, owed, to, today)
            row = Reminder(stage=stage, sent=True, reason=f"emailed to {to}")
        else:
            row = Reminder(stage=stage, sent=False, reason=reason or SUPERSEDED)
        row.invoice_id, row.decided_on = invoice.id, today
        db.session.add(row)
        decided.append(row)
    db.session.flush()  # a concurrent run's rows raise IntegrityError here
    return decided


def subject_for(invoice: Invoice, today: date) -> str:
    if today < invoice.due_date:
        return f"{SUBJECT_PREFIX}{invoice.number} is due on {long_date(invoice.due_date)}"
    if today == invoice.due_date:
        return f"{SUBJECT_PREFIX}{invoice.number} is due today"
    return f"{SUBJECT_PREFIX}{invoice.number} is overdue"


def _queue_email(invoice: Invoice, owed: int, to: str, today: date) -> None:
    seller = json.loads(invoice.seller or "{}")
    outbox.queue(
        to,
        subject_for(invoice, today),
        render_template(
            "emails/reminder.txt",
            invoice=invoice,
            owed=owed,
            seller=seller,
            days=(invoice.due_date - today).days,
            link=external_url("invoices.portal_show_invoice", invoice_id=invoice.id),
        ),
    )


# Disputes


def mark_disputed(invoice: Invoice, note: str, actor) -> None:
    """Pause reminders on an invoice the council disputes; a second call changes the note."""
    if invoice.is_credit_note or invoice.status in (Status.DRAFT, Status.CREDITED):
        raise CreditControlError("Only an issued invoice that is not credited can be disputed")
    note = (note or "").strip()
    if not note:
        raise CreditControlError("Enter what the council disputes", "note")
    if len(note) > NOTE_MAX:
        raise CreditControlError(f"Note must be {NOTE_MAX} characters or fewer", "note")
    first = invoice.disputed_at is None
    values = {"dispute_note": note}
    if first:
        values["disputed_at"] = utcnow()
    changes = audit.changes_of(invoice, values)
    if not changes:
        return
    audit.record(
        "invoice.disputed" if first else "invoice.dispute_note_changed",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes=changes,
        actor=actor,
    )
    db.session.commit()


def clear_dispute(invoice: Invoice, note: str | None, actor) -> None:
    """The dispute is settled: reminders resume from the next stage."""
    if invoice.disputed_at is None:
        raise CreditControlError("This invoice is not marked as disputed")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise CreditControlError(f"Note must be {NOTE_MAX} characters or fewer", "note")
    changes = audit.changes_of(invoice, {"disputed_at": None, "dispute_note": None})
    if note:
        changes["resolution"] = note
    audit.record(
        "invoice.dispute_cleared",
        "invoice",
        invoice.id,
        member_id=invoice.member_id,
        changes=changes,
        actor=actor,
    )
    db.session.commit()


# Late payment


def movements(invoice: Invoice) -> list[tuple[date, int]]:
    """What reduced (or, reversed, increased) the balance, by date: credits and payments."""
    return movements_many([invoice.id])[invoice.id]


def movements_many(invoice_ids: list[int]) -> dict[int, list[tuple[date, int]]]:
    """`movements()` of each invoice, by id, in two queries (for a page of a list, not a book)."""
    found: dict[int, list[tuple[date, int]]] = {i: [] for i in invoice_ids}
    if not invoice_ids:
        return found
    credits = db.session.execute(
        sa.select(Invoice.original_id, Invoice.issue_date, Invoice.gross_pence).where(
            Invoice.original_id.in_(invoice_ids), ledger.issued_credit_notes()
        )
    )
    paid = db.session.execute(
        sa.select(Allocation.invoice_id, Payment.received_on, Allocation.amount_pence)
        .join(Payment, Allocation.payment_id == Payment.id)
        .where(Allocation.invoice_id.in_(invoice_ids))
    )
    for invoice_id, day, pence in [*credits, *paid]:
        found[invoice_id].append((day, -pence))
    return found


def claimable(invoice: Invoice, today: date | None = None) -> late_payment.Claim | None:
    """Statutory interest and compensation that could be claimed on an overdue invoice."""
    today = today or uk_today()
    if (
        invoice.kind != Kind.INVOICE
        or invoice.status not in OPEN
        or invoice.due_date is None
        or invoice.due_date >= today
        or ledger.owed(invoice) <= 0
    ):
        return None
    try:
        return late_payment.claim(invoice.due_date, today, invoice.gross_pence, movements(invoice))
    except late_payment.RateUnknown:
        return None


# What finance sees


def reminders_of(invoice: Invoice) -> list[Reminder]:
    return db.session.scalars(
        sa.select(Reminder).where(Reminder.invoice_id == invoice.id).order_by(Reminder.stage)
    ).all()


def failed_emails(number: str | None = None) -> list[outbox.OutboxMessage]:
    """Reminder emails the outbox gave up on (or could not be sure it sent)."""
    prefix = SUBJECT_PREFIX + (f"{number} " if number else "")
    return db.session.scalars(
        sa.select(outbox.OutboxMessage)
        .where(
            outbox.OutboxMessage.status.in_([outbox.FAILED, outbox.UNKNOWN]),
            outbox.OutboxMessage.subject.startswith(prefix, autoescape=True),
        )
        .order_by(outbox.OutboxMessage.id)
    ).all()


def number_in(subject: str) -> str:
    return subject.removeprefix(SUBJECT_PREFIX).split(" ", 1)[0]


@dataclass
class NextReminder:
    stage: int
    on: date | None  # None: already due, at the next daily run


def next_reminder(invoice: Invoice, today: date | None = None) -> NextReminder | None:
    today = today or uk_today()
    if pause_reason(invoice) or not invoice.due_date or ledger.owed(invoice) <= 0:
        return None
    recorded = {r.stage for r in reminders_of(invoice)}
    stages = configured_stages()
    due = stages_due(invoice.due_date, today, stages)
    if due and max(due) not in recorded:
        return NextReminder(max(due), None)
    later = [s for s in stages if s not in due]
    if not later:
        return None
    return NextReminder(later[0], invoice.due_date + timedelta(days=later[0]))


def panel(invoice: Invoice) -> dict:
    """Everything the credit-control part of the finance invoice page shows."""
    if invoice.is_credit_note or invoice.status == Status.DRAFT:
        return {"shown": False}
    today = uk_today()
    return {
        "shown": True,
        "reminders": reminders_of(invoice),
        "pause_reason": pause_reason(invoice),
        "next": next_reminder(invoice, today),
        "failed": failed_emails(invoice.number),
        "claim": claimable(invoice, today),
        "stage_label": stage_label,
    }


@dataclass
class Attention:
    invoice: Invoice
    owed_pence: int
    reasons: list[str] = field(default_factory=list)


def needs_attention() -> list[Attention]:
    """Open invoices finance should look at: disputed, missing a required purchase order
    number, whose latest reminder was skipped, or whose reminder email failed. Five queries
    however many there are: each reads what its invoices owe as it goes."""
    found: dict[int, Attention] = {}

    def add(invoice: Invoice, owed: int, reason: str) -> None:
        if invoice.id not in found:
            found[invoice.id] = Attention(invoice, owed)
        found[invoice.id].reasons.append(reason)

    # An open invoice owes its stored balance (billing.balances).
    open_invoices = sa.select(Invoice, Invoice.balance_pence).where(
        Invoice.kind == Kind.INVOICE, Invoice.status.in_(OPEN)
    )
    for invoice, owed in db.session.execute(open_invoices.where(Invoice.disputed_at.is_not(None))):
        add(
            invoice,
            owed,
            f"Disputed since {long_date(invoice.disputed_at)}: {invoice.dispute_note}",
        )
    for invoice, owed in db.session.execute(
        open_invoices.join(Member, Invoice.member_id == Member.id)
        .options(sa.orm.contains_eager(Invoice.member))
        .where(
            # from the few councils that need a PO to their invoices, not from every invoice
            Invoice.member_id.in_(sa.select(Member.id).where(Member.po_required.is_(True))),
            Member.po_required.is_(True),
            Invoice.po_number.is_(None),
        )
    ):
        add(invoice, owed, f"No purchase order number; {invoice.member.name} needs one on invoices")
    latest = (
        sa.select(Reminder.invoice_id, sa.func.max(Reminder.stage).label("stage"))
        .group_by(Reminder.invoice_id)
        .subquery()
    )
    skipped = db.session.execute(
        open_invoices.add_columns(Reminder)
        .join(Reminder, Reminder.invoice_id == Invoice.id)
        .join(
            latest,
            sa.and_(latest.c.invoice_id == Reminder.invoice_id, latest.c.stage == Reminder.stage),
        )
        .where(Reminder.sent.is_(False), Reminder.reason != SUPERSEDED)
    ).all()
    for invoice, owed, reminder in skipped:
        add(
            invoice,
            owed,
            f"Reminder not sent ({stage_label(reminder.stage).lower()}, "
            f"{long_date(reminder.decided_on)}): {reminder.reason}",
        )
    failed = failed_emails()
    if failed:
        by_number = {
            inv.number: (inv, owed)
            for inv, owed in db.session.execute(
                open_invoices.where(Invoice.number.in_({number_in(m.subject) for m in failed}))
            )
        }
        for message in failed:
            if number_in(message.subject) in by_number:
                invoice, owed = by_number[number_in(message.subject)]
                add(
                    invoice,
                    owed,
                    f"Reminder email to {message.to} could not be sent ({message.status})",
                )
    return sorted(found.values(), key=lambda a: (a.invoice.due_date or date.max, a.invoice.id))
