"""How dates and money read everywhere: pages, PDFs, emails, CSV files and service messages.

No Flask and no locale: month names are spelt here, so a server set to French or Welsh still
writes "1 April 2026" and "£1,234.50".
"""

from datetime import UTC, date, datetime

from company.clock import LONDON

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def to_london(value: datetime) -> datetime:
    """Stored datetimes are naive UTC; show them in UK time (GMT or BST)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def long_date(value: date | datetime | None) -> str:
    """'1 April 2026' (a datetime is read in UK time); '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_datetime(value: datetime | None) -> str:
    """'1 April 2026 at 9:05am', in UK time."""
    if value is None:
        return ""
    local = to_london(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{long_date(local)} at {hour}:{local.minute:02d}{suffix}"


def month_year(value: date) -> str:
    """'April 2026'."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def short_month(value: date) -> str:
    """'Apr', for chart axes."""
    return MONTHS[value.month - 1][:3]


def numeric_date(value: date) -> str:
    """'01/04/2026', the day-first form accounting imports expect."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _pence(pence) -> int:
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError(f"money must be integer pence, not {type(pence).__name__}")
    return pence


def pounds(pence: int | None) -> str:
    """Integer pence to '£1,234.50'; negative amounts as '-£12.00'; '' for None."""
    if pence is None:
        return ""
    sign = "-" if _pence(pence) < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def pence_decimal(pence: int | None) -> str:
    """Pence as a plain decimal for CSV files and form fields: 123456 -> '1234.56'."""
    if pence is None:
        return ""
    sign = "-" if _pence(pence) < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"
