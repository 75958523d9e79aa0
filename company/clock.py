"""Time in one place: stored datetimes are naive UTC; 'today' is the UK date."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def uk_today() -> date:
    return datetime.now(LONDON).date()
