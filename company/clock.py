"""Time in one place: stored datetimes are naive UTC; 'today' is the UK date; months and the
company's financial years (a company fact: billing, filings and reports all use them)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def uk_today() -> date:
    return datetime.now(LONDON).date()


def uk_date(stored: datetime) -> date:
    """The UK date of a stored (naive UTC) datetime: 23:30 UTC in summer is the next day."""
    return stored.replace(tzinfo=UTC).astimezone(LONDON).date()


def add_months(first_of_month: date, n: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def financial_year_start(day: date, first_month: int = 4) -> date:
    """First day of the financial year containing `day` (1 April by default)."""
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def financial_year_end(start: date) -> date:
    """Last day of the financial year that starts on `start`."""
    return add_months(start, 12) - timedelta(days=1)


def financial_year_label(start: date) -> str:
    """'2026/27' for the year starting 1 April 2026; '2026' for a calendar year."""
    if start.month == 1:
        return str(start.year)
    return f"{start.year}/{(start.year + 1) % 100:02d}"
