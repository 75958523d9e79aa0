"""Automatic matching: invoice numbers in references, for the amount they owe."""

import re
from collections import defaultdict
from datetime import date
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from billing import ledger
from billing.bank.models import BankImport, BankLine
from billing.bank.statement import MAX_SET, chunks
from billing.invoices.models import Invoice, Kind
from billing.invoices.services import IllegalTransition
from billing.payments.services import PaymentError, audit_later, record_payment
from company import audit, locks
from company.extensions import db
from company.members.models import Member
from company.settings import services as settings

# Invoice numbers in references, and what those invoices owe


def number_pattern() -> re.Pattern:
    """Invoice numbers as people type them into bank references: INV-2026-00001, INV 2026 1,
    inv2026/00001. Prefixes are the current one and every one used so far."""
    prefixes = {settings.current().invoice_prefix}
    prefixes.update(
        series.rsplit("-", 1)[0]
        for series in db.session.scalars(
            sa.select(Invoice.series).where(Invoice.kind == Kind.INVOICE).distinct()
        )
        if series
    )
    alternatives = "|".join(sorted((re.escape(p) for p in prefixes if p), key=len, reverse=True))
    return re.compile(
        rf"(?<![A-Z0-9])({alternatives})[\s\-/.]*(\d{{4}})[\s\-/.]*(\d{{1,6}})(?!\d)", re.I
    )


def invoice_numbers(text: str, pattern: re.Pattern) -> list[str]:
    """Invoice numbers written in `text`, in the form they are stored (INV-2026-00001)."""
    found = []
    for prefix, year, seq in pattern.findall(text or ""):
        number = f"{prefix.upper()}-{year}-{int(seq):05d}"
        if number not in found:
            found.append(number)
    return found


def owed_by_number(numbers) -> dict[str, tuple[Invoice, int]]:
    numbers = sorted(set(numbers))
    result = {}
    for chunk in chunks(numbers):
        for inv, left in ledger.owed_where(Invoice.number.in_(chunk)):
            result[inv.number] = (inv, left)
    return result


def oldest_first(pairs):
    return sorted(
        pairs, key=lambda p: (p[0].due_date or date.max, p[0].issue_date or date.max, p[0].id)
    )


def match_plan(amount: int, candidates: list[tuple[Invoice, int]]):
    """The allocations for a line naming `candidates` (invoice, owed), or None when there is not
    exactly one invoice, or one set of one member's invoices, owing exactly `amount`."""
    live = {inv.id: (inv, left) for inv, left in candidates if left > 0}
    exact = [(inv, left) for inv, left in live.values() if left == amount]
    if len(exact) == 1:
        return exact
    if exact:
        return None  # two invoices owe the same: a person decides
    by_member = defaultdict(list)
    for inv, left in live.values():
        by_member[inv.member_id].append((inv, left))
    sets = []
    for invs in by_member.values():
        if len(invs) > MAX_SET:
            continue
        for size in range(2, len(invs) + 1):
            sets.extend(c for c in combinations(invs, size) if sum(x for _, x in c) == amount)
            if len(sets) > 1:
                return None
    return oldest_first(sets[0]) if len(sets) == 1 else None


# Automatic matching


def match_import(bank_import: BankImport, actor, progress=None) -> int:
    """Match the import's unmatched lines, committing a chunk at a time; returns how many.
    Safe to run again: only lines still unmatched are read. `progress(done, total)` after
    each chunk, counting lines looked at."""
    import_id = bank_import.id
    ids = db.session.scalars(
        sa.select(BankLine.id)
        .where(BankLine.import_id == import_id, BankLine.state == "unmatched")
        .order_by(BankLine.booked_on, BankLine.id)
    ).all()
    pattern = number_pattern()
    matched = looked_at = 0
    for chunk in chunks(ids):
        matched += _match_safely(chunk, import_id, pattern, actor)
        looked_at += len(chunk)
        if progress:
            progress(looked_at, len(ids))
    return matched


def _match_safely(ids: list[int], import_id: int, pattern, actor) -> int:
    """A chunk in one transaction; if a payment is refused (someone else paid an invoice in the
    meantime), the chunk is retried in halves, and a line refused on its own waits for review."""
    try:
        matched = _match_chunk(ids, import_id, pattern, actor)
        db.session.commit()
        return matched
    except (PaymentError, IllegalTransition, StaleDataError, IntegrityError, _Contended):
        db.session.rollback()
        if len(ids) == 1:
            return 0
        half = len(ids) // 2
        return _match_safely(ids[:half], import_id, pattern, actor) + _match_safely(
            ids[half:], import_id, pattern, actor
        )


def _match_chunk(ids: list[int], import_id: int, pattern, actor) -> int:
    lines = db.session.execute(
        sa.select(BankLine.id, BankLine.booked_on, BankLine.description, BankLine.amount_pence)
        .where(BankLine.id.in_(ids), BankLine.state == "unmatched")
        .order_by(BankLine.booked_on, BankLine.id)
    ).all()
    named = {line.id: invoice_numbers(line.description, pattern) for line in lines}
    numbers = {n for found in named.values() for n in found}
    owing = owed_by_number(numbers)
    if not owing:
        return 0
    # Lock the members' accounts (the lock every money move takes), then read again what is
    # owed: a payment recorded by hand meanwhile is counted.
    locks.lock_many(Member, {inv.member_id for inv, _ in owing.values()})
    owing = owed_by_number(numbers)
    members = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_({inv.member_id for inv, _ in owing.values()}))
        )
    }
    decided = []
    for line in lines:
        plan = match_plan(line.amount_pence, [owing[n] for n in named[line.id] if n in owing])
        if plan is None:
            continue
        before = {inv.id: owing[inv.number][1] for inv, _ in plan}
        for inv, amount in plan:
            owing[inv.number] = (inv, owing[inv.number][1] - amount)
        decided.append((line, members[plan[0][0].member_id], plan, before))
    if not decided:
        return 0
    _claim_all({line.id: member.id for line, member, _, _ in decided})
    later: list = []
    with db.session.no_autoflush:  # the chunk's rows are written together, below
        for line, member, plan, before in decided:
            record_payment(
                member,
                line.amount_pence,
                line.booked_on,
                "bank_transfer",
                line.description[:200],
                actor,
                allocations=plan,
                bank_line_id=line.id,
                commit=False,
                owed_now=before,  # looked up in bulk for the chunk: no query per invoice
                later=later,
            )
    audit_later(later)
    matched = [line.id for line, _, _, _ in decided]
    if matched:
        audit.record(
            "bank.matched",
            "bank_import",
            import_id,
            changes={"matched": len(matched), "lines": matched},
            actor=actor,
        )
    return len(matched)


class _Contended(RuntimeError):
    """Lines of the chunk were dealt with by someone else meanwhile."""


def _claim_all(members_by_line: dict[int, int]) -> None:
    """Mark the lines matched (to their members) in one statement, or refuse the chunk if
    someone else has dealt with any of them meanwhile."""
    ids = list(members_by_line)
    result = db.session.connection().execute(
        sa.update(BankLine.__table__)
        .where(BankLine.__table__.c.id.in_(ids), BankLine.__table__.c.state == "unmatched")
        .values(
            state="matched",
            member_id=sa.case(members_by_line, value=BankLine.__table__.c.id),
        )
    )
    if result.rowcount != len(ids):
        raise _Contended()


def claim_line(line_id: int, state: str, member_id: int | None) -> bool:
    """Move a line out of review, unless someone else already has."""
    result = db.session.execute(
        sa.update(BankLine)
        .where(BankLine.id == line_id, BankLine.state == "unmatched")
        .values(state=state, member_id=member_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
