"""Reading a bank statement: the remembered column mapping, dates, amounts, fingerprints."""

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from billing.bank.models import BankMapping
from billing.invoices.models import Status
from billing.money import MAX_PENCE
from company import audit
from company.clock import uk_today
from company.errors import FieldError
from company.extensions import db
from company.formats import MONTHS

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


def save_mapping(columns: Columns, actor) -> None:
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
        pence = int(Decimal(text) * 100)
        if pence > MAX_PENCE:
            raise _RowProblem(f"amount '{raw.strip()[:30]}' is more than £10,000,000.00")
        return sign * pence
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


def chunks(items: list, size: int | None = None):
    """`items` CHUNK at a time (read when called, so a test can make chunks small)."""
    size = size or CHUNK
    for i in range(0, len(items), size):
        yield items[i : i + size]
