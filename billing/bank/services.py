"""Importing a statement and finance's decisions on its lines."""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from billing import ledger
from billing.bank.matching import claim_line, match_import, oldest_first
from billing.bank.models import BankImport, BankLine
from billing.bank.statement import OPEN, BankError, Columns, chunks, read_statement, save_mapping
from billing.invoices.models import Invoice, Kind
from billing.invoices.services import IllegalTransition
from billing.payments.models import Payment
from billing.payments.services import PaymentError, record_payment
from company import audit
from company.audit import AuditEvent
from company.clock import utcnow
from company.extensions import db
from company.jobs import progress
from company.jobs.queue import task
from company.members.models import Member

# Importing


@dataclass
class Summary:
    """What an import did, as the results page tells it."""

    bank_import: BankImport
    read: int
    added: int
    already: int
    money_out: int
    matched: int
    to_review: int


def import_statement(
    data: bytes, filename: str, columns: Columns, actor, match: bool = True
) -> BankImport:
    """Add the statement's new lines of money in (all or nothing) and remember the mapping;
    then match what can be matched, a chunk at a time, here, or (`match=False`) by the
    `match_statement` task that `start_matching` queues."""
    statement = read_statement(data, columns)
    fingerprints = [line.fingerprint for line in statement.lines]
    existing: set[str] = set()
    for chunk in chunks(fingerprints):
        existing.update(
            db.session.scalars(
                sa.select(BankLine.fingerprint).where(BankLine.fingerprint.in_(chunk))
            )
        )
    new = [line for line in statement.lines if line.fingerprint not in existing]
    bank_import = BankImport(
        filename=(filename or "statement.csv")[:200],
        imported_by_id=getattr(actor, "id", None),
        lines_read=statement.read,
        lines_added=len(new),
        state=progress.DONE,
    )
    if new:
        progress.queue(bank_import)
    db.session.add(bank_import)
    db.session.flush()
    if new:
        db.session.execute(
            sa.insert(BankLine),
            [
                dict(
                    import_id=bank_import.id,
                    fingerprint=line.fingerprint,
                    booked_on=line.booked_on,
                    description=line.description,
                    amount_pence=line.amount_pence,
                    state="unmatched",
                )
                for line in new
            ],
        )
    save_mapping(columns, actor)
    audit.record(
        "bank.imported",
        "bank_import",
        bank_import.id,
        changes={
            "filename": bank_import.filename,
            "lines_read": statement.read,
            "lines_added": len(new),
            "already_imported": len(statement.lines) - len(new),
            "money_out": statement.money_out,
        },
        actor=actor,
    )
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same lines imported at the same moment by someone else
        db.session.rollback()
        raise BankError(
            "Some of these lines were imported by someone else at the same moment. Upload the "
            "file again: lines already imported are skipped",
            "file",
        ) from exc
    if match and new:
        match_import(bank_import, actor)
        bank_import.state, bank_import.finished_at = progress.DONE, utcnow()
        db.session.commit()
    return bank_import


def start_matching(bank_import: BankImport) -> None:
    """Queue the matching of a committed import's lines, or of those left when it stopped (the
    results page shows progress)."""
    if bank_import.state in (progress.STOPPED, progress.FAILED):
        progress.queue(bank_import)  # again: the lines already matched are not read twice
        db.session.commit()
    if bank_import.state == progress.QUEUED:
        match_statement(bank_import.id)


@task()
def match_statement(import_id: int) -> None:
    """The task: match the import's lines, reporting progress in its row. Safe to run
    again: lines already matched are not read."""
    from company.auth.models import User

    bank_import = db.session.get(BankImport, import_id)
    if bank_import is None or bank_import.state not in progress.ACTIVE:
        return
    actor = db.session.get(User, bank_import.imported_by_id) if bank_import.imported_by_id else None
    with progress.tracking(BankImport, import_id) as report:
        report.result = {"matched": match_import(bank_import, actor, progress=report)}


def stop_abandoned() -> int:
    return progress.stop_abandoned(BankImport)


def summary(bank_import: BankImport) -> Summary:
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity == "bank_import", AuditEvent.entity_id == bank_import.id
        )
    ).all()
    imported, matched = {}, 0
    for event in events:
        changes = _changes(event)
        if event.action == "bank.imported":
            imported = changes
        elif event.action == "bank.matched":
            matched += changes.get("matched", 0)
    to_review = db.session.scalar(
        sa.select(sa.func.count(BankLine.id)).where(
            BankLine.import_id == bank_import.id, BankLine.state == "unmatched"
        )
    )
    return Summary(
        bank_import,
        read=bank_import.lines_read,
        added=bank_import.lines_added,
        already=imported.get("already_imported", 0),
        money_out=imported.get("money_out", 0),
        matched=matched,
        to_review=to_review,
    )


def _changes(event: AuditEvent) -> dict:
    return json.loads(event.changes or "{}")


def recent_imports(limit: int = 10) -> list[BankImport]:
    return db.session.scalars(
        sa.select(BankImport)
        .order_by(BankImport.imported_at.desc(), BankImport.id.desc())
        .limit(limit)
    ).all()


# Finance's decisions on a line


def _unmatched(line: BankLine) -> None:
    if line.state != "unmatched":
        raise BankError(
            "This line has already been matched"
            if line.state == "matched"
            else "This line has been ignored"
        )


def _record(line: BankLine, member: Member, allocations, actor, how: str) -> Payment:
    _unmatched(line)
    if not claim_line(line.id, "matched", member.id):
        db.session.rollback()
        raise BankError("Someone else dealt with this line at the same moment")
    try:
        payment = record_payment(
            member,
            line.amount_pence,
            line.booked_on,
            "bank_transfer",
            line.description[:200],
            actor,
            allocations=allocations,
            bank_line_id=line.id,
            commit=False,
        )
        audit.record(
            "bank.line_matched",
            "bank_line",
            line.id,
            member_id=member.id,
            changes={
                "payment": payment.id,
                "how": how,
                # text, not a list: a two-item list would read as a [before, after] change
                "invoices": ", ".join(a.invoice.number for a in payment.allocations),
            },
            actor=actor,
        )
        db.session.commit()
    except PaymentError:
        db.session.rollback()
        raise
    except (IntegrityError, StaleDataError, IllegalTransition) as exc:
        db.session.rollback()
        raise BankError(
            "Someone else changed this line or its invoices at the same moment: check and try again"
        ) from exc
    db.session.refresh(line)
    return payment


def confirm_invoice(line: BankLine, invoice: Invoice, actor) -> Payment:
    """Pay `invoice` from the line: what it owes, up to the amount; any rest is credit."""
    _unmatched(line)
    if invoice.kind != Kind.INVOICE or invoice.status not in OPEN or ledger.owed(invoice) <= 0:
        raise BankError(f"{invoice.number or 'This invoice'} has nothing left to pay")
    amount = min(line.amount_pence, ledger.owed(invoice))
    return _record(line, invoice.member, [(invoice, amount)], actor, "confirmed")


def allocate(
    line: BankLine, member: Member, actor, invoices: list[Invoice] | None = None
) -> Payment:
    """Pay the member's chosen invoices (oldest first, up to the amount), or, with none chosen,
    its oldest invoices first. Whatever is left is credit on its account."""
    if invoices:
        plan, left = [], line.amount_pence
        for inv, due in oldest_first(ledger.with_owed(list(invoices))):
            if inv.member_id != member.id:
                raise PaymentError(f"{inv.number} is not an invoice of {member.name}", "invoices")
            take = min(left, due)
            if take > 0:
                plan.append((inv, take))
                left -= take
        if not plan:
            raise BankError("The invoices you chose have nothing left to pay", "invoices")
        return _record(line, member, plan, actor, "chosen invoices")
    return _record(line, member, None, actor, "oldest first")


def ignore(line: BankLine, reason: str, actor) -> None:
    """Not a member's payment (a refund, interest, a transfer): kept, out of review."""
    reason = (reason or "").strip()
    if not reason:
        raise BankError("Enter why this line is not a member's payment", "reason")
    _unmatched(line)
    if not claim_line(line.id, "ignored", None):
        db.session.rollback()
        raise BankError("Someone else dealt with this line at the same moment")
    audit.record("bank.line_ignored", "bank_line", line.id, changes={"reason": reason}, actor=actor)
    db.session.commit()
    db.session.refresh(line)


def payment_of(line: BankLine) -> Payment | None:
    return db.session.scalar(sa.select(Payment).where(Payment.bank_line_id == line.id))


def ignored_reason(line: BankLine) -> str | None:
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(
            AuditEvent.entity == "bank_line",
            AuditEvent.entity_id == line.id,
            AuditEvent.action == "bank.line_ignored",
        )
        .order_by(AuditEvent.id.desc())
    )
    return _changes(event).get("reason") if event else None
