"""Lines left for finance to review, with suggestions by amount and council name."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from billing import ledger
from billing.bank.matching import (
    invoice_numbers,
    number_pattern,
    oldest_first,
    owed_by_number,
)
from billing.bank.models import BankLine
from billing.bank.statement import OPEN
from billing.invoices.models import Invoice
from company.extensions import db
from company.members.models import Member

# Review


@dataclass
class Suggestion:
    reason: str
    member: Member
    invoice: Invoice | None = None  # None: the member's oldest invoices first
    owed_pence: int = 0  # what the invoice owes; for a member, what all its invoices owe


@dataclass
class ReviewLine:
    line: BankLine
    suggestions: list[Suggestion] = field(default_factory=list)
    more_same_amount: int = 0  # invoices owing the same amount not listed


def to_review_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(BankLine.id)).where(BankLine.state == "unmatched")
    )


def lines_to_review(page: int = 1, per_page: int = 25) -> tuple[list[ReviewLine], int]:
    """Unmatched lines, oldest first, with suggestions; and how many there are in all."""
    total = to_review_count()
    lines = db.session.scalars(
        sa.select(BankLine)
        .where(BankLine.state == "unmatched")
        .order_by(BankLine.booked_on, BankLine.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return suggest(lines), total


_GENERIC = """
    COUNCIL COUNCILS DISTRICT BOROUGH CITY COUNTY METROPOLITAN ROYAL THE AND OF ON IN
    UPON WITH TOWN PARISH UNITARY AUTHORITY COMBINED LONDON GREATER WEST EAST NORTH
    SOUTH NORTHERN SOUTHERN EASTERN WESTERN MID CENTRAL GREAT NEW FIRE RESCUE POLICE
    NATIONAL PARK SERVICE SERVICES GROUP PUBLIC BODY LTD LIMITED TRUST PAYMENT PAYMENTS
    BANK TRANSFER INVOICE ISLES ISLAND ISLANDS VALE SAINT
"""


GENERIC_WORDS = frozenset(_GENERIC.split())  # words that name no particular member


def _words(text: str) -> list[str]:
    return re.sub(r"[^A-Z0-9]+", " ", (text or "").upper().replace("&", " AND ")).split()


_LEADING = frozenset(_words("the London Royal Borough City County of Metropolitan"))


_TRAILING = frozenset(
    _words(
        "Council Councils District Borough City County Metropolitan Unitary Authority Parish Town"
    )
)


class _NameIndex:
    """Members found by their name in a bank reference: the name without the words around it
    ('Brighton and Hove City Council' → 'BRIGHTON AND HOVE', 'London Borough of Lambeth' →
    'LAMBETH'), or a word of it that no other member's name has ('Adur', 'Brighton')."""

    def __init__(self, members: list[Member]):
        self.members = {m.id: m for m in members}
        self.phrases: list[tuple[str, int]] = []
        owners: dict[str, set[int]] = defaultdict(set)
        for m in members:
            words = _words(m.name)
            start, end = 0, len(words)
            while start < end and words[start] in _LEADING:
                start += 1
            while end > start and words[end - 1] in _TRAILING:
                end -= 1
            if start < end:
                self.phrases.append((" ".join(words[start:end]), m.id))
            for w in words:
                if len(w) >= 4 and not w.isdigit() and w not in GENERIC_WORDS:
                    owners[w].add(m.id)
        self.distinctive = {w: next(iter(ids)) for w, ids in owners.items() if len(ids) == 1}

    def find(self, text: str) -> list[Member]:
        words = _words(text)
        padded = f" {' '.join(words)} "
        found = []
        for phrase, member_id in self.phrases:
            if f" {phrase} " in padded and member_id not in found:
                found.append(member_id)
        for w in words:
            member_id = self.distinctive.get(w)
            if member_id is not None and member_id not in found:
                found.append(member_id)
        return [self.members[i] for i in found]


def _open_owing_amounts(amounts: set[int]) -> list[tuple[Invoice, int]]:
    """Open invoices owing exactly one of `amounts` (one query for the candidates)."""
    if not amounts:
        return []
    return ledger.open_owing_exactly(amounts)


def suggest(lines: list[BankLine], per_line: int = 5) -> list[ReviewLine]:
    """For each line: invoices its reference names; invoices of members named in it; their
    oldest invoices first; then other invoices owing the same amount."""
    if not lines:
        return []
    pattern = number_pattern()
    named = {line.id: invoice_numbers(line.description, pattern) for line in lines}
    owing = owed_by_number(n for numbers in named.values() for n in numbers)
    same_amount: dict[int, list[tuple[Invoice, int]]] = defaultdict(list)
    for inv, left in _open_owing_amounts({line.amount_pence for line in lines}):
        same_amount[left].append((inv, left))
    index = _NameIndex(db.session.scalars(sa.select(Member).order_by(Member.name)).all())
    owed_by_member: dict[int, int] = {}
    result = []
    for line in lines:
        review = ReviewLine(line)
        seen: set[int] = set()
        people = index.find(line.description)
        people_ids = {m.id for m in people}

        def add(reason, inv, left, review=review, seen=seen):
            if inv.id not in seen and left > 0:
                seen.add(inv.id)
                review.suggestions.append(Suggestion(reason, inv.member, inv, left))

        for number in named[line.id]:
            if number in owing:
                inv, left = owing[number]
                add(
                    f"The reference mentions {number}"
                    + (", which owes the same amount" if left == line.amount_pence else ""),
                    inv,
                    left,
                )
        for inv, left in same_amount.get(line.amount_pence, []):
            if inv.member_id in people_ids:
                add(f"{inv.member.name} is named and {inv.number} owes the same amount", inv, left)
        for member in people:
            if member.id not in owed_by_member:
                owed_by_member[member.id] = sum(x for _, x in open_invoices_with_owed(member.id))
            review.suggestions.append(
                Suggestion(
                    f"The reference names {member.name}", member, None, owed_by_member[member.id]
                )
            )
        others = [p for p in same_amount.get(line.amount_pence, []) if p[0].id not in seen]
        room = max(per_line - len(review.suggestions), 0)
        for inv, left in others[:room]:
            add(f"{inv.number} owes the same amount", inv, left)
        review.more_same_amount = max(len(others) - room, 0)
        result.append(review)
    return result


def open_invoices_with_owed(member_id: int) -> list[tuple[Invoice, int]]:
    return oldest_first(
        [
            (inv, left)
            for inv, left in ledger.owed_where(
                sa.and_(Invoice.member_id == member_id, Invoice.status.in_(OPEN))
            )
            if left > 0
        ]
    )
