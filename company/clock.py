"""Time in one place: stored datetimes are naive UTC; 'today' is the UK date."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# Month names in English whatever the machine's locale (dates read "1 April 2026").
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


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def uk_today() -> date:
    return datetime.now(LONDON).date()
