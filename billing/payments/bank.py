"""Bank statements: reading a CSV export, adding each line of money in once, matching lines to
invoices automatically, and the review of the rest.

A statement is read and checked whole before anything is saved: one bad row and nothing from
the file is imported. Each line of money in gets a fingerprint (date, amount, description, and
its occurrence among identical lines of the same file), so importing the same or an overlapping
file again adds nothing twice. A line is matched automatically only when its reference names
invoices and the amount is exactly what one of them, or one set of one member's invoices named
there, still owes; everything else waits for finance to confirm a suggestion, allocate it by
hand or ignore it.
"""

import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from billing.invoices.models import Invoice, Kind, Status
from billing.invoices.services import IllegalTransition
from billing.money import sum_pence
from company import audit
from company.audit import AuditEvent
from company.clock import uk_today
from company.errors import FieldError
from company.extensions import db
from company.formats import MONTHS
from company.members.models import Member
from company.settings import services as settings

from .models import Allocation, BankImport, BankLine, BankMapping, Payment
from .services import PaymentError, audit_later, owed, record_payment

CHUNK = 500  # lines matched (and committed) together; numbers looked up together
MAX_PROBLEMS = 10  # row problems listed; the rest are counted
MAX_SET = 8  # most invoices named in one reference that are tried as a set
MAX_BYTES = 10 * 1024 * 1024
OPEN = (Status.ISSUED, Status.PART_PAID)


class BankError(FieldError):
    """A statement or an action refused, with what a person needs to put it right."""

    def __init__(self, message: str, field: str | None = None, problems: list[str] | None = None):
        super().__init__(message, field)
        self.problems = problems or [message]


# The column mapping


@dataclass(frozen=True)
class Columns:
    """Which columns of the CSV hold what: one signed amount, or paid in and paid out."""

    date: str
    description: str
    amount: str | None = None
    paid_in: str | None = None
    paid_out: str | None = None

    @property
    def separate(self) -> bool:
        return not self.amount

    def wanted(self) -> list[str]:
        names = [self.date, self.description]
        names += [self.amount] if not self.separate else [self.paid_in, self.paid_out]
        return [n for n in names if n]


def mapping() -> Columns:
    """The remembered mapping, or the usual column names before the first import."""
    row = db.session.get(BankMapping, 1)
    if row is None:
        return Columns("Date", "Description", "Amount")
    return Columns(
        row.date_column,
        row.description_column,
        row.amount_column or None,
        row.paid_in_column or None,
        row.paid_out_column or None,
    )


def _save_mapping(columns: Columns, actor) -> None:
    values = {
        "date_column": columns.date,
        "description_column": columns.description,
        "amount_column": None if columns.separate else columns.amount,
        "paid_in_column": columns.paid_in if columns.separate else None,
        "paid_out_column": columns.paid_out if columns.separate else None,
    }
    row = db.session.get(BankMapping, 1)
    if row is None:  # the first import: the row starts from the usual names
        row = BankMapping(id=1)
        db.session.add(row)
        db.session.flush()
    changed = audit.changes_of(row, values)
    if changed:
        audit.record("bank.mapping_changed", "bank_mapping", 1, changes=changed, actor=actor)


# Reading a statement


@dataclass
class StatementLine:
    row: int
    booked_on: date
    description: str
    amount_pence: int
    fingerprint: str = ""


@dataclass
class Statement:
    lines: list[StatementLine]  # money in only
    read: int  # every line with a transaction on it
    money_out: int  # skipped: money out (or nothing in)


def _text(data: bytes) -> str:
    if not data.strip():
        raise BankError("The selected file is empty", "file")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BankError(
            "The selected file is a spreadsheet: save it as CSV from your spreadsheet program, "
            "then upload the CSV file",
            "file",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise BankError("The selected file must be a CSV", "file")


def normalise(description: str) -> str:
    return " ".join(description.split())


def fingerprint(booked_on: date, amount_pence: int, description: str, occurrence: int) -> str:
    key = f"{booked_on.isoformat()}|{amount_pence}|{normalise(description).upper()}|{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()


_DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_D_MON_Y = re.compile(r"(\d{1,2})[ \-]([A-Za-z]{3,9})[ \-](\d{4}|\d{2})")
_TIME = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)$")
_MONTHS = {name[:3].upper(): n for n, name in enumerate(MONTHS, start=1)}


class _RowProblem(ValueError):
    pass


def parse_date(raw: str, today: date | None = None) -> date:
    """'01/04/2026' (day first, as UK banks write it), '2026-04-01' or '1 Apr 2026'."""
    text = _TIME.sub("", raw.strip())
    if not text:
        raise _RowProblem("there is no date")
    if m := _DMY.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), m[4]
    elif m := _YMD.fullmatch(text):
        year, month, day = m[1], int(m[2]), int(m[3])
    elif (m := _D_MON_Y.fullmatch(text)) and m[2][:3].upper() in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2][:3].upper()], m[3]
    else:
        raise _RowProblem(f"'{raw.strip()}' is not a date, like 01/04/2026 or 2026-04-01")
    year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        value = date(year, month, day)
    except ValueError:
        raise _RowProblem(f"the date '{raw.strip()}' is not a real date") from None
    if value > (today or uk_today()):
        raise _RowProblem(f"the date '{raw.strip()}' is in the future")
    return value


_AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?|\.\d{1,2}")


def parse_amount(raw: str) -> int | None:
    """'1,234.50', '£1,234.50', '-12.00', '(12.00)' or '12.00-' to signed pence; None if blank."""
    text = raw.strip().replace("£", "").replace(",", "").replace(" ", "")
    if text.upper().startswith("GBP"):
        text = text[3:]
    if not text:
        return None
    sign = 1
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1, text[1:-1]
    if text[:1] and text[0] in "+-":
        sign, text = (-sign if text[0] == "-" else sign), text[1:]
    elif text.endswith("-"):
        sign, text = -sign, text[:-1]
    text = text.replace("£", "")  # '-£12.00'
    if not _AMOUNT.fullmatch(text):
        raise _RowProblem(f"amount '{raw.strip()}' is not a number")
    try:
        return sign * int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _RowProblem(f"amount '{raw.strip()}' is not a number") from None


def _header(rows: list[list[str]], columns: Columns) -> tuple[int, dict[str, int]]:
    """The header row (the first with every mapped column, else the first non-empty one)."""
    wanted = columns.wanted()
    first = None
    for index, row in enumerate(rows[:20]):
        names = [cell.strip() for cell in row]
        if not any(names):
            continue
        if first is None:
            first = (index, names)
        lookup = {name.lower(): i for i, name in reversed(list(enumerate(names))) if name}
        if all(w.lower() in lookup for w in wanted):
            return index, {w: lookup[w.lower()] for w in wanted}
    if first is None:
        raise BankError("The selected file is empty", "file")
    index, names = first
    lookup = {name.lower() for name in names}
    missing = next(w for w in wanted if w.lower() not in lookup)
    shown = ", ".join(f"'{n}'" for n in names if n) or "(none)"
    raise BankError(f"The file has no column called '{missing}'. Its columns are: {shown}", "file")


def read_statement(data: bytes, columns: Columns, today: date | None = None) -> Statement:
    """Every row checked; BankError listing the rows with problems (nothing is saved here)."""
    text = _text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise BankError(f"The selected file must be a CSV ({exc})", "file") from exc
    start, where = _header(rows, columns)
    today = today or uk_today()
    lines, problems, problem_count, read, money_out = [], [], 0, 0, 0
    seen: Counter = Counter()

    def cell(row, name):
        i = where[name]
        return row[i] if i < len(row) else ""

    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(c.strip() for c in row):
            continue
        read += 1
        try:
            booked_on = parse_date(cell(row, columns.date), today)
            if columns.separate:
                paid_in = parse_amount(cell(row, columns.paid_in))
                paid_out = parse_amount(cell(row, columns.paid_out)) if columns.paid_out else None
                if paid_in and paid_out:
                    raise _RowProblem(
                        f"there are amounts in both '{columns.paid_in}' and '{columns.paid_out}'"
                    )
                if paid_in is None and paid_out is None:
                    raise _RowProblem("there is no amount")
                amount = paid_in if paid_in else -abs(paid_out or 0)
            else:
                amount = parse_amount(cell(row, columns.amount))
                if amount is None:
                    raise _RowProblem("there is no amount")
        except _RowProblem as problem:
            problem_count += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"Row {number}: {problem}")
            continue
        if amount <= 0:
            money_out += 1
            continue
        description = normalise(cell(row, columns.description))
        key = (booked_on, amount, description.upper())
        lines.append(
            StatementLine(
                number, booked_on, description, amount, fingerprint(*key, occurrence=seen[key])
            )
        )
        seen[key] += 1
    if problem_count:
        if problem_count > len(problems):
            problems.append(f"and {problem_count - len(problems)} more rows with problems")
        raise BankError(
            f"{problems[0]}" if problem_count == 1 else f"{problem_count} rows have problems",
            "file",
            problems,
        )
    if read == 0:
        raise BankError("The selected file has no transactions in it", "file")
    return Statement(lines, read, money_out)


# Importing


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    then (unless `match` is False) match what can be matched, a chunk at a time."""
    statement = read_statement(data, columns)
    fingerprints = [line.fingerprint for line in statement.lines]
    existing: set[str] = set()
    for chunk in _chunks(fingerprints):
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
    )
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
    _save_mapping(columns, actor)
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
    if match:
        match_import(bank_import, actor)
    return bank_import


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


# Invoice numbers in references, and what those invoices owe


def _number_pattern() -> re.Pattern:
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


def _owed_where(condition) -> list[tuple[Invoice, int]]:
    """Invoices meeting `condition`, each with what it owes: the same as services.owed(), for
    many invoices in three queries."""
    rows = db.session.scalars(
        sa.select(Invoice).where(Invoice.kind == Kind.INVOICE, condition)
    ).all()
    return _with_owed(rows)


def _with_owed(rows: list[Invoice]) -> list[tuple[Invoice, int]]:
    ids = [inv.id for inv in rows]
    credited: dict[int, int] = {}
    allocated: dict[int, int] = {}
    for chunk in _chunks(ids):
        credited.update(
            db.session.execute(
                sa.select(Invoice.original_id, sum_pence(Invoice.gross_pence))
                .where(
                    Invoice.original_id.in_(chunk),
                    Invoice.kind == Kind.CREDIT_NOTE,
                    Invoice.status != Status.DRAFT,
                )
                .group_by(Invoice.original_id)
            ).all()
        )
        allocated.update(
            db.session.execute(
                sa.select(Allocation.invoice_id, sum_pence(Allocation.amount_pence))
                .where(Allocation.invoice_id.in_(chunk))
                .group_by(Allocation.invoice_id)
            ).all()
        )
    return [
        (
            inv,
            0
            if inv.status in (Status.DRAFT, Status.CREDITED)
            else inv.gross_pence - credited.get(inv.id, 0) - allocated.get(inv.id, 0),
        )
        for inv in rows
    ]


def owed_by_number(numbers) -> dict[str, tuple[Invoice, int]]:
    numbers = sorted(set(numbers))
    result = {}
    for chunk in _chunks(numbers):
        for inv, left in _owed_where(Invoice.number.in_(chunk)):
            result[inv.number] = (inv, left)
    return result


def _oldest_first(pairs):
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
    return _oldest_first(sets[0]) if len(sets) == 1 else None


# Automatic matching


def match_import(bank_import: BankImport, actor) -> int:
    """Match the import's unmatched lines, committing a chunk at a time; returns how many."""
    import_id = bank_import.id
    ids = db.session.scalars(
        sa.select(BankLine.id)
        .where(BankLine.import_id == import_id, BankLine.state == "unmatched")
        .order_by(BankLine.booked_on, BankLine.id)
    ).all()
    pattern = _number_pattern()
    return sum(_match_safely(chunk, import_id, pattern, actor) for chunk in _chunks(ids))


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
    owing = owed_by_number(n for numbers in named.values() for n in numbers)
    if not owing:
        return 0
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


def _claim(line_id: int, state: str, member_id: int | None) -> bool:
    """Move a line out of review, unless someone else already has."""
    result = db.session.execute(
        sa.update(BankLine)
        .where(BankLine.id == line_id, BankLine.state == "unmatched")
        .values(state=state, member_id=member_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


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
    credited = (
        sa.select(Invoice.original_id.label("id"), sum_pence(Invoice.gross_pence).label("pence"))
        .where(Invoice.kind == Kind.CREDIT_NOTE, Invoice.status != Status.DRAFT)
        .group_by(Invoice.original_id)
        .subquery()
    )
    allocated = (
        sa.select(
            Allocation.invoice_id.label("id"), sum_pence(Allocation.amount_pence).label("pence")
        )
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    left = (
        Invoice.gross_pence
        - sa.func.coalesce(credited.c.pence, 0)
        - sa.func.coalesce(allocated.c.pence, 0)
    )
    rows = db.session.execute(
        sa.select(Invoice, left)
        .outerjoin(credited, credited.c.id == Invoice.id)
        .outerjoin(allocated, allocated.c.id == Invoice.id)
        .where(Invoice.kind == Kind.INVOICE, Invoice.status.in_(OPEN), left.in_(sorted(amounts)))
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    return [(inv, int(pence)) for inv, pence in rows]


def suggest(lines: list[BankLine], per_line: int = 5) -> list[ReviewLine]:
    """For each line: invoices its reference names; invoices of members named in it; their
    oldest invoices first; then other invoices owing the same amount."""
    if not lines:
        return []
    pattern = _number_pattern()
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
    return _oldest_first(
        [
            (inv, left)
            for inv, left in _owed_where(
                sa.and_(Invoice.member_id == member_id, Invoice.status.in_(OPEN))
            )
            if left > 0
        ]
    )


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
    if not _claim(line.id, "matched", member.id):
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
                "invoices": [a.invoice.number for a in payment.allocations],
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
    if invoice.kind != Kind.INVOICE or invoice.status not in OPEN or owed(invoice) <= 0:
        raise BankError(f"{invoice.number or 'This invoice'} has nothing left to pay")
    amount = min(line.amount_pence, owed(invoice))
    return _record(line, invoice.member, [(invoice, amount)], actor, "confirmed")


def allocate(
    line: BankLine, member: Member, actor, invoices: list[Invoice] | None = None
) -> Payment:
    """Pay the member's chosen invoices (oldest first, up to the amount), or, with none chosen,
    its oldest invoices first. Whatever is left is credit on its account."""
    if invoices:
        plan, left = [], line.amount_pence
        for inv, due in _oldest_first(_with_owed(list(invoices))):
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
    if not _claim(line.id, "ignored", None):
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
